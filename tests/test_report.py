"""matcher report: one offline page, checked in a real headless Chromium and byte for byte."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from shipped import morocco_in_person
from typer.testing import CliRunner, Result

from matcher.cli import app
from matcher.i18n import set_language
from matcher.reference import REGIONS
from matcher.report.data import load_report
from matcher.report.page import render_report
from matcher.report.regionmap import fill_class
from matcher.workbook import WORKBOOK, sheet_title

ROOT = Path(__file__).resolve().parent.parent
MOROCCO = ROOT / "examples" / "morocco"
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "MATCHER_REDACT_KEY": None}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def run(
    args: Sequence[str | Path], *, env: Mapping[str, str | None] | None = None, code: int = 0
) -> Result:
    """Invoke the CLI and check its exit code, showing its output when it differs."""
    result = CliRunner().invoke(app, [str(a) for a in args], env={**ENV, **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == code, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    return result


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def people() -> list[dict[str, str]]:
    return csv_rows(MOROCCO / "developers.csv") + csv_rows(MOROCCO / "partners.csv")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A match of the shipped example, with its report written next to it."""
    out = tmp_path_factory.mktemp("morocco") / "out"
    run(["match", MOROCCO, "--out", out])
    run(["report", out])
    return out


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A match of the example held to 250 km for remote pairs (Dakhla 8 of 10), with its report."""
    out = tmp_path_factory.mktemp("short") / "out"
    run(["match", morocco_in_person(tmp_path_factory.mktemp("in-person")), "--out", out])
    run(["report", out])
    return out


@pytest.fixture
def copy(result: Path, tmp_path: Path) -> Path:
    """A private copy of the result folder, free to edit (report.html removed)."""
    folder = tmp_path / "out"
    shutil.copytree(result, folder)
    (folder / "report.html").unlink()
    return folder


def manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data


# ---------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "NO BROWSER: /usr/bin/chromium is missing, so the report was NOT checked in a "
            "browser; install Debian's chromium (.ci/run does: apt-get install -y chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def loaded(browser: Any, result: Path) -> Iterator[dict[str, Any]]:
    """The report of the shipped example, opened in the browser."""
    yield from open_report(browser, result)


@pytest.fixture(scope="module")
def loaded_short(browser: Any, short: Path) -> Iterator[dict[str, Any]]:
    """The report of the example that falls short, opened in the browser."""
    yield from open_report(browser, short)


def open_report(browser: Any, result: Path) -> Iterator[dict[str, Any]]:
    """Open a report from a file:// URL, every other request blocked and counted."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    url = (result / "report.html").resolve().as_uri()
    seen: dict[str, Any] = {"requests": [], "errors": []}

    def route(r: Any) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            seen["requests"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on(
        "console", lambda m: seen["errors"].append(m.text) if m.type in ("error", "warning") else 0
    )
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["errors"].append("failed: " + r.url))
    page.goto(url, wait_until="load")
    seen["page"] = page
    yield seen
    page.close()


def test_page_loads_without_error_or_request(loaded: dict[str, Any]) -> None:
    assert loaded["errors"] == []
    assert loaded["requests"] == []
    assert loaded["page"].title() == "matcher report · 120/120"


def test_map_has_the_12_regions_with_their_fill_class(
    loaded_short: dict[str, Any], short: Path
) -> None:
    assert loaded_short["errors"] == [] and loaded_short["requests"] == []
    page = loaded_short["page"]
    shapes = page.locator("svg.map #regions path.region")
    assert shapes.count() == 12
    drawn = {
        shapes.nth(i).get_attribute("data-code"): shapes.nth(i).get_attribute("class")
        for i in range(12)
    }
    assert sorted(drawn) == [r.code for r in REGIONS]
    for region in manifest(short)["regions"]:
        classes = set(drawn[region["code"]].split())
        ratio = region["filled"] / region["max"]
        want = "fill-full" if ratio >= 1 else "fill-high" if ratio >= 0.75 else "fill-mid"
        assert want in classes, region["code"]
        assert ("priority" in classes) == region["priority"]
    # Dakhla-Oued Ed-Dahab: 8 of 10; every other region full.
    assert "fill-high" in drawn["MA-12"].split() and "fill-full" in drawn["MA-01"].split()
    fills = page.eval_on_selector_all(
        "svg.map path.region", "els => els.map(e => getComputedStyle(e).fill)"
    )
    assert set(fills) == {"rgb(8, 81, 156)", "rgb(49, 130, 189)"}
    # The shapes are drawn with a real size, not collapsed to nothing.
    box = page.locator("svg.map").bounding_box()
    assert box["width"] > 400 and box["height"] > 400


def test_totals_on_the_page_equal_the_manifest(loaded: dict[str, Any], result: Path) -> None:
    page = loaded["page"]
    data = manifest(result)
    shown = {
        key: page.locator(f"#{key}").inner_text()
        for key in (
            "total-wanted",
            "total-filled",
            "total-pairs",
            "unpaired-developers",
            "unpaired-partners",
            "proof",
        )
    }
    assert shown == {
        "total-wanted": str(sum(r["max"] for r in data["regions"])),
        "total-filled": str(data["objective"]["places_filled"]),
        "total-pairs": str(data["counts"]["pairs"]),
        "unpaired-developers": str(data["counts"]["unpaired_developers"]),
        "unpaired-partners": str(data["counts"]["unpaired_partners"]),
        "proof": "optimal: no pairing fills more places or scores higher",
    }
    assert shown["total-filled"] == "120" and shown["total-wanted"] == "120"
    pairs = page.locator("table.pairs tbody tr").count()
    assert pairs == data["counts"]["pairs"]


def test_screenshot_is_full_size_and_not_blank(loaded: dict[str, Any]) -> None:
    from PIL import Image

    png = loaded["page"].screenshot(full_page=False)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1200, 900)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
    white = sum(n for n, rgb in colours if min(rgb) > 245)
    assert white < 0.9 * image.size[0] * image.size[1]
    # The map's blue is on screen, not only in the file.
    assert any(rgb == (8, 81, 156) and n > 5000 for n, rgb in colours)


def test_every_chart_has_a_text_alternative(loaded: dict[str, Any]) -> None:
    page = loaded["page"]
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(3):
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img"
        title = page.locator("#" + chart.get_attribute("aria-labelledby"))
        assert title.inner_text() in (
            "Places filled per region, against the target",
            "Score distribution per region",
            "What the scores are made of",
        )
    assert page.locator("figure table.sr-only").count() == 3
    assert page.locator("th[scope=col]").count() > 50


def test_prints_on_a4_one_region_per_page(browser: Any, result: Path) -> None:
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto((result / "report.html").resolve().as_uri())
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    # The summary and charts, then each of the 12 regions from a new page, then the audit.
    assert 14 <= pages <= 40
    a4 = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert a4 is not None  # A4 is 595 x 842 points (Chromium rounds via pixels)
    assert abs(float(a4[1]) - 595.3) < 1.5 and abs(float(a4[2]) - 841.9) < 1.5


# ---------------------------------------------------------------- the file itself


def test_page_is_self_contained(result: Path) -> None:
    html = (result / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html)
    assert not re.search(r"url\((?!#)", html)
    assert "@import" not in html and "<script" not in html
    assert '<html lang="en">' in html
    assert "© OpenStreetMap contributors" in html and "ODbL 1.0" in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len(html.encode()) < 600_000


def test_page_names_regions_with_matchers_names_only(result: Path) -> None:
    html = (result / "report.html").read_text(encoding="utf-8")
    for region in REGIONS:
        assert f'<h2 id="region-{region.code}-title">{region.name} ' in html.replace("&#39;", "'")
    # The map file's own labels ("Oriental ⵜⴰⵏⴳⵎⵓⴹⵜ…", "(EH-partial)") never appear.
    assert "ⵜ" not in html and "EH-partial" not in html


def test_same_result_same_bytes_and_owner_only(result: Path, copy: Path) -> None:
    run(["report", copy])
    first = (copy / "report.html").read_bytes()
    run(["report", copy, "--force"])
    # The copy lives in another folder: the page depends on the result, not on where it is.
    assert copy.parent != result.parent
    assert (copy / "report.html").read_bytes() == first == (result / "report.html").read_bytes()
    assert stat.S_IMODE((copy / "report.html").stat().st_mode) == 0o600


def test_refuses_to_overwrite_without_force(result: Path) -> None:
    before = (result / "report.html").read_bytes()
    outcome = run(["report", result], code=5)
    assert "report.html" in outcome.stderr and "--force" in outcome.stderr
    assert (result / "report.html").read_bytes() == before


def test_names_shown_but_never_contacts(result: Path) -> None:
    html = (result / "report.html").read_text(encoding="utf-8")
    assert "Siham Bakkali" in html
    contacts = [p[k] for p in people() for k in ("email", "phone") if p[k]]
    assert not [c for c in contacts if c in html]


def test_contacts_only_with_contacts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(["match", MOROCCO, "--out", out, "--contacts"])
    run(["report", out])
    assert "siham.bakkali@example.ma" not in (out / "report.html").read_text(encoding="utf-8")
    run(["report", out, "--contacts", "--force"])
    assert "siham.bakkali@example.ma" in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["match", "report"])
def test_redact_leaves_no_real_name(where: str, tmp_path: Path) -> None:
    key = {"MATCHER_REDACT_KEY": "a secret key"}
    out = tmp_path / "out"
    run(["match", MOROCCO, "--out", out, *(["--redact"] if where == "match" else [])], env=key)
    run(["report", out, "--xlsx", *(["--redact"] if where == "report" else [])], env=key)
    html = (out / "report.html").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(out / WORKBOOK)
    cells = "\n".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    )
    names = [p["name"] for p in people()]
    assert not [n for n in names if n in html or n in cells]
    assert "D-0563" in html and "anon-" in cells


def test_report_xlsx_writes_and_registers_the_workbook(copy: Path) -> None:
    run(["report", copy, "--xlsx"])
    digest = hashlib.sha256((copy / WORKBOOK).read_bytes()).hexdigest()
    assert manifest(copy)["outputs"][WORKBOOK] == digest
    book = openpyxl.load_workbook(copy / WORKBOOK)
    assert book.sheetnames[1] == sheet_title("MA-01", "Tanger-Tétouan-Al Hoceïma")
    rows = sum(ws.max_row - 1 for ws in book.worksheets[1:13])
    assert rows == 120
    # The result still opens: its files match the (updated) manifest.
    outcome = run(["explain", copy, "--developer", "D-0563"])
    assert "is paired with P-0080" in outcome.stdout


def test_a_changed_result_is_refused(copy: Path) -> None:
    with (copy / "pairings.csv").open("a", encoding="utf-8") as handle:
        handle.write("MA-01,x,D-9999,x,P-9999,x,artisan,x,1,1,1,1,1,1,ary,0,no,no\r\n")
    outcome = run(["report", copy], code=3)
    assert "pairings.csv: was changed or removed after the run" in outcome.stderr
    assert not (copy / "report.html").exists()


def test_not_a_result_folder(tmp_path: Path) -> None:
    outcome = run(["report", tmp_path], code=2)
    assert "holds no manifest.json" in outcome.stderr


CLUB_HEADER = [
    "club_id", "region_code", "region", "seat_code", "seat", "developer_id", "partner_id",
    "partner_kind", "partner_km", "developer_km", "developer_remote", "travel_km", "kept",
]  # fmt: skip


def write_clubs(folder: Path, *, seat_code: str, seat: str, made_from: str | None) -> None:
    """Write clubs.csv and clubs.json the way `matcher clubs` does, for MA-01's first pairs."""
    pairs = [r for r in csv_rows(folder / "pairings.csv") if r["region_code"] == "MA-01"][:3]
    with (folder / "clubs.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CLUB_HEADER)
        for p in pairs:
            writer.writerow(
                ["MA-01-C1", "MA-01", p["region"], seat_code, seat, p["developer_id"],
                 p["partner_id"], p["partner_kind"], "12.0", "3.0", "no", "15.0", "no"]
            )  # fmt: skip
    body = {
        "tool": "matcher",
        "command": "clubs",
        "pairings_sha256": made_from,
        "clubs": [{"id": "MA-01-C1", "seat_code": seat_code, "seat": seat, "size": 3,
                   "mean_travel_km": 14.25}],
    }  # fmt: skip
    (folder / "clubs.json").write_text(json.dumps(body), encoding="utf-8")


def test_clubs_are_listed_and_placed_when_present(copy: Path) -> None:
    digest = hashlib.sha256((copy / "pairings.csv").read_bytes()).hexdigest()
    write_clubs(copy, seat_code="01.511", seat="Tanger-Assilah", made_from=digest)
    run(["report", copy])
    html = (copy / "report.html").read_text(encoding="utf-8")
    assert (
        '<td>MA-01-C1</td><td>Tanger-Assilah</td><td class="num">3</td><td class="num">14.2</td>'
        in html
    )
    assert "club MA-01-C1 meets in Tanger-Assilah (3 pairs)" in html
    seat = re.search(r'<circle class="seat" cx="(-[\d.]+)" cy="(-[\d.]+)" r="5">', html)
    assert seat is not None
    from matcher.reference import get_province
    from matcher.report.regionmap import project

    tangier = get_province("01.511")
    assert (float(seat[1]), float(seat[2])) == project(tangier.lat, tangier.lon)


def test_a_seat_is_placed_by_name_without_clubs_json(copy: Path) -> None:
    write_clubs(copy, seat_code="", seat="Tétouan", made_from=None)
    (copy / "clubs.json").unlink()
    run(["report", copy])
    html = (copy / "report.html").read_text(encoding="utf-8")
    assert "club MA-01-C1 meets in Tétouan (3 pairs)" in html and 'class="seat"' in html


def test_clubs_of_other_pairs_are_refused(copy: Path) -> None:
    write_clubs(copy, seat_code="01.511", seat="Tanger-Assilah", made_from="0" * 64)
    outcome = run(["report", copy], code=3)
    assert "clubs.json: was made from another pairings.csv" in outcome.stderr
    assert not (copy / "report.html").exists()


def test_no_clubs_no_seat(result: Path) -> None:
    html = (result / "report.html").read_text(encoding="utf-8")
    assert 'class="seat"' not in html and "<h3>Clubs</h3>" not in html


def test_page_language_follows_the_cli_language(result: Path) -> None:
    data = load_report(result)
    try:
        set_language("fr")
        html = render_report(data).decode()
    finally:
        set_language("en")
    assert html.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert render_report(data).decode().startswith('<!DOCTYPE html>\n<html lang="en">')


@pytest.mark.parametrize(
    ("filled", "wanted", "expected"),
    [
        (10, 10, "fill-full"),
        (8, 10, "fill-high"),
        (5, 10, "fill-mid"),
        (4, 10, "fill-low"),
        (0, 10, "fill-none"),
        (0, 0, "fill-none"),
    ],
)
def test_fill_class(filled: int, wanted: int, expected: str) -> None:
    from matcher.report.data import RegionView

    region = RegionView(
        "MA-01", "x", False, 0, wanted, filled, wanted - filled, None, None, {}, [], {}, []
    )
    assert fill_class(region) == expected


def _catalog() -> dict[str, str]:
    """The French catalog's entries (msgid -> msgstr), read from the .po file."""
    import ast

    po = ROOT / "matcher" / "locale" / "fr" / "LC_MESSAGES" / "matcher.po"
    entries = re.findall(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', po.read_text("utf-8"), re.M)

    def text(lines: str) -> str:
        return "".join(ast.literal_eval(x) for x in lines.splitlines() if x)

    return {text(i): text(s) for i, s in entries if text(i)}


def test_the_page_speaks_french(result: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gettext

    from matcher import i18n

    catalog = _catalog()

    class French(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return catalog.get(message, message)

    monkeypatch.setitem(i18n._state, "translation", French())
    monkeypatch.setitem(i18n._state, "language", "fr")
    html = render_report(load_report(result)).decode()
    assert '<html lang="fr">' in html
    for french in (
        "Synthèse nationale",
        "Places pourvues par région",
        "optimal : aucun autre appariement ne pourvoit plus de places ni n&#39;obtient",
        "Binômes en Fès-Meknès",
        "Fichiers d&#39;entrée (SHA-256)",
    ):
        assert french in html, french
    assert "National summary" not in html and "Pairs in " not in html


SENTENCE = {
    "en": "Dakhla-Oued Ed-Dahab: 10 wanted, 8 possible — remote developers are held to 250 km; "
    "allowing remote pairs up to 724 km fills 10 of 10",
    "fr": "Dakhla-Oued Ed-Dahab : 10 voulus, 8 possibles — les développeurs à distance sont "
    "limités à 250 km ; autoriser les binômes à distance jusqu'à 724 km remplit 10 sur 10",
}
WHAT_IF = {
    "en": "<br><small>What if:\nlowering mix.min_per_kind.farmer would give 9 of 10; "
    "lowering the quota of Laâyoune-Sakia El Hamra would give 9 of 10</small>",
    "fr": "<br><small>Et si :\nabaisser mix.min_per_kind.farmer donnerait 9 sur 10; "
    "abaisser le quota de Laâyoune-Sakia El Hamra donnerait 9 sur 10</small>",
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_what_if_lists_the_relaxations_the_sentence_does_not_name(
    lang: str, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    run(["--lang", lang, "match", morocco_in_person(tmp_path), "--out", folder])
    data = manifest(folder)
    dakhla = next(r for r in data["regions"] if r["code"] == "MA-12")
    assert (dakhla["diagnosis"], dakhla["relaxations"]) == (SENTENCE[lang], {"remote_distance": 10})
    run(["--lang", lang, "report", folder])
    html = (folder / "report.html").read_text(encoding="utf-8")
    # The sentence names the one relaxation: no what-if line repeats it.
    assert "<li>" + SENTENCE[lang].replace("'", "&#39;") + "</li>" in html
    # Relaxations the sentence does not name are listed, in words, in the page's language.
    dakhla["relaxations"] = {"remote_distance": 10, "quota:MA-11": 9, "min_per_kind:farmer": 9}
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    run(["--lang", lang, "report", folder, "--force"])
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert SENTENCE[lang].replace("'", "&#39;") + WHAT_IF[lang] in html
    assert "allowing remote pairs farther" not in html
    assert "autoriser les binômes à distance plus loin" not in html


@pytest.mark.parametrize("target", ["elsewhere/page.html", "elsewhere"])
def test_out_puts_the_page_elsewhere(copy: Path, tmp_path: Path, target: str) -> None:
    (tmp_path / "elsewhere").mkdir()
    run(["report", copy, "--out", tmp_path / target])
    written = tmp_path / target if target.endswith(".html") else tmp_path / target / "report.html"
    assert written.read_bytes().startswith(b"<!DOCTYPE html>")
    assert not (copy / "report.html").exists()


def test_a_french_excel_result_reads_the_same(result: Path, tmp_path: Path) -> None:
    out = tmp_path / "excel"
    run(["match", MOROCCO, "--out", out, "--excel"])
    assert b";" in (out / "pairings.csv").read_bytes().splitlines()[0]
    run(["report", out, "--xlsx"])
    page = (out / "report.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table class="pairs">.*?</table>', page, flags=re.S)
    plain = (result / "report.html").read_text(encoding="utf-8")
    assert tables == re.findall(r'<table class="pairs">.*?</table>', plain, flags=re.S)
    assert 'id="mean-score">88.4<' in page
    ws = openpyxl.load_workbook(out / WORKBOOK).worksheets[1]
    first = next(ws.iter_rows(min_row=2, max_row=2, values_only=True))
    assert first[8] == 93.33 and first[13] == 0.333

"""pairings.xlsx: read back with openpyxl, private, deterministic, and usable as a lock file."""

from __future__ import annotations

import csv
import json
import shutil
import stat
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
import pytest
from shipped import morocco_in_person
from typer.testing import CliRunner, Result

from matcher.cli import app
from matcher.outputs import CONTACT_COLUMNS, PAIRING_COLUMNS, UNMATCHED_COLUMNS
from matcher.pairs_file import read_pairs
from matcher.reference import REGIONS
from matcher.workbook import WORKBOOK, sheet_title

ROOT = Path(__file__).resolve().parent.parent
MOROCCO = ROOT / "examples" / "morocco"
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "MATCHER_REDACT_KEY": None}
FORMULA_NAME = '=HYPERLINK("http://example.com","click")'
FORMULA_ID = "D-0563"  # paired in MA-01 on the shipped example


def run(args: Sequence[str | Path], *, env: Mapping[str, str | None] | None = None) -> Result:
    """Invoke the CLI; never lets an exception escape unnoticed."""
    result = CliRunner().invoke(app, [str(a) for a in args], env={**ENV, **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    return result


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped example with one developer whose name looks like a formula."""
    folder = tmp_path_factory.mktemp("call")
    shutil.copytree(MOROCCO, folder, dirs_exist_ok=True)
    path = folder / "developers.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    for row in rows:
        if row[0] == FORMULA_ID:
            row[1] = FORMULA_NAME
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return folder


@pytest.fixture(scope="module")
def out(call: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("run") / "out"
    run(["match", call, "--out", folder, "--xlsx"])
    return folder


def test_sheets_are_summary_regions_unmatched(out: Path) -> None:
    book = openpyxl.load_workbook(out / WORKBOOK)
    assert book.sheetnames == [
        "Summary",
        *(sheet_title(r.code, r.name) for r in REGIONS),
        "Unmatched",
    ]
    assert book.sheetnames[1] == "MA-01 Tanger-Tétouan-Al Hoceïma"
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_region_sheets_hold_the_csv_pairs_with_typed_cells(out: Path) -> None:
    book = openpyxl.load_workbook(out / WORKBOOK)
    expected = csv_rows(out / "pairings.csv")
    seen = 0
    for region in REGIONS:
        ws = book[sheet_title(region.code, region.name)]
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0]) == PAIRING_COLUMNS
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:S{len(rows)}"
        assert ws.column_dimensions["B"].width > 10
        for row in rows[1:]:
            want = expected[seen]
            got = dict(zip(PAIRING_COLUMNS, row, strict=True))
            assert got["region_code"] == region.code == want["region_code"]
            assert (got["developer_id"], got["partner_id"]) == (
                want["developer_id"],
                want["partner_id"],
            )
            # openpyxl reads 100.0 back as 100: a number, never the text "100.00".
            assert isinstance(got["score"], int | float) and got["score"] == float(want["score"])
            assert isinstance(got["distance_km"], int | float)
            assert got["distance_km"] == float(want["distance_km"])
            assert got["locked"] == want["locked"]
            assert (got["cross_region"], got["remote"]) == (want["cross_region"], want["remote"])
            seen += 1
    assert seen == len(expected) == 120


def test_a_formula_like_name_is_plain_text(out: Path) -> None:
    book = openpyxl.load_workbook(out / WORKBOOK)
    ws = book[sheet_title("MA-01", "Tanger-Tétouan-Al Hoceïma")]
    cells = [row for row in ws.iter_rows(min_row=2) if row[2].value == FORMULA_ID]
    assert len(cells) == 1
    name = cells[0][3]
    assert name.value == FORMULA_NAME and name.data_type == "s"
    assert cells[0][8].data_type == "n"
    with zipfile.ZipFile(out / WORKBOOK) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)


def test_summary_says_why_a_region_falls_short(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    run(["match", morocco_in_person(tmp_path), "--out", folder, "--xlsx"])
    summary = list(openpyxl.load_workbook(folder / WORKBOOK)["Summary"].iter_rows(values_only=True))
    dakhla = summary[12]
    assert (dakhla[0], dakhla[4], dakhla[5]) == ("MA-12", 8, 2)
    assert dakhla[7] == (
        "Dakhla-Oued Ed-Dahab: 10 wanted, 8 possible — remote developers are held to 250 km; "
        "allowing remote pairs up to 724 km fills 10 of 10"
    )
    assert summary[13][4] == 118


def test_summary_and_unmatched_sheets(out: Path) -> None:
    book = openpyxl.load_workbook(out / WORKBOOK)
    summary = list(book["Summary"].iter_rows(values_only=True))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [r[0] for r in summary[1:13]] == [r.code for r in REGIONS]
    assert [r[4] for r in summary[1:13]] == [r["filled"] for r in manifest["regions"]]
    total = summary[13]
    assert total[1] == "Total" and total[4] == manifest["objective"]["places_filled"] == 120
    dakhla = summary[12]
    assert (dakhla[0], dakhla[4], dakhla[5], dakhla[7]) == ("MA-12", 10, 0, None)
    unmatched = list(book["Unmatched"].iter_rows(values_only=True))
    assert list(unmatched[0]) == UNMATCHED_COLUMNS
    assert len(unmatched) - 1 == len(csv_rows(out / "unmatched.csv"))


def test_registered_in_the_manifest_and_owner_only(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    digest = hashlib.sha256((out / WORKBOOK).read_bytes()).hexdigest()
    assert manifest["outputs"][WORKBOOK] == digest
    assert stat.S_IMODE((out / WORKBOOK).stat().st_mode) == 0o600


def test_same_result_same_bytes(call: Path, out: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    run(["match", call, "--out", again, "--xlsx"])
    assert (again / WORKBOOK).read_bytes() == (out / WORKBOOK).read_bytes()
    with zipfile.ZipFile(out / WORKBOOK) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
        assert "2000-01-01T00:00:00Z" in core


def _all_text(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    )


def test_no_contacts_unless_asked(call: Path, out: Path, tmp_path: Path) -> None:
    people = csv_rows(call / "developers.csv") + csv_rows(call / "partners.csv")
    contacts = [p[k] for p in people for k in ("email", "phone") if p[k]]
    assert len(contacts) > 1000
    text = _all_text(out / WORKBOOK)
    assert not [c for c in contacts if c in text]
    with_contacts = tmp_path / "contacts"
    run(["match", call, "--out", with_contacts, "--xlsx", "--contacts"])
    book = openpyxl.load_workbook(with_contacts / WORKBOOK)
    header = next(book.worksheets[1].iter_rows(values_only=True))
    assert list(header) == PAIRING_COLUMNS + CONTACT_COLUMNS
    assert "siham.bakkali@example.ma" in _all_text(with_contacts / WORKBOOK)


def test_redact_leaves_no_real_name(call: Path, tmp_path: Path) -> None:
    folder = tmp_path / "redacted"
    run(
        ["match", call, "--out", folder, "--xlsx", "--redact"],
        env={"MATCHER_REDACT_KEY": "a secret key"},
    )
    text = _all_text(folder / WORKBOOK)
    people = csv_rows(call / "developers.csv") + csv_rows(call / "partners.csv")
    assert not [p["id"] for p in people if p["name"] in text]
    assert "anon-" in text


def test_read_pairs_reads_every_region_sheet(out: Path) -> None:
    pairs = read_pairs(out / WORKBOOK, role="lock")
    expected = [(r["developer_id"], r["partner_id"]) for r in csv_rows(out / "pairings.csv")]
    assert [(p.developer_id, p.partner_id) for p in pairs] == expected


def test_lock_a_workbook(call: Path, out: Path, tmp_path: Path) -> None:
    again = tmp_path / "locked"
    run(["match", call, "--out", again, "--lock", out / WORKBOOK])
    rows = csv_rows(again / "pairings.csv")
    before = {(r["developer_id"], r["partner_id"]) for r in csv_rows(out / "pairings.csv")}
    assert {(r["developer_id"], r["partner_id"]) for r in rows} == before
    assert {r["locked"] for r in rows} == {"yes"}


@pytest.fixture
def workbook_only(out: Path, tmp_path: Path) -> Path:
    """The result forwarded without its pairings.csv: the workbook stands for it."""
    folder = tmp_path / "forwarded"
    shutil.copytree(out, folder)
    (folder / "pairings.csv").unlink()
    return folder


def test_rematch_from_a_workbook(workbook_only: Path, out: Path, tmp_path: Path) -> None:
    new = tmp_path / "rematched"
    run(["rematch", workbook_only, "--drop", "D-0112", "--out", new])
    changes = csv_rows(new / "changes.csv")
    removed = [c for c in changes if c["change"] == "removed"]
    assert [(c["developer_id"], c["reason"]) for c in removed] == [("D-0112", "D-0112 dropped out")]
    assert sum(c["change"] == "kept" for c in changes) == 119


def test_explain_from_a_workbook_path(out: Path) -> None:
    result = run(["explain", out / WORKBOOK, "--developer", FORMULA_ID])
    assert f"Developer {FORMULA_ID} (MA-01) is paired with P-0080." in result.stdout

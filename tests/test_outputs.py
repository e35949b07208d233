"""Tests for matcher.outputs: formula-safe cells, CSV bytes, safe writing and the manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.errors import OutputError, OutputExistsError, UsageError
from matcher.outputs import (
    MANIFEST,
    PAIRING_COLUMNS,
    PAIRINGS,
    RESULT_FILES,
    UNMATCHED,
    UNMATCHED_COLUMNS,
    OutputOptions,
    check_writable,
    csv_bytes,
    excel_safe,
    options_csv,
    pseudonym,
    unmatched_csv,
    unmatched_rows,
    write_files,
    write_result,
)
from matcher.pipeline import MatchResult, Unpaired, load_run_inputs, run_match
from matcher.reference import REGIONS, get_region
from matcher.synth import generate, write_call

# ---------------------------------------------------------------- excel_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x.example","clic")', '\'=HYPERLINK("http://x.example","clic")'),
        ("+212 600 21 38 35", "'+212 600 21 38 35"),
        ("-2+3", "'-2+3"),
        ("-", "'-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("-12.5", "-12.5"),
        ("-12", "-12"),
        ("-0.125", "-0.125"),
        ("12.5", "12.5"),
        ("Nora Boutaleb", "Nora Boutaleb"),
        ("Supérette Bensaid", "Supérette Bensaid"),
        ("a=b", "a=b"),
        ("x+y", "x+y"),
        ("e-commerce", "e-commerce"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (-3.5, "-3.5"),
    ],
)
def test_excel_safe(value: object, expected: str) -> None:
    assert excel_safe(value) == expected


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n"])
def test_excel_safe_neutralises_every_formula_start(start: str) -> None:
    assert excel_safe(start + "cmd|' /C calc'!A0") == "'" + start + "cmd|' /C calc'!A0"


# ---------------------------------------------------------------- csv_bytes


ROWS = [
    ["id", "name", "score"],
    ["D-0001", '=HYPERLINK("http://evil.example","x")', "-12.5"],
    ["D-0002", "Salma, El Idrissi", "80.00"],
    ["D-0003", "@Sara", "+5"],
]


def test_csv_bytes_plain_is_utf8_with_crlf_lines() -> None:
    data = csv_bytes([["id", "région"], ["D-1", "Fès-Meknès"]])
    assert data == "id,région\r\nD-1,Fès-Meknès\r\n".encode()
    assert not data.startswith(b"\xef\xbb\xbf")


def test_csv_bytes_with_bom_starts_with_ef_bb_bf() -> None:
    data = csv_bytes([["id"], ["D-1"]], bom=True)
    assert data[:3] == b"\xef\xbb\xbf"
    assert data[3:] == b"id\r\nD-1\r\n"


def test_csv_bytes_lines_end_with_crlf_only() -> None:
    data = csv_bytes(ROWS)
    assert data.count(b"\r\n") == len(ROWS)
    assert data.count(b"\n") == len(ROWS)
    assert data.endswith(b"\r\n")


def test_csv_bytes_formula_like_cells_are_safe_in_the_bytes() -> None:
    data = csv_bytes(ROWS)
    # The exact bytes: the apostrophe sits inside the cell, after csv quoting.
    assert b'D-0001,"\'=HYPERLINK(""http://evil.example"",""x"")",-12.5\r\n' in data
    assert b"D-0003,'@Sara,'+5\r\n" in data
    assert b'"Salma, El Idrissi"' in data
    # No cell of the file starts with a formula character once parsed.
    for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")):
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell
            assert not (cell.startswith("-") and cell != "-12.5"), cell


def test_csv_bytes_round_trip_keeps_the_text_after_the_apostrophe() -> None:
    data = csv_bytes(ROWS, bom=True)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[1][1] == "'" + ROWS[1][1]
    assert parsed[2] == ROWS[2]


# ------------------------------------------- fast CSV paths against the straightforward ones

# Cells that stress the shortcuts: formula starts (ASCII and full-width), negative numbers
# (left as they are), separators, quotes, line breaks, tabs, accents, Arabic, empty text.
_TRICKY = st.sampled_from(
    [
        "",
        " ",
        "=1+1",
        "+212",
        "-12",
        "-1,5",
        "-1.5",
        "-x",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "\nx",
        "a,b",
        "a;b",
        'say "hi"',
        "line\nbreak",
        "cr\rhere",
        "x\ty",
        "Fès-Meknès",
        "بلال",
        "\uff1d1",
        "\uff0b1",
        "\uff0d1",
        "\uff20x",
        "'quoted",
        "D-001",
        "Ana Béatriz",
    ]
)
_TEXT = _TRICKY | st.text(alphabet="ab=+-@,;\"'\t\r\n \u00e9\uff1d0123456789", max_size=8)


def _straight_csv(rows: list[list[object]], *, bom: bool, delimiter: str) -> bytes:
    """csv_bytes as it was before its shortcut: excel_safe on every cell, then csv."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([excel_safe(cell) for cell in row] for row in rows)
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.lists(_TEXT | st.none() | st.integers(-99, 99) | st.floats(-9, 9), max_size=5),
        max_size=8,
    ),
    bom=st.booleans(),
    delimiter=st.sampled_from([",", ";"]),
)
def test_csv_bytes_equal_the_cell_by_cell_writing(
    rows: list[list[object]], bom: bool, delimiter: str
) -> None:
    assert csv_bytes(rows, bom=bom, delimiter=delimiter) == _straight_csv(
        rows, bom=bom, delimiter=delimiter
    )


def _straight_unmatched(unpaired: list[Unpaired], options: OutputOptions) -> bytes:
    """unmatched.csv built row by row: sorted by (side, id), every cell made safe."""
    rows: list[list[object]] = [list(options.header(UNMATCHED_COLUMNS))]
    for u in sorted(unpaired, key=lambda x: (x.side != "developer", x.id)):
        name = pseudonym(options.redact_key, u.id) if options.redact_key else u.name
        rows.append([u.side, u.id, name, u.region, get_region(u.region).name, u.reason, u.detail])
    return _straight_csv(rows, bom=options.with_bom, delimiter=options.delimiter)


_UNPAIRED = st.builds(
    Unpaired,
    side=st.sampled_from(["developer", "partner"]),
    id=st.sampled_from(["D-1", "D-2", "P-1", "-3", "=4", "a,b", ""]) | _TEXT,
    name=_TEXT,
    region=st.sampled_from([r.code for r in REGIONS]),
    reason=st.sampled_from(["quota_full", "outscored", "=cmd", "a;b"]),
    detail=st.sampled_from(["Rabat-Salé-Kénitra already has its 5 pairs", "-1", ""]) | _TEXT,
)
_OPTIONS = st.builds(
    OutputOptions,
    bom=st.booleans(),
    excel=st.booleans(),
    headers=st.sampled_from(["en", "fr"]),
    redact_key=st.sampled_from([None, b"", b"k3y"]),
)


@settings(max_examples=300, deadline=None)
@given(unpaired=st.lists(_UNPAIRED, max_size=12), options=_OPTIONS, in_order=st.booleans())
def test_unmatched_csv_equals_the_row_by_row_writing(
    unpaired: list[Unpaired], options: OutputOptions, in_order: bool
) -> None:
    if in_order:  # the usual case, which skips the sort
        unpaired = sorted(unpaired, key=lambda x: (x.side != "developer", x.id))
    want = _straight_unmatched(unpaired, options)
    assert unmatched_csv(unpaired, options) == want
    assert options_csv(unmatched_rows(unpaired, options), options) == want


@pytest.mark.parametrize(
    "cells",
    [
        ("developer", "D-1", "Ana"),
        ("developer", "D-1", "=Ana"),
        ("developer", "D-1", "-12"),
        ("developer", "D-1", "Ana, Béa"),
        ("developer", "D-1", 'Ana "B"'),
        ("developer", "D-1", "Ana\r\nB"),
        ("developer", "D-1", ""),
        ("developer", "+1", "Ana"),
        ("developer", "\uff20x", "Ana"),
        ("partner", "P;1", "Ana"),
        ("=partner", "P-1", "Ana"),
    ],
)
@pytest.mark.parametrize("excel", [False, True])
def test_unmatched_csv_writes_each_unusual_row_as_csv_would(
    cells: tuple[str, str, str], excel: bool
) -> None:
    # One unusual row among plain ones, with the same tail: only that row leaves the fast path.
    side, pid, name = cells
    tail = ("MA-04", "quota_full", '=Rabat-Salé-Kénitra; 3 "left"')
    unpaired = [
        Unpaired("developer", "D-0", "Bob", *tail),
        Unpaired(side, pid, name, *tail),
        Unpaired("partner", "P-9", "Zed", *tail),
    ]
    options = OutputOptions(excel=excel)
    got = unmatched_csv(unpaired, options)
    assert got == _straight_unmatched(unpaired, options)
    assert "'=Rabat-Salé-Kénitra" in got.decode("utf-8-sig")


# ---------------------------------------------------------------- check_writable


def test_check_writable_accepts_a_missing_folder(tmp_path: Path) -> None:
    check_writable(tmp_path / "new", RESULT_FILES, force=False)
    assert not (tmp_path / "new").exists()


def test_check_writable_accepts_an_empty_folder_and_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    check_writable(tmp_path, RESULT_FILES, force=False)


@pytest.mark.parametrize("existing", RESULT_FILES)
def test_check_writable_refuses_any_existing_output(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_bytes(b"old")
    with pytest.raises(OutputExistsError) as info:
        check_writable(tmp_path, RESULT_FILES, force=False)
    assert info.value.exit_code == 5
    assert existing in str(info.value)
    assert "--force" in str(info.value)
    assert (tmp_path / existing).read_bytes() == b"old"


@pytest.mark.parametrize("existing", RESULT_FILES)
def test_check_writable_with_force_accepts_existing_outputs(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_bytes(b"old")
    check_writable(tmp_path, RESULT_FILES, force=True)
    assert (tmp_path / existing).read_bytes() == b"old"


def test_check_writable_names_every_existing_file(tmp_path: Path) -> None:
    for name in (PAIRINGS, MANIFEST):
        (tmp_path / name).write_bytes(b"old")
    with pytest.raises(OutputExistsError) as info:
        check_writable(tmp_path, RESULT_FILES, force=False)
    assert PAIRINGS in str(info.value) and MANIFEST in str(info.value)
    assert UNMATCHED not in str(info.value)


def test_check_writable_refuses_a_file_as_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"")
    with pytest.raises(UsageError) as info:
        check_writable(target, RESULT_FILES, force=True)
    assert info.value.exit_code == 2


# ---------------------------------------------------------------- write_files


def test_write_files_writes_the_bytes_owner_only_without_leftovers(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    files = {"a.csv": b"id\r\n1\r\n", "b.json": b"{}\n", "empty.txt": b""}
    write_files(out, files)
    assert sorted(p.name for p in out.iterdir()) == sorted(files)
    for name, data in files.items():
        path = out / name
        assert path.read_bytes() == data
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_write_files_refuses_a_file_as_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"keep")
    with pytest.raises(UsageError) as info:
        write_files(target, {"a.csv": b"a"})
    assert info.value.exit_code == 2
    assert target.read_bytes() == b"keep"


def test_write_files_overwrites_and_tightens_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    target.write_bytes(b"old")
    os.chmod(target, 0o644)
    write_files(tmp_path, {"a.csv": b"new"})
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_write_files_failing_midway_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def failing_replace(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OutputError, match=f"cannot write into {tmp_path}: disk full") as info:
        write_files(tmp_path, {"a.csv": b"a", "b.csv": b"b", "c.csv": b"c"})
    assert info.value.exit_code == 2
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


# ---------------------------------------------------------------- a real result


@pytest.fixture(scope="module")
def call_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("call")
    write_call(generate(developers=40, partners=60, seed=3), folder)
    (folder / "matcher.toml").write_text("[quotas]\ndefault = 2\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def result(call_dir: Path) -> MatchResult:
    dataset, config, locks, forbid = load_run_inputs(
        developers=call_dir / "developers.csv",
        partners=call_dir / "partners.csv",
        config_path=call_dir / "matcher.toml",
    )
    return run_match(dataset, config, locks=locks, forbid=forbid)


def _people(call_dir: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name in ("developers.csv", "partners.csv"):
        with (call_dir / name).open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def test_write_result_writes_three_files_matching_the_manifest(
    tmp_path: Path, result: MatchResult, call_dir: Path
) -> None:
    assert result.pairs, "the fixture must form some pairs"
    paths = write_result(tmp_path, result, options=OutputOptions())
    assert [p.name for p in paths] == [PAIRINGS, UNMATCHED, MANIFEST]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(RESULT_FILES)
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    man = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert set(man["outputs"]) == {PAIRINGS, UNMATCHED}
    for name in (PAIRINGS, UNMATCHED):
        assert man["outputs"][name] == hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()

    inputs = {item["role"]: item for item in man["inputs"]}
    assert set(inputs) == {"developers", "partners", "config"}
    for role, file in (
        ("developers", "developers.csv"),
        ("partners", "partners.csv"),
        ("config", "matcher.toml"),
    ):
        assert inputs[role]["file"] == file
        assert inputs[role]["sha256"] == hashlib.sha256((call_dir / file).read_bytes()).hexdigest()

    assert man["config"]["quotas"]["default"] == 2
    assert man["config"]["rules"]["cross_region"] == "remote-only"
    assert man["config"] == result.config.model_dump(mode="json")

    objective = man["objective"]
    assert objective["optimal"] is True
    assert objective["places_filled"] == len(result.pairs)
    assert objective["total_score"] == pytest.approx(
        sum(p.breakdown.score for p in result.pairs), abs=1e-3
    )
    assert man["counts"]["pairs"] == len(result.pairs)
    with (tmp_path / PAIRINGS).open(encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == len(result.pairs)
    assert man["counts"]["pairs"] + man["counts"]["unpaired_developers"] == 40
    assert man["counts"]["pairs"] + man["counts"]["unpaired_partners"] == 60
    assert [r["code"] for r in man["regions"]] == [f"MA-{i:02d}" for i in range(1, 13)]
    assert man["options"] == {
        "bom": False,
        "excel": False,
        "contacts": False,
        "redacted": False,
        "headers": "en",
    }


@pytest.mark.parametrize(
    "options",
    [OutputOptions(), OutputOptions(contacts=True, bom=True), OutputOptions(redact_key=b"k" * 16)],
)
def test_manifest_holds_no_personal_data(
    tmp_path: Path, result: MatchResult, call_dir: Path, options: OutputOptions
) -> None:
    write_result(tmp_path, result, options=options)
    text = (tmp_path / MANIFEST).read_text(encoding="utf-8")
    people = _people(call_dir)
    assert len(people) == 100
    for person in people:
        for field in ("name", "email", "phone"):
            value = person.get(field) or ""
            if value:
                assert value not in text, f"{field} of {person['id']} is in the manifest"


def test_csv_headers_and_contacts_only_on_request(tmp_path: Path, result: MatchResult) -> None:
    plain, with_contacts = tmp_path / "plain", tmp_path / "contacts"
    write_result(plain, result, options=OutputOptions())
    write_result(with_contacts, result, options=OutputOptions(contacts=True))
    first = (plain / PAIRINGS).read_bytes().split(b"\r\n", 1)[0].decode()
    assert first.split(",") == PAIRING_COLUMNS
    assert b"@example.ma" not in (plain / PAIRINGS).read_bytes()
    assert b"@example.ma" not in (plain / UNMATCHED).read_bytes()
    header = (with_contacts / PAIRINGS).read_bytes().split(b"\r\n", 1)[0].decode().split(",")
    assert header[-4:] == ["developer_email", "developer_phone", "partner_email", "partner_phone"]
    assert b"@example.ma" in (with_contacts / PAIRINGS).read_bytes()
    unmatched_header = (plain / UNMATCHED).read_bytes().split(b"\r\n", 1)[0].decode()
    assert unmatched_header.split(",") == UNMATCHED_COLUMNS


def test_bom_option_applies_to_both_csv_files(tmp_path: Path, result: MatchResult) -> None:
    write_result(tmp_path, result, options=OutputOptions(bom=True))
    assert (tmp_path / PAIRINGS).read_bytes()[:3] == b"\xef\xbb\xbf"
    assert (tmp_path / UNMATCHED).read_bytes()[:3] == b"\xef\xbb\xbf"
    assert json.loads((tmp_path / MANIFEST).read_bytes())["options"]["bom"] is True


def test_redacted_names_are_keyed_pseudonyms(
    tmp_path: Path, result: MatchResult, call_dir: Path
) -> None:
    write_result(tmp_path / "a", result, options=OutputOptions(redact_key=b"secret-key-1"))
    write_result(tmp_path / "b", result, options=OutputOptions(redact_key=b"secret-key-1"))
    write_result(tmp_path / "c", result, options=OutputOptions(redact_key=b"secret-key-2"))
    a = (tmp_path / "a" / PAIRINGS).read_bytes()
    assert a == (tmp_path / "b" / PAIRINGS).read_bytes()
    assert a != (tmp_path / "c" / PAIRINGS).read_bytes()
    for person in _people(call_dir):
        assert person["name"].encode() not in a
        assert person["name"].encode() not in (tmp_path / "a" / UNMATCHED).read_bytes()
    rows = list(csv.DictReader(io.StringIO(a.decode(), newline="")))
    assert rows and all(r["developer_name"].startswith("anon-") for r in rows)
    assert all(len(r["partner_name"]) == len("anon-") + 10 for r in rows)

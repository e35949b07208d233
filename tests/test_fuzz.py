"""A standing fuzz suite: mutated copies of the shipped examples never crash and never leak.

Every mutation of the example files (byte flips, truncation, rows and columns deleted or
duplicated, other encodings, NUL bytes, a BOM in the middle, RTL and zero-width characters,
huge cells, values shifted into other columns, JSON type confusion, damaged XLSX zips, TOML
type confusion) must end with exit 0 or 3, through a MatcherError, and no name, e-mail,
phone or national ID of the files may appear in anything printed.

The run is derandomised and bounded (about a minute on a shared machine); set
MATCHER_FUZZ_EXAMPLES to explore more. Every crash found is kept under tests/data/fuzz/ and
replayed by ``test_fuzz_regressions``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from matcher.cli import app

ROOT = Path(__file__).resolve().parent.parent
MOROCCO = ROOT / "examples" / "morocco"
MESSY = ROOT / "examples" / "messy"
REGRESSIONS = Path(__file__).resolve().parent / "data" / "fuzz"
EXAMPLES = int(os.environ.get("MATCHER_FUZZ_EXAMPLES", "100"))
N_ROWS = 12  # rows of each example kept: small files keep each run fast

_RUNNER = CliRunner()
Mutation = Callable[[bytes], bytes]


def _head(path: Path, encoding: str) -> bytes:
    lines = path.read_bytes().decode(encoding).splitlines(keepends=True)
    return "".join(lines[: N_ROWS + 1]).encode(encoding)


def _xlsx_head(path: Path) -> bytes:
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    ws.delete_rows(N_ROWS + 8, ws.max_row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BASE: dict[str, dict[str, bytes]] = {
    "morocco": {
        "developers.csv": _head(MOROCCO / "developers.csv", "utf-8"),
        "partners.csv": _head(MOROCCO / "partners.csv", "utf-8"),
        "matcher.toml": (MOROCCO / "matcher.toml").read_bytes(),
    },
    "messy": {
        "developers.csv": _head(MESSY / "developers.csv", "cp1252"),
        "partners.xlsx": _xlsx_head(MESSY / "partners.xlsx"),
    },
}
PERSONAL_HEADERS = {"name", "nom", "email", "courriel", "phone", "téléphone", "cin"}


def _planted() -> set[str]:
    """Return every personal value of the base files (names, e-mails, phones, CIN)."""
    found: set[str] = set()
    for files in BASE.values():
        for name, data in files.items():
            rows: list[list[object]]
            if name.endswith(".xlsx"):
                book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
                rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
            elif name.endswith(".csv"):
                text = data.decode("utf-8" if b"\xe9" not in data else "cp1252")
                rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=_delimiter(text))]
            else:
                continue
            header_at = next(i for i, r in enumerate(rows) if any(c for c in r))
            header = [str(c or "").strip().lower() for c in rows[header_at]]
            for row in rows[header_at + 1 :]:
                for key, cell in zip(header, row, strict=False):
                    if key in PERSONAL_HEADERS and cell is not None and len(str(cell)) >= 6:
                        found.add(str(cell).strip())
    return found


def _delimiter(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return ";" if first.count(";") > first.count(",") else ","


PLANTED = _planted()


# -- mutations -------------------------------------------------------------------------------


def _at(data: bytes, fraction: float) -> int:
    return min(len(data), max(0, int(len(data) * fraction)))


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _cells(line: bytes, sep: bytes) -> list[bytes]:
    return line.rstrip(b"\r\n").split(sep)


def _sep(data: bytes) -> bytes:
    first = data.split(b"\n", 1)[0]
    return b";" if first.count(b";") > first.count(b",") else b","


@st.composite
def text_mutation(draw: st.DrawFn) -> tuple[str, Mutation]:
    """Draw one mutation of a CSV or TOML file's bytes, with a label for the report."""
    where = draw(st.floats(0, 1))
    row = draw(st.integers(0, N_ROWS))
    col = draw(st.integers(0, 14))
    kind = draw(
        st.sampled_from(
            [
                "flip",
                "truncate",
                "delete-row",
                "duplicate-row",
                "delete-column",
                "duplicate-column",
                "shift-cells",
                "encoding",
                "nul",
                "bom-inside",
                "rtl",
                "zero-width",
                "huge-cell",
                "quote",
                "markup",
            ]
        )
    )
    encoding = draw(st.sampled_from(["utf-16", "cp1256", "latin-1", "utf-8-sig", "cp1252"]))
    bit = draw(st.integers(0, 7))
    shift = draw(st.integers(1, 12))

    def mutate(data: bytes) -> bytes:
        sep = _sep(data)
        lines = _lines(data)
        i = min(row, len(lines) - 1) if lines else 0
        if kind == "flip" and data:
            k = min(_at(data, where), len(data) - 1)
            return data[:k] + bytes([data[k] ^ (1 << bit)]) + data[k + 1 :]
        if kind == "truncate":
            return data[: _at(data, where)]
        if kind == "delete-row" and lines:
            return b"".join(lines[:i] + lines[i + 1 :])
        if kind == "duplicate-row" and lines:
            return b"".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
        if kind in ("delete-column", "duplicate-column", "shift-cells"):
            out = []
            for n, line in enumerate(lines):
                cells = _cells(line, sep)
                j = min(col, len(cells) - 1)
                if kind == "delete-column":
                    cells = cells[:j] + cells[j + 1 :]
                elif kind == "duplicate-column":
                    cells = [*cells[: j + 1], cells[j], *cells[j + 1 :]]
                elif n == i and n > 0:
                    # A personal value shifted into another column: the classic leak.
                    cells = cells[-shift:] + cells[:-shift]
                out.append(sep.join(cells) + b"\r\n")
            return b"".join(out)
        if kind == "encoding":
            try:
                return data.decode("utf-8").encode(encoding, errors="replace")
            except UnicodeDecodeError:
                return data.decode("cp1252", errors="replace").encode(encoding, errors="replace")
        k = _at(data, where)
        insert = {
            "nul": b"\x00",
            "bom-inside": codecs.BOM_UTF8,
            "rtl": "\u202e\u200f".encode(),
            "zero-width": "\u200b\ufeff".encode(),
            "huge-cell": b"x" * 20_000,
            "quote": b'"',
            "markup": b"[bold][/]",
        }.get(kind, b"")
        return data[:k] + insert + data[k:]

    return kind, mutate


@st.composite
def json_confusion(draw: st.DrawFn) -> tuple[str, Mutation]:
    """Draw a conversion of a CSV to JSON records with some values of the wrong type."""
    wrong = draw(
        st.lists(
            st.sampled_from([True, None, 3.5, 10**30, [], {}, [["a"]], {"a": 1}, "", -1]),
            min_size=1,
            max_size=4,
        )
    )
    picks = draw(st.lists(st.tuples(st.integers(0, N_ROWS), st.integers(0, 14)), min_size=1))
    shape = draw(st.sampled_from(["list", "object", "lines"]))

    def mutate(data: bytes) -> bytes:
        text = data.decode("utf-8", errors="replace")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=_delimiter(text)))
        records: list[dict[str, object]] = [dict(r) for r in rows]
        for (r, c), value in zip(picks, wrong * len(picks), strict=False):
            if records:
                record = records[r % len(records)]
                keys = list(record)
                if keys:
                    record[keys[c % len(keys)]] = value
        if shape == "lines":
            return "\n".join(json.dumps(r) for r in records).encode()
        body: object = records if shape == "list" else {"developers": records}
        return json.dumps(body).encode()

    return "json-" + shape, mutate


@st.composite
def xlsx_damage(draw: st.DrawFn) -> tuple[str, Mutation]:
    """Draw damage to a workbook: a flipped byte, a cut, or a part's XML edited."""
    where = draw(st.floats(0, 1))
    kind = draw(st.sampled_from(["flip", "truncate", "part-flip", "part-truncate", "drop-part"]))
    part = draw(st.integers(0, 20))

    def mutate(data: bytes) -> bytes:
        if kind == "flip":
            k = min(_at(data, where), len(data) - 1)
            return data[:k] + bytes([data[k] ^ 0xFF]) + data[k + 1 :]
        if kind == "truncate":
            return data[: _at(data, where)]
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
            items = zin.infolist()
            target = items[part % len(items)].filename
            for item in items:
                content = zin.read(item.filename)
                if item.filename == target:
                    if kind == "drop-part":
                        continue
                    k = _at(content, where)
                    if kind == "part-flip" and content:
                        k = min(k, len(content) - 1)
                        content = content[:k] + bytes([content[k] ^ 0x20]) + content[k + 1 :]
                    else:
                        content = content[:k]
                zout.writestr(item, content)
        return out.getvalue()

    return "xlsx-" + kind, mutate


@st.composite
def toml_confusion(draw: st.DrawFn) -> tuple[str, Mutation]:
    """Draw a matcher.toml with one value replaced by one of the wrong type."""
    value = draw(
        st.sampled_from(
            ["true", '"x"', "[1, 2]", "{ a = 1 }", "-1", "1e308", "inf", "nan", str(2**63), "0"]
        )
    )
    nth = draw(st.integers(0, 30))

    def mutate(data: bytes) -> bytes:
        lines = data.decode("utf-8").splitlines()
        assignments = [i for i, line in enumerate(lines) if re.match(r"^\s*[\w\"].*=", line)]
        if assignments:
            i = assignments[nth % len(assignments)]
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {value}"
        return ("\n".join(lines) + "\n").encode()

    return "toml-" + value, mutate


# -- running ---------------------------------------------------------------------------------


def _write(folder: Path, files: dict[str, bytes]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def check(folder: Path, label: str) -> None:
    """Run validate on ``folder``: exit 0 or 3 through a MatcherError, nothing personal shown."""
    result = _RUNNER.invoke(
        app,
        ["validate", str(folder), "--no-quotas"],
        env={"COLUMNS": "200", "NO_COLOR": "1", "MATCHER_DEBUG": "1"},
    )
    # MATCHER_DEBUG lets an exception that is not a MatcherError escape the error boundary.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{label}: {type(result.exception).__name__}: {result.exception}"
    )
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 3), f"{label}: exit {result.exit_code}\n{output}"
    leaked = sorted(v for v in PLANTED if v in output)
    assert not leaked, f"{label}: printed {leaked}\n{output}"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    base=st.sampled_from(sorted(BASE)),
    target=st.integers(0, 2),
    mutation=st.one_of(text_mutation(), json_confusion(), xlsx_damage(), toml_confusion()),
)
def test_mutated_examples_never_crash_nor_leak(
    tmp_path: Path, base: str, target: int, mutation: tuple[str, Mutation]
) -> None:
    label, mutate = mutation
    files = dict(BASE[base])
    if label.startswith("xlsx-"):
        candidates = [n for n in files if n.endswith(".xlsx")]
    elif label.startswith("toml-"):
        candidates = [n for n in files if n.endswith(".toml")]
    else:
        candidates = [n for n in files if n.endswith(".csv")]
    if not candidates:
        return  # this base has no file of that kind
    name = candidates[target % len(candidates)]
    data = mutate(files[name])
    if label.startswith("json-"):
        del files[name]
        name = name.replace(".csv", ".json")
    files[name] = data
    _write(tmp_path / "case", files)
    check(tmp_path / "case", f"{base}/{name} {label}")


def _regression_cases() -> list[Path]:
    return sorted(p for p in REGRESSIONS.iterdir() if p.is_dir()) if REGRESSIONS.exists() else []


@pytest.mark.parametrize("case", _regression_cases(), ids=lambda p: p.name)
def test_fuzz_regressions(case: Path) -> None:
    check(case, case.name)


# -- result folders ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A result written by `matcher match` from the shortened Morocco example."""
    base = tmp_path_factory.mktemp("fuzz-result")
    _write(base / "in", BASE["morocco"])
    done = _RUNNER.invoke(app, ["match", str(base / "in"), "--out", str(base / "out")])
    assert done.exit_code == 0, done.stderr
    return base / "out"


def _confuse(value: object, replacement: object, path: list[int]) -> object:
    """Replace one value deep in a JSON document, chosen by ``path``."""
    if isinstance(value, dict) and value:
        keys = sorted(value)
        key = keys[path[0] % len(keys)]
        inner = _confuse(value[key], replacement, path[1:]) if path[1:] else replacement
        return {**value, key: inner}
    if isinstance(value, list) and value:
        i = path[0] % len(value)
        inner = _confuse(value[i], replacement, path[1:]) if path[1:] else replacement
        return [*value[:i], inner, *value[i + 1 :]]
    return replacement


@settings(
    max_examples=max(20, EXAMPLES // 4),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["flip", "truncate", "confuse"]),
    where=st.floats(0, 1),
    path=st.lists(st.integers(0, 50), min_size=1, max_size=4),
    replacement=st.sampled_from([None, True, 0, -1, 2**70, "x", [], {}, [{}], 1e308]),
)
def test_mutated_manifests_are_refused_cleanly(
    result_folder: Path,
    tmp_path: Path,
    kind: str,
    where: float,
    path: list[int],
    replacement: object,
) -> None:
    folder = tmp_path / "out"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(result_folder, folder)
    manifest = folder / "manifest.json"
    data = manifest.read_bytes()
    k = min(int(len(data) * where), len(data) - 1)
    if kind == "flip":
        data = data[:k] + bytes([data[k] ^ 0x04]) + data[k + 1 :]
    elif kind == "truncate":
        data = data[:k]
    else:
        data = json.dumps(_confuse(json.loads(data), replacement, path)).encode()
    manifest.write_bytes(data)
    result = _RUNNER.invoke(
        app, ["explain", str(folder), "--developer", "D-0001"], env={"MATCHER_DEBUG": "1"}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{kind}: {type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code in (0, 3), f"{kind}: exit {result.exit_code}\n{result.stderr}"

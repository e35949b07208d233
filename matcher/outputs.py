"""Write a run's files atomically: pairings.csv, unmatched.csv, manifest.json."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import platform
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter, le
from pathlib import Path
from typing import Any

from matcher import __version__
from matcher.errors import OutputError, OutputExistsError, UsageError
from matcher.hashing import sha256_bytes
from matcher.i18n import _
from matcher.manifest import row_digest
from matcher.pipeline import MatchResult, Pair, Unpaired
from matcher.reference import get_region

PAIRINGS = "pairings.csv"
UNMATCHED = "unmatched.csv"
MANIFEST = "manifest.json"
RESULT_FILES = (PAIRINGS, UNMATCHED, MANIFEST)

# The full-width forms count too: some spreadsheet programs read "＝1+1" as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_FORMULA_FIRST = frozenset(_FORMULA_START)  # one character each: a set test per cell
_NUMBER = re.compile(r"-\d+([.,]\d+)?")
# A cell starting like a formula, in cells joined with NULs (a NUL before the first).
_FORMULA_AFTER_NUL = re.compile("\x00[" + re.escape("".join(_FORMULA_START)) + "]")
_ID = attrgetter("id")
_SIDE = attrgetter("side")
_NAME = attrgetter("name")
_TAIL = attrgetter("region", "reason", "detail")


def excel_safe(value: object) -> str:
    """Return the cell as text that Excel cannot run as a formula."""
    text = value if type(value) is str else "" if value is None else str(value)
    if text and text[0] in _FORMULA_FIRST and not _NUMBER.fullmatch(text):
        # A leading apostrophe makes Excel and LibreOffice show the text as typed.
        return "'" + text
    return text


@dataclass(frozen=True)
class OutputOptions:
    """How to write the files: BOM or French Excel layout, contacts, pseudonymised names."""

    bom: bool = False
    contacts: bool = False
    redact_key: bytes | None = None
    # French Excel: ";" between cells (its list separator), decimal commas, and a BOM.
    excel: bool = False
    # Column names of pairings.csv / unmatched.csv / changes.csv: "en" (the codes) or "fr".
    headers: str = "en"

    def header(self, columns: Sequence[str]) -> list[str]:
        """Return a header row in the column language these options ask for."""
        if self.headers != "fr":
            return list(columns)
        return [FRENCH_COLUMNS.get(c, c) for c in columns]

    @property
    def delimiter(self) -> str:
        """Return the cell separator."""
        return ";" if self.excel else ","

    @property
    def with_bom(self) -> bool:
        """Return whether the files start with a UTF-8 byte-order mark."""
        return self.bom or self.excel

    def number(self, value: float, digits: int) -> str:
        """Return a number with ``digits`` decimals, with a decimal comma for French Excel."""
        text = f"{value:.{digits}f}"
        return text.replace(".", ",") if self.excel else text


def pseudonym(key: bytes, person_id: str) -> str:
    """Return a stable keyed pseudonym for a person (HMAC-SHA256 of the id)."""
    import hmac

    return "anon-" + hmac.new(key, person_id.encode("utf-8"), "sha256").hexdigest()[:10]


def redact_check(key: bytes) -> str:
    """Return the fingerprint the manifest keeps of a pseudonym key (never the key itself)."""
    import hmac

    return hmac.new(key, b"matcher redact check", "sha256").hexdigest()[:16]


def _name(options: OutputOptions, person_id: str, name: str) -> str:
    return pseudonym(options.redact_key, person_id) if options.redact_key else name


PAIRING_COLUMNS = [
    "region_code",
    "region",
    "developer_id",
    "developer_name",
    "partner_id",
    "partner_name",
    "partner_kind",
    "partner_sector",
    "score",
    "skills",
    "languages",
    "distance",
    "sector",
    "availability",
    "shared_languages",
    "distance_km",
    "locked",
    "cross_region",
    "remote",
]
CONTACT_COLUMNS = ["developer_email", "developer_phone", "partner_email", "partner_phone"]
UNMATCHED_COLUMNS = ["side", "id", "name", "region_code", "region", "reason", "detail"]
# ``--headers fr``: the same columns under French names (explain, rematch and --lock read both).
FRENCH_COLUMNS = {
    "region_code": "code_région",
    "region": "région",
    "developer_id": "id_développeur",
    "developer_name": "nom_développeur",
    "partner_id": "id_partenaire",
    "partner_name": "nom_partenaire",
    "partner_kind": "type_partenaire",
    "partner_sector": "secteur_partenaire",
    "score": "score",
    "skills": "compétences",
    "languages": "langues",
    "distance": "distance",
    "sector": "secteur",
    "availability": "disponibilité",
    "shared_languages": "langues_communes",
    "distance_km": "distance_km",
    "locked": "imposé",
    "cross_region": "hors_région",
    "remote": "à_distance",
    "developer_email": "email_développeur",
    "developer_phone": "téléphone_développeur",
    "partner_email": "email_partenaire",
    "partner_phone": "téléphone_partenaire",
    "side": "côté",
    "id": "id",
    "name": "nom",
    "reason": "raison",
    "detail": "détail",
    "change": "changement",
}
_ENGLISH_COLUMNS = {french: english for english, french in FRENCH_COLUMNS.items()}


def english_columns(row: dict[str, str]) -> dict[str, str]:
    """Return a row read from a result file with its columns under their English names."""
    return {_ENGLISH_COLUMNS.get(k, k): v for k, v in row.items()}


def pairing_rows(pairs: Sequence[Pair], options: OutputOptions) -> list[list[str]]:
    """Return pairings.csv as rows (header first)."""
    header = options.header(PAIRING_COLUMNS + (CONTACT_COLUMNS if options.contacts else []))
    rows = [header]
    for pair in pairs:
        b, d, p = pair.breakdown, pair.developer, pair.partner
        row = [
            pair.region,
            get_region(pair.region).name,
            d.id,
            _name(options, d.id, d.name),
            p.id,
            _name(options, p.id, p.name),
            p.kind,
            p.sector,
            options.number(b.score, 2),
            options.number(b.skills, 3),
            options.number(b.languages, 3),
            options.number(b.distance, 3),
            options.number(b.sector, 3),
            options.number(b.availability, 3),
            ";".join(b.shared_languages),
            options.number(b.distance_km, 1),
            "yes" if pair.locked else "no",
            "yes" if b.cross_region else "no",
            "yes" if b.remote else "no",
        ]
        if options.contacts:
            row += [d.email or "", d.phone or "", p.email or "", p.phone or ""]
        rows.append(row)
    return rows


def unmatched_rows(unpaired: Sequence[Unpaired], options: OutputOptions) -> list[list[str]]:
    """Return unmatched.csv as rows (header first), developers then partners, by id."""
    rows = [options.header(UNMATCHED_COLUMNS)]
    for u in _unmatched_order(unpaired):
        rows.append(
            [
                u.side,
                u.id,
                _name(options, u.id, u.name),
                u.region,
                get_region(u.region).name,
                u.reason,
                u.detail,
            ]
        )
    return rows


def _unmatched_order(unpaired: Sequence[Unpaired]) -> list[Unpaired]:
    """Return the unpaired developers then partners, each by id (ties in the given order)."""
    order = _reordering(list(map(_SIDE, unpaired)), list(map(_ID, unpaired)))
    return list(unpaired) if order is None else [unpaired[k] for k in order]


def _reordering(sides: list[str], ids: list[str]) -> list[int] | None:
    """Return the positions in ``_unmatched_order``'s order, or None if already in it."""
    # The reasons come as developers then partners, each in file order, often by id already.
    # Otherwise two stable passes order as the key (side != "developer", id) would, without
    # building a tuple per person.
    n_dev = sides.count("developer")
    if (
        sides[:n_dev].count("developer") == n_dev
        and all(map(le, ids[:n_dev], ids[1:n_dev]))
        and all(map(le, ids[n_dev:], ids[n_dev + 1 :]))
    ):
        return None
    by_id = sorted(range(len(ids)), key=ids.__getitem__)
    return [k for k in by_id if sides[k] == "developer"] + [
        k for k in by_id if sides[k] != "developer"
    ]


def unmatched_csv(unpaired: Sequence[Unpaired], options: OutputOptions) -> bytes:
    """Return unmatched.csv as bytes: ``options_csv(unmatched_rows(...))`` byte for byte.

    A national call has some 120,000 unpaired people who share a few thousand (region,
    reason, detail) tails: each tail is made safe and quoted once. The side, id and name
    are joined as they are when no cell of them starts like a formula nor holds a
    separator, a quote or a line break (one scan of them all, then row by row only if
    that scan finds one); any other row goes through the csv module.
    """
    delimiter = options.delimiter
    line = _line_writer(delimiter)
    ordered, sides, ids = unpaired, list(map(_SIDE, unpaired)), list(map(_ID, unpaired))
    order = _reordering(sides, ids)
    if order is not None:
        ordered = [unpaired[k] for k in order]
        sides, ids = [sides[k] for k in order], [ids[k] for k in order]
    key = options.redact_key
    names = [pseudonym(key, i) for i in ids] if key else list(map(_NAME, ordered))
    tails = list(map(_TAIL, ordered))
    texts = {
        tail: line(["", tail[0], get_region(tail[0]).name, *tail[1:]])
        for tail in dict.fromkeys(tails)
    }
    special = re.compile("[" + re.escape(delimiter) + '"\r\n]').search
    plain = [True] * len(ordered)
    for column in (sides, ids, names):
        joined = "\x00".join(column)
        if special(joined) or _FORMULA_AFTER_NUL.search("\x00" + joined):
            plain = [
                ok and not special(cell) and cell[:1] not in _FORMULA_FIRST
                for ok, cell in zip(plain, column, strict=True)
            ]
    ends = list(map(texts.__getitem__, tails))
    lines = [line(options.header(UNMATCHED_COLUMNS))]
    lines += [
        side + delimiter + pid + delimiter + name + end
        if ok
        else line([side, pid, name, tail[0], get_region(tail[0]).name, *tail[1:]])
        for ok, side, pid, name, end, tail in zip(
            plain, sides, ids, names, ends, tails, strict=True
        )
    ]
    data = "".join(lines).encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if options.with_bom else data


class _Echo:
    """A file whose ``write`` returns what it is given: csv's writerow then returns the line."""

    def write(self, text: str) -> str:
        """Return ``text``."""
        return text


def _line_writer(delimiter: str) -> Callable[[Sequence[object]], str]:
    """Return a function giving one row as csv_bytes writes it (formula-safe, CRLF), as text."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n")

    def line(row: Sequence[object]) -> str:
        text: str = writer.writerow([excel_safe(cell) for cell in row])
        return text

    return line


def csv_bytes(
    rows: Iterable[Sequence[object]], *, bom: bool = False, delimiter: str = ","
) -> bytes:
    """Return rows as CSV bytes (UTF-8, CRLF), every cell made formula-safe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    # Most cells are text that does not start like a formula: those skip the call.
    writer.writerows(
        [
            cell if type(cell) is str and cell[:1] not in _FORMULA_FIRST else excel_safe(cell)
            for cell in row
        ]
        for row in rows
    )
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def options_csv(rows: Iterable[Sequence[object]], options: OutputOptions) -> bytes:
    """Return rows as CSV bytes laid out as the output options ask."""
    return csv_bytes(rows, bom=options.with_bom, delimiter=options.delimiter)


def check_writable(out: Path, names: Sequence[str], *, force: bool) -> None:
    """Refuse, before any work, an output folder that cannot take the files.

    Exit 5 when files exist and ``force`` is not set; exit 2 when ``out`` is not a folder, a
    dangling link, or a place the files cannot be written (read-only, no permission).
    """
    if out.is_symlink() and not out.exists():
        raise OutputError(
            _("{path} is a symbolic link to a folder that does not exist").format(path=out)
            + "; "
            + _("create its target, or choose another --out folder")
        )
    if out.exists() and not out.is_dir():
        raise UsageError(_("{out} exists and is not a folder").format(out=out))
    existing = [n for n in names if (out / n).exists() or (out / n).is_symlink()]
    if existing and not force:
        raise OutputExistsError(
            _(
                "{out} already holds {value}; use --force to overwrite, or "
                "choose another --out folder"
            ).format(out=out, value=", ".join(existing))
        )
    _probe(out)


def _probe(out: Path) -> None:
    """Create and remove a scratch entry where the files will go, to fail before the work."""
    target = out
    while not target.exists():
        if target.is_symlink() or target.parent == target:
            break
        target = target.parent
    try:
        if target.is_dir():
            os.rmdir(tempfile.mkdtemp(prefix=".matcher-probe-", dir=target))
        else:
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target))
    except OSError as exc:
        raise _write_failure(target, exc) from None


def _write_failure(path: Path, exc: OSError) -> OutputError:
    cause = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(
        _("cannot write into {path}: {cause}").format(path=path, cause=cause)
        + "; "
        + _("free some space, fix the permissions or choose another --out")
    )


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not every platform opens folders; the files themselves are synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_files(out: Path, files: dict[str, bytes]) -> None:
    """Write a set of files so that a reader sees the whole new set or no manifest at all.

    Every file goes to a temporary name first and is synced to disk; then any old manifest is
    removed, the data files are renamed into place, and the manifest comes last. A crash part
    way leaves a folder without a manifest (which every reader refuses), never a manifest
    beside files it does not describe. Temporary files are removed on any failure.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(_("{out} exists and is not a folder").format(out=out))
    created = [p for p in (out, *out.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_failure(out, exc) from None
    temps: list[tuple[str, Path]] = []
    done = False
    try:
        for name, data in files.items():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            temps.append((name, Path(tmp_name)))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o600)
        ordered = sorted(temps, key=lambda t: t[0] == MANIFEST)
        if MANIFEST in files and (out / MANIFEST).exists():
            (out / MANIFEST).unlink()
            _fsync_dir(out)
        for name, tmp_path in ordered:
            os.replace(tmp_path, out / name)
        _fsync_dir(out)
        done = True
    except OSError as exc:
        raise _write_failure(out, exc) from None
    finally:
        for _file, leftover in temps:
            if leftover.exists():
                leftover.unlink()
        if not done:
            # Folders this call created are removed again when they stayed empty.
            for folder in created:
                try:
                    folder.rmdir()
                except OSError:
                    break


def _versions() -> dict[str, str]:
    import numpy
    import pydantic
    import scipy

    return {
        "matcher": __version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pydantic": pydantic.__version__,
    }


def manifest(
    result: MatchResult,
    outputs: dict[str, bytes],
    *,
    options: OutputOptions,
    extra: dict[str, Any] | None = None,
    out: Path | None = None,
) -> bytes:
    """Return manifest.json: versions, input hashes, config, optimality, output hashes.

    Each input is recorded by absolute path and, with ``out``, by its path from the result
    folder, so that a result moved together with its inputs still finds them.
    """
    opt = result.optimality
    sides = Counter(map(_SIDE, result.unpaired))
    inputs: list[dict[str, Any]] = []
    for s in result.sources:
        entry: dict[str, Any] = {
            "role": s.role,
            "path": str(Path(s.path).resolve()),
            "file": Path(s.path).name,
            "sha256": s.sha256,
        }
        if out is not None:
            entry["relative"] = os.path.relpath(Path(s.path).resolve(), out.resolve())
        inputs.append(entry)
    body: dict[str, Any] = {
        "tool": "matcher",
        "versions": _versions(),
        "inputs": inputs,
        "config": result.config.model_dump(mode="json"),
        "options": {
            "bom": options.with_bom,
            "excel": options.excel,
            "contacts": options.contacts,
            "redacted": options.redact_key is not None,
            "headers": options.headers,
            **(
                {"redact_check": redact_check(options.redact_key)}
                if options.redact_key is not None
                else {}
            ),
        },
        "objective": {
            "method": opt.method,
            "optimal": opt.optimal,
            "priority_places_filled": opt.priority_filled,
            "min_places_filled": opt.min_filled,
            "places_filled": opt.filled,
            "total_score": round(opt.total_score, 4),
            "score_bound": round(opt.bound, 4),
            "gap": round(opt.gap, 6),
        },
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "priority": r.priority,
                "min": r.min,
                "max": r.max,
                "filled": r.filled,
                "shortfall": r.shortfall,
                "mean_score": r.mean_score,
                "diagnosis": r.diagnosis,
                "relaxations": dict(r.relaxations),
            }
            for r in result.regions
        ],
        "counts": {
            "pairs": len(result.pairs),
            "unpaired_developers": sides["developer"],
            "unpaired_partners": sides["partner"],
        },
        "outputs": {name: sha256_bytes(data) for name, data in sorted(outputs.items())},
        "row_digests": {PAIRINGS: [row_digest(p.developer.id, p.partner.id) for p in result.pairs]},
    }
    if extra:
        body.update(extra)
    return (json.dumps(body, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()


def workbook_file(result: MatchResult, options: OutputOptions) -> bytes:
    """Return pairings.xlsx for a result, under the same privacy options as the CSV files."""
    from dataclasses import replace

    from matcher.workbook import region_lines, workbook_bytes

    plain = replace(options, excel=False)  # the workbook stores numbers, not French text
    return workbook_bytes(
        pairings=pairing_rows(result.pairs, plain),
        unmatched=unmatched_rows(result.unpaired, plain),
        regions=region_lines(result.regions),
        objective={
            "total_score": round(result.optimality.total_score, 4),
            "optimal": result.optimality.optimal,
        },
    )


def result_files(
    result: MatchResult,
    *,
    options: OutputOptions,
    extra_files: dict[str, bytes] | None = None,
    extra_manifest: dict[str, Any] | None = None,
    out: Path | None = None,
) -> dict[str, bytes]:
    """Return every output file of a run as bytes, the manifest last."""
    files = {
        PAIRINGS: options_csv(pairing_rows(result.pairs, options), options),
        UNMATCHED: unmatched_csv(result.unpaired, options),
    }
    files.update(extra_files or {})
    files[MANIFEST] = manifest(result, files, options=options, extra=extra_manifest, out=out)
    return files


def write_result(
    out: Path,
    result: MatchResult,
    *,
    options: OutputOptions,
    extra_files: dict[str, bytes] | None = None,
    extra_manifest: dict[str, Any] | None = None,
) -> list[Path]:
    """Write a run's files into ``out`` and return their paths."""
    files = result_files(
        result, options=options, extra_files=extra_files, extra_manifest=extra_manifest, out=out
    )
    write_files(out, files)
    return [out / name for name in files]

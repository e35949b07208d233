"""Re-open a result folder written by ``match`` or ``rematch``, refusing stale ones."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from matcher.config import MatcherConfig, load_config
from matcher.dataset import load_dataset
from matcher.errors import Problem, StaleResultError, UsageError
from matcher.hashing import sha256_file
from matcher.i18n import _
from matcher.manifest import InputRecord, Manifest, parse_manifest, row_digest
from matcher.models import Dataset, Developer, Partner, SourceFile
from matcher.outputs import MANIFEST, PAIRINGS, UNMATCHED, english_columns
from matcher.pairs_file import read_pairs, unguard
from matcher.text import clean_id


def _cell(value: str) -> str:
    """Undo the apostrophe that made a cell formula-safe."""
    return unguard(value)


@dataclass
class PreviousRun:
    """A result folder with the inputs it was computed from, re-read and checked."""

    folder: Path
    manifest: dict[str, Any]
    dataset: Dataset  # the people the run considered (dropped people removed)
    config: MatcherConfig
    locks: list[tuple[str, str]]
    forbid: list[tuple[str, str]]
    pairs: list[tuple[str, str]]
    reasons: dict[tuple[str, str], tuple[str, str]]  # (side, id) -> (reason, detail)
    dropped: list[str] = field(default_factory=list)
    all_dropped: list[str] = field(default_factory=list)
    # Profiles of everyone dropped by earlier rematches (still listed as dropped downstream).
    dropped_people: list[Developer | Partner] = field(default_factory=list)
    # Locks the user asked for (--lock or rules.locks), as opposed to pairs a rematch kept.
    user_locks: list[tuple[str, str]] = field(default_factory=list)

    @property
    def redacted(self) -> bool:
        """Return whether names were pseudonymised: every result made from this one must be."""
        return bool(self.manifest.get("options", {}).get("redacted"))

    @property
    def redact_check(self) -> str | None:
        """Return the fingerprint of the pseudonym key the result was written with."""
        value = self.manifest.get("options", {}).get("redact_check")
        return value if isinstance(value, str) else None


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV matcher wrote, with "," or (``--excel``) ";" between cells."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
        handle.seek(0)  # utf-8-sig strips the BOM again from the start
        delimiter = ";" if ";" in header else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        return [english_columns({k: _cell(v) for k, v in row.items()}) for row in reader]


def _locate(folder: Path, entry: InputRecord) -> Path | None:
    """Return where an input is now: its recorded absolute path, or seen from the result."""
    recorded = Path(entry.path)
    if recorded.is_file():
        return recorded
    if entry.relative is not None:
        moved = folder / entry.relative
        if moved.is_file():
            return moved
    return None


def _edited_rows(path: Path, digests: list[str]) -> tuple[list[int], int]:
    """Return the rows of an edited pairings.csv whose pair is new, and how many pairs went."""
    try:
        rows = _read_csv(path)
    except (OSError, UnicodeDecodeError, csv.Error):
        return [], 0
    remaining = list(digests)
    changed: list[int] = []
    for number, row in enumerate(rows, start=2):
        digest = row_digest(
            clean_id(row.get("developer_id") or ""), clean_id(row.get("partner_id") or "")
        )
        if digest in remaining:
            remaining.remove(digest)
        else:
            changed.append(number)
    return changed, len(remaining)


def _edit_problem(folder: Path, name: str, manifest: Manifest) -> Problem:
    """Describe how an output was changed, and the way on."""
    path = folder / name
    if not path.exists():
        return Problem(
            name,
            None,
            None,
            _("was removed after the run"),
            _("results must not be edited; run `matcher match` again"),
            code="stale",
        )
    digests = manifest.row_digests.get(name)
    if name != PAIRINGS or digests is None:
        return Problem(
            name,
            None,
            None,
            _("was changed after the run"),
            _("results must not be edited; run `matcher match` again"),
            code="stale",
        )
    changed, removed = _edited_rows(path, digests)
    if not changed and not removed:
        what = _("was saved again by another program (the pairs are the same, the bytes differ)")
    else:
        parts = []
        if changed:
            parts.append(
                _("row(s) {rows} hold pairs that are not in the result").format(
                    rows=", ".join(str(n) for n in changed[:20])
                    + ("…" if len(changed) > 20 else "")
                )
            )
        if removed:
            parts.append(_("{count} pair(s) of the result are missing").format(count=removed))
        what = _("was edited after the run: {changes}").format(changes="; ".join(parts))
    return Problem(
        name,
        None,
        None,
        what,
        _(
            "results must not be edited; to start from the edited list, copy it elsewhere and "
            "run `matcher match … --lock {path}`"
        ).format(path=path),
        code="stale",
    )


_WORKBOOK = "pairings.xlsx"  # matcher.workbook.WORKBOOK, without importing openpyxl early


def _read_pairings(folder: Path) -> list[dict[str, str]]:
    """Read the pairs of a result: pairings.csv, or pairings.xlsx when only it was kept."""
    if (folder / PAIRINGS).exists() or not (folder / _WORKBOOK).exists():
        return _read_csv(folder / PAIRINGS)
    from matcher.pairs_file import read_pair_records

    return read_pair_records(folder / _WORKBOOK)


def load_previous(folder: Path) -> PreviousRun:
    """Read a result folder and its inputs; raise StaleResultError when anything changed.

    The manifest is checked against its model, every output it lists against its hash, and
    every input against its hash: a folder whose files do not match the manifest is refused.
    ``folder`` may also be the folder's pairings.csv or pairings.xlsx.
    """
    if folder.is_file() and folder.name in (PAIRINGS, _WORKBOOK):
        folder = folder.parent
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise UsageError(
            _(
                "{folder} holds no {MANIFEST}; give a folder written by `matcher match --out`"
            ).format(folder=folder, MANIFEST=MANIFEST)
        )
    model, manifest = parse_manifest(manifest_path.read_bytes())
    problems = []
    located: dict[str, Path] = {}
    for entry in model.inputs:
        path = _locate(folder, entry)
        if path is None:
            problems.append(
                Problem(
                    entry.file,
                    None,
                    None,
                    _("the {entry} file of this run is missing ({path})").format(
                        entry=entry.role, path=entry.path
                    ),
                    _("restore it, or run `matcher match` again"),
                    code="stale",
                )
            )
        elif sha256_file(path) != entry.sha256:
            problems.append(
                Problem(
                    entry.file,
                    None,
                    None,
                    _(
                        "the {entry} file has changed since the run (its SHA-256 "
                        "differs from the manifest)"
                    ).format(entry=entry.role),
                    _("run `matcher match` again, or restore the file"),
                    code="stale",
                )
            )
        else:
            located[entry.role] = path
    for name, digest in model.outputs.items():
        path = folder / name
        # A result forwarded as its workbook alone may lack pairings.csv; nothing else may go.
        spare = name == PAIRINGS and (folder / _WORKBOOK).exists() and _WORKBOOK in model.outputs
        if spare and not path.exists():
            continue
        if not path.is_file() or sha256_file(path) != digest:
            problems.append(_edit_problem(folder, name, model))
    if problems:
        raise StaleResultError(
            _("{folder} no longer matches its inputs").format(folder=folder), problems
        )
    inputs = [e.model_dump() for e in model.inputs]

    by_role = located
    config = load_config(by_role.get("config"))
    dataset = load_dataset(
        by_role["developers"],
        by_role["partners"],
        sheet=model.read_options.sheet,
        encoding=model.read_options.encoding,
    )
    forbid: list[tuple[str, str]] = []
    if "forbid" in by_role:
        forbid = [
            (r.developer_id, r.partner_id) for r in read_pairs(by_role["forbid"], role="forbid")
        ]
    user_locks: list[tuple[str, str]] = []
    if "locks" in by_role:
        user_locks = [
            (r.developer_id, r.partner_id) for r in read_pairs(by_role["locks"], role="lock")
        ]
    dataset.sources = [SourceFile(e["role"], str(by_role[e["role"]]), e["sha256"]) for e in inputs]
    all_dropped = list(model.rematch.all_dropped if model.rematch else [])
    gone = set(all_dropped)
    dropped_people: list[Developer | Partner] = [
        *(d for d in dataset.developers if d.id in gone),
        *(p for p in dataset.partners if p.id in gone),
    ]
    dataset = replace(
        dataset,
        developers=[d for d in dataset.developers if d.id not in gone],
        partners=[p for p in dataset.partners if p.id not in gone],
    )
    pairs_rows = _read_pairings(folder)
    pairs = [(r["developer_id"], r["partner_id"]) for r in pairs_rows]
    locks = [(r["developer_id"], r["partner_id"]) for r in pairs_rows if r["locked"] == "yes"]
    reasons = {
        (r["side"], r["id"]): (r["reason"], r["detail"]) for r in _read_csv(folder / UNMATCHED)
    }
    return PreviousRun(
        folder,
        manifest,
        dataset,
        config,
        locks,
        forbid,
        pairs,
        reasons,
        list(model.rematch.dropped if model.rematch else []),
        all_dropped,
        dropped_people,
        [pair for pair in user_locks if pair in set(pairs)],
    )

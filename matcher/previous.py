"""Re-open a result folder written by ``match`` or ``rematch``, refusing stale ones."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from matcher.config import MatcherConfig, load_config
from matcher.dataset import load_dataset
from matcher.errors import InputError, Problem, StaleResultError, UsageError
from matcher.hashing import sha256_file
from matcher.i18n import _
from matcher.models import Dataset, Developer, Partner, SourceFile
from matcher.outputs import MANIFEST, PAIRINGS, UNMATCHED, english_columns
from matcher.pairs_file import read_pairs

_QUOTED_FORMULA = ("'=", "'+", "'-", "'@", "'\t", "'\r", "'\n")


def _cell(value: str) -> str:
    """Undo the apostrophe that made a cell formula-safe."""
    return value[1:] if value.startswith(_QUOTED_FORMULA) else value


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


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV matcher wrote, with "," or (``--excel``) ";" between cells."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
        handle.seek(0)  # utf-8-sig strips the BOM again from the start
        delimiter = ";" if ";" in header else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        return [english_columns({k: _cell(v) for k, v in row.items()}) for row in reader]


_WORKBOOK = "pairings.xlsx"  # matcher.workbook.WORKBOOK, without importing openpyxl early


def _read_pairings(folder: Path) -> list[dict[str, str]]:
    """Read the pairs of a result: pairings.csv, or pairings.xlsx when only it was kept."""
    if (folder / PAIRINGS).exists() or not (folder / _WORKBOOK).exists():
        return _read_csv(folder / PAIRINGS)
    from matcher.pairs_file import read_pair_records

    return read_pair_records(folder / _WORKBOOK)


def load_previous(folder: Path) -> PreviousRun:
    """Read a result folder and its inputs; raise StaleResultError when anything changed.

    ``folder`` may also be the folder's pairings.csv or pairings.xlsx.
    """
    if folder.is_file() and folder.name in (PAIRINGS, _WORKBOOK):
        folder = folder.parent
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise UsageError(
            _(
                "{folder} holds no {MANIFEST}; give a folder written by `matcher match --out`"
            ).format(folder=folder, MANIFEST=MANIFEST)
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        inputs = manifest["inputs"]
        outputs = manifest["outputs"]
    except (ValueError, KeyError, TypeError):
        raise InputError(
            _("{MANIFEST} is damaged").format(MANIFEST=MANIFEST),
            [
                Problem(
                    MANIFEST,
                    None,
                    None,
                    _("not a manifest written by matcher"),
                    _("run `matcher match` again"),
                )
            ],
        ) from None
    problems = []
    for entry in inputs:
        path = Path(entry["path"])
        if not path.exists():
            problems.append(
                Problem(
                    entry["file"],
                    None,
                    None,
                    _("the {entry} file of this run is missing ({path})").format(
                        entry=entry["role"], path=path
                    ),
                    _("restore it, or run `matcher match` again"),
                    code="stale",
                )
            )
        elif sha256_file(path) != entry["sha256"]:
            problems.append(
                Problem(
                    entry["file"],
                    None,
                    None,
                    _(
                        "the {entry} file has changed since the run (its SHA-256 "
                        "differs from the manifest)"
                    ).format(entry=entry["role"]),
                    _("run `matcher match` again, or restore the file"),
                    code="stale",
                )
            )
    for name in (PAIRINGS, UNMATCHED, _WORKBOOK):
        path = folder / name
        # A result forwarded as its workbook alone may lack pairings.csv; nothing else may go.
        spare = name == PAIRINGS and (folder / _WORKBOOK).exists() and _WORKBOOK in outputs
        if spare and not path.exists():
            continue
        if name in outputs and (not path.exists() or sha256_file(path) != outputs[name]):
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    _("was changed or removed after the run"),
                    _("results must not be edited; run `matcher match` again"),
                    code="stale",
                )
            )
    if problems:
        raise StaleResultError(
            _("{folder} no longer matches its inputs").format(folder=folder), problems
        )

    by_role = {e["role"]: Path(e["path"]) for e in inputs}
    read = manifest.get("read_options", {})
    config = load_config(by_role.get("config"))
    dataset = load_dataset(
        by_role["developers"],
        by_role["partners"],
        sheet=read.get("sheet"),
        encoding=read.get("encoding"),
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
    dataset.sources = [SourceFile(e["role"], e["path"], e["sha256"]) for e in inputs]
    all_dropped = list(manifest.get("rematch", {}).get("all_dropped", []))
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
        list(manifest.get("rematch", {}).get("dropped", [])),
        all_dropped,
        dropped_people,
        [pair for pair in user_locks if pair in set(pairs)],
    )

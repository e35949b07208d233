"""Find and load both sides' files into one checked dataset."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from pathlib import Path

from matcher.errors import InputError, Problem, ProblemLog, UsageError
from matcher.i18n import _, ngettext
from matcher.models import Dataset, Developer, Partner, SourceFile
from matcher.progress import ProgressCallback, report
from matcher.readers.headers import (
    DEVELOPER_COLUMNS,
    DEVELOPER_REQUIRED,
    PARTNER_COLUMNS,
    PARTNER_REQUIRED,
    Columns,
    map_headers,
)
from matcher.readers.profiles import footer_rows, read_developers, read_partners
from matcher.readers.table import EXTENSIONS, RawTable
from matcher.text import clean_id

CONFIG_NAME = "matcher.toml"
# Distinct tags (skills, needs, sectors) one file may bring: the scoring vocabulary grows
# with them, and thousands are a sign of values in the wrong column, not of real skills.
MAX_DISTINCT_TAGS = 2_000


def find_inputs(folder: Path) -> tuple[Path, Path, Path | None]:
    """Return the developers file, the partners file and matcher.toml (or None) in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(_("{folder}: no such folder").format(folder=folder))
    config = folder / CONFIG_NAME
    return (
        _find_one(folder, "developers"),
        _find_one(folder, "partners"),
        config if config.is_file() else None,
    )


def _find_one(folder: Path, role: str) -> Path:
    """Return the single readable ``role.*`` file in ``folder``; UsageError otherwise."""
    named = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.stem.casefold() == role and not p.name.startswith((".", "~$"))
    )
    readable = [p for p in named if p.suffix.casefold() in EXTENSIONS]
    option = f"--{role}"
    if len(readable) > 1:
        listed = ", ".join(p.name for p in readable)
        raise UsageError(
            _(
                "{folder}: several {role} files ({listed}); keep one or choose with {option} FILE"
            ).format(folder=folder, role=role, listed=listed, option=option)
        )
    if readable:
        return readable[0]
    if named:
        # The file is there but in a format matcher cannot read: invalid input, not usage.
        problems = [
            Problem(
                p.name,
                None,
                None,
                _("matcher cannot read {value} files").format(value=p.suffix or "extension-less"),
                _(
                    'open it in Excel and save it as {role}.xlsx ("Excel '
                    'Workbook") or {role}.csv ("CSV UTF-8")'
                ).format(role=role),
                code="bad-extension",
            )
            for p in named
        ]
        listed = ", ".join(p.name for p in named)
        raise InputError(
            _("{folder}: matcher cannot read {listed}").format(folder=folder, listed=listed),
            problems,
        )
    accepted = ", ".join(EXTENSIONS)
    raise UsageError(
        _(
            "{folder}: no {role} file (looked for {role}.* with "
            "{accepted}); add one or give its path with {option} FILE"
        ).format(folder=folder, role=role, accepted=accepted, option=option)
    )


def load_dataset(
    developers: Path,
    partners: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
) -> Dataset:
    """Read and check both files; raise InputError with every error of both when any is wrong."""
    report(progress, "read", 0, 2)
    log = ProblemLog()
    sources: list[SourceFile] = []
    devs: list[Developer] = []
    parts: list[Partner] = []
    dev_table: RawTable | None = None
    part_table: RawTable | None = None
    try:
        devs, problems, dev_table = read_developers(developers, sheet=sheet, encoding=encoding)
        log.extend(problems)
        log.extend(_too_many_tags(dev_table.file, devs))
        sources.append(SourceFile("developers", str(Path(developers).resolve()), dev_table.sha256))
    except InputError as exc:
        log.extend([*exc.problems, *exc.warnings])
    report(progress, "read", 1, 2)
    try:
        parts, problems, part_table = read_partners(partners, sheet=sheet, encoding=encoding)
        log.extend(problems)
        log.extend(_too_many_tags(part_table.file, parts))
        sources.append(SourceFile("partners", str(Path(partners).resolve()), part_table.sha256))
    except InputError as exc:
        log.extend([*exc.problems, *exc.warnings])
    if dev_table is not None and part_table is not None:
        log.extend(_shared_ids(dev_table, part_table))
    log.raise_if_errors(_summary(log))
    report(progress, "read", 2, 2)
    return Dataset(
        developers=sorted(devs, key=_ID),
        partners=sorted(parts, key=_ID),
        warnings=log.warnings,
        sources=sources,
    )


_SKILLS = operator.attrgetter("skills")
_SECTORS = operator.attrgetter("sectors")
_NEEDS = operator.attrgetter("needs")
_SECTOR = operator.attrgetter("sector")
_ID = operator.attrgetter("id")


def _too_many_tags(file: str, people: Sequence[Developer | Partner]) -> list[Problem]:
    """Return the error for a file with more distinct tags than MAX_DISTINCT_TAGS, if any."""
    from matcher.i18n import _

    devs = [p for p in people if isinstance(p, Developer)]
    parts = [p for p in people if not isinstance(p, Developer)]
    # Tag lists repeat across thousands of people: gather the distinct lists, then the tags.
    lists = {*map(_SKILLS, devs), *map(_SECTORS, devs), *map(_NEEDS, parts)}
    tags: set[str] = set(map(_SECTOR, parts)).union(*lists)
    if len(tags) <= MAX_DISTINCT_TAGS:
        return []
    return [
        Problem(
            file,
            None,
            None,
            _("{count} distinct skills and sectors; the limit is {limit}").format(
                count=f"{len(tags):,}", limit=f"{MAX_DISTINCT_TAGS:,}"
            ),
            _("a list cell holds a few tags separated by ; or |: check that the columns are right"),
            code="too-large",
        )
    ]


def _summary(log: ProblemLog) -> str:
    count = len(log.errors)
    files = sorted({p.file for p in log.errors if p.file})
    where = _(" and ").join(files) if files else _("the input")
    return ngettext(
        "{where}: invalid input ({count} error)", "{where}: invalid input ({count} errors)", count
    ).format(where=where, count=count)


def _ids(
    table: RawTable, columns: Columns, required: tuple[str, ...]
) -> tuple[str | None, dict[str, int]]:
    """Return the id header and the first row of each id in ``table``, whatever else is wrong.

    Totals and notes under the table are not people: their first cell is no id.
    """
    mapping, _, _ = map_headers(table.headers, columns, file=table.file)
    header = mapping.get("id")
    if header is not None and table.ids is not None:
        return header, table.ids  # worked out while reading the profiles
    rows: dict[str, int] = {}
    if header is not None:
        footers = footer_rows(table.rows, mapping, required)
        for row in table.rows:
            if row.number in footers:
                continue
            rows.setdefault(clean_id(row.cells.get(header, "")), row.number)
    rows.pop("", None)
    return header, rows


def _shared_ids(dev_table: RawTable, part_table: RawTable) -> list[Problem]:
    """Report every id used both by a developer and by a partner."""
    _header, dev_rows = _ids(dev_table, DEVELOPER_COLUMNS, DEVELOPER_REQUIRED)
    header, part_rows = _ids(part_table, PARTNER_COLUMNS, PARTNER_REQUIRED)
    return [
        Problem(
            part_table.file,
            row,
            header,
            _('id "{id_}" is also used in {file}, row {dev_rows}').format(
                id_=id_, file=dev_table.file, dev_rows=dev_rows[id_]
            ),
            _("ids must be unique across developers and partners (e.g. D-… and P-…)"),
            code="shared-id",
        )
        for id_, row in part_rows.items()
        if id_ in dev_rows
    ]

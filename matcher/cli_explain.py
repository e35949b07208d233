"""The ``explain`` and ``rematch`` commands: defend a decision, survive a drop-out."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from matcher.cli import JsonOpt, _print_json, app, guarded, stdout
from matcher.cli_match import (
    BomOpt,
    ContactsOpt,
    ExcelOpt,
    ForceOpt,
    RedactOpt,
    output_options,
)
from matcher.errors import UsageError

ResultArg = Annotated[Path, typer.Argument(help="A result folder written by `matcher match`.")]


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, tuple | list):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float):
        return round(obj, 4)
    return obj


@app.command()
def explain(
    result: ResultArg,
    developer: Annotated[
        str | None, typer.Option("--developer", help="Explain this developer's pair, or why none.")
    ] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help="Explain this partner's pair, or why none.")
    ] = None,
    pair: Annotated[
        str | None,
        typer.Option(
            "--pair", help="DEV,PARTNER: the pair's breakdown and the cost of forcing it."
        ),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", min=1, max=50, help="How many alternatives to list.")
    ] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Explain a decision of a result folder (re-reads its inputs; refuses changed ones)."""

    def body() -> None:
        from matcher.explain import explain_pair, explain_person
        from matcher.previous import load_previous
        from matcher.render import pair_view, person_view

        chosen = [x for x in (developer, partner, pair) if x]
        if len(chosen) != 1:
            raise UsageError("give exactly one of --developer, --partner or --pair")
        run = load_previous(result)
        if pair:
            parts = [x.strip() for x in pair.split(",")]
            if len(parts) != 2 or not all(parts):
                raise UsageError('--pair takes "DEVELOPER_ID,PARTNER_ID"')
            pe = explain_pair(run, developer_id=parts[0], partner_id=parts[1])
            if as_json:
                _print_json(_jsonable(pe))
            else:
                stdout.print(pair_view(pe))
            return
        person = explain_person(
            run,
            side="developer" if developer else "partner",
            person_id=str(developer or partner),
            top=top,
        )
        if as_json:
            _print_json(_jsonable(person))
        else:
            stdout.print(person_view(person))

    guarded(body)


@app.command()
def rematch(
    result: ResultArg,
    drop: Annotated[
        str | None, typer.Option("--drop", help="Ids of people who left, comma-separated.")
    ] = None,
    drop_file: Annotated[
        Path | None,
        typer.Option("--drop-file", help="A file with one id per line (or an 'id' column)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the new result.")] = Path(
        "out-rematch"
    ),
    reopen: Annotated[
        bool,
        typer.Option("--reopen", help="Re-solve everything instead of keeping the other pairs."),
    ] = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    bom: BomOpt = False,
    excel: ExcelOpt = False,
    contacts: ContactsOpt = False,
    redact: RedactOpt = False,
) -> None:
    """Remove people who left, keep every other pair, refill the freed places optimally."""

    def body() -> None:
        from matcher.outputs import RESULT_FILES, check_writable, write_result
        from matcher.previous import load_previous
        from matcher.rematch import changes_csv, read_drop_file, rematch_manifest
        from matcher.rematch import rematch as do_rematch
        from matcher.render import rematch_view, result_json

        options = output_options(bom=bom, contacts=contacts, redact=redact, excel=excel)
        ids = [x.strip() for x in (drop or "").split(",") if x.strip()]
        if drop_file is not None:
            ids += read_drop_file(drop_file)
        if not ids:
            raise UsageError("give the ids who left with --drop ID[,ID…] or --drop-file F")
        if out.resolve() == result.resolve():
            raise UsageError("--out must be a new folder, not the result being re-matched")
        check_writable(out, (*RESULT_FILES, "changes.csv"), force=force)
        run = load_previous(result)
        outcome = do_rematch(run, drop=ids, reopen=reopen)
        write_result(
            out,
            outcome.result,
            options=options,
            extra_files={"changes.csv": changes_csv(outcome.changes, options=options)},
            extra_manifest=rematch_manifest(run, outcome),
        )
        if as_json:
            data = result_json(outcome.result)
            data["changes"] = [_jsonable(c) for c in outcome.changes]
            data["moved_if_reopened"] = outcome.moved_if_reopened
            _print_json(data)
        else:
            stdout.print(rematch_view(outcome))
            stdout.print(f"wrote {out}")

    guarded(body)

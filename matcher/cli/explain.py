"""The ``explain`` command: defend a decision of a result folder."""

from __future__ import annotations

from typing import Annotated

import typer

from matcher.cli.options import JsonOpt, ResultArg, guarded, jsonable, print_json, stdout
from matcher.errors import UsageError


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
    stability: Annotated[
        bool,
        typer.Option(
            "--stability",
            help="List the blocking pairs: two people who would each score higher together.",
        ),
    ] = False,
    top: Annotated[
        int, typer.Option("--top", min=1, max=50, help="How many alternatives to list.")
    ] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Explain a decision of a result folder (re-reads its inputs; refuses changed ones)."""

    def body() -> None:
        from matcher.explain import explain_pair, explain_person, explain_stability
        from matcher.previous import load_previous
        from matcher.render import pair_view, person_view, stability_view

        chosen = [x for x in (developer, partner, pair, stability) if x]
        if len(chosen) != 1:
            raise UsageError("give exactly one of --developer, --partner, --pair or --stability")
        run = load_previous(result)
        if stability:
            blocking = explain_stability(run)
            if as_json:
                print_json(jsonable(blocking))
            else:
                stdout.print(stability_view(blocking))
            return
        if pair:
            parts = [x.strip() for x in pair.split(",")]
            if len(parts) != 2 or not all(parts):
                raise UsageError('--pair takes "DEVELOPER_ID,PARTNER_ID"')
            pe = explain_pair(run, developer_id=parts[0], partner_id=parts[1])
            if as_json:
                print_json(jsonable(pe))
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
            print_json(jsonable(person))
        else:
            stdout.print(person_view(person))

    guarded(body)

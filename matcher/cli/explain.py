"""The ``explain`` command: defend a decision of a result folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from matcher.cli.options import JsonOpt, ResultArg, guarded, jsonable, print_json, stderr, stdout
from matcher.errors import UsageError
from matcher.i18n import N_, _

if TYPE_CHECKING:
    from matcher.club_explain import Membership
    from matcher.previous import PreviousRun


def explain(
    result: ResultArg,
    developer: Annotated[
        str | None,
        typer.Option("--developer", help=N_("Explain this developer's pair, or why none.")),
    ] = None,
    partner: Annotated[
        str | None, typer.Option("--partner", help=N_("Explain this partner's pair, or why none."))
    ] = None,
    pair: Annotated[
        str | None,
        typer.Option(
            "--pair", help=N_("DEV,PARTNER: the pair's breakdown and the cost of forcing it.")
        ),
    ] = None,
    club: Annotated[
        str | None,
        typer.Option("--club", help=N_("Explain a club: its members, its seat and why there.")),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", min=1, max=50, help=N_("How many alternatives to list."))
    ] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Explain a decision of a result folder (re-reads its inputs; refuses changed ones)."""

    def body() -> None:
        from matcher.explain import explain_pair, explain_person
        from matcher.previous import load_previous
        from matcher.render import membership_text, pair_view, person_view

        chosen = [x for x in (developer, partner, pair, club) if x]
        if len(chosen) != 1:
            raise UsageError(_("give exactly one of --developer, --partner, --pair or --club"))
        run = load_previous(result)
        if club:
            explain_club_command(run, result, club, as_json=as_json)
            return
        if pair:
            parts = [x.strip() for x in pair.split(",")]
            if len(parts) != 2 or not all(parts):
                raise UsageError(_('--pair takes "DEVELOPER_ID,PARTNER_ID"'))
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
        side = "developer" if developer else "partner"
        member = club_membership(result, side, person.id)
        if as_json:
            print_json({**jsonable(person), "club": jsonable(member or None)})
        else:
            stdout.print(person_view(person))
            if member is not False:
                stdout.print(membership_text(side, person.id, member))

    guarded(body)


def explain_club_command(run: PreviousRun, result: Path, club_id: str, *, as_json: bool) -> None:
    """Print the explanation of one club of a result folder."""
    from matcher.club_explain import explain_club
    from matcher.club_files import load_clubs
    from matcher.render import club_view

    stored = load_clubs(result)
    if stored is None:
        raise UsageError(
            _("{folder} holds no clubs yet; run `matcher clubs {folder}` first").format(
                folder=result
            )
        )
    explanation = explain_club(run, stored, club_id=club_id)
    if as_json:
        print_json(jsonable(explanation))
    else:
        stdout.print(club_view(explanation))


def club_membership(result: Path, side: str, person_id: str) -> Membership | Literal[False] | None:
    """Return the person's club, None when in none, False when the folder has no clubs."""
    from matcher.club_explain import membership
    from matcher.club_files import load_clubs
    from matcher.errors import StaleResultError

    try:
        stored = load_clubs(result)
    except StaleResultError as exc:
        stderr.print(_("warning: {message}").format(message=exc), soft_wrap=True)
        return False
    if stored is None:
        return False
    return membership(
        stored, side="developer" if side == "developer" else "partner", person_id=person_id
    )

"""The ``regions``, ``init`` and ``synth`` commands: reference data, templates, test data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matcher.cli import interrupt
from matcher.cli.options import JsonOpt, guarded, print_json, stdout
from matcher.errors import UsageError
from matcher.i18n import N_, _


def regions(as_json: JsonOpt = False) -> None:
    """List the 12 regions with their codes and every accepted name."""
    from matcher.reference import REGIONS, region_names
    from matcher.render import regions_table

    if as_json:
        print_json(
            [
                {
                    "code": r.code,
                    "hcp_code": r.hcp_code,
                    "name": r.name,
                    "name_ar": r.name_ar,
                    "name_en": r.name_en,
                    "capital": r.capital,
                    "accepted": region_names(r),
                }
                for r in REGIONS
            ]
        )
        return
    stdout.print(regions_table(REGIONS))


def init(
    folder: Annotated[Path, typer.Argument(help=N_("Folder to create the templates in."))],
    lang: Annotated[str, typer.Option("--lang", help=N_("Header language: fr or en."))] = "fr",
) -> None:
    """Write empty developers.csv and partners.csv and a commented matcher.toml."""

    def body() -> None:
        from matcher.errors import OutputExistsError
        from matcher.outputs import write_files
        from matcher.templates import (
            DEVELOPER_HEADERS,
            PARTNER_HEADERS,
            config_template,
            header_line,
        )

        if lang not in ("fr", "en"):
            raise UsageError(_('--lang must be "fr" or "en", not "{lang}"').format(lang=lang))
        files = {
            "developers.csv": header_line(DEVELOPER_HEADERS[lang]).encode(),  # type: ignore[index]
            "partners.csv": header_line(PARTNER_HEADERS[lang]).encode(),  # type: ignore[index]
            "matcher.toml": config_template(lang).encode(),
        }
        existing = [n for n in files if (folder / n).exists()]
        if existing:
            raise OutputExistsError(
                _("{folder} already holds {files}; nothing was written").format(
                    folder=folder, files=", ".join(existing)
                )
            )
        with interrupt.committing():
            write_files(folder, files)
        stdout.print(_("wrote {paths}").format(paths=", ".join(str(folder / n) for n in files)))

    guarded(body)


def synth(
    out: Annotated[Path, typer.Option("--out", help=N_("Folder to write into."))],
    n_dev: Annotated[int, typer.Option("--developers", min=1, help=N_("Developers."))] = 600,
    n_par: Annotated[int, typer.Option("--partners", min=1, help=N_("Partners."))] = 900,
    seed: Annotated[int, typer.Option("--seed", help=N_("Random seed."))] = 2026,
    messy: Annotated[
        bool,
        typer.Option(
            "--messy", help=N_("Write as staff send it: cp1252 CSV and an XLSX, French headers.")
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help=N_("Overwrite existing files."))] = False,
) -> None:
    """Generate a realistic synthetic call for applications (deterministic)."""

    def body() -> None:
        from matcher.synth import generate, write_call, write_messy

        if out.exists() and not out.is_dir():
            raise UsageError(_("{out} exists and is not a folder").format(out=out))
        call = generate(developers=n_dev, partners=n_par, seed=seed)
        writer = write_messy if messy else write_call
        with interrupt.committing():
            paths = writer(call, out, overwrite=force)
        stdout.print(_("wrote {paths}").format(paths=", ".join(str(p) for p in paths)))

    guarded(body)

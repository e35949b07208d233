"""The README documents every command, option, reason code and exit code, and its code runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import typer.main

from matcher import errors
from matcher.cli import app
from matcher.pipeline import REASONS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMAND = typer.main.get_command(app)
COMMANDS = sorted(COMMAND.commands)  # type: ignore[attr-defined]


def test_every_command_is_registered() -> None:
    assert COMMANDS == [
        "clubs",
        "explain",
        "init",
        "match",
        "regions",
        "rematch",
        "report",
        "synth",
        "validate",
    ]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented(name: str) -> None:
    assert f"matcher {name}" in README


@pytest.mark.parametrize(
    ("name", "option"),
    [
        (name, opt)
        for name in COMMANDS
        for param in COMMAND.commands[name].params  # type: ignore[attr-defined]
        for opt in param.opts
        if opt.startswith("--") and opt != "--help"
    ],
)
def test_every_option_is_documented(name: str, option: str) -> None:
    assert option in README, f"{name} {option} is not in the README"


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_every_reason_code_is_documented(reason: str) -> None:
    assert f"`{reason}`" in README


@pytest.mark.parametrize(
    "cls",
    [
        errors.MatcherError,
        errors.UsageError,
        errors.InputError,
        errors.ShortfallError,
        errors.OutputExistsError,
    ],
)
def test_exit_codes_are_documented(cls: type[errors.MatcherError]) -> None:
    assert re.search(rf"^\| {cls.exit_code} \|", README, flags=re.MULTILINE)


def test_quick_start_has_two_commands_and_ci_runs_the_test_one() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.+?)\n```", section, flags=re.DOTALL)
    assert len(commands) == 2
    assert "matcher match examples/morocco --dry-run" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = commands[1].split("&& ", 1)[1]  # the part after creating the venv
    assert test_command.replace(". .venv/bin/activate && ", "") in ci


def test_python_api_example_runs(tmp_path: Path) -> None:
    section = README.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.+?)\n```", section, flags=re.DOTALL)
    assert code is not None
    source = code.group(1).replace('Path("out")', f"Path({str(tmp_path / 'out')!r})")
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        exec(compile(source, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert (tmp_path / "out" / "pairings.csv").read_text(encoding="utf-8-sig").count("\n") > 100

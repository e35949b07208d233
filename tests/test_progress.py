"""The progress the library reports while it works, and when the CLI shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from matcher.cli import progress as display
from matcher.pipeline import load_run_inputs, run_match
from matcher.progress import PHASES, report

MOROCCO = Path(__file__).resolve().parent.parent / "examples" / "morocco"


def test_a_run_reports_each_phase_in_order_up_to_its_total() -> None:
    events: list[tuple[str, int, int]] = []

    def record(phase: str, done: int, total: int) -> None:
        events.append((phase, done, total))

    dataset, config, locks, forbid = load_run_inputs(
        developers=MOROCCO / "developers.csv",
        partners=MOROCCO / "partners.csv",
        config_path=MOROCCO / "matcher.toml",
        progress=record,
    )
    result = run_match(dataset, config, locks=locks, forbid=forbid, progress=record)
    phases = list(dict.fromkeys(phase for phase, _, _ in events))
    expected = ["read", "score", "solve", "explain"]
    if result.shortfalls:
        expected.append("diagnose")
    assert phases == expected
    assert phases == sorted(phases, key=PHASES.index)
    for phase in phases:
        steps = [(done, total) for p, done, total in events if p == phase]
        assert steps[0][0] == 0
        assert steps[-1][0] == steps[-1][1]
        assert [done for done, _ in steps] == sorted(done for done, _ in steps)
    scored = [total for p, _, total in events if p == "score"]
    assert scored[0] > 1  # one unit per chunk of developers against a region


def test_no_callback_is_no_report() -> None:
    report(None, "read", 1, 2)  # nothing to call, nothing raised


@pytest.mark.parametrize(
    ("terminal", "as_json", "shown"),
    [(True, False, True), (True, True, False), (False, False, False)],
)
def test_progress_shows_only_on_a_terminal_without_json(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, as_json: bool, shown: bool
) -> None:
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: terminal))
    assert display.wanted(as_json=as_json) is shown


def test_the_display_draws_the_phases_it_is_told(monkeypatch: pytest.MonkeyPatch) -> None:
    console = Console(record=True, force_terminal=True, width=100)
    monkeypatch.setattr(display, "stderr", console)
    with display.progress_display(enabled=True) as callback:
        assert callback is not None
        callback("read", 1, 2)
        callback("score", 3, 4)
    text = console.export_text()
    assert "reading the files" in text
    assert "scoring the pairs" in text


def test_a_disabled_display_gives_no_callback() -> None:
    with display.progress_display(enabled=False) as callback:
        assert callback is None

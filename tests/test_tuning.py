"""The process settings the entry points apply before a large run."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.tuning import collection_paused, freeze_heap, thawed_on_exit, tune_process

MOROCCO = Path(__file__).resolve().parent.parent / "examples" / "morocco"


def test_blas_gets_one_thread_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    tune_process()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "4"


def test_a_frozen_heap_is_thawed_on_exit() -> None:
    alive = [object() for _ in range(10)]
    with thawed_on_exit():
        freeze_heap()
        assert gc.get_freeze_count() >= len(alive)
    assert gc.get_freeze_count() == 0


def test_match_leaves_no_frozen_objects() -> None:
    result = CliRunner().invoke(app, ["match", str(MOROCCO), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert gc.get_freeze_count() == 0


def test_the_collector_is_paused_in_the_step_and_runs_again_after() -> None:
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause keeps the outer one
        made = [[i] for i in range(1000)]
    assert gc.isenabled()
    # nobody froze the heap: what the step made is left to the collector, in its oldest
    # generation (as two collections would have moved it)
    assert gc.get_freeze_count() == 0
    assert all(gc.is_tracked(x) for x in made[:3])
    oldest = {id(x) for x in gc.get_objects(generation=2)}
    assert all(id(x) in oldest for x in made)


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_in_a_frozen_process_the_step_freezes_nothing_and_thaws_nothing() -> None:
    with thawed_on_exit():
        freeze_heap()
        before = gc.get_freeze_count()
        with collection_paused():
            made = [[i] for i in range(1000)]
        assert gc.isenabled()
        # what the caller froze stays frozen; what the step made is left to the collector
        assert gc.get_freeze_count() == before
        assert all(gc.is_tracked(x) for x in made[:3])
    assert gc.get_freeze_count() == 0

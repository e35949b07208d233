"""The process settings the entry points apply before a large run."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.tuning import freeze_heap, thawed_on_exit, tune_process

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

"""Ctrl-C on a real ``matcher`` process: exit 130 within a second, nothing written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from matcher.cli import interrupt
from matcher.synth import generate, write_call

ROOT = Path(__file__).resolve().parent.parent
# Signals sent as the command starts (reading) and well into the work (scoring, solving).
BUSY_AFTER = 2.5


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder holding a large call whose pairs may cross regions (slow to score)."""
    folder = tmp_path_factory.mktemp("national")
    write_call(generate(developers=12_000, partners=12_000, seed=3), folder)
    (folder / "matcher.toml").write_text(
        '[quotas]\ndefault = 50\n\n[rules]\ncross_region = "always"\n', encoding="utf-8"
    )
    return folder


def _start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MATCHER_LANG": "en"}
    env.pop("MATCHER_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "matcher", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _working(pid: int) -> bool:
    """Return whether the command's body runs: its worker thread exists (Linux /proc)."""
    return len(os.listdir(f"/proc/{pid}/task")) >= 2


@pytest.mark.parametrize("at", [0.0, BUSY_AFTER])
def test_ctrl_c_during_a_match_exits_130_within_a_second(
    national: Path, tmp_path: Path, at: float
) -> None:
    out = tmp_path / "out"
    process = _start("match", str(national), "--out", str(out))
    # Python's own start-up is not matcher's to handle: wait until the command runs.
    deadline = time.monotonic() + 30
    while process.poll() is None and not _working(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(at)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    sent = time.monotonic()
    stdout, stderr = process.communicate(timeout=30)
    elapsed = time.monotonic() - sent
    assert process.returncode == interrupt.EXIT_INTERRUPTED, stderr
    assert elapsed < 1.0
    assert "Traceback" not in stderr
    assert stderr.strip().endswith("interrupted: nothing was written")
    assert stdout == ""
    assert not out.exists() or list(out.iterdir()) == []


def test_the_work_runs_in_a_worker_and_hands_back_its_value_and_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(interrupt._state, "installed", True)
    assert interrupt.run(lambda: threading.current_thread().name) == "matcher-work"

    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        interrupt.run(fail)

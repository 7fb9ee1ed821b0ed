"""What starting Ray must not change: the CLI's SIGTERM handler, and quiet logs off a terminal;
and an ``auto`` address that names nothing fails at once."""

from __future__ import annotations

import signal

import pytest

from analysis.cli import main
from analysis.config import EngineSection

ray = pytest.importorskip("ray", reason="the Ray engine's extra (ray[data]) is not installed")


def test_a_local_ray_keeps_the_sigterm_handler_and_no_bars_off_a_terminal(capsys):
    from analysis.ray_engine import ray_engine

    assert not ray.is_initialized()  # this file's own process starts it

    def handler(signum, frame):  # stands for the CLI's "terminated", exit 143
        raise AssertionError("not called here")

    previous = signal.signal(signal.SIGTERM, handler)
    lines: list[str] = []
    try:
        with ray_engine(EngineSection(name="ray", workers=1), progress=True, log=lines.append):
            assert signal.getsignal(signal.SIGTERM) is handler  # ray.init replaced it: put back
            context = ray.data.DataContext.get_current()
            assert not context.enable_progress_bars  # stderr is captured: not a terminal
        assert not ray.is_initialized()
        assert lines and "on a local Ray instance" in lines[0]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_auto_resolves_to_a_dead_address_and_fails_in_one_line(tmp_path, capsys, monkeypatch):
    """Ray would retry a stale address it resolves "auto" to for many minutes."""
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")
    args = ["analyze", "--engine", "ray", "--ray-address", "auto", "--cache", "", "--quiet"]
    assert main([*args, "--runs-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    # the address Ray resolved "auto" to is named (127.0.0.1 as this machine's own address)
    assert err[-1].startswith("viewpoints: error: could not join the Ray cluster at 'auto' (")
    assert "nothing answers there" in err[-1] and "Traceback" not in "\n".join(err)
    assert not ray.is_initialized()

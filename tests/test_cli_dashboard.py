"""`viewpoints dashboard`: a busy port is one line and a non-zero exit; the dashboard stops with
the command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from analysis.cli import main
from analysis.cli.dashboard import port_is_free


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition, limit_s: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``limit_s`` seconds."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        time.sleep(0.2)


def test_a_busy_port_is_one_line_and_a_non_zero_exit(tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not port_is_free(port)
        code = main(["dashboard", "--port", str(port), "--runs-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0
    assert f"port {port} is in use" in err and len(err.strip().splitlines()) == 1
    assert "dashboard on" not in err
    assert port_is_free(port)


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_command_stops_the_dashboard(tmp_path, stop):
    port = free_port()
    command = [sys.executable, "-c", "from analysis.cli import main; raise SystemExit(main())"]
    parent = subprocess.Popen(
        [*command, "dashboard", "--port", str(port), "--runs-dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
        # As from a terminal: a suite started in the background (`make test &`) has SIGINT
        # ignored, and a child would inherit that and never see Ctrl-C.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_until(lambda: accepts(port), 120, f"the dashboard to listen on {port}")
        parent.send_signal(stop)
        parent.wait(timeout=30)
        wait_until(lambda: not accepts(port), 30, "the dashboard to stop with the command")
    finally:
        if parent.poll() is None:
            parent.kill()

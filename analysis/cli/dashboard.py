"""``viewpoints dashboard``: the Streamlit server, started on a free port and stopped with
the command."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from analysis.cli.common import CLIError


def cmd_dashboard(args: argparse.Namespace) -> int:
    import subprocess

    from dashboard.serve import server_command  # `streamlit run`, the pages' modules loaded

    app = Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py"
    if not app.is_file():
        raise CLIError(f"the dashboard is not installed here (expected {app})")
    env = {**os.environ, "VIEWPOINTS_RUNS_DIR": str(Path(args.runs_dir).resolve())}
    command = server_command(args.port, args.runs_dir, corrections_dir=args.corrections_dir)
    if not port_is_free(args.port):
        raise CLIError(
            f"port {args.port} is in use; choose another with --port (with make: PORT=N)"
        )
    child = subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    print(f"dashboard on http://localhost:{args.port} (runs from {args.runs_dir})", file=sys.stderr)
    try:
        return child.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:  # the dashboard stops with the command
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def port_is_free(port: int) -> bool:
    """Whether nothing listens on ``port`` (as the dashboard binds it: all interfaces)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("", port))
        except OSError:
            return False
    return True


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """In the dashboard's process: get SIGTERM if the command dies without cleaning up."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

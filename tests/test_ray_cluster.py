"""`--ray-address` joins a running Ray cluster (a head started by `ray start --head`) and the run
is the one a local instance gives."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main

ray = pytest.importorskip("ray", reason="the Ray engine's extra (ray[data]) is not installed")
# Token authentication with a token of the test's own: on a machine without ~/.ray/auth_token,
# Ray 2.60's head would not start ("no authentication token was found").
AUTH = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
RAY_CLI = Path(sys.executable).parent / "ray"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def ray_head(tmp_path):
    """A Ray head with 2 CPUs in its own processes (``ray start --head --block``), stopped with
    the process that started it, so that no other Ray on the machine is touched."""
    if not RAY_CLI.exists():
        pytest.skip(f"no ray command beside {sys.executable}")
    port = free_port()
    env = {**os.environ, **AUTH}
    options = [f"--port={port}", "--num-cpus=2", "--include-dashboard=false"]
    head = subprocess.Popen(
        [str(RAY_CLI), "start", "--head", "--block", *options, "--disable-usage-stats"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "head.log", "w"),  # noqa: SIM115 (closed with the process)
        start_new_session=True,
    )
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # up when the GCS port answers
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert head.poll() is None, (tmp_path / "head.log").read_text()
        time.sleep(0.5)
    yield address
    # The head's processes share the session `ray start` began: all of them go at once (a
    # graceful `ray stop` would also stop any other Ray on this machine, and takes ~30 s).
    os.killpg(head.pid, signal.SIGKILL)
    head.wait(timeout=30)


@pytest.mark.slow
def test_joining_a_running_cluster_gives_the_local_run(ray_head, tmp_path):
    """The driver is a `viewpoints analyze` process, as a user runs it on the head node."""
    args = ["analyze", str(SEEDS), "--cache", "", "--quiet", "--json"]
    local = viewpoints(*args, "--runs-dir", str(tmp_path / "local"))
    ray_args = ["--engine", "ray", "--ray-address", ray_head, "--runs-dir", str(tmp_path / "ray")]
    joined = viewpoints(*args, *ray_args)
    assert joined["counts"] == local["counts"]
    run = json.loads((Path(joined["path"]) / "run.json").read_text(encoding="utf-8"))
    assert run["engine"]["address"] == ray_head and run["engine"]["workers"] == 2
    for name in ("scores", "positions"):
        a = pd.read_parquet(Path(local["path"]) / f"{name}.parquet", columns=["stance", "tone"])
        b = pd.read_parquet(Path(joined["path"]) / f"{name}.parquet", columns=["stance", "tone"])
        pd.testing.assert_frame_equal(a, b, check_exact=False, atol=1e-6)


def viewpoints(*args: str) -> dict:
    """``viewpoints ARGS`` in a child process with the head's authentication mode: its JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "analysis.cli", *args],
        env={**os.environ, **AUTH},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_address_nobody_answers_is_one_line(tmp_path, capsys):
    port = free_port()  # nothing listens there
    ray_args = ["--engine", "ray", "--ray-address", f"127.0.0.1:{port}", "--cache", ""]
    code = main(["analyze", str(SEEDS), *ray_args, "--quiet", "--runs-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"could not join the Ray cluster at '127.0.0.1:{port}': nothing answers" in err
    assert "Traceback" not in err
    assert not ray.is_initialized()

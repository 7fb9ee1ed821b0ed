"""An upload's analysis as a job of its own: it runs on a thread beside the page that started
it, so that a user who leaves or reloads the page does not stop it, and it reports through
``.status.json`` in the upload's folder, which any page (a reload, another tab) reads.

States: ``running``; ``done`` (the run is written); ``failed`` (no run: why, and the saved
files removed, as no run uses them); ``stopped``, read where a job is ``running`` but the
process that ran it is gone (the dashboard was stopped): its files are still there to analyze
again, or to remove.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis.corpus import uploads
from analysis.corpus.loader import WARNINGS_TO
from analysis.corpus.manifest import MANIFEST_NAMES
from analysis.runs import process_alive

STATUS_FILE = ".status.json"  # hidden: the analysis of the folder reads past it
STATES = ("running", "done", "failed", "stopped")
# A running job writes its progress at most this often (seconds); a stage change at once.
WRITE_EVERY_S = 0.5


@dataclass(frozen=True)
class UploadJob:
    """One upload's analysis as ``.status.json`` says it (see the module docstring)."""

    folder: Path
    state: str
    name: str = ""
    started: str = ""
    finished: str | None = None
    stage: str | None = None
    stage_started: str | None = None
    share: float = 0.0
    log: list[str] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    run_id: str | None = None
    path: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def warnings(self) -> list[str]:
        """The analysis's warnings and notes (the lines a terminal would show as such)."""
        return [line for line in self.log if line.startswith(("warning:", "note:"))]


def _write_status(folder: Path, status: dict[str, Any]) -> None:
    """Replace ``.status.json`` whole (a reader never sees half a file)."""
    part = folder / f".{STATUS_FILE}.{os.getpid()}.{threading.get_ident()}.part"
    part.write_text(json.dumps(status, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(part, folder / STATUS_FILE)


# This process, told apart from a later one given the same pid (a restarted container).
PROCESS_TOKEN = uuid.uuid4().hex


def _process_started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), or None where the
    system does not say: with the pid, it names one process, not whichever has the pid now."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]  # field 22, after the command's name
    except (OSError, IndexError):
        return None


def _job_process_alive(status: dict[str, Any]) -> bool:
    """Whether the process that ran a job is still there (this one, or another dashboard)."""
    pid = status.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return status.get("token") == PROCESS_TOKEN
    if not process_alive(pid):
        return False
    started = status.get("process_started")
    return started is None or _process_started(pid) in (None, started)


def read_job(folder: str | Path) -> UploadJob | None:
    """The job of an upload folder, or None (no status file: an upload from before jobs, or
    one being set up; an unreadable file is read as None too, never an error on the page)."""
    folder = Path(folder)
    try:
        status = json.loads((folder / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(status, dict) or status.get("state") not in STATES:
        return None
    state = status["state"]
    if state == "running" and not _job_process_alive(status):
        state = "stopped"
    known = {k: v for k, v in status.items() if k in UploadJob.__dataclass_fields__}
    return UploadJob(**{**known, "folder": folder, "state": state})


def upload_jobs(runs_dir: str | Path) -> list[UploadJob]:
    """The uploads of ``runs_dir`` that have a job, newest started first."""
    parent = Path(runs_dir) / uploads.UPLOADS_DIR
    if not parent.is_dir():
        return []
    jobs = [read_job(folder) for folder in parent.iterdir() if folder.is_dir()]
    return sorted((j for j in jobs if j is not None), key=lambda j: (j.started, j.folder.name))[
        ::-1
    ]


def last_ended(jobs: list[UploadJob]) -> UploadJob | None:
    """The job that ended last with a run or a failure (what a user waits for), or None."""
    ended = [j for j in jobs if j.state in ("done", "failed")]
    return max(ended, key=lambda j: (j.finished or "", j.started), default=None)


def start_job(
    batch: uploads.SavedBatch,
    runs_dir: str | Path,
    name: str = "",
    files: list[dict[str, Any]] | None = None,
) -> UploadJob:
    """Start analyzing ``batch`` into a new run on a thread of its own; return the job as it
    starts. ``files``: the upload's table (name, size, status) to show with the result."""
    if not isinstance(batch, uploads.SavedBatch) or not batch.usable or batch.folder is None:
        raise ValueError("expected a saved upload batch with at least one usable article file")
    status = {
        "state": "running",
        "pid": os.getpid(),
        "token": PROCESS_TOKEN,
        "process_started": _process_started(os.getpid()),
        "name": name,
        "runs_dir": str(runs_dir),
        "started": datetime.now().isoformat(timespec="seconds"),
        "stage": None,
        "share": 0.0,
        "log": [],
        "files": list(files or []),
        "notes": list(batch.notes),
    }
    _write_status(batch.folder, status)
    thread = threading.Thread(
        target=_run, args=(batch, Path(runs_dir), name, status), name="viewpoints-upload"
    )
    thread.daemon = True  # a dashboard that stops leaves it "stopped", to analyze again
    thread.start()
    job = read_job(batch.folder)
    assert job is not None  # just written
    return job


def restart_job(job: UploadJob) -> UploadJob:
    """Analyze a stopped job's saved files again, into a new run."""
    if job.state != "stopped":
        raise ValueError(f"expected a stopped upload to analyze again, got one {job.state}")
    saved = [
        uploads.SavedFile(p.name, p.name, p.stat().st_size)
        for p in sorted(job.folder.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.name != STATUS_FILE
    ]
    manifest = next((job.folder / m for m in MANIFEST_NAMES if (job.folder / m).is_file()), None)
    batch = uploads.SavedBatch(job.folder, files=saved, manifest=manifest, notes=job.notes)
    runs_dir = job.folder.parent.parent  # <runs_dir>/.uploads/<time>
    return start_job(batch, runs_dir, job.name, job.files)


def remove_job(job: UploadJob) -> None:
    """Remove a job that ended without a run (failed or stopped): its folder and files."""
    if job.state not in ("failed", "stopped"):
        raise ValueError(f"expected a failed or stopped upload to remove, got one {job.state}")
    shutil.rmtree(job.folder, ignore_errors=True)


def _run(batch: uploads.SavedBatch, runs_dir: Path, name: str, status: dict[str, Any]) -> None:
    folder = batch.folder
    assert folder is not None
    written = [0.0]

    def save(force: bool = False) -> None:
        now = time.monotonic()
        if force or now - written[0] >= WRITE_EVERY_S:
            written[0] = now
            with contextlib.suppress(OSError):  # progress is best effort; the end is not
                _write_status(folder, status)

    def on_stage(stage: str, share: float) -> None:
        changed = stage != status["stage"]
        status.update(stage=stage, share=min(max(float(share), 0.0), 1.0))
        if changed:
            status["stage_started"] = datetime.now().isoformat(timespec="seconds")
        save(force=changed)

    def log(message: str) -> None:
        status["log"].append(_without_folder(str(message), folder))
        save(force=True)

    WARNINGS_TO.set(log)  # the loader's warnings (a file skipped, not English) to the page
    try:
        result = uploads.analyze_upload(batch, runs_dir, name, on_stage=on_stage, log=log)
    except Exception as err:  # a bad model, no readable article: said on the page
        status.update(state="failed", error=_without_folder(str(err), folder))
        _remove_saved_files(folder)
    else:
        status.update(
            state="done",
            share=1.0,
            stage="done",
            run_id=str(result.meta["run_id"]),
            path=str(result.path),
            counts=dict(result.meta.get("counts", {})),
            skipped=list(result.meta.get("skipped", [])),
        )
    status["finished"] = datetime.now().isoformat(timespec="seconds")
    _write_status(folder, status)


def _without_folder(text: str, folder: Path) -> str:
    """A message with the upload folder's path left out of the files it names."""
    return text.replace(f"{folder}/", "").replace(str(folder), "the upload")


def _remove_saved_files(folder: Path) -> None:
    """No run uses a failed upload's files: remove them, keeping the status that says why."""
    for path in folder.iterdir():
        if path.name != STATUS_FILE:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def wait_for(
    folder: str | Path, timeout_s: float, sleep: Callable[[float], None] = time.sleep
) -> UploadJob | None:
    """The job once it is no longer running, or as it is after ``timeout_s`` (for scripts and
    tests that start a job and want its end)."""
    deadline = time.monotonic() + timeout_s
    job = read_job(folder)
    while job is not None and job.state == "running" and time.monotonic() < deadline:
        sleep(0.2)
        job = read_job(folder)
    return job

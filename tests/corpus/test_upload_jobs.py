"""Upload jobs: an upload's analysis on a thread of its own, told through its status file."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from analysis.corpus import upload_jobs
from analysis.corpus.upload_jobs import (
    STATUS_FILE,
    read_job,
    remove_job,
    restart_job,
    start_job,
    wait_for,
)
from analysis.corpus.upload_jobs import (
    upload_jobs as jobs_of,
)
from analysis.corpus.uploads import save_uploads

ARTICLE = b"Sanctions on Russia were tightened on Friday after weeks of talks in Brussels."


def _batch(runs: Path):
    return save_uploads([("a.txt", ARTICLE), ("b.txt", ARTICLE + b" More.")], runs)


def test_a_job_runs_beside_its_caller_and_records_its_run(tmp_path, monkeypatch):
    release = threading.Event()
    seen = {}

    def analyze(batch, runs_dir, name, on_stage, log):
        on_stage("scoring", 0.5)
        log("warning: the text does not look like English")
        release.wait(10)  # the caller has its job back while this still runs
        seen["name"] = name
        return SimpleNamespace(
            meta={"run_id": "r1", "counts": {"articles_read": 2}, "skipped": []},
            path=runs_dir / "r1",
        )

    monkeypatch.setattr("analysis.corpus.uploads.analyze_upload", analyze)
    batch = _batch(tmp_path)
    job = start_job(batch, tmp_path, "mine", files=[{"File": "a.txt", "Status": "saved"}])
    assert job.state == "running" and job.folder == batch.folder
    running = wait_for(batch.folder, 0.0)
    for _ in range(100):  # until the job has said its stage and its warning
        if running.log:
            break
        time.sleep(0.05)
        running = read_job(batch.folder)
    assert running.state == "running"
    assert running.stage == "scoring" and running.stage_started  # the page says how long
    release.set()
    done = wait_for(batch.folder, 10)
    assert done.state == "done" and done.run_id == "r1" and done.counts == {"articles_read": 2}
    assert done.warnings == ["warning: the text does not look like English"]
    assert done.files == [{"File": "a.txt", "Status": "saved"}] and seen["name"] == "mine"
    assert done.finished and done.share == 1.0
    assert [j.folder for j in jobs_of(tmp_path)] == [batch.folder]
    with pytest.raises(ValueError, match="expected a failed or stopped upload"):
        remove_job(done)  # a run uses its files


def test_a_failed_job_says_why_without_its_folder_and_keeps_no_files(tmp_path, monkeypatch):
    def fail(batch, *args, **kwargs):
        raise ValueError(f"no articles could be read from {batch.folder} ({batch.folder}/a.txt)")

    monkeypatch.setattr("analysis.corpus.uploads.analyze_upload", fail)
    batch = _batch(tmp_path)
    start_job(batch, tmp_path)
    job = wait_for(batch.folder, 10)
    assert job.state == "failed"
    assert job.error == "no articles could be read from the upload (a.txt)"
    assert sorted(p.name for p in batch.folder.iterdir()) == [STATUS_FILE]  # why, and only that
    remove_job(job)
    assert not batch.folder.exists() and jobs_of(tmp_path) == []


def test_a_job_whose_process_is_gone_is_stopped_and_can_run_again(tmp_path, monkeypatch):
    batch = _batch(tmp_path)
    status = {"state": "running", "pid": 2**22 + 4321, "name": "again", "started": "2024-01-01"}
    (batch.folder / STATUS_FILE).write_text(json.dumps(status))
    job = read_job(batch.folder)
    assert job.state == "stopped"

    def analyze(batch, runs_dir, name, **kwargs):
        assert sorted(f.name for f in batch.articles) == ["a.txt", "b.txt"]
        assert runs_dir == tmp_path and name == "again"
        return SimpleNamespace(meta={"run_id": "r2"}, path=runs_dir / "r2")

    monkeypatch.setattr("analysis.corpus.uploads.analyze_upload", analyze)
    restart_job(job)
    assert wait_for(batch.folder, 10).run_id == "r2"
    with pytest.raises(ValueError, match="expected a stopped upload"):
        restart_job(read_job(batch.folder))


def test_folders_without_a_readable_status_are_no_jobs(tmp_path):
    batch = _batch(tmp_path)
    assert read_job(batch.folder) is None  # an upload from before jobs
    (batch.folder / STATUS_FILE).write_text("{half")
    assert read_job(batch.folder) is None and jobs_of(tmp_path) == []
    (batch.folder / STATUS_FILE).write_text(json.dumps({"state": "exploded"}))
    assert read_job(batch.folder) is None
    assert jobs_of(tmp_path / "nowhere") == []


def test_progress_is_written_no_more_often_than_asked_but_each_stage_at_once(tmp_path, monkeypatch):
    writes: list[str | None] = []
    real = upload_jobs._write_status

    def counting(folder, status):
        writes.append(status.get("stage"))
        real(folder, status)

    def analyze(batch, runs_dir, name, on_stage, log):
        for share in range(100):
            on_stage("relevance", share / 100)
        on_stage("scoring", 0.0)
        return SimpleNamespace(meta={"run_id": "r"}, path=runs_dir / "r")

    monkeypatch.setattr(upload_jobs, "_write_status", counting)
    monkeypatch.setattr("analysis.corpus.uploads.analyze_upload", analyze)
    batch = _batch(tmp_path)
    start_job(batch, tmp_path)
    assert wait_for(batch.folder, 10).state == "done"
    assert writes.count("relevance") < 10 and "scoring" in writes


def test_the_loaders_warnings_reach_the_job_and_not_the_terminal(tmp_path, monkeypatch, capsys):
    from analysis.corpus.loader import iter_corpus

    french = " ".join(["Les sanctions contre la Russie pèsent sur l'économie européenne."] * 9)
    batch = save_uploads([("fr.txt", french.encode())], tmp_path)

    def analyze(batch, runs_dir, name, on_stage, log):
        list(iter_corpus([str(batch.folder)]))  # reads the upload as the pipeline does
        return SimpleNamespace(meta={"run_id": "r"}, path=runs_dir / "r")

    monkeypatch.setattr("analysis.corpus.uploads.analyze_upload", analyze)
    start_job(batch, tmp_path)
    job = wait_for(batch.folder, 10)
    assert [w for w in job.warnings if "does not look like English" in w] != []
    assert "does not look like English" not in capsys.readouterr().err
    list(iter_corpus([str(batch.folder)]))  # this thread's warnings still go to stderr
    assert "does not look like English" in capsys.readouterr().err


def test_a_job_of_an_earlier_process_with_this_pid_is_stopped_not_running(tmp_path):
    """A restarted container may give the new dashboard its old pid: the token tells them apart."""
    import os

    batch = _batch(tmp_path)
    status = {"state": "running", "pid": os.getpid(), "token": "an earlier process"}
    (batch.folder / STATUS_FILE).write_text(json.dumps(status))
    assert read_job(batch.folder).state == "stopped"
    status["token"] = upload_jobs.PROCESS_TOKEN
    (batch.folder / STATUS_FILE).write_text(json.dumps(status))
    assert read_job(batch.folder).state == "running"


def test_the_last_ended_job_is_the_one_that_finished_last_not_the_one_started_last(tmp_path):
    from analysis.corpus.upload_jobs import UploadJob, last_ended

    def job(name, state, started, finished=None):
        return UploadJob(tmp_path / name, state, started=started, finished=finished)

    early = job("early", "done", "2024-01-01T10:00:00", "2024-01-01T10:09:00")
    late = job("late", "done", "2024-01-01T10:01:00", "2024-01-01T10:02:00")
    running = job("running", "running", "2024-01-01T10:05:00")
    stopped = job("stopped", "stopped", "2024-01-01T10:06:00")
    assert last_ended([stopped, running, late, early]) is early
    assert last_ended([running, stopped]) is None

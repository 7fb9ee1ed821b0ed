"""Add articles: upload files (or paste a text), see which are usable, and analyze them into a
new run.

The page reads the runs folder itself (``--runs-dir`` / ``$VIEWPOINTS_RUNS_DIR``), not the run
chosen in the sidebar, so it works before any run exists. Checking and saving the files is
:mod:`analysis.corpus.uploads`; the analysis is its :func:`analyze_upload` (the pipeline with
the default models and topics, on the uploaded files only), run as a job beside the page
(:mod:`analysis.corpus.upload_jobs`), so that leaving or reloading the page does not stop it;
the page draws its progress and, once it has ended, its result: the newest upload's, whoever
started it.
"""

from __future__ import annotations

import hashlib
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from analysis.config import AnalysisConfig
from analysis.corpus.manifest import MANIFEST_NAMES
from analysis.corpus.upload_jobs import (
    UploadJob,
    last_ended,
    read_job,
    remove_job,
    restart_job,
    start_job,
    upload_jobs,
)
from analysis.corpus.uploads import (
    SINGLE_ARTICLE_SUFFIXES,
    SUPPORTED_SUFFIXES,
    UPLOADS_DIR,
    BatchMetadata,
    Checked,
    SavedBatch,
    UploadLimits,
    check_uploads,
    format_bytes,
    save_uploads,
    unique_name,
)
from analysis.labels import counted
from dashboard import data, state
from dashboard.style import md_escape

OVERVIEW_PAGE = "app_pages/overview.py"
LIMITS = UploadLimits()
UPLOAD_TYPES = [s.lstrip(".") for s in SUPPORTED_SUFFIXES] + ["toml"]
POLL_S = 1.0  # how often a running upload's progress is read again
IDLE_POLL_S = 3.0  # how often, when none runs, the page looks for one started elsewhere
STARTED_KEY = "_vp_upload_started"  # an upload this session just started (said by the button)
OPEN_KEY = "_vp_upload_open"  # a run to open once the app lists it
COUNTER_KEY = "_vp_upload_counter"  # bumped after a run: a fresh, empty uploader
# (uploader counter, what was uploaded) of the batch this session last started: a second click
# before the page reran with a fresh uploader started the same files again (two runs)
STARTING_KEY = "_vp_upload_starting"
PASTED_NAME = "pasted.txt"  # the file a pasted text is saved as, beside the uploaded ones
STAGE_LABELS = {
    "setup": "Loading the models",
    "loading": "Reading the files",
    "estimate": "Estimating the cost",
    "relevance": "Finding topic passages",
    "scoring": "Scoring stance and tone",
    "aggregate": "Aggregating positions",
    "writing": "Writing the run",
    "done": "Done",
}


def open_run(run_id: str, retry: bool = True) -> None:
    """Select ``run_id`` and go to the Overview.

    When the app was started without runs, the Overview is not among its pages yet: rerun once
    (the app then lists the new run and all pages) and switch on that run.
    """
    state.put("run", run_id)
    try:
        st.switch_page(OVERVIEW_PAGE, query_params={"run": run_id})
    except StreamlitAPIException:
        if retry:
            st.session_state[OPEN_KEY] = run_id
            st.rerun()
        st.info(f"Run `{run_id}` is ready: reload the dashboard to open it.")


def _short(source: str, folder: str | None) -> str:
    """A skipped source without its upload folder (``name.jsonl:3``)."""
    if folder and source.startswith(folder.rstrip("/") + "/"):
        return source[len(folder.rstrip("/")) + 1 :]
    return source


def _files_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["File", "Saved as", "Size", "Status", "Reason"])


def _batch_rows(batch: SavedBatch) -> list[dict[str, Any]]:
    rows = [
        {
            "File": f.original,
            "Saved as": f.name,
            "Size": format_bytes(f.size),
            "Status": "manifest" if f.name in MANIFEST_NAMES else "saved",
            "Reason": "",
        }
        for f in batch.files
    ]
    if batch.manifest is not None and all(f.name != batch.manifest.name for f in batch.files):
        rows.append(
            {
                "File": "(batch metadata)",
                "Saved as": batch.manifest.name,
                "Size": format_bytes(batch.manifest.stat().st_size),
                "Status": "manifest",
                "Reason": "",
            }
        )
    rows += [
        {"File": r.name, "Saved as": "", "Size": "", "Status": "refused", "Reason": r.reason}
        for r in batch.rejected
    ]
    return rows


def _check_rows(checked: list[Checked]) -> list[dict[str, Any]]:
    """The uploads as checked, before anything is saved."""
    return [
        {
            "File": c.original,
            "Saved as": c.name if c.problem is None else "",
            "Size": format_bytes(len(c.data)),
            "Status": "refused" if c.problem else ("manifest" if c.is_manifest else "ready"),
            "Reason": c.problem or "",
        }
        for c in checked
    ]


def _metadata(n_articles: int, n_single: int, batch: int) -> BatchMetadata | None:
    """The batch metadata inputs (fresh for each batch); None, with the error shown, when a
    value is invalid."""
    st.markdown("##### Metadata for this batch (optional)")
    st.caption(
        "Applied to every uploaded article and overriding what the files say; an uploaded "
        f"manifest ({' or '.join(MANIFEST_NAMES)}, format as in seeds/articles.toml) overrides "
        "these per file."
    )
    left, middle, right = st.columns(3)
    author = left.text_input("Author", key=f"up_author_{batch}")
    outlet = middle.text_input("Outlet", key=f"up_outlet_{batch}")
    day = right.text_input("Date", key=f"up_date_{batch}", placeholder="YYYY-MM-DD")
    one = n_articles == 1 and n_single == 1
    title = st.text_input(
        "Title",
        key=f"up_title_{batch}",
        disabled=not one,
        help=f"Only for a single article file ({', '.join(SINGLE_ARTICLE_SUFFIXES)}).",
    )
    try:
        return BatchMetadata(author=author, outlet=outlet, date=day, title=title if one else "")
    except ValueError as err:
        st.error(str(err))
        return None


def _start(batch: SavedBatch, runs_dir: Path, name: str) -> None:
    """Start the batch's analysis as a job beside the page (it goes on if the user leaves),
    and start the next batch with a fresh uploader."""
    start_job(batch, runs_dir, name, _batch_rows(batch))
    st.session_state[COUNTER_KEY] = int(st.session_state.get(COUNTER_KEY, 0)) + 1
    st.session_state[STARTED_KEY] = batch.folder.name if batch.folder else ""
    st.rerun()


def _batch_signature(files: list[tuple[str, bytes]], metadata: BatchMetadata, name: str) -> str:
    """What a batch is made of: its files, metadata and run name (a digest)."""
    digest = hashlib.sha256(repr((metadata, name.strip())).encode())
    for file_name, content in files:
        digest.update(file_name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def _signature(jobs: list[UploadJob]) -> tuple[tuple[str, str], ...]:
    """What the page drew from: each upload and its state (progress within a state aside)."""
    return tuple((j.folder.name, j.state) for j in jobs)


def _watch(runs_dir: Path, jobs: list[UploadJob]) -> None:
    """The running uploads' progress, read again every ``POLL_S`` seconds (every
    ``IDLE_POLL_S`` when none runs); when an upload starts or ends anywhere (another tab,
    another user), the whole app again: the sidebar lists a new run, the page its result."""
    shown = _signature(jobs)
    if any(j.state == "running" for j in jobs):
        _watch_running(str(runs_dir), shown)
    else:
        _watch_idle(str(runs_dir), shown)


@st.fragment(run_every=POLL_S)
def _watch_running(runs_dir: str, shown: tuple[tuple[str, str], ...]) -> None:
    jobs = upload_jobs(runs_dir)
    if _signature(jobs) != shown:
        st.rerun(scope="app")
        return
    for job in [j for j in jobs if j.state == "running"]:
        _draw_progress(job)


@st.fragment(run_every=IDLE_POLL_S)
def _watch_idle(runs_dir: str, shown: tuple[tuple[str, str], ...]) -> None:
    if _signature(upload_jobs(runs_dir)) != shown:
        st.rerun(scope="app")


def _label(job: UploadJob) -> str:
    return f"“{job.name}”" if job.name.strip() else f"`{job.folder.name}`"


def _draw_progress(job: UploadJob) -> None:
    label = STAGE_LABELS.get(job.stage or "", job.stage or "Starting")
    step = f" ({_elapsed(job.stage_started)} in this step)" if job.stage_started else ""
    st.progress(job.share, text=f"{_label(job)}: {label}…{step}")
    st.caption(
        f"Analyzing {counted(len(_article_rows(job)), 'file')} since "
        f"{job.started.replace('T', ' ')} ({_elapsed(job.started)} so far). It goes on if you "
        "leave or reload this page; come back here to see the result."
    )
    if job.log:
        st.caption(job.log[-1])


def _elapsed(started: str) -> str:
    """How long ago ``started`` (an ISO time of this machine) was, in words."""
    try:
        seconds = max(int((datetime.now() - datetime.fromisoformat(started)).total_seconds()), 0)
    except ValueError:
        return "a while"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _article_rows(job: UploadJob) -> list[dict[str, Any]]:
    return [r for r in job.files if r.get("Status") == "saved"]


def _show_messages(job: UploadJob, said: str = "") -> None:
    """The analysis's warnings on the page (those ``said`` already holds left out), and every
    line it wrote folded away."""
    for line in job.warnings:
        if not (said and line.removeprefix("warning: skipped ") in said):
            st.warning(line)
    if job.log:
        with st.expander("What the analysis said"):
            st.code("\n".join(job.log), language=None)


def _show_files(job: UploadJob, removed: bool = False) -> None:
    st.markdown("###### Uploaded files")
    rows = job.files
    if removed:  # a failed upload's saved files are gone with it
        rows = [{**r, "Status": "removed"} if r.get("Status") == "saved" else r for r in rows]
    st.dataframe(_files_frame(rows), hide_index=True)
    for note in job.notes:
        st.caption(note)


def _show_stopped(job: UploadJob) -> None:
    """An upload whose analysis stopped with its dashboard: analyze it again, or remove it."""
    st.error(
        f"The analysis of the upload {_label(job)} (`{job.folder.name}`, started "
        f"{job.started.replace('T', ' ')}) stopped before its run was written: the dashboard "
        "was stopped while it ran. Its files are still saved."
    )
    again, remove = st.columns(2)
    if again.button("Analyze these files again", type="primary", key=f"up_again_{job.folder.name}"):
        if (now := read_job(job.folder)) is not None and now.state == "stopped":  # not by now
            restart_job(now)
        st.rerun()
    with remove.popover("Remove these files"):
        st.caption(f"Delete `{job.folder}` and the files in it; no run uses them.")
        if st.button("Remove", key=f"up_remove_{job.folder.name}"):
            if (now := read_job(job.folder)) is not None and now.state == "stopped":
                remove_job(now)
            st.rerun()
    _show_files(job)


def _show_result(job: UploadJob, runs_dir: Path) -> None:
    """The upload that ended last: its run and what the analysis said, or why no run came (and
    that its run is gone, where its folder was removed since)."""
    st.markdown("##### Last finished upload")
    if job.state == "failed":
        st.error(f"The analysis of {_label(job)} failed: {job.error}")
        st.caption("No run was written, and the uploaded files were removed.")
        if st.button("Dismiss", key=f"up_dismiss_{job.folder.name}"):
            remove_job(job)
            st.rerun()
        _show_messages(job, said=job.error or "")
        _show_files(job, removed=True)
        return
    counts = job.counts
    skipped = counts.get("articles_skipped") or 0
    named = f" ({md_escape(job.name)})" if job.name else ""
    if not (runs_dir / str(job.run_id) / "run.json").is_file():
        # opening it showed another run with no word (a review removed the folder by hand)
        st.warning(
            f"Run `{job.run_id}`{named}, written by this upload, is no longer in `{runs_dir}`: "
            "its folder was moved or removed.",
            icon=":material/folder_off:",
        )
        _show_messages(job)
        return
    st.success(
        f"Run `{job.run_id}`{named} written: {counts.get('articles_read', '?')} article(s)"
        + (f" ({skipped} input(s) skipped: listed below)" if skipped else "")
        + f", {counts.get('passages', '?')} passages, {counts.get('scored_pairs', '?')} "
        "passage-topic pairs scored."
    )
    if not counts.get("scored_pairs"):
        st.info(
            "No passage reached a topic: every topic reads not discussed for these articles "
            f"(the topics: {', '.join(_topic_labels())})."
        )
    if st.button("Open this run in the Overview", type="primary", key="up_open"):
        open_run(str(job.run_id))
    _show_messages(job)
    _show_files(job)
    st.markdown("###### Skipped by the analysis")
    if job.skipped:
        frame = pd.DataFrame(
            [
                {"Source": _short(str(s.get("source", "")), str(job.folder)), **s}
                for s in job.skipped
            ]
        )
        st.dataframe(
            frame[["Source", "reason"]].rename(columns={"reason": "Reason"}),
            hide_index=True,
        )
    else:
        st.caption("Nothing: every saved file gave articles (the run's `skipped` list is empty).")
    st.caption(f"Files kept in `{job.folder}`; run folder `{job.path}`.")


def _topic_labels() -> list[str]:
    from analysis.topics import load_topics

    return [t.label for t in load_topics()]


def render() -> None:
    """Lay out the page (Streamlit runs this file as ``__main__``; importing it runs nothing)."""
    pending = st.session_state.pop(OPEN_KEY, None)
    if pending:
        open_run(str(pending), retry=False)

    runs_dir = data.runs_dir_from(sys.argv[1:], os.environ)
    defaults = AnalysisConfig().models
    st.title("Add articles")
    st.caption(
        f"Upload article files, or paste an article's text, and analyze them into a new run in "
        f"`{runs_dir}`: only these articles, "
        f"with the default topics and models (stance `{defaults.stance}`, tone `{defaults.tone}`). "
        "For other models or topics use `viewpoints analyze` or an experiment file."
    )
    st.markdown(
        f"**Limits:** {LIMITS.describe()}. **Types:** "
        + ", ".join(f"`{s}`" for s in SUPPORTED_SUFFIXES)
        + f", plus one manifest ({' or '.join(f'`{m}`' for m in MANIFEST_NAMES)}). "
        f"Files are saved under `{runs_dir / UPLOADS_DIR}/<time>/`."
    )

    result_box = st.container()  # the last finished upload, filled in at the end
    counter = int(st.session_state.get(COUNTER_KEY, 0))
    uploaded = (
        st.file_uploader(
            "Article files",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            max_upload_size=LIMITS.max_file_mib,
            key=f"up_files_{counter}",
        )
        or []
    )
    pasted = st.text_area(
        "Or paste an article's text",
        key=f"up_paste_{counter}",
        height=140,
        placeholder="The text of one article, copied from a page or a document",
        help=f"Read as a text file, {PASTED_NAME}: its first line is its title where more text "
        "follows, unless Title below is filled in (the line is then kept as text) or the line "
        "reads as a sentence (more than 12 words ending in a full stop). It counts once the "
        "box is left or Ctrl+Enter pressed.",
    )
    files = [(f.name, f.getvalue()) for f in uploaded]
    if pasted.strip():
        files.append((unique_name(PASTED_NAME, [name for name, _ in files]), pasted.encode()))
    checked = check_uploads(files, LIMITS)
    usable = [c for c in checked if c.problem is None and not c.is_manifest]
    if checked:
        st.dataframe(_files_frame(_check_rows(checked)), hide_index=True)
        st.caption(
            "**ready**: the file's type, size and text pass the checks; its articles are read "
            "when it is analyzed, and what cannot be read is listed with the result."
        )
        refused = [c for c in checked if c.problem]
        if refused:
            st.warning(
                f"{len(refused)} file(s) cannot be used and will be left out: "
                + "; ".join(f"{c.original}: {c.problem}" for c in refused)
            )
        if not usable:
            st.error("No usable article file in this upload: nothing to analyze.")

    singles = [c for c in usable if Path(c.name).suffix in SINGLE_ARTICLE_SUFFIXES]
    metadata = _metadata(len(usable), len(singles), counter)
    run_name = st.text_input(
        "Run name (optional)", key=f"up_name_{counter}", placeholder="upload <time>"
    )
    taken = [
        m
        for m in data.runs_in(runs_dir)[0]
        if run_name.strip() and m.get("name") == run_name.strip()
    ]
    if taken:  # as `viewpoints run` notes: a name shared by runs picks none of them
        st.warning(
            f"{len(taken)} run(s) here are already named “{md_escape(run_name.strip())}”: the "
            "new run would share the name, and commands that name a run (`viewpoints show "
            "NAME`) would then ask for its id. Choose another name, or leave it.",
            icon=":material/label:",
        )
    go = st.button(
        f"Analyze {len(usable)} file(s) into a new run" if usable else "Analyze into a new run",
        type="primary",
        disabled=not usable or metadata is None,
        key="up_go",
    )

    if go and usable and metadata is not None:
        batch_key = (counter, _batch_signature(files, metadata, run_name))
        if st.session_state.get(STARTING_KEY) == batch_key:  # started by the first click
            st.session_state[COUNTER_KEY] = counter + 1  # what that click did not get to
            st.session_state[STARTED_KEY] = "again"
            st.rerun()
        st.session_state[STARTING_KEY] = batch_key
        try:
            batch = save_uploads(files, runs_dir, LIMITS, metadata)
            if batch.usable:
                _start(batch, runs_dir, run_name)  # reruns the page: nothing below runs
        except Exception:
            st.session_state.pop(STARTING_KEY, None)  # not started: the same files may retry
            raise
        st.session_state.pop(STARTING_KEY, None)
        st.error("No usable article file in this upload: no run was started.")

    if st.session_state.pop(STARTED_KEY, None):
        st.info("The analysis has started: its progress is shown at the top of this page.")
    jobs = upload_jobs(runs_dir)
    with result_box:
        _watch(runs_dir, jobs)
        for job in [j for j in jobs if j.state == "stopped"]:
            _show_stopped(job)
        ended = last_ended(jobs)
        if ended is not None:
            _show_result(ended, runs_dir)
        if ended is not None or any(j.state == "stopped" for j in jobs):
            st.divider()


if __name__ == "__main__":
    render()

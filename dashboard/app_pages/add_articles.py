"""Add articles: upload files, see which are usable, and analyze them into a new run.

The page reads the runs folder itself (``--runs-dir`` / ``$VIEWPOINTS_RUNS_DIR``), not the run
chosen in the sidebar, so it works before any run exists. Checking and saving the files is
:mod:`analysis.corpus.uploads`; the analysis is its :func:`analyze_upload` (the pipeline with
the default models and topics, on the uploaded files only), drawn here as a progress bar.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from analysis.config import AnalysisConfig
from analysis.corpus.manifest import MANIFEST_NAMES
from analysis.corpus.uploads import (
    SINGLE_ARTICLE_SUFFIXES,
    SUPPORTED_SUFFIXES,
    UPLOADS_DIR,
    BatchMetadata,
    Checked,
    SavedBatch,
    UploadLimits,
    analyze_upload,
    check_uploads,
    format_bytes,
    save_uploads,
)
from analysis.labels import counted
from dashboard import data, state

OVERVIEW_PAGE = "app_pages/overview.py"
LIMITS = UploadLimits()
UPLOAD_TYPES = [s.lstrip(".") for s in SUPPORTED_SUFFIXES] + ["toml"]
RESULT_KEY = "_vp_upload_result"  # the last finished upload, shown until the next one
OPEN_KEY = "_vp_upload_open"  # a run to open once the app lists it
COUNTER_KEY = "_vp_upload_counter"  # bumped after a run: a fresh, empty uploader
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
    day = right.text_input("Date", key=f"up_date_{batch}", placeholder="2018-06-29")
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


def _run_analysis(batch: SavedBatch, runs_dir: Path, name: str) -> dict[str, Any] | None:
    """Analyze the batch with a progress bar; the result to keep, or None after an error
    (shown, and the upload folder removed: no run came of it)."""
    n = len(batch.articles)
    bar = st.progress(0.0, text="Starting")
    lines: list[str] = []
    with st.status(f"Analyzing {counted(n, 'file')}…", expanded=True) as status:

        def on_stage(stage: str, share: float) -> None:
            bar.progress(min(max(share, 0.0), 1.0), text=STAGE_LABELS.get(stage, stage))
            status.update(label=f"{STAGE_LABELS.get(stage, stage)}…")

        def log(message: str) -> None:
            lines.append(message)
            status.caption(message)

        try:
            result = analyze_upload(batch, runs_dir, name, on_stage=on_stage, log=log)
        except Exception as err:  # a bad model or no readable article: say so, keep the page
            status.update(label="The analysis failed", state="error", expanded=True)
            failure = str(err)
        else:
            failure = None
            status.update(label=f"Run {result.meta['run_id']} written", state="complete")
    if failure is not None:
        # on the page, not only inside the status box: the box may be folded away
        st.error(f"The analysis failed: {failure}")
        if batch.folder is not None:
            shutil.rmtree(batch.folder, ignore_errors=True)
        return None
    return {
        "run_id": str(result.meta["run_id"]),
        "path": str(result.path),
        "folder": str(batch.folder),
        "counts": dict(result.meta.get("counts", {})),
        "skipped": list(result.meta.get("skipped", [])),
        "files": _batch_rows(batch),
        "notes": list(batch.notes),
        "log": lines,
    }


def _show_result(result: dict[str, Any]) -> None:
    counts = result.get("counts", {})
    st.markdown("##### Last upload")
    st.success(
        f"Run `{result['run_id']}` written: {counts.get('articles_read', '?')} article(s), "
        f"{counts.get('passages', '?')} passages, {counts.get('scored_pairs', '?')} "
        "passage-topic pairs scored."
    )
    if st.button("Open this run in the Overview", type="primary", key="up_open"):
        open_run(result["run_id"])
    st.markdown("###### Uploaded files")
    st.dataframe(_files_frame(result.get("files", [])), hide_index=True)
    for note in result.get("notes", []):
        st.caption(note)
    skipped = result.get("skipped", [])
    st.markdown("###### Skipped by the analysis")
    if skipped:
        frame = pd.DataFrame(
            [
                {"Source": _short(str(s.get("source", "")), result.get("folder")), **s}
                for s in skipped
            ]
        )
        st.dataframe(
            frame[["Source", "reason"]].rename(columns={"reason": "Reason"}),
            hide_index=True,
        )
    else:
        st.caption("Nothing: every saved file gave articles (the run's `skipped` list is empty).")
    st.caption(f"Files kept in `{result.get('folder')}`; run folder `{result['path']}`.")


def render() -> None:
    """Lay out the page (Streamlit runs this file as ``__main__``; importing it runs nothing)."""
    pending = st.session_state.pop(OPEN_KEY, None)
    if pending:
        open_run(str(pending), retry=False)

    runs_dir = data.runs_dir_from(sys.argv[1:], os.environ)
    defaults = AnalysisConfig().models
    st.title("Add articles")
    st.caption(
        f"Upload article files and analyze them into a new run in `{runs_dir}`: only these files, "
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
    checked = check_uploads([(f.name, f.getvalue()) for f in uploaded], LIMITS)
    usable = [c for c in checked if c.problem is None and not c.is_manifest]
    if checked:
        st.dataframe(_files_frame(_check_rows(checked)), hide_index=True)
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
    go = st.button(
        f"Analyze {len(usable)} file(s) into a new run" if usable else "Analyze into a new run",
        type="primary",
        disabled=not usable or metadata is None,
        key="up_go",
    )

    if go and usable and metadata is not None:
        batch = save_uploads(((f.name, f.getvalue()) for f in uploaded), runs_dir, LIMITS, metadata)
        if not batch.usable:
            st.error("No usable article file in this upload: no run was started.")
        else:
            outcome = _run_analysis(batch, runs_dir, run_name)
            if outcome is not None:
                st.session_state[RESULT_KEY] = outcome
                st.session_state[COUNTER_KEY] = counter + 1
                st.rerun()  # the sidebar then lists the new run; uploader and name start empty
    elif st.session_state.get(RESULT_KEY):
        with result_box:
            _show_result(st.session_state[RESULT_KEY])
            st.divider()


if __name__ == "__main__":
    render()

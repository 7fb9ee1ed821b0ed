"""The viewpoints dashboard: ``streamlit run dashboard/streamlit_app.py -- --runs-dir DIR``.

The runs folder comes from ``--runs-dir`` after ``--``, else ``$VIEWPOINTS_RUNS_DIR``, else
``runs``. This script picks the run (sidebar), then runs the page chosen in the navigation.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from analysis.labels import counted  # noqa: E402
from analysis.run_info import run_info  # noqa: E402
from analysis.terminal import builtin_topic_targets, topics_words  # noqa: E402
from dashboard import data, state  # noqa: E402
from dashboard.context import RunContext, set_active  # noqa: E402
from dashboard.style import md_escape  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"
FAVICON = Path(__file__).resolve().parent / "favicon.png"  # a balance, in the dashboard's red
LATER_PAGES = (
    ("time.py", "Over time", ":material/timeline:"),
    ("runs.py", "Runs", ":material/difference:"),
    ("evaluation.py", "Evaluation", ":material/fact_check:"),
    ("add_articles.py", "Add articles", ":material/upload_file:"),
)


def _run_caption(meta: dict) -> str:
    """A run as the sidebar lists it: its name (``--name``, the experiment's), when, how big."""
    name = meta.get("name") if isinstance(meta.get("name"), str) else ""
    created = str(meta.get("created", ""))[:16].replace("T", " ")
    counts = meta.get("counts") if isinstance(meta.get("counts"), dict) else {}
    n = counts.get("articles", counts.get("articles_read"))
    parts = (name, created, counted(n, "article") if isinstance(n, int) else "")
    return " · ".join(p for p in parts if p)


def _other_models(meta: dict) -> dict[str, str]:
    """Task -> the run's model where it is not the shipped default (a baseline's run)."""
    return run_info(meta, None).other_models()


def _other_settings(meta: dict, config: dict) -> str | None:
    """Where a run of the stance model's own measured figures was made with other settings
    (relevance threshold, gates, aggregation): said beside the run, as other models are (a
    review opened on a run at threshold 0.45 with quotes counted, read as the defaults')."""
    from analysis.news_accuracy import run_settings_unlike_measured

    differ = run_settings_unlike_measured(meta, config)
    if not differ:
        return None
    return (
        f"Not the default settings: {'; '.join(differ)}. Its numbers move with them; the "
        "Runs page compares it with another run."
    )


def _option_caption(meta: dict, run_id: str) -> str:
    """A run as the sidebar's list names it: its name and the models it has that are not the
    defaults first (a narrow sidebar cuts the end, and ids look alike), then when, how big,
    and its id."""
    other = "; ".join(f"{task}: {name}" for task, name in _other_models(meta).items())
    caption = _run_caption(meta)
    name = meta.get("name") if isinstance(meta.get("name"), str) and meta.get("name") else ""
    rest = caption.removeprefix(f"{name} · ") if name else caption
    # runs of other topics than the built-in ones look alike otherwise
    topics = topics_words(meta.get("topics"), builtin_topic_targets()).strip()
    return " · ".join(p for p in (name, other, topics, rest, run_id) if p)


def _models_caption(meta: dict) -> str:
    info = run_info(meta, None)
    return "; ".join(f"{task}: {info.model_name(task)}" for task in info.models)


def _adjusted_note(meta: dict) -> str:
    """What was done to a run after scoring (corrections, calibration), for every page."""
    calibration = meta.get("calibration") if isinstance(meta.get("calibration"), dict) else {}
    scaled = [
        f"{task} T = {info['temperature']:.2f}"
        for task, info in calibration.items()
        if isinstance(info, dict) and info.get("temperature") is not None
    ]
    source = meta.get("source_run") if isinstance(meta.get("source_run"), dict) else {}
    parts = []
    if scaled:
        parts.append(
            "**Calibrated run**: probabilities rescaled by temperatures fitted on the analyst's "
            f"corrections ({', '.join(scaled)})"
        )
    if meta.get("corrections"):
        parts.append("corrections applied")
    if not parts:
        return ""
    origin = f" · from run {source['run_id']}" if source.get("run_id") else ""
    return "; ".join(parts) + origin


def _empty_state(runs_dir: Path) -> None:
    st.title("viewpoints")
    st.info(
        f"No runs found in `{runs_dir}`.\n\n"
        "Analyse some articles first, for example the three seed articles:\n\n"
        "```\nviewpoints analyze seeds/\n```\n\n"
        "`viewpoints analyze PATH` reads a file, a folder or a JSONL corpus and writes a run "
        f"into `{runs_dir}`; then reload this page, or upload articles below. To read runs "
        "from elsewhere, start the "
        "dashboard with `viewpoints dashboard --runs-dir DIR` or set "
        f"`{data.ENV_RUNS_DIR}`."
    )


def _left_out_words(left_out: list[tuple[str, str]]) -> str:
    """The runs the list leaves out, and why, for the sidebar."""
    shown = "; ".join(f"`{rid}`: {md_escape(why)}" for rid, why in left_out[:3])
    more = (
        f"; and {len(left_out) - 3} more (`viewpoints runs` lists them)"
        if len(left_out) > 3
        else ""
    )
    return (
        f"Left out, as they cannot be opened (copied in part, or a table damaged): {shown}{more}. "
        "Copy the folder again, or analyze the articles again."
    )


def main() -> None:
    # a file beside the app, not a Material icon: Streamlit draws those as favicons from
    # fonts.gstatic.com, which an offline machine cannot reach (the tab showed none)
    st.set_page_config(page_title="viewpoints", page_icon=str(FAVICON), layout="wide")
    state.load_from_query_params()
    runs_dir = data.runs_dir_from(sys.argv[1:], os.environ)
    runs, left_out = data.runs_in(runs_dir)
    if left_out:  # said before anything else: a folder copied in part is easily missed
        st.sidebar.warning(_left_out_words(left_out), icon=":material/report:")
    if not runs:
        _empty_state(runs_dir)
        add_page = PAGES_DIR / "add_articles.py"
        st.navigation(
            [st.Page(add_page, title="Add articles", icon=":material/upload_file:", default=True)]
        ).run()
        state.push_to_query_params()
        return
    by_id = {str(m["run_id"]): m for m in runs if "run_id" in m}
    with st.sidebar:
        st.markdown("### viewpoints")
        run_id = state.selectbox(
            "Run (newest first)",
            list(by_id),
            "run",
            format_func=lambda rid: _option_caption(by_id[rid], rid),
            default=data.first_run_id(runs),
            help="Opens on the newest run made with the default models (the newest of all "
            "where there is none); a run with other models names them in this list.",
        )
        meta = by_id[run_id]
        st.caption(f"run `{run_id}`")
        st.caption(_models_caption(meta) or "models not recorded")
        other = _other_models(meta)
        if other:
            named = ", ".join(f"{task} from {name}" for task, name in other.items())
            st.info(
                f"Not the default models: {named}. Its numbers are that model's; the Runs "
                "page compares it with a run of the defaults.",
                icon=":material/science:",
            )
        adjusted = _adjusted_note(meta)
        if adjusted:
            st.warning(adjusted, icon=":material/tune:")
        st.caption(f"runs folder: `{runs_dir}`")
    path = str(meta["path"])
    stamp = data.run_stamp(path)
    config = data.run_config(path, stamp)
    if note := _other_settings(meta, config):
        st.sidebar.info(note, icon=":material/tune:")
    try:
        keys_in_data = data.positions(path, stamp, "author")["topic"].dropna().unique()
    except Exception as err:  # an unreadable run must not take the whole dashboard down
        st.error(f"Run {run_id} cannot be read: {err}")
        return
    set_active(
        RunContext(
            runs_dir=runs_dir,
            path=path,
            stamp=stamp,
            meta=meta,
            config=config,
            info=run_info(meta, config, [str(k) for k in keys_in_data]),
        )
    )
    page = st.navigation(
        [
            st.Page(
                PAGES_DIR / "overview.py",
                title="Overview",
                icon=":material/table_chart:",
                default=True,
            ),
            st.Page(PAGES_DIR / "compare.py", title="Compare", icon=":material/compare_arrows:"),
            st.Page(PAGES_DIR / "article.py", title="Article", icon=":material/article:"),
            *[
                st.Page(PAGES_DIR / name, title=title, icon=icon)
                for name, title, icon in LATER_PAGES
                if (PAGES_DIR / name).is_file()
            ],
        ]
    )
    page.run()
    state.push_to_query_params()


main()

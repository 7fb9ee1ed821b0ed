"""Evaluation: how good the run's models are, on the analyst's corrections or a labelled file.

- **My corrections** needs no model run: a correction is joined to this run by its passage text
  and topic, and the run's stored probabilities are the model's prediction (corrections made on
  a run of the same model whose passage this run did not score use the probabilities saved with
  them). So the numbers are the *selected run's* model measured on everything the analyst has
  labelled, and they move as soon as a correction is saved.
- **A labelled file** (JSONL, VAST CSV, NewsMTSC JSONL, or a corrections file; a path or an
  upload) runs the model: the run's model for the task by default, or any other name. At most
  500 examples are scored by default so the page stays interactive, drawn at random with a
  fixed seed (a file's first rows may all be one topic or label); the full file is for
  ``viewpoints evaluate``.

Both show macro-F1, accuracy (beside the accuracy of always answering the commonest label),
the per-class table, the confusion matrix and a reliability diagram (confidence bins against
accuracy; ECE).

- **Article labels** (JSONL: ``article_id`` or ``title``, ``topic``, ``label`` among
  not_discussed / none / favor / against, as ``viewpoints evaluate --level article`` reads them)
  judge the selected run's article positions as they stand: coverage, sign accuracy, the AUC
  of the stance between favor and none articles, the confusion and each topic's figures.
"""

from __future__ import annotations

import json
import random
import shlex
import tempfile
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from analysis.calibration import prediction_arrays
from analysis.corrections import (
    SPEAKER,
    SameRecomputation,
    labels_of,
    recompute,
    scoring_model,
    source_run_path,
    topic_agreement,
)
from analysis.datasets import FORMATS, DataError, load_examples, news_file_note, untargeted_note
from analysis.evaluate import evaluate_scorer, interval_words, probability_report
from analysis.evaluate_articles import macro_f1_words
from analysis.labels import TASK_LABELS, TASK_WORDS, counted
from analysis.terminal import (
    BOOTSTRAP_NOTE,
    INTERVAL_FIGURES,
    interval_text,
    missing_interval_notes,
)
from dashboard import context, corrections_ui, data, state
from dashboard.style import is_missing, md_escape

DEFAULT_LIMIT = 500
SOURCES = {
    "corrections": "My corrections",
    "file": "A labelled file",
    "articles": "Article labels (this run)",
}
WRITTEN_KEY = "_vp_corrected_run"  # just written: (from run, new run, message)
OVERVIEW_PAGE = "app_pages/overview.py"


# Under this many examples the figures are anecdotes: said before them, not after
TOO_FEW_TO_SCORE = 10


def metrics_row(report: dict[str, Any]) -> None:
    if report["n"] < TOO_FEW_TO_SCORE:
        st.warning(
            f"{counted(report['n'], 'example')}: too few to read the figures below as the "
            "model's accuracy (one answer moves them between 0 and 1): label or correct more "
            "passages.",
            icon=":material/warning:",
        )
    cols = st.columns(4)
    interval = report.get("macro_f1_interval")
    cols[0].metric(
        "Macro-F1",
        f"{report['macro_f1']:.3f}",
        help=None
        if not interval
        else f"95% interval {interval[0]:.2f} to {interval[1]:.2f} (a percentile bootstrap "
        "over the examples)",
    )
    cols[1].metric("Accuracy", f"{report['accuracy']:.1%}")
    cols[2].metric(
        "ECE",
        f"{report['calibration']['ece']:.3f}",
        help="expected calibration error: the gap between confidence and accuracy, "
        "weighted over the bins of the reliability diagram (0 = calibrated)",
    )
    cols[3].metric("Examples", f"{report['n']:,}")
    if words := interval_words(report):
        st.caption(f"{words[:1].upper()}{words[1:]}.")
    if note := majority_note(report):
        st.caption(note)


def majority_note(report: dict[str, Any]) -> str | None:
    """The accuracy of always answering the commonest label, where it is over half: then a
    high accuracy says little (an audit read 93% on a file where favor and against recall
    were 0)."""
    support = {k: int(v.get("support") or 0) for k, v in (report.get("per_class") or {}).items()}
    if not support or not report.get("n"):
        return None
    label, count = max(support.items(), key=lambda item: item[1])
    share = count / report["n"]
    if share <= 0.5:
        return None
    return (
        f"Answering “{label}” every time would score {share:.1%} accuracy on these examples: "
        "read macro-F1 and each class's recall, not accuracy."
    )


SCORES = ("precision", "recall", "f1")  # the per-class scores, each undefined somewhere


def per_class_frame(report: dict[str, Any]) -> pd.DataFrame:
    """Precision, recall, F1 and support per class; an undefined score (precision of a class
    never predicted, recall of one absent) is empty, not 0."""
    from analysis.metrics import defined_per_class

    per_class = defined_per_class(report)
    rows = [{"class": label, **per_class[label]} for label in report["labels"]]
    frame = pd.DataFrame(rows, columns=["class", "precision", "recall", "f1", "support"])
    return frame.astype({name: float for name in SCORES})


def per_class_shown(report: dict[str, Any]) -> pd.DataFrame:
    """:func:`per_class_frame` as the page shows it: scores to three places, "n/a" where
    undefined, as ``viewpoints evaluate`` prints them (a table would print a missing number
    as "None")."""
    frame = per_class_frame(report)
    for name in SCORES:
        frame[name] = [("n/a" if pd.isna(v) else f"{v:.3f}") for v in frame[name]]
    return frame


def confusion_chart(report: dict[str, Any], truth: str = "analyst") -> alt.LayerChart:
    """Rows: the true label (whose: ``truth``, the analyst's corrections or a labelled file);
    columns: the predicted one; colour and number: the count."""
    labels = report["labels"]
    cells = [
        {"true": t, "predicted": p, "count": int(report["confusion"][i][j])}
        for i, t in enumerate(labels)
        for j, p in enumerate(labels)
    ]
    frame = pd.DataFrame(cells)
    top = max(1, int(frame["count"].max()))
    base = alt.Chart(frame).encode(
        x=alt.X("predicted:N", sort=labels, title="predicted", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("true:N", sort=labels, title=f"true label ({truth})"),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues", domain=[0, top]), legend=None),
        tooltip=["true:N", "predicted:N", "count:Q"],
    )
    text = base.mark_text(fontSize=14).encode(
        text="count:Q",
        color=alt.condition(alt.datum.count > top / 2, alt.value("white"), alt.value("black")),
        tooltip=["true:N", "predicted:N", "count:Q"],
    )
    return (rect + text).properties(height=240, title="Confusion")


def reliability_chart(report: dict[str, Any]) -> alt.LayerChart:
    """Per confidence bin: the share predicted right (bar) against the diagonal of a
    calibrated model; the dot is the bin's mean confidence."""
    bins = pd.DataFrame(report["calibration"]["bins"])
    if not bins.empty:
        bins["zero"] = 0.0
    diagonal = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]})
    line = (
        alt.Chart(diagonal)
        .mark_line(strokeDash=[4, 4], color="#888")
        .encode(x="x:Q", y="y:Q", tooltip=alt.value(None))  # not the raw fields
    )
    if bins.empty:
        return line.properties(height=240, title="Reliability")
    scale = alt.Scale(domain=[0, 1])
    tooltip = [
        alt.Tooltip("low:Q", format=".1f"),
        alt.Tooltip("high:Q", format=".1f"),
        alt.Tooltip("n:Q", title="examples"),
        alt.Tooltip("accuracy:Q", format=".0%"),
        alt.Tooltip("confidence:Q", format=".0%", title="mean confidence"),
    ]
    bars = (
        alt.Chart(bins)
        .mark_bar(opacity=0.75, color="#2166ac")
        .encode(
            x=alt.X("low:Q", scale=scale, title="confidence (top class)"),
            x2="high:Q",
            y=alt.Y("accuracy:Q", scale=scale, title="accuracy"),
            y2="zero:Q",
            tooltip=tooltip,
        )
    )
    dots = (
        alt.Chart(bins)
        .mark_point(color="#b2182b", filled=True)
        .encode(
            x="confidence:Q",
            y="confidence:Q",
            size=alt.Size("n:Q", legend=None),
            tooltip=tooltip,
        )
    )
    # each bin's share written in a row above the plot, over its bar, so that a bin where every
    # prediction was wrong (a bar of height 0) is seen as such, not only by its dot; written
    # on the bar's top, a label sat under the dot wherever accuracy matched confidence
    bins["middle"] = (bins["low"] + bins["high"]) / 2
    shares = (
        alt.Chart(bins)
        .mark_text(dy=-10, fontSize=11, color="#2166ac", baseline="bottom")
        .encode(
            x="middle:Q",
            y=alt.datum(1.0),
            text=alt.Text("accuracy:Q", format=".0%"),
            tooltip=tooltip,
        )
    )
    return (bars + line + dots + shares).properties(
        height=240, title=f"Reliability (ECE {report['calibration']['ece']:.3f})"
    )


def show_report(report: dict[str, Any], truth: str = "analyst") -> None:
    """A model's figures on labelled examples; ``truth`` says whose the labels are."""
    metrics_row(report)
    left, right = st.columns(2)
    with left:
        st.markdown("**Per class**")
        st.dataframe(per_class_shown(report), hide_index=True)
        st.altair_chart(confusion_chart(report, truth), width="stretch")
    with right:
        st.altair_chart(reliability_chart(report), width="stretch")
        st.caption(
            "Bars: the share of predictions that were right in each confidence bin; a "
            "calibrated model's bars reach the dashed diagonal (the share is written above "
            "each bar, 0% where every prediction in the bin was wrong). Dots: mean confidence "
            "(size: examples)."
        )


def topic_summary(ctx: context.RunContext, table: pd.DataFrame) -> pd.DataFrame:
    """The per topic × task counts in words, for display."""
    out = table.copy()
    # a correction saved on another run's topic (its key): said, not passed off as this run's
    out["topic"] = [
        ctx.label(t) if t in ctx.labels else f"{t} (not a topic of this run)" for t in out["topic"]
    ]
    # a number, or empty where nothing was predicted (shown as the table's placeholder)
    out["accuracy"] = pd.to_numeric(out["accuracy"], errors="coerce")
    out["task"] = [TASK_WORDS.get(t, t) for t in out["task"]]
    return out.rename(
        columns={
            "topic": "Topic",
            "task": "Task",
            "corrections": "Corrections",
            "changed": "Changed the model's label",
            "with_prediction": "With a prediction of this run's model",
            "accuracy": "Model accuracy",
        }
    )


def corrections_section(ctx: context.RunContext, task: str) -> None:
    where = corrections_ui.store()
    current, _ = corrections_ui.in_force(where)
    st.caption(f"Corrections folder: `{where.folder}` · {len(current)} correction(s) in force.")
    skipped = where.skipped_lines()
    if skipped:  # said here, not only in the server's log
        shown = ", ".join(f"`{s}`" for s in skipped[:5]) + (" …" if len(skipped) > 5 else "")
        st.warning(
            f"{len(skipped)} line(s) of the corrections folder are skipped: not JSON (a write cut "
            f"short, never saved) or no correction (edited by hand?): {shown}. Fix or delete "
            "them to have them count.",
            icon=":material/warning:",
        )
    if not current:
        st.info(
            "No corrections yet. Open **Correct** under any passage (Overview, Compare) or use "
            "*Correct a passage* on the Article page; each saved label lands here."
        )
        return
    run = data.full_run(ctx.path, ctx.stamp)
    measured = _source_run_if_kept(run)
    if measured is None:
        return
    table, predictions = corrections_ui.evaluation_tables(
        measured, data.run_stamp(measured), str(where.folder), where.stamp(), task
    )
    st.markdown("**Corrections per topic**, and this run's model measured on them")
    st.dataframe(
        topic_summary(ctx, table),
        hide_index=True,
        placeholder="–",
        column_config={
            "Model accuracy": st.column_config.NumberColumn(format="percent"),
        },
    )
    if task == TOPIC_TASK:
        topic_check_section(predictions)
        recompute_section(ctx, run, where)
        return
    labels = labels_of(task)
    probs, y = prediction_arrays(predictions, task, labels)
    name = TASK_WORDS.get(task, task)
    model = scoring_model(ctx.info, task) or "model"
    st.markdown(f"**{name[:1].upper()}{name[1:]}: {model}**")
    missing = int((predictions["source"] == "missing").sum())
    if missing:
        st.caption(
            f"{missing} of {len(predictions)} {name} correction(s) have no prediction from this "
            "run's model (the run did not score that passage on that topic, and no "
            "probabilities of this model were saved with them); they are left out. "
            f"`viewpoints evaluate --task {task} --data {where.folder}` scores every one "
            "afresh with the model, so its figures can differ."
        )
    if predictions.empty:
        st.info(f"No {name} corrections yet: the corrections in force are of other tasks.")
    elif len(y) == 0:
        st.info(f"No {name} correction has a prediction from this run's model yet.")
    else:
        show_report(probability_report(probs, [labels[i] for i in y], task, labels=labels))
    with st.expander(f"The {len(predictions)} {name} correction(s)"):
        shown = predictions[["time", "topic", "label", "predicted", "source", "text"]].copy()
        shown["topic"] = [ctx.label(t) for t in shown["topic"]]
        shown["time"] = shown["time"].str.slice(0, 19).str.replace("T", " ")
        # no prediction: said in words, not a literal "None"
        shown["predicted"] = [NOT_SCORED if is_missing(v) else v for v in shown["predicted"]]
        shown["source"] = [SOURCE_WORDS.get(v, v) for v in shown["source"]]
        st.dataframe(
            shown.rename(
                columns={
                    "label": "analyst",
                    "predicted": "model (this run)",
                    "source": "the model's reading from",
                }
            ),
            hide_index=True,
        )
    recompute_section(ctx, run, where)


TOPIC_TASK = "topic"  # corrections of the topic check: is this passage about the topic?


def topic_check_section(predictions: pd.DataFrame) -> None:
    """How often the run's topic reading (the passage scored on the topic, or left out by
    relevance or the topic check) agrees with the analyst's topic corrections. A reading, not
    probabilities: agreement and the confusion, no calibration."""
    st.markdown("**Topic check: which passages the run counts on a topic**")
    if predictions.empty:
        st.info(
            "No topic corrections yet: mark a passage *not about this topic* under **Correct**, "
            "or one the topic check left out (the Article page lists them) as about it."
        )
        return
    report = topic_agreement(predictions)
    missing = len(predictions) - (report["n"] if report else 0)
    if missing:
        st.caption(
            f"{missing} of {len(predictions)} topic correction(s) are on passages this run does "
            "not have (another corpus); they are left out."
        )
    if report is None:
        st.info("None of the topic corrections is on a passage of this run.")
        return
    labels = report["labels"]
    cols = st.columns(3)
    cols[0].metric("Agreement", f"{report['accuracy']:.1%}")
    cols[1].metric("Macro-F1", f"{report['macro_f1']:.3f}")
    cols[2].metric("Corrections", f"{report['n']:,}")
    st.caption(
        "The run's reading of a passage: *relevant* where it scored the passage on the topic "
        "(relevance over the threshold, and the topic check's P(on topic) high enough), *not "
        "relevant* where it left it out. Corrections are made where the reading looked wrong, "
        "so agreement here is far below the topic check's on passages at large."
    )
    st.dataframe(
        pd.DataFrame(
            report["confusion"],
            index=[f"analyst: {x}" for x in labels],
            columns=[f"run: {x}" for x in labels],
        )
    )
    with st.expander(f"The {len(predictions)} topic correction(s)"):
        shown = predictions[["time", "topic", "label", "predicted", "text"]].copy()
        shown["time"] = shown["time"].str.slice(0, 19).str.replace("T", " ")
        shown["predicted"] = [NOT_SCORED if is_missing(v) else v for v in shown["predicted"]]
        st.dataframe(
            shown.rename(columns={"label": "analyst", "predicted": "the run"}), hide_index=True
        )


# The model column of a correction this run's model did not score
NOT_SCORED = "not scored"
# Where a correction's model reading comes from (analysis.corrections.examples), in words
SOURCE_WORDS = {
    "run": "this run's scores",
    "stored": "saved with the correction (same model)",
    "missing": "nowhere: left out",
}


def _source_run_if_kept(run: Any) -> str | None:
    """The folder of the run whose model the corrections measure: this run, or for a run
    recomputed with corrections (its corrected numbers are the analyst's own) the model's run
    it came from, read through the page's run cache. None, with a warning, when that run is
    gone."""
    base = run
    try:
        while (source := source_run_path(base)) is not None:
            base = data.full_run(str(source), data.run_stamp(source))
    except ValueError as error:
        st.warning(f"The model cannot be measured here: {error}.")
        return None
    if base is not run:
        st.caption(
            "This run is recomputed with corrections, so its numbers on corrected passages are "
            f"yours: the model is measured on the run it came from, `{base.run_id}`."
        )
    return str(base.path)


MOVED_SHOWN = 3  # author changes the message names; the Runs page lists them all


def _moved_words(source: Any, path: Any) -> str:
    """What the corrected run moved, in words: how many author positions and the first few
    (:func:`analysis.compare.moved_positions`), regrouped authors counted apart."""
    from analysis.compare import MOVE_MIN, load_for_comparison, moved_positions
    from analysis.corrections import model_run
    from analysis.terminal import change_line

    source = model_run(source)  # a recompute starts from the model's run: so does this
    moved, regrouped = moved_positions(source, load_for_comparison(path))
    labels = source.info.topic_labels()
    words = (
        f" {counted(len(moved), 'author position')} moved (sign, interval, discussed, kind "
        f"of stance, or by {MOVE_MIN:g} or more)"
        + (
            ": "
            + "; ".join(change_line(e, labels) for e in moved[:MOVED_SHOWN])
            + ("; the Runs page lists them all" if len(moved) > MOVED_SHOWN else "")
            if moved
            else ""
        )
        + "."
    )
    if regrouped:
        words += (
            f" {counted(regrouped, 'more change')} come from authors regrouped by today's byline "
            "rules (this run was made under older ones), not from the corrections."
        )
    return words


def _remember_written(ctx: context.RunContext, source: Any, path: Any) -> None:
    """Keep what the run just written holds, to show (with a way to open it) on this page."""
    meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
    counts = meta["corrections"]
    note = "; ".join(
        f"{task}: T = {info['temperature']:.2f} (n = {info['n']})"
        if info.get("temperature") is not None
        else f"{task}: not calibrated ({info.get('reason', 'too few examples')}; "
        f"{info['n']} examples)"
        for task, info in meta.get("calibration", {}).items()
    )
    st.session_state[WRITTEN_KEY] = (
        ctx.run_id,
        path.name,
        f"Wrote run `{path.name}` with {counted(counts['applied'], 'correction')} applied "
        f"({counts['removed']} passage(s) taken off a topic, {counts['added']} added)"
        + (
            f"; {counts['no_effect']} without effect, on passages this run does not count "
            "for that topic, on the author's stance of a quote, or on a quoted voice's "
            "stance where nobody is quoted"
            if counts.get("no_effect")
            else ""
        )
        + (
            f"; {counts['waiting']} wait for a passage marked relevant to have the stance "
            "it counts toward and a tone label"
            if counts.get("waiting")
            else ""
        )
        + (f"; {note}" if note else "")
        + "."
        + _moved_words(source, path),
    )


def recompute_section(ctx: context.RunContext, run: Any, where: Any) -> None:
    st.markdown("**Recompute positions with the corrections**")
    st.caption(
        "Writes a new run (this one is kept, and a run already recomputed starts again from "
        "the model's run): corrected labels replace the model's (the author's stance, a quoted "
        "voice's stance, tone), passages marked not relevant leave the topic. With "
        "calibration, the stance and tone probabilities are first temperature-scaled on the "
        "corrections (needs 10 or more)."
    )
    left, right = st.columns([1, 2])
    calibrate = left.checkbox("Calibrate too", key="ev_calibrate")
    if right.button("Write a corrected run", icon=":material/replay:", key="ev_recompute"):
        try:
            with st.spinner("Recomputing positions…"):
                path = recompute(
                    run,
                    where.history(),
                    ctx.runs_dir,
                    calibrate=calibrate,
                    corrections_source=str(where.folder),
                    # the command that makes the same run, not the dashboard's own
                    command=shlex.join(
                        [
                            *("viewpoints", "recompute", str(Path(run.path).resolve())),
                            *("--runs-dir", str(Path(ctx.runs_dir).resolve())),
                            *("--corrections-dir", str(where.folder.resolve())),
                            *(["--calibrate"] if calibrate else []),
                        ]
                    ),
                )
        except SameRecomputation as same:
            st.session_state[WRITTEN_KEY] = (
                ctx.run_id,
                same.run_id,
                f"Run `{same.run_id}` already holds these corrections of this model's run"
                f"{same.note}, so no new run was written.",
            )
        except ValueError as error:
            message = str(error)
            if "no new run written" not in message:  # every refusal says no run was written
                message += ": no new run written"
            st.error(f"{message[:1].upper()}{message[1:]}.")
            return
        else:
            _remember_written(ctx, run, path)
    written = st.session_state.get(WRITTEN_KEY)
    if written and written[0] == ctx.run_id:  # shown on the run it was written from only
        _, run_id, message = written
        st.success(message)
        if st.button("Open this run in the Overview", type="primary", key="ev_open"):
            del st.session_state[WRITTEN_KEY]
            state.put("run", run_id)
            st.switch_page(OVERVIEW_PAGE, query_params={"run": run_id})


@st.cache_resource(max_entries=2, show_spinner="Loading the model…")
def cached_scorer(spec: str, task: str, precision: str, options: str) -> Any:
    """A scorer, loaded once per (model, task, precision, options) and shared."""
    from analysis.scoring import create_scorer

    return create_scorer(spec, task, precision=precision, options=json.loads(options) or None)


SAMPLE_SEED = 0


def sampled(examples: list[Any], limit: int) -> list[Any]:
    """At most ``limit`` of ``examples``, drawn at random with :data:`SAMPLE_SEED`, in their
    file's order: a file's first rows can all be one topic or one label (the news passages
    file's first 500 read 0.757 macro-F1, the whole file 0.693)."""
    if len(examples) <= limit:
        return examples
    chosen = sorted(random.Random(SAMPLE_SEED).sample(range(len(examples)), limit))
    return [examples[i] for i in chosen]


def run_model_spec(ctx: context.RunContext, task: str) -> str | None:
    """The run's model for ``task`` as its config gives it (a registered name, or the folder of
    a Hugging Face model, whose recorded name "tone.hf-classifier.v1:FOLDER" loads nothing)."""
    models = ctx.config.get("models") if isinstance(ctx.config.get("models"), dict) else {}
    given = models.get(task)
    return str(given) if isinstance(given, str) and given else ctx.info.model_name(task)


def _run_options(ctx: context.RunContext, task: str, spec: str) -> tuple[str, str]:
    """Precision and (for the run's own model) its backend options, as the run used them (a
    label map among them)."""
    models = ctx.config.get("models") if isinstance(ctx.config.get("models"), dict) else {}
    precision = str(models.get("precision") or "auto")
    own = spec in (run_model_spec(ctx, task), ctx.info.model_name(task))
    options = models.get(f"{task}_options") if own else None
    return precision, json.dumps(options if isinstance(options, dict) else {}, sort_keys=True)


def file_section(ctx: context.RunContext, task: str) -> None:
    left, right = st.columns([3, 1])
    typed = left.text_input(
        "Labelled file (path on the server)",
        key="ev_path",
        placeholder="e.g. ../shared/data/newsmtsc/dev_rw.jsonl or corrections/",
    )
    fmt = right.selectbox("Format", FORMATS, key="ev_format")
    upload = st.file_uploader("…or upload one", type=["jsonl", "json", "csv"], key="ev_upload")
    c1, c2 = st.columns([3, 1])
    spec = c1.text_input(
        "Model",
        value=run_model_spec(ctx, task) or "",
        key=f"ev_model_{task}_{ctx.run_id}",
        help="the run's model for this task (with its label map, if the run gave one), or "
        "any registered name, model directory or Hugging Face id",
    )
    limit = int(
        c2.number_input("Score at most", 10, 100_000, DEFAULT_LIMIT, step=100, key="ev_limit")
    )
    source = upload.name if upload is not None else typed.strip()
    key = (source, fmt, task, spec, limit, upload.size if upload is not None else None)
    if st.button("Score", icon=":material/play_arrow:", disabled=not (source and spec)):
        reader = _as_path(typed.strip(), upload)
        try:
            examples = _read_examples(reader, task, fmt)
        except (DataError, ValueError, OSError) as err:
            hint = (
                " (article labels? Choose “Article labels (this run)” above.)"
                if "missing field 'text'" in str(err)
                else ""
            )
            st.error(reader.named(err) + hint)
            return
        total = len(examples)
        examples = sampled(examples, limit)
        precision, options = _run_options(ctx, task, spec)
        try:
            scorer = cached_scorer(spec, task, precision, options)
            bar = st.progress(0.0, text=f"scoring {len(examples)} examples with {spec}")
            report = evaluate_scorer(
                scorer,
                examples,
                on_batch=lambda done, total: bar.progress(
                    done / total, text=f"scored {done} of {total}"
                ),
            )
        except Exception as err:  # a model that cannot load: say which, keep the page
            st.error(f"could not score with {spec}: {err}")
            return
        bar.empty()
        st.session_state["ev_file_result"] = {
            "key": key,
            "report": report,
            "total": total,
            "untargeted": untargeted_note(examples, task),
        }
    result = st.session_state.get("ev_file_result")
    if not result or result["key"] != key:
        st.caption("Choose a file and press Score.")
        return
    report, total = result["report"], result["total"]
    note = (
        f" ({report['n']:,} of {total:,}, drawn at random with seed {SAMPLE_SEED}, in file order)"
        if total > report["n"]
        else ""
    )
    st.markdown(f"**{task.capitalize()}: {spec}** on {source}{note}")
    if task == "stance" and upload is None and (news := news_file_note(typed.strip())):
        # before the figures; its counts are the whole file's, not only the passages scored
        st.warning("In the whole file: " + news.removeprefix("note: ") + ".")
    if untargeted := result.get("untargeted"):  # of the examples scored
        st.warning(untargeted.removeprefix("warning: ") + ".")
    show_report(report, truth="the file")


def article_section(ctx: context.RunContext) -> None:
    """The selected run's article positions judged against article labels."""
    from analysis.evaluate_articles import (
        check_label_topics,
        evaluate_run_articles,
        load_article_labels,
    )

    left, right = st.columns([3, 1])
    typed = left.text_input(
        "Article labels (path on the server)",
        key="ev_articles_path",
        placeholder="e.g. experiments/news_labels/articles.jsonl",
        help="JSON Lines: article_id or title, topic, label (not_discussed, none, favor, "
        "against), and optionally split",
    )
    split = right.text_input("Split (optional)", key="ev_articles_split", placeholder="e.g. dev")
    upload = st.file_uploader(
        "…or upload one (JSON Lines: .jsonl)", type=["jsonl"], key="ev_articles_upload"
    )
    source = upload.name if upload is not None else typed.strip()
    key = (ctx.run_id, source, split.strip(), upload.size if upload is not None else None)
    if st.button("Judge this run", icon=":material/play_arrow:", disabled=not source):
        reader = _as_path(typed.strip(), upload)
        try:
            with reader as path:
                labels = load_article_labels(path, split.strip() or None)
            # as the command: a misspelt topic is refused, not left out while the rest score
            check_label_topics(labels, [t.key for t in ctx.topics])
            positions = data.positions(ctx.path, ctx.stamp, "article")
            report = evaluate_run_articles(labels, positions)
        except (DataError, ValueError, OSError) as err:
            st.error(reader.named(err))
            return
        st.session_state["ev_articles_result"] = {"key": key, "report": report}
    result = st.session_state.get("ev_articles_result")
    if not result or result["key"] != key:
        st.caption(
            "Choose a file of article labels and press Judge: the run's article positions "
            "are read as they stand (`viewpoints evaluate --level article` does the same)."
        )
        return
    source_run = ctx.meta.get("source_run")
    if isinstance(source_run, dict) and source_run.get("run_id") not in (None, ctx.run_id):
        st.caption(
            "This run is recomputed with corrections: its positions mix your corrected "
            "passages with the model's readings, so these figures are not the model's alone; "
            f"judge the run it came from, `{source_run['run_id']}`, for those."
        )
    from analysis.aggregate import position_rules_note

    if note := position_rules_note(ctx.meta):  # its confusion is not today's defaults'
        st.caption(f"Note: {md_escape(note)}.")
    show_article_report(result["report"], source, split.strip(), ctx.label)


def show_article_report(report: dict[str, Any], source: str, split: str, label: Any = str) -> None:
    """The article-level figures of a run (see :func:`analysis.evaluate_articles`)."""
    where = f"{source}" + (f", split {split}" if split else "")
    missing = report.get("labels_not_in_run") or 0
    if mixed := report.get("splits_mixed"):
        st.warning(
            f"The labels hold the splits {', '.join(map(md_escape, mixed))} and no split was "
            "chosen, so these figures mix them: give one (e.g. dev) in Split. Articles a model "
            "or a threshold was chosen on flatter it.",
            icon=":material/warning:",
        )
    st.markdown(
        f"**{report['n']:,} labelled article × topic pairs** from {where}"
        + (f"; {missing:,} not in this run" if missing else "")
    )
    # raw ids and titles: a headline's * or $ would otherwise render as Markdown
    first_missing = "; ".join(md_escape(m) for m in report.get("first_not_in_run") or [])
    if missing > report["n"]:  # as the command says: the figures rest on a small part
        st.warning(
            f"Only {report['n']:,} of the {report['n'] + missing:,} labelled pairs are in this "
            f"run: the figures below rest on those alone (first not found: {first_missing})."
        )
    elif missing:
        st.caption(f"Not in this run (first {min(missing, 5)}): {first_missing}.")
    if by_title := report.get("matched_by_title"):
        st.caption(
            f"{by_title:,} of them matched by title: their article_id is not in the run, and a "
            "headline such as another article's may have matched; check the ids."
        )
    cov = report["coverage"]  # None where undefined (evaluate_articles.article_metrics)
    against = dict(zip(report["labels"], report["confusion"], strict=True)).get("against", [])
    n_against = int(sum(against))
    found = int(against[report["labels"].index("against")]) if n_against else 0
    cols = st.columns(4)
    cols[0].metric(
        "Coverage F1",
        _figure(cov["f1"]),
        help="discussed or not, as read (n/a: no labelled pair is discussed, and none is read "
        "as discussed)",
    )
    cols[1].metric(
        "Sign accuracy",
        _figure(report.get("sign_accuracy")),
        help=f"over the {report['n_signed']} favor and against articles; a stance of "
        "'none' or a topic not found counts as wrong",
    )
    cols[2].metric(
        "AUC favor vs none",
        _figure(report.get("auc_favor_vs_none")),
        help="how well the stance number ranks favor articles above articles that take no side",
    )
    cols[3].metric(
        "Against found",
        f"{found} of {n_against}",
        help="the articles labelled against that the run reads as against: a model that "
        "never finds opposition scores 0 here whatever its sign accuracy",
    )
    called = report.get("sign_accuracy_called")
    given = report.get("n_given")
    counts = report.get("label_counts") or {}
    leaning = int(counts.get("favor", 0)) + int(counts.get("against", 0))
    n_signed, n_called = report["n_signed"], report["n_called"]
    st.caption(
        (
            "No pair is labelled favor or against, so there is no sign figure"
            if not n_signed
            else f"Of the {n_signed} favor and against {'pair' if n_signed == 1 else 'pairs'}, "
            f"{n_called} {'gets' if n_called == 1 else 'get'} a "
            "stance number (a 'mixed' one is judged by its number here, and read as 'none' in "
            "the confusion), "
            + (
                f"{called:.0%} of those the right sign"
                if called is not None
                else "none with a sign"
            )
        )
        + (
            f". Of all {given} stance numbers the run gives these pairs, "
            f"{report['given_right']} are the side a reader finds and "
            f"{report['given_no_side']} are on pairs a reader finds take no side or not "
            "discuss the topic"
            if given
            else ""
        )
        + f"; {macro_f1_words(report)} {report['macro_f1']:.3f}."
        + (
            f" Answering favor for every one of the {leaning} leaning pairs would score "
            f"{int(counts.get('favor', 0)) / leaning:.0%} sign accuracy over them, against the "
            f"run's {float(report['sign_accuracy']):.0%}: read it beside 'Against found'."
            if leaning and report.get("sign_accuracy") is not None
            else ""
        )
    )
    intervals = {
        words: interval_text(report, name).strip() for name, words in INTERVAL_FIGURES.items()
    }
    if any(intervals.values()):
        st.caption(
            "95% bootstrap intervals over the labelled articles ("
            + BOOTSTRAP_NOTE
            + "): "
            + "; ".join(f"{w} {i}" for w, i in intervals.items() if i)
            + "."
        )
    for note in missing_interval_notes(report):
        st.caption(note[:1].upper() + note[1:] + ".")
    st.caption(
        f"Coverage precision {_figure(cov['precision'])}, recall {_figure(cov['recall'])}; "
        f"AUC against vs none {_figure(report.get('auc_against_vs_none'))} (as the command "
        "prints them)."
    )
    # stacked, not side by side: beside the confusion the per-topic table was cut at 1280 px
    st.markdown("**Confusion** (rows: label; columns: the run's reading)")
    st.dataframe(
        pd.DataFrame(report["confusion"], index=report["labels"], columns=report["labels"])
    )
    st.markdown("**Per topic**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Topic": label(topic),
                    "Pairs": row["n"],
                    "Leaning": row["n_leaning"],
                    "Given a stance": row["n_called"],
                    "Right sign": row["n_right"],
                    "Coverage F1": _figure(row.get("coverage_f1")),
                }
                for topic, row in (report.get("per_topic") or {}).items()
            ]
        ),
        hide_index=True,
    )


def _figure(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.3f}"


class _as_path:
    """A typed path, or an upload written to a temporary file for as long as it is read."""

    def __init__(self, typed: str, upload: Any) -> None:
        self.typed, self.upload, self.folder = typed, upload, None
        self.path: Path | None = None

    def __enter__(self) -> Path:
        if self.upload is None:
            return Path(self.typed)
        self.folder = tempfile.TemporaryDirectory()
        self.path = Path(self.folder.name) / f"upload{Path(self.upload.name).suffix or '.jsonl'}"
        self.path.write_bytes(self.upload.getvalue())
        return self.path

    def __exit__(self, *exc: Any) -> None:
        if self.folder is not None:
            self.folder.cleanup()

    def named(self, err: Exception) -> str:
        """``err``'s message with the upload's own name for its temporary file."""
        message = str(err)
        return message if self.path is None else message.replace(str(self.path), self.upload.name)


def _read_examples(reader: _as_path, task: str, fmt: str) -> list:
    with reader as path:
        return load_examples(path, task, fmt)


def render() -> None:
    """Lay out the page (Streamlit runs this file as ``__main__``; importing it runs nothing)."""
    ctx = context.active()
    st.title("Evaluation")
    st.caption(
        f"Run `{ctx.run_id}` · stance model: {ctx.info.model_name('stance') or 'not recorded'} · "
        f"tone model: {ctx.info.model_name('tone') or 'not recorded'}"
    )
    left, right = st.columns(2)
    chosen = left.radio(
        "Labelled data", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="ev_source"
    )
    if chosen == "articles":  # positions, not a model's passages: no task to choose
        article_section(ctx)
        return
    # A quoted voice's stance has labels only in corrections: no labelled file format has it
    # ... and so has the topic check (is this passage about the topic?)
    tasks = [*TASK_LABELS, SPEAKER, TOPIC_TASK] if chosen == "corrections" else list(TASK_LABELS)
    if st.session_state.get("ev_task") not in tasks:
        st.session_state.pop("ev_task", None)
    first = 0
    if chosen == "corrections":  # open on a task the analyst has corrections for
        held = {c.task for c in corrections_ui.in_force()[0]}
        first = next((i for i, task in enumerate(tasks) if task in held), 0)
    chosen_task = right.radio(
        "Task",
        tasks,
        index=first,
        horizontal=True,
        key="ev_task",
        format_func=lambda t: "topic check" if t == TOPIC_TASK else TASK_WORDS.get(t, t),
        help="stance: the author's own; quoted voice's stance: of the voices the author quotes "
        "(reported speech); topic check: whether a passage is counted on a topic",
    )
    if chosen == "corrections":
        corrections_section(ctx, chosen_task)
    else:
        file_section(ctx, chosen_task)


if __name__ == "__main__":
    render()

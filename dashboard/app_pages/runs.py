"""Runs: two runs side by side: where their models agree, which authors move, which passages
they read most differently. Every number comes from :func:`analysis.compare.compare_runs`."""

from __future__ import annotations

import html
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from analysis.compare import DEFAULT_ZERO_BAND, MOVE_MIN, recomputed_words
from analysis.labels import MEASURE_WORDS, TASK_WORDS, counted, group_label
from analysis.outlets import sibling_groups_note
from analysis.provenance import run_provenance
from analysis.run_info import run_info
from analysis.terminal import on_band_edge
from dashboard import context, data, export, state, ui, views
from dashboard.style import (
    CATEGORY_COLORS,
    NO_QUOTES,
    NO_STANCE,
    ONLY_QUOTED,
    TONE_NEGATIVE_COLOR,
    TONE_POSITIVE_COLOR,
    cell_css,
    is_missing,
    md_escape,
    percent,
    signed,
    stance_words,
)
from dashboard.trust import trust_summary
from dashboard.views import shade

TOP_K = data.COMPARISON_TOP_K  # disagreeing passages listed per topic (and overall)
# never a topic key (analysis.topics: a letter first): a topic keyed "all" is not this
ALL_TOPICS = "*"
ARTICLE_PAGE = "app_pages/article.py"
SECOND_RUN_HINT = "viewpoints run experiments/vader_tone.toml"
CHANGE_WORDS = {
    "sign": "sign flips",
    "split": "intervals stop overlapping",
    "status": "discussed in one run only",
    "stance_status": "kind of stance changed",
}
PROBABILITY_COLOURS = {
    "favor": "#2166ac",
    "against": "#b2182b",
    "none": "#bdbdbd",
    "positive": TONE_POSITIVE_COLOR,  # tone on its own scale, as everywhere
    "negative": TONE_NEGATIVE_COLOR,
    "neutral": "#bdbdbd",
}


def _models(meta: dict[str, Any]) -> str:
    info = run_info(meta, None)
    return " + ".join(info.model_name(task) or "?" for task in ("stance", "tone"))


def _article_count(meta: dict[str, Any]) -> int | None:
    """How many articles a run holds, as its ``run.json`` counts them (None: not recorded)."""
    counts = meta.get("counts") if isinstance(meta.get("counts"), dict) else {}
    n = counts.get("articles", counts.get("articles_read"))
    return n if isinstance(n, int) else None


def run_label(meta: dict[str, Any]) -> str:
    """A run as the run pickers list it: id, name, models, how many articles, and whether the
    analyst's corrections went into it."""
    name = f" ({meta['name']})" if meta.get("name") else ""
    corrected = " · with corrections" if isinstance(meta.get("source_run"), dict) else ""
    n = _article_count(meta)
    articles = f" · {counted(n, 'article')}" if n is not None else ""
    return f"{meta.get('run_id')}{name} · {_models(meta)}{articles}{corrected}"


def _explain_second_run(ctx: context.RunContext, n_runs: int) -> None:
    have = "one run" if n_runs == 1 else "no run"
    st.info(
        f"There is {have} in `{ctx.runs_dir}`; comparing needs two. Rerun the same articles with "
        "another model, for example the defaults with the VADER lexicon for tone:\n\n"
        f"```\n{SECOND_RUN_HINT} --runs-dir {ctx.runs_dir}\n```\n\n"
        "Stance predictions come from the prediction cache, so only tone is recomputed. Any two "
        "runs can be compared: another model, template or relevance threshold. Then reload."
    )


def _header(report: dict[str, Any], metas: dict[str, dict[str, Any]]) -> None:
    columns = st.columns(2)
    for column, side in zip(columns, ("a", "b"), strict=True):
        run = report[side]
        meta = metas[run["run_id"]]
        created = str(run.get("created") or "")[:16].replace("T", " ")
        n = _article_count(meta)
        facts = [f for f in (created, counted(n, "article") if n is not None else "") if f]
        with column.container(border=True):
            name = f" ({md_escape(str(meta['name']))})" if meta.get("name") else ""
            st.markdown(f"**Run {side.upper()}** `{run['run_id']}`{name}")
            models = run.get("models") or {}
            st.markdown(
                f"stance: `{models.get('stance') or '?'}` · tone: `{models.get('tone') or '?'}`"
            )
            st.caption(" · ".join([*facts, f"corpus {str(run.get('corpus_hash') or '?')[:12]}"]))
            st.caption(
                trust_summary(meta.get("models"), run.get("topic_gate"), run.get("settings"))
            )
            if run.get("recomputed_from"):
                words = recomputed_words(run)
                st.caption(f"{words[:1].upper()}{words[1:]}.")
    if report["same_corpus"] is True:
        st.caption("Both runs analysed the same corpus (same corpus hash).")
    for warning in report["warnings"]:
        st.warning(warning[:1].upper() + warning[1:], icon=":material/warning:")
    models = [report[side].get("models") or {} for side in ("a", "b")]
    if models[0].get("tone") != models[1].get("tone"):
        same_stance = models[0].get("stance") == models[1].get("stance")
        st.caption(
            "The runs read tone with different models"
            + (" (and stance with the same one)" if same_stance else "")
            + ": the lines on labelled news above are about stance. Score each tone model on "
            "labelled tone data on the Evaluation page (NewsMTSC dev, in the "
            "data folder) before trusting either run's tone."
        )


def agreement_table(report: dict[str, Any], labels: dict[str, str]) -> pd.DataFrame:
    """One row per topic and one for all topics: passage and author agreement in numbers."""
    rows = []
    sections = [*report["topics"].items(), ("overall", report["overall"])]
    for key, sec in sections:
        sp = sec["authors"]["spearman"]
        rows.append(
            {
                "topic": key,
                "Topic": "All topics" if key == "overall" else labels.get(key, key),
                "Passages compared": sec["passages"]["shared"],
                "Only in A": sec["passages"]["only_a"],
                "Only in B": sec["passages"]["only_b"],
                # the authors' ranks first: what an analyst reads of a swapped model
                "Authors in both": sec["authors"]["discussed_in_both"],
                "Stance rank ρ": sp["stance"],
                "Tone rank ρ": sp["tone"],
                "Quoted rank ρ": sp.get("quoted"),
                # then each measure's passage agreement, side by side: a swapped tone model
                # showed its Tone κ past the right edge at 1280 px, behind counts
                "Stance κ": sec["stance"]["kappa"],
                "Tone κ": sec["tone"]["kappa"],
                # comparisons from before the quoted voices were compared have none
                "Quoted κ": (sec.get("speaker") or {}).get("kappa"),
                "Author changes": len(sec["author_changes"]),
                # the units each rho ranks (summed over topics on the All topics row)
                "Stance ρ n": sp.get("n_stance"),
                "Tone ρ n": sp.get("n_tone"),
                "Quoted ρ n": sp.get("n_quoted"),
                "Stance agreement": sec["stance"]["agreement"],
                "Stance distance": sec["stance"]["mean_tv"],
                "Tone agreement": sec["tone"]["agreement"],
                "Tone distance": sec["tone"]["mean_tv"],
                "Quoted agreement": (sec.get("speaker") or {}).get("agreement"),
                "Quoted distance": (sec.get("speaker") or {}).get("mean_tv"),
            }
        )
    table = pd.DataFrame(rows)
    for column in (
        "Stance κ",
        "Stance agreement",
        "Stance distance",
        "Tone κ",
        "Tone agreement",
        "Tone distance",
        "Quoted κ",
        "Quoted agreement",
        "Quoted distance",
    ):
        table[column] = pd.to_numeric(table[column]).astype(float)
    for column in ("Stance rank ρ", "Quoted rank ρ", "Tone rank ρ"):
        table[column] = pd.to_numeric(table[column]).astype(float)
    return table


def _show_agreement(table: pd.DataFrame, units: str = "authors") -> None:
    """The agreement table; ``units`` "authors" or "outlets": what its unit columns count."""
    shown = table.drop(columns=["topic", "Stance ρ n", "Tone ρ n", "Quoted ρ n"], errors="ignore")
    two_decimals, whole_percent = "{:.2f}".format, "{:.0%}".format
    formats = {
        "Stance κ": two_decimals,
        "Tone κ": two_decimals,
        "Stance distance": two_decimals,
        "Tone distance": two_decimals,
        "Stance agreement": whole_percent,
        "Tone agreement": whole_percent,
        "Quoted κ": two_decimals,
        "Quoted agreement": whole_percent,
        "Quoted distance": two_decimals,
        "Stance rank ρ": signed,
        "Quoted rank ρ": signed,
        "Tone rank ρ": signed,
    }
    for column, as_text in formats.items():  # as text: an undefined value reads "–", not "None"
        shown[column] = ["–" if is_missing(v) else as_text(v) for v in shown[column]]
    for measure in ("Stance", "Tone", "Quoted"):  # each rho with the units it ranks
        if f"{measure} ρ n" in table:
            shown[f"{measure} rank ρ"] = [
                text if text == "–" or is_missing(n) else f"{text} ({int(n):,})"
                for text, n in zip(shown[f"{measure} rank ρ"], table[f"{measure} ρ n"], strict=True)
            ]
    text = st.column_config.TextColumn
    number = st.column_config.NumberColumn
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "Passages compared": number(
                "Passages", help="passages scored on this topic in both runs (compared)"
            ),
            "Only in A": number("Only A", help="passages scored on this topic in run A only"),
            "Only in B": number("Only B", help="passages scored on this topic in run B only"),
            "Stance κ": text(
                help="Cohen's kappa of the author's stance labels (argmax), on the author's own "
                "words (and quotes where a run counts them as the author's): 1 = same labels, "
                "0 = no better than chance; – where both runs give every passage one label"
            ),
            "Stance agreement": text(
                "Stance agree", help="share of those passages given one label"
            ),
            "Stance distance": text(
                "Stance dist.",
                help="mean total variation distance between the runs' stance probabilities "
                "(0 = the same, 1 = nothing in common): labels can agree while the "
                "probabilities behind them differ",
            ),
            "Tone κ": text(
                help="Cohen's kappa of the tone labels (argmax), on the passages stance is "
                "compared on"
            ),
            "Tone agreement": text("Tone agree", help="share of passages given one label"),
            "Tone distance": text(
                "Tone dist.", help="mean total variation distance between the tone probabilities"
            ),
            "Quoted κ": text(
                help="Cohen's kappa of the quoted voice's stance labels, on the quotes"
            ),
            "Quoted agreement": text("Quoted agree", help="share of quotes given one label"),
            "Quoted distance": text(
                "Quoted dist.",
                help="mean total variation distance between the quoted voice's probabilities",
            ),
            "Authors in both": number(
                units.capitalize(),
                help=f"{units} discussing the topic in both runs (All topics: {units[:-1]} × "
                "topic pairs, a unit once per topic it discusses)",
            ),
            "Stance rank ρ": text(
                "Stance ρ",
                help=f"Spearman rank correlation of the {units}' stance in the two runs, over "
                "those with a stance in both, co-authors of the same articles once; in "
                f"brackets how many {units} it ranks (– with fewer than 3, or when a run gives "
                "them all one value). All topics: the mean of the topics' ρ (not one ρ over "
                "every topic's values, which would mostly say how far apart the topics lie)",
            ),
            "Quoted rank ρ": text(
                "Quoted ρ",
                help=f"Spearman rank correlation of the {units}' quoted voices' stance",
            ),
            "Tone rank ρ": text("Tone ρ", help=f"Spearman rank correlation of the {units}' tone"),
            "Author changes": number(
                "Changes",
                help=f"rows listed below ({units[:-1]} × topic × measure): sign flips, split "
                "intervals, status changes, changes of the kind of stance",
            ),
        },
    )


def _author_key(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    table["group_kind"] = table["group_kind"].fillna("").astype(str)
    return table.drop_duplicates(["topic", "author", "group_kind"]).set_index(
        ["topic", "author", "group_kind"]
    )


def change_cell(side: dict[str, Any], measure: str) -> str:
    """One run's side of an author change in words, as the Overview words it: the value with
    its interval, or why there is none (not discussed; no stance expressed; a tone of quoted
    voices only)."""
    if measure == "quoted" and side["status"] == "discussed" and is_missing(side["value"]):
        return NO_QUOTES if side.get("stance_status") in (None, "none_quoted") else NO_STANCE
    if measure == "tone" and side["status"] == "discussed" and is_missing(side["value"]):
        return ONLY_QUOTED  # a discussed author's tone is missing only without own passages
    stance_status = side.get("stance_status") if measure != "tone" else None
    n_own = side.get("n_passages") if measure == "stance" else None
    value = side["value"]
    # +0.0511 is no "+0.05", which counts as around zero: a third decimal, as `compare`
    edge = not is_missing(value) and on_band_edge(value, DEFAULT_ZERO_BAND)
    return stance_words(
        side["status"],
        stance_status,
        value,
        side["low"],
        side["high"],
        n_own=n_own,
        near_zero=measure != "tone",
        value_digits=3 if edge else 2,
    )


def changes_table(section: dict[str, Any], labels: dict[str, str]) -> pd.DataFrame:
    """The comparison's author changes (one row per author × topic × measure) laid out with
    both runs' values side by side."""
    rows = []
    for e in section["author_changes"]:
        row: dict[str, Any] = {
            "topic": e["topic"],
            "Topic": labels.get(e["topic"], e["topic"]),
            "Author": group_label(e["author"], e["group_kind"]),
            # co-authors of the same articles, whose position is this one in both runs
            "Co-authors": ", ".join(e.get("co_authors") or []),
            "group_kind": e["group_kind"],
            "What changed": change_words(e["changes"], e),
            "Measure": MEASURE_WORDS.get(e["measure"], e["measure"]),
        }
        for side in ("a", "b"):
            pos = e[side]
            row[f"Run {side.upper()}"] = change_cell(pos, e["measure"])
            row[f"n {side.upper()}"] = pos["n_passages"]
            for field in ("value", "low", "high", "status"):
                row[f"{field}_{side}"] = pos[field]
            row[f"articles_{side}"] = pos.get("n_articles")  # None: the run has no count
        row["_apart"] = "split" in e["changes"]
        row["_fewer"] = min(int(e["a"]["n_passages"] or 0), int(e["b"]["n_passages"] or 0))
        rows.append(row)
    columns = [
        "topic",
        "Topic",
        "Author",
        "Co-authors",
        "group_kind",
        "What changed",
        "Measure",
        "Run A",
        "Run B",
        "n A",
        "n B",
        *[f"{f}_{s}" for s in ("a", "b") for f in ("value", "low", "high", "status", "articles")],
    ]
    table = pd.DataFrame(rows, columns=[*columns, "_apart", "_fewer"])
    # the changes beyond both runs' uncertainty first, then those on the most passages
    table = table.sort_values(["_apart", "_fewer"], ascending=[False, False], kind="stable")
    return table[columns].reset_index(drop=True)


def change_words(kinds: list[str], entry: dict[str, Any] | None = None) -> str:
    """What changed, in words; a sign flip whose two intervals still overlap says so (the
    runs' uncertainty covers it: not a flip an analyst should read as settled), and so does
    one where a run has no interval to tell (``entry``: the change, with both runs' sides)."""
    words = [CHANGE_WORDS[kind] for kind in kinds]
    if "sign" in kinds and "split" not in kinds:
        sides = [entry[side] for side in ("a", "b")] if entry else []
        unmeasured = any(is_missing(x.get("low")) or is_missing(x.get("high")) for x in sides)
        why = "one run has no interval" if unmeasured else "the intervals still overlap"
        words[kinds.index("sign")] += f" ({why})"
    return ", ".join(words)


def changes_summary(table: pd.DataFrame, units: str = "authors") -> str:
    """How many changes of each kind the table lists, the settled ones apart."""
    changed = table["What changed"]
    flips = changed.str.contains(CHANGE_WORDS["sign"], regex=False)
    apart = changed.str.contains(CHANGE_WORDS["split"], regex=False)
    status = changed.str.contains(CHANGE_WORDS["status"], regex=False)
    kind = changed.str.contains(CHANGE_WORDS["stance_status"], regex=False)
    # discussed in one run only moves every measure of the author on the topic: counted once
    silent = table.loc[status, ["Topic", "Author"]].drop_duplicates()
    return (
        f"{counted(int(flips.sum()), 'sign flip')}, {int((flips & apart).sum()):,} of them with "
        f"the two runs' intervals apart (the others overlap, or a run has none); "
        f"{int(apart.sum()):,} change(s) in all beyond both "
        f"intervals; {len(silent):,} {units[:-1]} × topic pair(s) discussed in one run only; "
        f"{int(kind.sum()):,} whose kind of stance changed (a side, none or mixed). Rows "
        "are per measure; beyond-interval changes first, then by the passages behind them."
    )


def _sibling_captions(outlets: pd.Series, path: str, stamp: float) -> None:
    """Under the outlets' changes: which of them are sections of one newsroom filed apart."""
    counts = views.outlet_articles(data.article_meta(path, stamp))
    if note := sibling_groups_note([str(o) for o in outlets], counts):
        st.caption(f"{note[:1].upper()}{note[1:]}.")


def _show_changes(table: pd.DataFrame, units: str = "authors") -> None:
    """The changes table; ``units`` "authors" or "outlets": what its Author column names."""
    # both runs' values right after whose they are: a laptop-wide page shows them unscrolled
    shown = table[["Topic", "Author", "Measure", "Run A", "Run B", "What changed", "n A", "n B"]]
    shown = shown.assign(
        Author=[
            f"{a} (with {co})" if co else a
            for a, co in zip(table["Author"], table["Co-authors"], strict=True)
        ]
    )

    def css(_: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=shown.index, columns=shown.columns)
        scales = ["tone" if m == MEASURE_WORDS["tone"] else "stance" for m in table["Measure"]]
        for side in ("a", "b"):  # pale where the Overview pales: across 0, or one article
            tints = map(
                shade,
                table[f"value_{side}"],
                table[f"low_{side}"],
                table[f"high_{side}"],
                table[f"articles_{side}"],
            )
            out[f"Run {side.upper()}"] = [
                cell_css(t, s) for t, s in zip(tints, scales, strict=True)
            ]
        return out

    st.dataframe(
        shown.style.apply(css, axis=None),
        hide_index=True,
        column_config={
            # widths that keep "What changed" on an 820 px page: a long "… (unsigned pieces)"
            # author pushed it out of view (whole on hover)
            "Topic": st.column_config.TextColumn(width=90),
            "Author": st.column_config.TextColumn(units[:-1].capitalize(), width=150),
            "Measure": st.column_config.TextColumn(width=95),
            "Run A": st.column_config.TextColumn(width=160),
            "Run B": st.column_config.TextColumn(width=160),
            "What changed": st.column_config.TextColumn(width=150),
            "n A": st.column_config.NumberColumn(
                help="passages behind run A's value: own words, or the quotes for quoted voices"
            ),
            "n B": st.column_config.NumberColumn(
                help="passages behind run B's value: own words, or the quotes for quoted voices"
            ),
        },
    )


# Position columns the scatter of every author draws, and their panels' titles.
SCATTER_MEASURES = {"stance": "Stance", "quoted_stance": "Quoted voices", "tone": "Tone"}


def scatter_frame(
    pos_a: pd.DataFrame, pos_b: pd.DataFrame, topics: list[str], labels: dict[str, str]
) -> pd.DataFrame:
    """Authors discussed in both runs: their stance, their quoted voices' stance and tone in
    run A and in run B (a measure only where both runs have a value)."""
    ia, ib = _author_key(pos_a), _author_key(pos_b)
    both = ia.add_suffix("_a").join(ib.add_suffix("_b"), how="inner").reset_index()
    both = both[
        (both["status_a"] == "discussed")
        & (both["status_b"] == "discussed")
        & both["topic"].isin(topics)
    ]
    rows = []
    for rec in both.to_dict("records"):
        for measure, shown in SCATTER_MEASURES.items():
            a, b = rec.get(f"{measure}_a"), rec.get(f"{measure}_b")
            if is_missing(a) or is_missing(b):
                continue
            rows.append(
                {
                    # an outlet over all its articles (the Outlets choice) is not tagged
                    "Author": rec["author"]
                    if rec.get("level_a") == "outlet"
                    else group_label(rec["author"], rec.get("group_kind") or None),
                    "Topic": labels.get(rec["topic"], rec["topic"]),
                    "Measure": shown,
                    "Run A": float(a),
                    "Run B": float(b),
                    "shown_a": signed(a),
                    "shown_b": signed(b),
                }
            )
    return pd.DataFrame(
        rows, columns=["Author", "Topic", "Measure", "Run A", "Run B", "shown_a", "shown_b"]
    )


def scatter_chart(frame: pd.DataFrame, topic_labels: list[str]) -> alt.FacetChart:
    """Run A (x) against run B (y) per author, stance, quoted voices and tone side by side; the
    diagonal is "unchanged", the off-diagonal quadrants are sign flips (the chart a download
    gives)."""
    return (
        _scatter_layers(frame, topic_labels)
        .facet(
            column=alt.Column(
                "Measure:N",
                sort=list(SCATTER_MEASURES.values()),
                header=alt.Header(title=None, labelFontWeight="bold"),
            )
        )
        .configure_axis(grid=False)
    )


def scatter_charts(frame: pd.DataFrame, topic_labels: list[str]) -> list[alt.LayerChart]:
    """:func:`scatter_chart` as a chart per measure, for the page to lay out side by side or
    one under another as its width allows."""
    layered = _scatter_layers(frame, topic_labels)
    shown = set(frame["Measure"])
    return [
        layered.transform_filter(alt.datum.Measure == m)
        .properties(
            title=alt.TitleParams(m, anchor="start", fontSize=14),
            # its natural size: Streamlit's default ("fit") squeezed title, axes and legend
            # into the plot's 260 px, which left the plot flat and the legend cut to two topics
            autosize=alt.AutoSizeParams(type="pad", contains="padding"),
        )
        .configure_axis(grid=False)
        for m in SCATTER_MEASURES.values()
        if m in shown
    ]


# A scatter's ticks on both axes: a square plot of -1 to 1 read at a glance
TICKS = [-1, -0.5, 0, 0.5, 1]


def _scatter_layers(frame: pd.DataFrame, topic_labels: list[str]) -> alt.LayerChart:
    """The marks of one panel of :func:`scatter_chart`."""
    scale = alt.Scale(domain=[-1, 1])
    diagonal = (
        alt.Chart()
        .mark_rule(color="#9e9e9e", strokeDash=[4, 3])
        .encode(
            x=alt.datum(-1),
            y=alt.datum(-1),
            x2=alt.datum(1),
            y2=alt.datum(1),
            tooltip=alt.value(None),  # not Streamlit's default of the raw fields
        )
    )
    zero_x = alt.Chart().mark_rule(color="#d0d0d0").encode(x=alt.datum(0), tooltip=alt.value(None))
    zero_y = alt.Chart().mark_rule(color="#d0d0d0").encode(y=alt.datum(0), tooltip=alt.value(None))
    points = (
        alt.Chart()
        .mark_point(filled=True, size=110, stroke="#222", strokeWidth=0.6, opacity=0.9)
        .encode(
            x=alt.X("Run A:Q", scale=scale, title="run A", axis=alt.Axis(values=TICKS)),
            y=alt.Y("Run B:Q", scale=scale, title="run B", axis=alt.Axis(values=TICKS)),
            color=alt.Color(
                "Topic:N",
                sort=topic_labels,
                scale=alt.Scale(
                    domain=topic_labels, range=list(CATEGORY_COLORS[: len(topic_labels)])
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("Author:N"),
                alt.Tooltip("Topic:N"),
                alt.Tooltip("Measure:N"),
                alt.Tooltip("shown_a:N", title="run A"),
                alt.Tooltip("shown_b:N", title="run B"),
            ],
        )
    )
    return alt.layer(zero_x, zero_y, diagonal, points, data=frame).properties(width=230, height=230)


def _probability_bar(probs: dict[str, float]) -> str:
    segments = "".join(
        f'<span title="{html.escape(label)} {percent(p)}" style="display:inline-block;'
        f"width:{100 * float(p or 0):.1f}%;height:10px;"
        f'background:{PROBABILITY_COLOURS.get(label, "#999")}"></span>'
        for label, p in probs.items()
    )
    words = " · ".join(f"{html.escape(label)} {percent(p)}" for label, p in probs.items())
    return (
        f'<div style="width:100%;max-width:360px;background:#eee;border-radius:3px;'
        f'overflow:hidden;line-height:0;margin:4px 0">{segments}</div>'
        f'<div style="font-size:0.85em;color:#444">{words}</div>'
    )


def disagreement_table(entries: list[dict[str, Any]], labels: dict[str, str]) -> pd.DataFrame:
    """The passages where the runs disagree most, flat: both runs' probabilities as columns."""
    rows = []
    for e in entries:
        row = {
            "passage_id": e["passage_id"],
            "topic": e["topic"],
            "Topic": labels.get(e["topic"], e["topic"]),
            "distance": e["tv"],
            "label_a": e["label_a"],
            "label_b": e["label_b"],
        }
        row.update({f"a_{k}": v for k, v in e["a"].items()})
        row.update({f"b_{k}": v for k, v in e["b"].items()})
        row.update({k: e.get(k) for k in ("article_id", "title", "author", "text")})
        rows.append(row)
    return pd.DataFrame(rows)


def _show_disagreements(
    entries: list[dict[str, Any]], labels: dict[str, str], run_a: str, measure: str
) -> None:
    for i, e in enumerate(entries):
        with st.container(border=True):
            title = md_escape(e.get("title") or e.get("article_id") or e["passage_id"])
            author = f" — {md_escape(e['author'])}" if e.get("author") else ""
            st.markdown(
                f"**{i + 1}. {title}**{author} · {md_escape(labels.get(e['topic'], e['topic']))}"
                f" · distance {e['tv']:.2f}",
                unsafe_allow_html=True,
            )
            st.markdown(f"> {md_escape(e.get('text') or '(passage text not stored)')}")
            left, right = st.columns(2)
            for column, side in ((left, "a"), (right, "b")):
                column.markdown(
                    f"Run {side.upper()}: **{md_escape(e[f'label_{side}'])}**"
                    + _probability_bar(e[side]),
                    unsafe_allow_html=True,
                )
            if e.get("article_id") and st.button(
                "Open the article (run A)",
                key=f"runs_open_{measure}_{i}_{e['passage_id']}",
                icon=":material/article:",
            ):
                state.put("run", run_a)
                state.put("article", e["article_id"])
                state.put("topic", e["topic"])
                state.put("colour", e["topic"])  # coloured by the topic it was opened on
                state.switch_page(ARTICLE_PAGE, handed=("article",))


def _note_no_run_of_the_same_articles(by_id: dict[str, dict[str, Any]], a_id: str) -> None:
    """Where no other run analysed run A's articles, say so, and name the newest two runs
    that share theirs: the page opens on the newest run, which may be a small one of its own."""
    corpus = by_id[a_id].get("corpus_hash")
    if not corpus or any(r != a_id and by_id[r].get("corpus_hash") == corpus for r in by_id):
        return
    groups: dict[str, list[str]] = {}
    for run_id, meta in by_id.items():  # newest first
        if meta.get("corpus_hash"):
            groups.setdefault(str(meta["corpus_hash"]), []).append(run_id)
    pair = next((g[:2] for g in groups.values() if len(g) > 1), None)
    where = (
        f" {run_label(by_id[pair[0]])} and {run_label(by_id[pair[1]])} analysed the same "
        "articles: choose them to compare their models."
        if pair
        else ""
    )
    st.info(
        "No other run analysed the same articles as run A, so what differs below is the "
        f"articles as much as the models.{where}",
        icon=":material/compare_arrows:",
    )


def render() -> None:
    """The page; returns early (rather than st.stop()) so that the app still writes
    the selections to the address."""
    ctx = context.active()
    runs = [m for m in data.available_runs(ctx.runs_dir) if "run_id" in m]
    st.title("Runs")
    st.caption(
        "Two runs of the same articles, for instance with another stance or tone model: how often "
        "their models agree, which authors move, and the passages they read most differently."
    )
    if len(runs) < 2:
        _explain_second_run(ctx, len(runs))
        return

    by_id = {str(m["run_id"]): m for m in runs}
    ids = list(by_id)  # newest first
    left, right = st.columns(2)
    a_id = state.selectbox(
        "Run A",
        ids,
        "run_a",
        where=left,
        # the run picked in the sidebar, as every page reads it
        default=ctx.run_id if ctx.run_id in by_id else ids[0],
        format_func=lambda r: run_label(by_id[r]),
    )
    b_id = state.selectbox(
        "Run B",
        ids,
        "run_b",
        where=right,
        default=data.default_run_b(by_id, a_id),
        format_func=lambda r: run_label(by_id[r]),
    )
    _note_no_run_of_the_same_articles(by_id, a_id)
    if a_id == b_id:
        st.info("Run A and run B are the same run: choose two different runs to compare.")
        return

    level = ui.unit_choice("Compare the positions of", "runs_units")
    units = "outlets" if level == "outlet" else "authors"
    path_a, path_b = str(by_id[a_id]["path"]), str(by_id[b_id]["path"])
    stamp_a, stamp_b = data.run_stamp(path_a), data.run_stamp(path_b)
    try:
        report = data.run_comparison(path_a, stamp_a, path_b, stamp_b, TOP_K, level)
    except Exception as err:  # an unreadable run must not take the page down
        st.error(f"These runs cannot be compared: {err}")
        return
    _header(report, by_id)

    labels = {key: section["label"] for key, section in report["topics"].items()}
    stem = export.file_stem("runs", a_id, "vs", b_id)
    provenance = {
        "compared_runs": {
            "a": run_provenance(by_id[a_id], data.run_config(path_a, stamp_a)),
            "b": run_provenance(by_id[b_id], data.run_config(path_b, stamp_b)),
        }
    }
    st.subheader("Agreement per topic", anchor=False)
    st.caption(
        "On passages scored in both runs: κ is Cohen's kappa of the labels each model gives (its "
        "most probable class): 1 means the same labels, 0 no better than chance, – undefined "
        "(both runs give every passage one label). Agree: the share of passages given one "
        "label. Dist.: the mean distance between the two runs' probabilities, 0 the same, 1 "
        "nothing in common (labels can agree while the probabilities differ). ρ is the rank "
        f"correlation of the {units}' positions, with how many {units} it ranks: 1 means the "
        f"same order of {units}, – too few {units}; on All topics, the mean of the topics' ρ. "
        "Stance and tone are compared on the author's own words (and on quotes where "
        "a run counts them as the author's), as the positions read them; Quoted: the same for "
        "the quoted voice's stance, on the quotes, and for the authors' quoted voices. Only A "
        "/ Only B: passages scored in one run only."
    )
    agreement = agreement_table(report, labels)
    _show_agreement(agreement, units)
    export.download_buttons(
        f"{stem}-agreement",
        key="runs_agreement",
        provenance=provenance,
        table=agreement,
        report=report,
        what="the agreement table",
    )

    topic = state.selectbox(
        "Look at",
        [ALL_TOPICS, *labels],
        "runs_topic",
        format_func=lambda k: "All topics" if k == ALL_TOPICS else labels.get(k, k),
    )
    section = report["overall"] if topic == ALL_TOPICS else report["topics"][topic]
    topic_keys = list(labels) if topic == ALL_TOPICS else [topic]

    st.subheader(f"{units.capitalize()} whose positions move", anchor=False)
    if level == "outlet":
        st.caption(
            "Each outlet over every article it published, signed or not (the Authors choice "
            "has named authors, and outlet groups that hold only an outlet's unsigned pieces)."
        )
    st.caption(
        f"Sign flips: from favor/positive to against/negative or back (values within "
        f"±{report['zero_band']} count as around zero, not as a sign). Intervals stop overlapping: "
        "the runs differ by more than either run's uncertainty. Discussed in one run only: a "
        f"threshold or model change dropped or added the {units[:-1]}'s passages. Kind of stance "
        "changed: discussed in both runs, but a side taken in one and no stance expressed, or "
        "both sides (mixed), in the other."
        + (
            " Co-authors of the same articles, whose positions are the same in both runs, are "
            "one row, their names together."
            if level != "outlet"
            else ""
        )
    )
    changes = changes_table(section, labels)
    one = units[:-1]
    if changes.empty and not section["authors"]["in_both"]:
        st.info(
            f"No {one} has a position on this in both runs, so there is nothing to compare: "
            "the runs analysed different articles, or one of them does not find the topic."
        )
    elif changes.empty and section.get("moves"):
        st.info(
            f"No {one} changes sign, splits its intervals, changes status or changes the kind "
            f"of stance between the runs, but some move by {MOVE_MIN:.2f} or more: below."
        )
    elif changes.empty:
        st.success(
            f"No {one} changes sign, splits its intervals, changes status or changes the kind "
            f"of stance between the runs, and none moves by {MOVE_MIN:.2f} or more."
        )
    else:
        st.caption(changes_summary(changes, units))
        _show_changes(changes, units)
        if level == "outlet":
            _sibling_captions(changes["Author"], path_a, stamp_a)
    export.download_buttons(
        f"{stem}-{units}-{'all-topics' if topic == ALL_TOPICS else topic}",
        key="runs_changes",
        table=changes,
        what=f"the {one} changes",
        provenance=provenance,
    )
    if moves := section.get("moves"):  # reports from before moves were listed have none
        st.markdown(
            f"**Other moves of {MOVE_MIN:.2f} or more** (no flip from one side to the other, "
            f"intervals that overlap): {len(moves):,}, largest first"
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "Topic": [labels.get(e["topic"], e["topic"]) for e in moves],
                    "Author": [group_label(e["author"], e.get("group_kind")) for e in moves],
                    "Measure": [MEASURE_WORDS.get(e["measure"], e["measure"]) for e in moves],
                    "Run A": [signed(e["a"]) for e in moves],
                    "Run B": [signed(e["b"]) for e in moves],
                    "n A → B": [
                        f"{e.get('n_a')} → {e.get('n_b')}" if e.get("n_a") is not None else ""
                        for e in moves
                    ],
                }
            ),
            hide_index=True,
        )
        export.download_buttons(  # the values themselves, as compare --json gives them
            f"{stem}-{units}-moves-{'all-topics' if topic == ALL_TOPICS else topic}",
            key="runs_moves",
            table=pd.DataFrame(moves).assign(
                topic_label=[labels.get(e["topic"], e["topic"]) for e in moves],
                co_authors=["; ".join(e.get("co_authors") or []) for e in moves],
            ),
            what=f"the {one} moves of {MOVE_MIN:.2f} or more",
            provenance=provenance,
        )

    # Drawn only while open: thousands of points on a whole-corpus run, which slowed the
    # page's first paint by more than a second.
    everyone = ui.opened_expander(
        f"Every {one} discussed in both runs: run A (across) against run B (up)",
        "runs_scatter_open",
    )
    if everyone is not None:
        with everyone:
            # read only when opened: at outlet level the comparison made these positions
            # already, and a second pass over a whole-corpus run costs seconds
            pos_a = data.positions(path_a, stamp_a, level)
            pos_b = data.positions(path_b, stamp_b, level)
            scatter = scatter_frame(pos_a, pos_b, topic_keys, labels)
            if scatter.empty:
                st.caption(f"No {one} is discussed in both runs.")
            else:
                topic_labels = [labels[k] for k in topic_keys]
                ui.charts_side_by_side(scatter_charts(scatter, topic_labels))
                chart = scatter_chart(scatter, topic_labels)  # the download: one chart
                export.download_buttons(
                    f"{stem}-positions-{topic}",
                    key="runs_scatter",
                    provenance=provenance,
                    table=scatter.drop(columns=["shown_a", "shown_b"]),
                    chart=chart,
                    what=f"both runs' {one} positions",
                )

    st.subheader("Passages the models read most differently", anchor=False)
    measures = ["stance", "speaker", "tone"]  # the passage labels compared (compare.TASKS)
    measure = state.radio(
        "Measure",
        measures,
        "measure",
        horizontal=True,
        format_func=lambda m: TASK_WORDS[m].capitalize(),
        # where only one model changed (another tone model), open on what it changed
        default=next((m for m in measures if section["disagreements"].get(m)), measures[0]),
    )
    entries = section["disagreements"].get(measure, [])
    st.caption(
        f"Up to {TOP_K} passages scored in both runs, largest distance between the two models' "
        f"{TASK_WORDS[measure]} probabilities first (total variation: 0 = identical, "
        "1 = no overlap)."
    )
    if not entries and not section["passages"]["shared"]:
        differs = section["passages"]["text_differs"]
        st.info(
            "No passage was scored in both runs with the same text (the same passage of the "
            "same article on the same topic), so the models cannot be compared passage by "
            "passage"
            + (
                f": {counted(differs, 'passage')} scored in both had a different text (the "
                "corpus was read differently)."
                if differs
                else "."
            )
        )
    elif not entries:
        st.success(
            f"The two runs give every shared passage the same {TASK_WORDS[measure]} probabilities."
        )
    else:
        export.download_buttons(
            f"{stem}-disagreements-{measure}-{topic}",
            key="runs_disagreements",
            provenance=provenance,
            table=disagreement_table(entries, labels),
            what="these passages",
        )
        _show_disagreements(entries, labels, a_id, measure)


if __name__ == "__main__":
    render()

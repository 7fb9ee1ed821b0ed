"""All terminal rendering: the text the ``viewpoints`` commands print for people.

The analysis modules return data (dicts, dataclasses, tables); this module turns them into
aligned text. ``--json`` prints the same data unformatted. Numbers in [-1, 1] are signed with two
decimals and never print as ``-0.00``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from analysis.compare import MOVE_MIN, TASKS, recomputed_words
from analysis.corpus.documents import is_excluded
from analysis.differences import Difference
from analysis.estimate import CostEstimate
from analysis.evaluate import interval_words
from analysis.evaluate_articles import MIN_INTERVAL_ARTICLES, macro_f1_words
from analysis.intervals import NEAR_ZERO, interval_digits, mixed_lean, settled_near_zero
from analysis.labels import MEASURE_WORDS, TASK_WORDS, counted, group_label, p_value_text
from analysis.metrics import defined_per_class
from analysis.news_accuracy import (
    accuracy_for_run,
    accuracy_line,
    covered_topics,
    run_settings,
    tone_caveat,
    unmeasured_topics,
)
from analysis.records import is_missing
from analysis.report import EvidenceLookup
from analysis.run_info import RunInfo, TopicInfo, run_info
from analysis.runs import GROUP_LEVELS, Run, damaged_files, missing_files
from analysis.shifts import Shift
from analysis.speech_accuracy import read_speech_accuracy, speech_line

# --- evaluation reports (viewpoints evaluate) ---


def format_evaluation(report: dict[str, Any]) -> str:
    """A terminal rendering of an evaluation report."""
    labels = report["labels"]
    interval = report.get("macro_f1_interval")
    within = "" if not interval else f" [{interval[0]:.2f}, {interval[1]:.2f}]"
    lines = [
        f"task: {report['task']}   model: {report['model']}   n: {report['n']}",
        f"macro-F1: {report['macro_f1']:.4f}{within}   accuracy: {report['accuracy']:.4f}   "
        f"ECE: {report['calibration']['ece']:.4f}",
        "",
        f"{'class':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
    ]
    per_class = defined_per_class(report)  # None (printed n/a) where undefined
    for label in labels:
        c = per_class[label]
        lines.append(
            f"{label:<10}{_fmt(c['precision'], 4):>10}{_fmt(c['recall'], 4):>10}"
            f"{_fmt(c['f1'], 4):>10}{c['support']:>10d}"
        )
    width = max(10, *(len(label) + 2 for label in labels))
    lines += [
        "",
        "confusion (rows: true label, columns: predicted)",
        " " * 10 + "".join(f"{label:>{width}}" for label in labels),
    ]
    for label, row in zip(labels, report["confusion"], strict=True):
        lines.append(f"{label:<10}" + "".join(f"{v:>{width}d}" for v in row))
    if words := interval_words(report):
        lines.append(f"({words})")
    return "\n".join(lines)


def format_article_report(report: dict[str, Any]) -> str:
    """The article-level report as plain text."""
    cov = report["coverage"]  # None where undefined (evaluate_articles.article_metrics)
    missing = report.get("labels_not_in_run") or 0
    lines = [
        *([mixed] if (mixed := mixed_splits_note(report)) else []),
        *(
            [
                f"only {report['n']} of the {report['n'] + missing} labelled article × topic "
                "pairs are in the run: the figures below rest on those alone"
            ]
            if missing > report["n"]
            else []
        ),
        f"{report['n']} labelled article × topic pairs "
        f"({', '.join(f'{k} {v}' for k, v in report['label_counts'].items())})"
        + (
            f"; {missing} not in the run (first: {'; '.join(report.get('first_not_in_run') or [])})"
            if missing
            else ""
        ),
        *(
            [f"{by_title} of them matched by title: their article_id is not in the run"]
            if (by_title := report.get("matched_by_title"))
            else []
        ),
        f"coverage    precision {_fmt(cov['precision'])}  recall {_fmt(cov['recall'])}  "
        f"F1 {_fmt(cov['f1'])}{interval_text(report, 'coverage_f1')}",
        f"sign accuracy on favor/against pairs: {_fmt(report['sign_accuracy'])}"
        f"{interval_text(report, 'sign_accuracy')} "
        f"(n={report['n_signed']}); on those given a stance number: "
        f"{_fmt(report['sign_accuracy_called'])} (n={report['n_called']}; a 'mixed' one is "
        "judged by its number, and read as none in the confusion)",
        *(
            [
                f"stances given: {report['n_given']}; the side a reader finds: "
                f"{report['given_right']} ({_fmt(report['stance_precision'])}); on pairs a "
                f"reader finds take no side or not discussed: {report['given_no_side']}"
            ]
            if report.get("n_given")
            else []
        ),
        f"AUC favor vs none: {_fmt(report['auc_favor_vs_none'])}"
        f"{interval_text(report, 'auc_favor_vs_none')}   "
        f"AUC against vs none: {_fmt(report['auc_against_vs_none'])}" + _against_auc_note(report),
        f"{macro_f1_words(report)}: {report['macro_f1']:.3f}",
        *([note] if (note := article_interval_note(report)) else []),
        "",
        "confusion (rows: label, columns: the run's reading)",
        " " * 14 + "".join(f"{x:>14}" for x in report["labels"]),
    ]
    for name, row in zip(report["labels"], report["confusion"], strict=True):
        lines.append(f"{name:<14}" + "".join(f"{v:>14d}" for v in row))
    per_topic = report.get("per_topic") or {}
    if per_topic:
        lines += ["", "per topic"]
        for topic, row in per_topic.items():
            lines.append(
                f"  {topic}: {row['n_right']} of {row['n_leaning']} leaning pairs with the right "
                f"sign ({row['n_called']} given a stance), coverage F1 "
                f"{_fmt(row['coverage_f1'])}"
            )
    return "\n".join(lines)


BOOTSTRAP_NOTE = "articles resampled with their topics, fixed seed"


INTERVAL_FIGURES = {
    "coverage_f1": "coverage F1",
    "sign_accuracy": "sign accuracy",
    "auc_favor_vs_none": "AUC favor vs none",
}


def mixed_splits_note(report: dict[str, Any]) -> str | None:
    """Said first where the labels of several splits were judged together (no split chosen)."""
    splits = report.get("splits_mixed") or []
    if not splits:
        return None
    return (
        f"note: the labels hold the splits {', '.join(splits)} and no split was chosen, so "
        "these figures mix them: judge one (--split dev): articles a model or a threshold was "
        "chosen on flatter it"
    )


def article_interval_note(report: dict[str, Any]) -> str | None:
    """What the article report's ``[low, high]`` are, and why a figure has none; None where
    neither applies."""
    notes = []
    if any((report.get("intervals") or {}).values()):
        notes.append(
            f"[low, high]: 95% bootstrap interval over the labelled articles ({BOOTSTRAP_NOTE})"
        )
    return "; ".join(notes + missing_interval_notes(report)) or None


def missing_interval_notes(report: dict[str, Any]) -> list[str]:
    """Why the article report's figures have no interval: too few labelled articles to
    resample, or every resample alike."""
    notes = []
    if alike := report.get("intervals_alike"):
        words = [INTERVAL_FIGURES.get(name, name) for name in alike]
        figures = " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)
        notes.append(
            f"no interval for {figures}: 95% or more of the resamples of these articles give "
            "the same figure, which says they are alike, not that the figure is certain; more "
            "labelled articles would say how far it holds"
        )
    n = report.get("n_articles") or MIN_INTERVAL_ARTICLES
    if n < MIN_INTERVAL_ARTICLES:
        notes.append(
            f"no intervals: {n} labelled article{'' if n == 1 else 's'}, fewer than the "
            f"{MIN_INTERVAL_ARTICLES} a bootstrap over articles needs; one article read "
            "differently moves these figures a lot"
        )
    return notes


def interval_text(report: dict[str, Any], name: str) -> str:
    """`` [low, high]`` of a headline figure's bootstrap interval ("" where there is none)."""
    interval = (report.get("intervals") or {}).get(name)
    return "" if not interval else f" [{interval[0]:.3f}, {interval[1]:.3f}]"


def _against_auc_note(report: dict[str, Any]) -> str:
    """How many against pairs the AUC against vs none rests on, and what under 0.5 means."""
    n = int((report.get("label_counts") or {}).get("against", 0))
    value = report.get("auc_against_vs_none")
    if value is None:
        return ""
    below = (
        "; under 0.5: they score further toward favor than pairs taking no side"
        if value < 0.5
        else ""
    )
    return f" ({n} against {'pair' if n == 1 else 'pairs'}{below})"


def _fmt(value: float | None, digits: int = 3) -> str:
    """A metric to ``digits`` decimals; "n/a" where it is undefined (None)."""
    return "n/a" if value is None else f"{value:.{digits}f}"


# --- positions (viewpoints show) ---

EVIDENCE_CHARS = 160
# `viewpoints show`: the notes around the table are wrapped to this width (the table is as wide
# as its cells), and article titles cut to TITLE_CHARS (an author's name is never cut: it is
# what --author and compare-authors take)
SHOW_WIDTH = 100
TITLE_CHARS = 60


def signed(value: Any, digits: int = 2) -> str:
    """``+0.31`` / ``-0.12``; a value that rounds to zero is ``+0.00`` (never ``-0.00``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "-"
    rounded = round(float(value), digits)
    return f"{rounded + 0.0:+.{digits}f}"  # + 0.0 turns -0.0 into 0.0


def bracket(low: Any, high: Any) -> str:
    """``[low, high]`` as :func:`signed` gives them; an interval clear of 0 whose end rounds
    to 0.00 shows that end with the decimals it needs ([+0.004, +0.27]), so that it does not
    read as touching 0."""
    low_digits, high_digits = interval_digits(low, high)
    return f"[{signed(low, low_digits)}, {signed(high, high_digits)}]"


def _interval(row: pd.Series, low: str, high: str) -> str:
    lo, hi = row.get(low), row.get(high)
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return ""
    return f" {bracket(lo, hi)}"


def _of_title(title: Any, most: int = 48) -> str:
    """`` of "Title"`` (cut to ``most`` characters) for an evidence line: the article it is
    from, whose title may say whose words it holds ("Transcript: ...", "REP. X: ...")."""
    if not title or not isinstance(title, str):
        return ""
    shown = title if len(title) <= most else title[: most - 1].rstrip() + "…"
    return f' of "{shown}"'


def passage_ref(passage_id: str) -> str:
    """``art:6, ¶7``: a passage's id (as corrections and exports name it, counted from 0) and
    its place as the dashboard's Article page marks it (counted from 1)."""
    _, _, index = str(passage_id).rpartition(":")
    return f"{passage_id}, ¶{int(index) + 1}" if index.isdigit() else str(passage_id)


def _cell(row: pd.Series, group: bool = False) -> str:
    """One position in a few words; ``group``: an author's or outlet's, whose n says in how
    many articles its passages are (one article: its interval is that article's)."""
    if row["status"] == "unscored":
        return "no prediction"
    if row["status"] != "discussed":
        return "not discussed"
    stance = row["stance"]
    n = int(row["n_passages"])
    if n == 0:  # discussed only through the voices it quotes: no own words to read a side in
        shown = "S only quoted"
    elif row.get("stance_status") == "no_stance" or pd.isna(stance):
        shown = "S none"  # no stance expressed: no side taken
    elif row.get("stance_status") == "mixed":  # both sides about equally: not a true zero
        lean = mixed_lean(row.get("stance_low"), row.get("stance_high"))
        mixed = f"mixed (leaning {lean})" if lean else "mixed"
        shown = f"S {mixed} {signed(stance)}{_interval(row, 'stance_low', 'stance_high')}"
    elif settled_near_zero(row.get("stance_low"), row.get("stance_high")):
        # sure, but of nearly nothing: not a side ("mixed" already says why it is near 0)
        shown = f"S {signed(stance)}{_interval(row, 'stance_low', 'stance_high')} near 0"
    else:
        shown = f"S {signed(stance)}{_interval(row, 'stance_low', 'stance_high')}"
    quoted = row.get("quoted_stance")
    if row.get("quoted_status") == "no_stance":  # quoted, but no quoted voice takes a side
        quoted = " Q none"
    elif quoted is None or pd.isna(quoted):
        quoted = ""
    else:  # "mixed": the quoted voices take both sides about equally
        mixed = ""
        if row.get("quoted_status") == "mixed":
            lean = mixed_lean(row.get("quoted_low"), row.get("quoted_high"))
            mixed = f"mixed (leaning {lean}) " if lean else "mixed "
        quoted = f" Q {mixed}{signed(quoted)}{_interval(row, 'quoted_low', 'quoted_high')}"
    tone = row["tone"]
    tone = "" if pd.isna(tone) else f" T {signed(tone)}{_interval(row, 'tone_low', 'tone_high')}"
    articles = int(row.get("n_articles_discussing") or 0) if group and n else 0
    where = f" in {articles} article{'' if articles == 1 else 's'}" if articles else ""
    return f"{shown}{quoted}{tone} n={n}{where}"


OUTLETS_NOTE = (
    "outlets: every article each outlet published, signed or not (the author level files a "
    "signed article under its authors, and only unsigned ones under the outlet)"
)


def _units(run: Run, level: str) -> list[tuple[str, pd.DataFrame]]:
    """(display name, that unit's rows) in name order."""
    table = run.positions[run.positions["level"] == level]
    group = level in GROUP_LEVELS
    key = "author" if group else "article_id"
    out = []
    for unit, rows in table.groupby(key, sort=True):
        first = rows.iloc[0]
        title = first.get("title")
        name = str(unit) if group or not title or title != title else str(title)
        if not group and len(name) > TITLE_CHARS:
            name = name[: TITLE_CHARS - 1] + "…"
        if not group and name != str(unit):  # a cut title is no handle: the id is (Article page)
            name += f" [{unit}]"
        if level == "author" and first.get("group_kind") in ("outlet", "article"):
            name += " *"
        out.append((name, rows))
    return out


def _left_out_pairs(
    run: Run, shown: Sequence[str], articles: Collection[str] | None = None
) -> tuple[int, str]:
    """How many candidate pairs the topic check left out, and of what: the run's, or where
    only some topics are shown (``show --topic``) those topics', or where only some articles
    are (``articles``: ``show --level article --author``) theirs (0 where none or unknown)."""
    left_out = (run.meta.get("counts") or {}).get("gated_out_pairs")
    if not isinstance(left_out, int) or left_out <= 0:
        return 0, ""
    every_article = articles is None or len(set(articles)) >= run.articles["article_id"].nunique()
    if set(shown) >= {t.key for t in run.info.topics} and every_article:
        return left_out, "of the run"
    from analysis.runs import read_gated_out

    gated = read_gated_out(run.path, ["article_id", "topic"])
    if gated is None:  # a run from before the table: the run's count
        return left_out, "of the run (all its topics and articles)"
    kept = gated["topic"].isin(list(shown))
    if not every_article:
        kept &= gated["article_id"].astype(str).isin({str(a) for a in articles or ()})
        return int(kept.sum()), "in the articles shown"
    return int(kept.sum()), "on the topics shown"


def format_positions(
    run: Run, level: str = "author", evidence: int = 0, width: int | None = None
) -> str:
    """Authors (or articles) x topics: stance (S) with its interval (the run's confidence,
    95% by default), quoted voices (Q) and
    tone (T) in [-1, 1] and passage counts; with ``evidence`` > 0 the top passages of each
    discussed cell under its row (for a cell discussed only through quotes, the quotes behind
    Q). Authors' names are never cut; article titles are cut to :data:`TITLE_CHARS`, and the
    notes wrapped to :data:`SHOW_WIDTH`. Where the table is wider than ``width`` (a terminal's
    columns; None: any width), each unit is a block with one line per topic instead."""
    labels = run.info.topic_labels()
    units = _units(run, level)
    table = run.positions[run.positions["level"] == level]
    topics = list(dict.fromkeys(table["topic"]))
    cells = [(name, rows, {r["topic"]: r for _, r in rows.iterrows()}) for name, rows in units]
    group = level in GROUP_LEVELS
    texts = [[_cell(by[t], group) if t in by else "" for t in topics] for _, _, by in cells]
    lookup = EvidenceLookup(run) if evidence else None
    terminal = width
    wrap = min(SHOW_WIDTH, terminal) if terminal else SHOW_WIDTH

    def wrapped(text: str) -> list[str]:
        return _note(text, wrap)

    width = max([len(level), *(len(name) for name, _, _ in cells)]) + 2
    cell = max([24, *(len(c) + 2 for row in texts for c in row)])
    blocks = terminal is not None and width + cell * len(topics) - 2 > terminal
    header = (
        f"{level:<{width}}"
        + "".join(f"{labels.get(t, t)[: cell - 1]:<{cell}}" for t in topics).rstrip()
    )
    counted = (
        "topic passages, quotes included (this run counts them as the author's)"
        if run.info.aggregation.include_reported
        else "the author's own topic passages (quotes not counted)"
    ) + (", in how many of its articles" if level in GROUP_LEVELS else "")
    lines = [
        *wrapped(
            f"run {run.run_id}: stance S (the author's own words; 'none': no side taken; 'only "
            "quoted': no own words on it; 'mixed': both sides, each taken by passages of its "
            "own, the smaller at least half the larger, 'leaning' a side where its interval "
            "keeps to it; 'near 0': all of "
            f"its interval within ±{NEAR_ZERO:.2f}, practically no side), quoted voices Q, "
            f"tone T, from -1 to 1, each with its {run.info.aggregation.confidence:.0%} interval "
            + (
                "(wide where it rests on few passages); "
                if run.info.small_sample_intervals
                else "(a plain percentile bootstrap: too narrow on few passages); "
            )
            + f"n: {counted}"
        ),
        *wrapped(models_note(run.info)),
        # how far to trust S comes first: a long table would push it out of sight
        *wrapped(
            accuracy_line(
                accuracy := accuracy_for_run(run.meta.get("models")),
                unmeasured_topics(accuracy, run.info.topics),
                None
                if accuracy is None
                else [k for k in covered_topics(accuracy, run.info.topics) if k in topics],
                run_settings(run.info),
            )
        ),
        # not where quotes count as the author's words too: a missed quote changes nothing there
        *(
            wrapped(speech_line(speech))
            if not run.info.aggregation.include_reported and (speech := read_speech_accuracy())
            else []
        ),
        *(wrapped(caveat) if (caveat := tone_caveat(run.meta.get("models"))) else []),
        *(line for note in _recomputed_note(run.meta) for line in wrapped(note)),
        *(wrapped(OUTLETS_NOTE) if level == "outlet" else []),
        *wrapped(targets_note(run.info.topics, topics)),
        *(
            [f"(one block per {level}: the table is wider than {terminal} columns; --wide for it)"]
            if blocks
            else [header, "-" * (width + cell * len(topics) - 2)]  # its last gap aside
        ),
    ]
    topic_width = max([0, *(len(labels.get(t, t)) for t in topics)]) + 2
    for (name, _, by_topic), row_texts in zip(cells, texts, strict=True):
        if blocks:
            lines.append(name.rstrip())
            lines += [
                f"  {labels.get(t, t):<{topic_width}}{text}".rstrip()
                for t, text in zip(topics, row_texts, strict=True)
            ]
        else:
            row_line = f"{name:<{width}}" + "".join(f"{c:<{cell}}" for c in row_texts)
            lines.append(row_line.rstrip())
        for topic in topics if evidence else ():
            row = by_topic.get(topic)
            if row is None or row["status"] != "discussed":
                continue
            # the author's own passages behind S, then the quotes behind Q where Q has a value
            # (a review could not see what a quoted-voices stance of +0.53 rested on)
            shown = [("S", item) for item in lookup.top(row, evidence)]
            if not shown or not is_missing(row.get("quoted_stance")):
                shown += [("Q", i) for i in lookup.top(row, evidence, "quoted_evidence")]
            for measure, item in shown:
                head = (
                    f"    {labels.get(topic, topic)}: {measure} {signed(item['stance'])} "
                    f"T {signed(item['tone'])}  "
                )
                mine = (  # on a recomputed run: the numbers that are the analyst's labels
                    f"; your label: {item['corrected'].replace(',', ', ')}"
                    if item.get("corrected")
                    else ""
                )
                ref = f"{passage_ref(item['passage_id'])}{_of_title(item.get('title'))}"
                tail = f"  [{ref}{mine}]"
                room = EVIDENCE_CHARS  # in blocks, what the terminal leaves (40 at least)
                if blocks:
                    room = min(room, max(40, terminal - len(head) - len(tail)))
                text = " ".join(item["text"].split())
                if len(text) > room:
                    text = text[: room - 1] + "…"
                lines.append(f"{head}{text}{tail}")
    if level == "author" and (table["group_kind"] != "author").any():
        lines += wrapped(
            "* no author named: grouped under the outlet (or the article itself); an "
            "articles.toml beside the files names them (docs/input.md)"
        )
    if table.empty:
        lines.append("(no positions)")
    left_out, scope = _left_out_pairs(
        run, topics, list(table["article_id"]) if level == "article" else None
    )
    if left_out:
        lines += wrapped(
            f"topic check: {left_out:,} candidate passage-topic pair(s) {scope} left out as "
            "not really about the topic (counted nowhere; the dashboard's Article page lists "
            "them)"
        )
    if note := not_english_note(run):
        lines += wrapped(note)
    for warning in run.meta.get("model_warnings") or []:  # a model that says nothing
        lines += wrapped(f"WARNING: {warning}")
    return "\n".join(lines)


NOT_ENGLISH_SHOWN = 5  # articles named in the note; the rest are counted


def not_english_note(run: Run) -> str | None:
    """The run's articles whose text does not look like English, named (the first
    :data:`NOT_ENGLISH_SHOWN`): their positions come from models that read English, so a
    "not discussed" or "no stance expressed" there says nothing of the article."""
    ids = [str(i) for i in run.meta.get("not_english") or []]
    if not ids:
        return None
    titles = dict(zip(run.articles["article_id"].astype(str), run.articles["title"], strict=True))
    named = "; ".join(
        f"{i} ({str(titles.get(i) or '')[:40] or 'untitled'})" for i in ids[:NOT_ENGLISH_SHOWN]
    )
    more = f" and {len(ids) - NOT_ENGLISH_SHOWN:,} more" if len(ids) > NOT_ENGLISH_SHOWN else ""
    return (
        f"not English: {counted(len(ids), 'article')} of the run "
        f"{'does' if len(ids) == 1 else 'do'} not look like English, and the models read "
        f"English, so {'its positions say' if len(ids) == 1 else 'their positions say'} little: "
        f"{named}{more}"
    )


def targets_note(topics: Sequence[TopicInfo], shown: Sequence[str]) -> str:
    """What a positive stance means on each topic shown: favoring its target (Ukraine:
    'Ukraine against Russia'), which the topic's label alone does not say; "" where the run
    recorded no targets."""
    parts = [f"{t.label}: '{t.target}'" for t in topics if t.key in shown and t.target]
    if not parts:
        return ""
    return "S or Q above 0 favors, below 0 opposes the topic's target: " + "; ".join(parts)


def _note(text: str, width: int = SHOW_WIDTH) -> list[str]:
    """A note of `viewpoints show` wrapped to ``width`` (:data:`SHOW_WIDTH`, or a narrower
    terminal's), its further lines indented."""
    return textwrap.wrap(text, width, subsequent_indent="  ", break_on_hyphens=False)


# --- run comparison and robustness (viewpoints compare, robustness) ---


def _recomputed_note(meta: dict[str, Any]) -> list[str]:
    """A line for a run recomputed from another with corrections (and calibration), else none:
    its numbers are not the model's alone."""
    source = meta.get("source_run")
    if not isinstance(source, dict):
        return []
    counts = meta.get("corrections") or {}
    note = (
        f"recomputed from run {source.get('run_id')} with {counts.get('applied', '?')} "
        "correction(s) applied"
    )
    temperatures = {
        task: info.get("temperature")
        for task, info in (meta.get("calibration") or {}).items()
        if isinstance(info, dict) and info.get("temperature") is not None
    }
    if temperatures:
        shown = ", ".join(f"{task} T={t:.2f}" for task, t in temperatures.items())
        note += f", probabilities calibrated ({shown}): the trust figures below are the model's"
    return [note]


STATUS_WORDS = {
    "discussed": "discussed",
    "not_discussed": "not discussed",
    "unscored": "no prediction",
    "expressed": "a side taken",
    "no_stance": "no stance expressed",
    "mixed": "mixed (both sides)",
    "none_quoted": "nobody quoted",
    "only_quoted": "only quoted voices",
}


def _words(status: Any) -> str:
    """A position's status or stance status in words."""
    return STATUS_WORDS.get(str(status), str(status))


def _status_words(entry: dict[str, Any], side: str) -> str:
    """One run's side of a status change in words: "discussed" through quotes alone (no own
    passage) reads "only quoted voices", as the pages say."""
    n_own = entry.get(f"n_passages_{side}")
    if entry[side] == "discussed" and not is_missing(n_own) and int(n_own) == 0:
        return "only quoted voices"
    return _words(entry[side])


def _num(value: float | None, sign: bool = True, digits: int = 2) -> str:
    if value is None:
        return "-"
    return signed(value, digits) if sign else f"{value:.{digits}f}"


# The kinds of an author change (analysis.compare's CHANGE_KINDS), in words.
CHANGE_KIND_WORDS = {
    "sign": "sign flip",
    "split": "intervals apart",
    "status": "discussed in one run only",
    "stance_status": "kind of stance",
    "move": f"moved {MOVE_MIN:g} or more",
}


def change_line(entry: dict[str, Any], labels: dict[str, str]) -> str:
    """One author change in words: "[Ukraine] ABC News (unsigned pieces) stance: +0.39 ->
    -1.00", a side without a value by its status ("no stance", "not discussed")."""

    def kind(side: dict[str, Any]) -> str | None:
        # discussed without own words: "only quoted", as compare and the pages read it (its
        # stored status, no_stance, read "no stance -> no stance" where that changed)
        own = side.get("n_passages")
        if entry["measure"] == "stance" and side["status"] == "discussed" and own == 0:
            return "only_quoted"
        return side.get("stance_status")

    def said(side: dict[str, Any]) -> str:
        value = side.get("value")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return str(kind(side) or side["status"]).replace("_", " ")
        return signed(value)

    measure = MEASURE_WORDS.get(entry["measure"], entry["measure"])
    why = [CHANGE_KIND_WORDS[k] for k in entry.get("changes", []) if k in CHANGE_KIND_WORDS]
    if "stance_status" in entry.get("changes", []):
        kinds = [str(kind(entry[s]) or "-").replace("_", " ") for s in "ab"]
        why[why.index(CHANGE_KIND_WORDS["stance_status"])] += f" ({kinds[0]} -> {kinds[1]})"
    return (
        f"[{labels.get(entry['topic'], entry['topic'])}] {who(entry)} {measure}: "
        f"{said(entry['a'])} -> {said(entry['b'])}" + (f"  ({'; '.join(why)})" if why else "")
    )


def who(entry: dict[str, Any]) -> str:
    """The author of a change, cut to 40 characters (a scraped byline can be a paragraph), with
    the co-authors who share the position (listed once for all of them)."""
    co = entry.get("co_authors") or []
    return group_label(_short(entry["author"], 40), entry.get("group_kind")) + (
        f" (with {_short(', '.join(co), 60)})" if co else ""
    )


def beside_band(value: Any, band: float) -> str:
    """``value`` as :func:`_num` prints it, with a third decimal where two would put a value
    outside ``band`` on its edge (+0.0511 is not "+0.05", which counts as around zero)."""
    return f"{float(value):+.3f}" if on_band_edge(value, band) else _num(value)


def on_band_edge(value: Any, band: float) -> bool:
    """Whether ``value`` lies outside ±``band`` but prints, to two decimals, on its edge."""
    if value is None or math.isnan(float(value)):
        return False
    return abs(float(value)) > band and abs(round(float(value), 2)) <= band


def _warning_lines(warnings: list[str], width: int = 100) -> list[str]:
    """Each warning of a comparison wrapped to ``width``, its further lines indented."""
    return [
        line
        for warning in warnings
        for line in textwrap.wrap(
            f"WARNING: {warning}",
            width,
            initial_indent="  ",
            subsequent_indent="    ",
            break_on_hyphens=False,  # names (models, paths) stay whole, to copy or grep
        )
    ]


def _short(text: Any, width: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _wrapped(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` as lines of at most ``width`` characters, each after ``indent``; a hyphenated
    name ("tone.hf-classifier.v1:...") is never broken at its hyphen."""
    return textwrap.wrap(
        text, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    )


def _probs(probs: dict[str, float]) -> str:
    # + 0.0 turns a -0.0 (a probability a hair under zero, rounded) into 0.00
    return " ".join(f"{label} {round(value, 2) + 0.0:.2f}" for label, value in probs.items())


def format_comparison(
    report: dict[str, Any], max_passages: int = 3, width: int = 100, max_changes: int | None = None
) -> str:
    """Terminal text of a :func:`compare_runs` report: header, agreement table, changes (at
    most ``max_changes`` of each kind, the rest counted; None: all)."""

    def capped(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return entries if max_changes is None else entries[:max_changes]

    def more(entries: list[dict[str, Any]]) -> list[str]:
        left = len(entries) - len(capped(entries))
        if not left:
            return []
        return [f"  ... and {left:,} more (--changes 0 lists every one; --json has them all)"]

    lines = ["Run comparison"]
    for side in ("a", "b"):
        run = report[side]
        models = ", ".join(f"{task} {name or '?'}" for task, name in run["models"].items())
        name = f" ({run['name']})" if run.get("name") else ""
        lines.append(f"  {side.upper()}: {run['run_id']}{name}")
        lines.extend(_wrapped(f"models: {models}", width, "     "))
        if run.get("stance_trust"):  # the stance models differ: each one's figures on news
            lines.extend(_wrapped(run["stance_trust"], width, "     "))
        if run.get("recomputed_from"):
            lines.extend(_wrapped(recomputed_words(run), width, "     "))
    same = report["same_corpus"]
    corpus = {True: "same corpus", False: "DIFFERENT corpora", None: "corpus unknown"}[same]
    digest = f" (hash {str(report['a']['corpus_hash'])[:12]})" if same else ""
    lines.append(f"  {corpus}{digest}")
    lines += _warning_lines(report["warnings"], width)

    sections = [*report["topics"].items(), ("overall", {"label": "overall", **report["overall"]})]
    lines.append("")
    lines.extend(
        _wrapped(
            "Passage labels (argmax) on passages scored in both runs: S k, T k, Q k = Cohen's "
            "kappa of the author's stance and tone, read on own words (quotes too where a run "
            "counts them as the author's), and of the quoted voice's stance, read on quotes "
            "('-' where both runs give one label to all); agr = share of passages with "
            "the same label; tv = mean total variation distance of the probabilities (0 = the "
            "same, 1 = disjoint); authors = discussed in both runs (overall: author x topic "
            "pairs); rho = Spearman of their positions, over those with a stance (S), quoted "
            "voices' stance (Q) or tone (T) in both, co-authors of the same articles once "
            "(json: n_stance, n_quoted, n_tone); overall rho = the mean of the topics' rho",
            width,
        )
    )
    head = (
        f"{'topic':<15}{'shared':>7}{'A only':>7}{'B only':>7}{'S k':>6}{'agr':>5}{'tv':>5}"
        f"{'T k':>6}{'agr':>5}{'tv':>5}{'Q k':>6}{'authors':>8}"
        f"{'rho S':>6}{'rho Q':>6}{'rho T':>6}"
    )
    lines.append(head)
    lines.append("-" * len(head))
    for _, sec in sections:
        p, s, t, au = sec["passages"], sec["stance"], sec["tone"], sec["authors"]
        q = sec.get("speaker") or {}  # reports from before the quoted voices were compared
        rho = au["spearman"]
        lines.append(
            f"{_short(sec['label'], 14):<15}{p['shared']:>7}{p['only_a']:>7}{p['only_b']:>7}"
            f"{_num(s['kappa'], False):>6}{_num(s['agreement'], False):>5}"
            f"{_num(s['mean_tv'], False):>5}"
            f"{_num(t['kappa'], False):>6}{_num(t['agreement'], False):>5}"
            f"{_num(t['mean_tv'], False):>5}{_num(q.get('kappa'), False):>6}"
            f"{au['discussed_in_both']:>8}"
            f"{_num(rho['stance']):>6}{_num(rho.get('quoted')):>6}{_num(rho['tone']):>6}"
        )
    if report["overall"]["passages"]["text_differs"]:
        lines.append(
            f"({report['overall']['passages']['text_differs']} passage ids have different text "
            "in the two runs and are not compared)"
        )

    topics = report["topics"]

    def label(entry: dict[str, Any]) -> str:
        return topics.get(entry["topic"], {}).get("label", entry["topic"])

    overall = report["overall"]
    lines.append("")
    band = report["zero_band"]
    if report.get("level") == "outlet":
        lines.append(
            "Position changes of outlets, each over every article it published (--outlets; "
            "the authors and rho columns above count outlets)"
        )

    def where(entry: dict[str, Any]) -> tuple:
        return (entry["topic"], entry["author"], entry.get("group_kind"), entry["measure"])

    apart = {where(e) for e in overall["interval_splits"]}
    flips = sorted(
        overall["sign_changes"],
        key=lambda e: (where(e) not in apart, -abs(float(e["b"]) - float(e["a"]))),
    )
    settled = sum(where(e) in apart for e in flips)
    lines.extend(
        _wrapped(
            f"Sign changes (|value| <= {band} counts as around zero): {len(flips)}, {settled} "
            "of them with the two runs' intervals apart, listed first, then by size; the "
            "others overlap, so the runs' uncertainty covers them, or rest on one passage "
            "in a run, which gives no interval"
            if flips
            else f"Sign changes (|value| <= {band} counts as around zero)",
            width,
        )
    )
    for e in capped(flips):
        lines.append(
            f"  [{label(e)}] {who(e)} {MEASURE_WORDS.get(e['measure'], e['measure'])}: "
            f"{beside_band(e['a'], band)} -> {beside_band(e['b'], band)}"
            + ("" if where(e) in apart else f"  ({_overlap_note(e)})")
        )
    lines += more(flips)
    if not flips:
        lines.append("  none")
    lines.append("Intervals that no longer overlap")
    for e in capped(overall["interval_splits"]):
        lines.append(
            f"  [{label(e)}] {who(e)} {MEASURE_WORDS.get(e['measure'], e['measure'])}: "
            f"{beside_band(e['a'], band)} {bracket(e['a_low'], e['a_high'])} -> "
            f"{beside_band(e['b'], band)} {bracket(e['b_low'], e['b_high'])}"
        )
    lines += more(overall["interval_splits"])
    if not overall["interval_splits"]:
        lines.append("  none")
    status, kinds = overall["status_changes"], overall.get("stance_status_changes", [])
    lines.extend(
        _wrapped(
            "Status changes (discussed in one run only; the kind of stance)"
            + (
                f": {len(status):,} discussed in one run only, {len(kinds):,} of the kind of stance"
                if status or kinds
                else ""
            ),
            width,
        )
    )
    for e in capped(status):
        lines.append(f"  [{label(e)}] {who(e)}: {_status_words(e, 'a')} -> {_status_words(e, 'b')}")
    lines += more(status)
    for e in capped(kinds):
        measure = MEASURE_WORDS.get(e["measure"], e["measure"])
        lines.append(f"  [{label(e)}] {who(e)} {measure}: {_words(e['a'])} -> {_words(e['b'])}")
    lines += more(kinds)
    if not overall["status_changes"] and not overall.get("stance_status_changes"):
        lines.append("  none")
    if "moves" in overall:  # reports from before moves were listed have none
        moves = overall["moves"]
        lines.extend(
            _wrapped(
                f"Other moves of {MOVE_MIN:.2f} or more (no flip from one side to the other, "
                "intervals that overlap)" + (f": {len(moves):,}, largest first" if moves else ""),
                width,
            )
        )
        for e in capped(moves):
            n = (
                f"  (n {e['n_a']} -> {e['n_b']})"
                if e.get("n_a") is not None and e.get("n_b") is not None
                else ""
            )
            lines.append(
                f"  [{label(e)}] {who(e)} {MEASURE_WORDS.get(e['measure'], e['measure'])}: "
                f"{signed(e['a'])} -> {signed(e['b'])}{n}"
            )
        lines += more(moves)
        if not moves:
            lines.append("  none")

    if report.get("top_k") == 0:  # asked for none: not "none", which reads as full agreement
        lines += ["", "Passages where the runs disagree most: not listed (--top 0)"]
        return "\n".join(lines)
    for task in TASKS:
        lines.append("")
        lines.append(
            f"Passages where the runs disagree most on the {TASK_WORDS.get(task, task)} "
            "(total variation distance)"
        )
        found = False
        for sec in report["topics"].values():
            hits = sec["disagreements"].get(task, [])[:max_passages]
            for e in hits:
                found = True
                lines.append(f"  [{sec['label']}] tv {e['tv']:.2f}  {e['passage_id']}")
                by = f" by {_short(e['author'], 40)}" if e.get("author") else ""
                title = _short(e.get("title") or "", width - 8 - len(by))
                lines.append(f"      {title!r}{by}")
                lines.append(f"      A {e['label_a']:<8} {_probs(e['a'])}")
                lines.append(f"      B {e['label_b']:<8} {_probs(e['b'])}")
                lines.append(f"      {_short(e.get('text'), width - 6)}")
        if not found:
            lines.append("  none")
    return "\n".join(lines)


NO_INTERVAL_PAIR = "no interval in some run: one passage"


def _unmeasured(pairs: dict[str, Any]) -> str:
    """The stable pairs ordered in some run by a one-passage position, which has no interval:
    their order is a point's, with nothing to say how much it is worth."""
    n = pairs.get("stable_without_interval", 0)
    return f", {n} without an interval in some run (one passage)" if n else ""


def format_robustness(report: dict[str, Any], max_listed: int = 10) -> str:
    """Terminal text of a :func:`robustness` report: per topic, flips, ties, stable pairs, signs."""
    measure = report["measure"]
    lines = [f"Robustness of author {measure} across {len(report['runs'])} runs"]
    for run in report["runs"]:
        models = ", ".join(f"{task} {name or '?'}" for task, name in run["models"].items())
        name = f" ({run['name']})" if run.get("name") and run["name"] != run["label"] else ""
        which = (
            run["run_id"] if run["label"] == run["run_id"] else f"{run['label']}: {run['run_id']}"
        )
        lines.append(f"  {which}{name}  models: {models}")
    lines += _warning_lines(report["warnings"])
    lines.append(
        "A pair is stable when every run orders it the same way, a flip when two runs order it "
        "oppositely; strong = disjoint intervals in both directions."
    )
    labels = [run["label"] for run in report["runs"]]
    for section in report["topics"].values():
        pairs = section["pairs"]
        lines.append("")
        lines.append(
            f"[{section['label']}] {counted(len(section['authors']), 'author')} with a {measure} "
            "in every run, "
            f"{pairs['n']} pairs: {pairs['stable']} stable ({pairs['stable_separated']} with "
            f"disjoint intervals in every run{_unmeasured(pairs)}), {pairs['flip']} flip "
            f"({pairs['strong_flip']} strong), {pairs['tie']} tied in some run"
        )
        for verdict, title in (("flip", "flips"), ("tie", "ties"), ("stable", "stable")):
            chosen = [p for p in section["pair_list"] if p["verdict"] == verdict]
            if not chosen:
                continue
            lines.append(f"  {title}:")
            for p in chosen[:max_listed]:
                orders = ", ".join(f"{lab} {o}" for lab, o in zip(labels, p["orders"], strict=True))
                values = " / ".join(
                    f"{_num(x)} vs {_num(y)}" for x, y in zip(p["a"], p["b"], strict=True)
                )
                mark = " STRONG" if p["strong"] else ""
                if None in p["intervals_disjoint"]:
                    mark += f" ({NO_INTERVAL_PAIR})"
                pair = (
                    f"{group_label(p['author_a'], p.get('group_kind_a'))} vs "
                    f"{group_label(p['author_b'], p.get('group_kind_b'))}"
                )
                lines.append(f"    {pair}: {orders}  ({values}){mark}")
            hidden = len(chosen) - max_listed
            if hidden > 0:
                lines.append(f"    ... and {hidden} more")
        if section["pair_list_truncated"]:
            lines.append("    (pair list truncated; counts above cover every pair)")
        unsteady = [s for s in section["signs"] if s["verdict"] != "stable"]
        steady = len(section["signs"]) - len(unsteady)
        lines.append(
            f"  signs (+, - or 0 in each run, in the runs' order; |{measure}| <= "
            f"{report['zero_band']} is 0): {steady} stable"
            + (
                "; flips: + in one run and - in another; unsettled: a side in one run, 0 in another"
                if unsteady
                else ""
            )
        )
        for s in unsteady[:max_listed]:
            marks = " ".join(m or "?" for m in s["signs"])
            lines.append(f"    {who(s)}: {s['verdict']} ({marks})")
        if len(unsteady) > max_listed:
            lines.append(f"    ... and {len(unsteady) - max_listed} more")
        if section.get("same_as"):
            twins = ", ".join(f"{e['author']} (as {e['same_as']})" for e in section["same_as"])
            lines.append(
                f"  the same position in every run as another (co-authors of the same "
                f"articles), compared once: {twins}"
            )
        if section["authors_not_in_all"]:
            left_out = [a["author"] for a in section["authors_not_in_all"]]
            names = ", ".join(left_out[:max_listed]) + (
                " ..." if len(left_out) > max_listed else ""
            )
            why = (  # a unit that speaks on it only through quotes has neither of its own
                "not discussed, no stance expressed, or only quoted voices"
                if measure == "stance"
                else "not discussed, or only quoted voices"
            )
            lines.append(
                f"  left out, without a {measure} in at least one run ({why} there): "
                f"{len(left_out)} ({names})"
            )
        rhos = ", ".join(f"{c['a']}~{c['b']} {_num(c['rho'])}" for c in section["spearman"])
        lines.append(f"  Spearman between runs: {rhos}")
    if not report["topics"]:
        lines.append("(no topic has positions in every run)")
    return "\n".join(lines)


# --- author differences and shifts (viewpoints compare-authors, shift) ---


def _is(p: float) -> str:
    """ "=0.012" or "<0.001", after "p" or "q"."""
    text = p_value_text(p)
    return text if text.startswith("<") else f"={text}"


def format_differences(
    diffs: list[Difference], labels: dict[str, str] | None = None, level: str = "author"
) -> str:
    """A terminal table: one line per topic × measure × pair, under a header that says what
    the units are (``level`` "outlet": outlets over all their articles)."""
    labels = labels or {}
    units = (
        "outlets, each over every article it published"
        if level == "outlet"
        else "authors (an outlet group: the outlet's unsigned articles; --outlets compares "
        "outlets over all their articles)"
    )
    lines = [
        f"{units}: difference A − B (95% bootstrap interval resampling articles and their "
        "passages as the positions do, wide where either has few articles), "
        "permutation p, "
        "Benjamini–Hochberg q over all tests shown"
    ]
    names = [f"{labels.get(d.topic, d.topic)} {d.measure}" for d in diffs]
    width = max([23, *map(len, names)]) + 2  # a long topic label never runs into the names
    for name, d in zip(names, diffs, strict=True):
        name = f"{name:<{width}}"
        if d.difference is None:
            lines.append(f"{name}{d.a} vs {d.b}: not comparable ({d.note or 'no side taken'})")
            continue
        if d.p_value is None:
            lines.append(
                f"{name}{d.a} {d.value_a:+.2f} vs {d.b} {d.value_b:+.2f}: "
                f"Δ {d.difference:+.2f}, {d.note} (articles {d.n_articles_a} / {d.n_articles_b})"
            )
            continue
        lines.append(
            f"{name}{d.a} {d.value_a:+.2f} vs {d.b} {d.value_b:+.2f}: "
            f"Δ {d.difference:+.2f} {bracket(d.low, d.high)}  p{_is(d.p_value)} "
            f"q{_is(d.q_value)}  (articles {d.n_articles_a} / {d.n_articles_b})"
            + (f"  {d.note}" if d.note else "")
        )
    return "\n".join(lines)


def format_shift(shift: Shift, label: str | None = None) -> str:
    """A few terminal lines: the shift, its interval and p, and the evidence on both sides."""
    head = f"{shift.author} on {label or shift.topic}, {shift.measure}"
    if shift.shift is None:
        return f"{head}: no shift measurable ({shift.note})"
    if shift.detected and shift.last_before:  # between two articles: when in the gap, unsaid
        where = (
            f"detected change point between {shift.last_before} and {shift.split_date} (the "
            "last article before it and the first after)"
        )
    elif shift.detected:
        where = f"detected change point at {shift.split_date} (the first day after it)"
    else:
        where = f"before/after {shift.split_date} (the first day after)"
    lines = [
        f"{head}: {where}: "
        f"{shift.before:+.2f} ({shift.n_before} articles) "
        f"-> {shift.after:+.2f} ({shift.n_after} articles), shift {shift.shift:+.2f} "
        + (
            f"{bracket(shift.low, shift.high)}, permutation p{_is(shift.p_value)}"
            + ("" if shift.q_value is None else f", q{_is(shift.q_value)}")
            if shift.p_value is not None
            else f"({shift.note})"
        )
        + (
            " (p pays for the search over every split; the shift and its interval are taken "
            "at the split found, the one that stands out most: a shift holds only where p and "
            "its interval agree, the interval clear of 0)"
            if shift.detected
            else ""
        )
        + (f"  {shift.note}" if shift.note and shift.p_value is not None else "")
    ]
    for side, items in (("before", shift.evidence_before), ("after", shift.evidence_after)):
        for item in items:
            text = " ".join(item["text"].split())
            text = text if len(text) <= 150 else text[:149] + "…"
            value = item[shift.measure]
            lines.append(f"  {side}, {item['date']}: {shift.measure} {value:+.2f}  {text}")
    return "\n".join(lines)


def _overlap_note(entry: dict[str, Any]) -> str:
    """Why a sign change is not settled: the intervals overlap, or a run has none."""
    lacking = entry.get("no_interval") or []
    if not lacking:
        return "intervals overlap"
    runs = " and ".join(f"run {side.upper()}" for side in lacking)
    return f"no interval in {runs}: one passage"


# --- runs, estimates, corrections (viewpoints runs, analyze, corrections) ---


def _bad_inputs(meta: dict[str, Any]) -> int:
    """The inputs a run skipped as bad, from its list of skipped inputs where it has one (runs
    made before the count left out a manifest's exclusions counted them too)."""
    skipped = meta.get("skipped")
    if isinstance(skipped, list):
        return sum(
            not (isinstance(s, dict) and is_excluded(str(s.get("reason", "")))) for s in skipped
        )
    return int((meta.get("counts") or {}).get("articles_skipped", 0))


@cache
def builtin_topic_targets() -> Mapping[str, str]:
    """The built-in topics' keys and their targets (case and spacing folded); read once, as a
    list of runs names each run's topics against them."""
    from analysis.topics import folded, load_topics

    return MappingProxyType({t.key: folded(t.target) for t in load_topics(None)})


def topics_words(topics: Any, builtin: Mapping[str, str]) -> str:
    """A run's topics for its line in a list of runs, where they are not the built-in ones
    (runs of other topics look alike otherwise): their labels, a built-in key given another
    target with that target in brackets; "" for the built-in topics or none recorded."""
    from analysis.topics import folded

    if not isinstance(topics, list) or not all(isinstance(t, Mapping) for t in topics):
        return ""
    own = {str(t.get("key")): folded(str(t.get("target", ""))) for t in topics}
    if not own or own == dict(builtin):
        return ""
    shown = []
    for t in topics:
        key = str(t.get("key"))
        redefined = key in builtin and own[key] != builtin[key]
        shown.append(str(t.get("label") or key) + (f" [{t.get('target')}]" if redefined else ""))
    return f"  topics: {', '.join(shown)}"


def _other_settings(meta: dict[str, Any], folder: Path) -> str:
    """The settings a run was made with that are not those its stance model's figures on news
    were measured with (the defaults, for the shipped models), in words; "" where none differs
    or the run records no figures or config (a review saw runs at other thresholds or with
    quotes counted listed exactly like the defaults')."""
    import tomllib

    from analysis.news_accuracy import run_settings_unlike_measured

    try:
        config = tomllib.loads((folder / "config.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return "; ".join(run_settings_unlike_measured(meta, config))


def format_runs(runs: list[dict[str, Any]]) -> str:
    """One line per run (newest first): id, created, articles read and skipped (bad input, not
    the files a manifest excludes), models, name, its topics where not the built-in ones, the
    tables a run folder lacks or holds damaged, and the passage-topic pairs whose prediction
    failed."""
    width = max([len("run"), *(len(str(m.get("run_id", "?"))) for m in runs)]) + 2
    lines = [f"{'run':<{width}}{'created':<27}{'articles':>9}{'skipped':>9}  models"]
    builtin = builtin_topic_targets()
    for meta in runs:
        counts = meta.get("counts", {})
        info = run_info(meta, None)
        names = " / ".join(info.model_name(task) or "?" for task in ("stance", "tone"))
        label = f"  ({meta['name']})" if meta.get("name") else ""
        label += topics_words(meta.get("topics"), builtin)
        folder = Path(str(meta["path"])) if meta.get("path") else None
        if folder is not None and folder.name != str(meta.get("run_id")):
            label += f"  [folder {folder.name}]"  # a copy or a renamed folder: which one
        missing = missing_files(folder) if folder else []
        if missing:  # a folder copied in part: `show` cannot read it, nor `latest` pick it
            label += f"  [incomplete: no {', '.join(missing)}]"
        damaged = damaged_files(folder, optional=True) if folder else []
        if damaged:  # a table truncated or replaced: the same
            label += f"  [damaged: {'; '.join(damaged)}]"
        if folder is not None and (other := _other_settings(meta, folder)):
            label += f"  [settings: {other}]"  # runs alike but for these read alike otherwise
        failed = int(counts.get("failed_pairs") or 0)
        if failed:  # answers a chat endpoint gave in no usable form: counted nowhere
            label += f"  [{failed} of {counts.get('scored_pairs', '?')} pairs without a prediction]"
        lines.append(
            f"{meta.get('run_id', '?'):<{width}}{meta.get('created', ''):<27}"
            f"{counts.get('articles_read', 0):>9}{_bad_inputs(meta):>9}  "
            f"{names}{label}"
        )
    return "\n".join(lines)


def format_estimate(estimate: CostEstimate) -> str:
    """The cost estimate in one line: counts, model calls, seconds per stage, notes."""
    calls = ", ".join(f"{task} {n:,}" for task, n in estimate.model_calls.items())
    parts = ", ".join(f"{k} {v:,.0f} s" for k, v in estimate.seconds.items() if k != "total")
    notes = "".join(f"; {note}" for note in estimate.notes)
    total = estimate.seconds["total"]
    minutes = f" (~{total / 60:,.0f} min)" if total >= 120 else ""
    return (
        f"estimate: {counted(estimate.articles, 'article')}, "
        f"{counted(estimate.passages, 'passage')}, about "
        f"{estimate.topic_passages:,} passages on a topic by relevance "
        f"({estimate.scored_pairs:,} passage-topic pairs to score); model calls: {calls}; "
        f"time about {total:,.0f} s{minutes} ({parts}){notes}"
    )


def format_corrections(report: dict[str, Any]) -> str:
    """The corrections in force, per topic and task (``viewpoints corrections``)."""
    head = f"{report['folder']}: {report['in_force']} corrections in force"
    withdrawals = report.get("withdrawals") or 0
    saved = f"{report['saved']} saved" + (
        f", {withdrawals} of them withdrawing a label" if withdrawals else ""
    )
    lines = [f"{head} ({saved})"]
    for topic, tasks in sorted(report["by_topic"].items()):
        cells = ", ".join(
            f"{TASK_WORDS.get(task, task)} {v['n']} ({v['changed']} changed)"
            for task, v in sorted(tasks.items())
        )
        lines.append(f"  {topic}: {cells}")
    skipped = report.get("skipped_lines") or []
    if skipped:
        shown = ", ".join(skipped[:5]) + (
            f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        )
        lines.append(
            f"  {len(skipped)} line(s) skipped, not JSON (writes cut short, never saved) or no "
            f"correction (edited by hand?): {shown}"
        )
    listed = report.get("corrections")
    if listed is not None:
        lines += ["", "in force, newest first (time, topic, task: label (model's), passage, text):"]
        for c in listed:
            model = c.get("model_label") or "not scored"
            text = " ".join(str(c["text"]).split())
            lines.append(
                f"  {str(c['time'])[:19].replace('T', ' ')}  {c['topic']}  "
                f"{TASK_WORDS.get(c['task'], c['task'])}: {c['label']} ({model})  "
                f"{c.get('passage_id') or '-'}  "
                + (text if len(text) <= LISTED_TEXT else text[: LISTED_TEXT - 1] + "…")
            )
    return "\n".join(lines)


LISTED_TEXT = 70  # `corrections --list`: the passage's text cut to this (--json gives it whole)


def models_note(info: RunInfo) -> str:
    """The run's stance and tone models in one line, saying which are not the defaults (a
    baseline's numbers read differently: an audit read VADER's tone as a confident 0)."""
    recorded = {task: info.model_name(task) for task in ("stance", "tone")}
    names = [f"{task} {name or 'not recorded'}" for task, name in recorded.items()]
    other = info.other_models()
    if not other:
        return "models: " + ", ".join(names) + (" (the defaults)" if all(recorded.values()) else "")
    return (
        "models: "
        + ", ".join(names)
        + f" (not the default {' and '.join(other)} model{'s' if len(other) > 1 else ''})"
    )

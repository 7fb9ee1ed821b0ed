"""One analysis end to end: corpus -> topic passages -> stance and tone -> positions -> a run.

Stance and tone are scored only for topic passages (a passage whose relevance to a topic reaches
the threshold), once per (passage, topic), toward the topic's stance target. The corpus and its
relevance run as streaming stages over batches (:mod:`analysis.stages`), written into the run's
staging folder, so memory does not grow with the number of passages.
"""

from __future__ import annotations

import contextlib
import platform
import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import AnalysisConfig
from analysis.corpus.documents import is_excluded
from analysis.corpus.fields import FieldMap
from analysis.estimate import (
    SAMPLE_PASSAGES,
    CostEstimate,
    cache_view,
    estimate_from_sample,
    worth_estimating,
)
from analysis.intervals import INTERVAL_METHOD
from analysis.labels import counted
from analysis.memory import peak_rss_mib, release_freed_memory
from analysis.provenance import command_line
from analysis.run_info import FLAT_MODEL_NOTE
from analysis.runs import ALL_COLUMNS
from analysis.scoring.pair_scorer import quoted_voice, topic_gate, topic_head_targets

Log = Callable[[str], None]
# Progress hook: (stage, share of the whole run done when the stage starts, in [0, 1]).
OnStage = Callable[[str, float], None]
# The topic passages between relevance and scoring, in the run's staging folder.
SPILLED_TOPIC_PASSAGES = "topic_passages.parquet"
STAGES = ("setup", "loading", "estimate", "relevance", "scoring", "aggregate", "writing", "done")


def skipped_note(skipped: Sequence[Any]) -> str:
    """How many inputs were skipped (warned about on stderr by the loader, the first
    ``loader.SKIPS_SHOWN`` by name) and, apart,
    the files a manifest excludes on purpose, which are not counted as skipped."""
    excluded = [s for s in skipped if is_excluded(s.reason)]
    note = f"skipped {len(skipped) - len(excluded)}"
    if not excluded:
        return note
    names = ", ".join(Path(s.source).name for s in excluded[:3])
    more = f" and {len(excluded) - 3} more" if len(excluded) > 3 else ""
    return f"{note}; {names}{more} {excluded[0].reason}"


def _first_reasons(skipped: Sequence[Any], shown: int = 3) -> str:
    """The first skipped inputs with their reasons (": a.json: malformed JSON ...; b.csv: no
    text ..."): where nothing was read, the error itself says why, whoever shows it."""
    counted = [s for s in skipped if not is_excluded(s.reason)]
    if not counted:
        return ""
    more = f"; and {len(counted) - shown} more" if len(counted) > shown else ""
    return ": " + "; ".join(f"{s.source}: {s.reason}" for s in counted[:shown]) + more


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class AnalysisResult:
    """Where the run went (None after a dry run), its metadata and its cost estimate."""

    path: Path | None
    meta: dict[str, Any]
    estimate: Any = None


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the numbers."""
    versions = {"python": platform.python_version()}
    for name in ("viewpoints", "torch", "transformers", "tokenizers", "numpy", "pandas"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    commit = source_commit()
    if commit:
        versions["viewpoints_commit"] = commit
    return versions


def source_commit() -> str | None:
    """The git commit of the code running, with ``+changes`` when its tracked files differ from
    it (the package version alone does not change from day to day); None outside a checkout."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+changes" if dirty else head or None


def previous_passages(passages: pd.DataFrame) -> list[str | None]:
    """Each passage's predecessor in its article (None for the first): topic relevance reads a
    passage with the sentence before it, the context its threshold was chosen with."""
    texts = passages["text"].tolist()
    articles = passages["article_id"].tolist()
    return [
        texts[i - 1] if i > 0 and articles[i - 1] == articles[i] else None
        for i in range(len(texts))
    ]


def articles_table(corpus: Any, passage_counts: Mapping[str, int]) -> pd.DataFrame:
    """The articles of an in-memory corpus as the run's table (a run streams them instead:
    :func:`analysis.stages.read_corpus`)."""
    from analysis.stages import article_row

    return pd.DataFrame(
        [article_row(a, passage_counts.get(a.article_id, 0)) for a in corpus.articles],
        columns=list(ALL_COLUMNS["articles"]),
    )


def passages_table(corpus: Any) -> pd.DataFrame:
    """The passages of an in-memory corpus as the run's table."""
    from analysis.stages import PASSAGE_SCHEMA, passage_row

    return pd.DataFrame(
        [passage_row(p) for p in corpus.passages], columns=list(PASSAGE_SCHEMA.names)
    )


def replaced_topics_note(path: str, topics: Sequence[Any]) -> str | None:
    """A topics file replaces the built-in topics: say so where it leaves some of them out, as
    a file written to add a topic usually does, and where it gives a built-in key another
    target (every page then shows that target under the built-in name)."""
    from analysis.topics import DEFAULT_TOPICS_PATH, folded, load_topics

    keys, targets = {t.key for t in topics}, {folded(t.target) for t in topics}
    mine = {t.key: t for t in topics}
    builtin = load_topics(None)
    left_out = [
        t.label
        for t in builtin
        if t.key not in keys and folded(t.target) not in targets  # kept, or redefined
    ]
    redefined = [
        f"'{t.key}' is redefined as '{mine[t.key].label}', target '{mine[t.key].target}' (built "
        f"in: '{t.target}')"
        for t in builtin
        if t.key in mine and folded(mine[t.key].target) != folded(t.target)
    ]
    parts = []
    if left_out:
        parts.append(
            f"the topics of {path} replace the built-in ones, so {', '.join(left_out)} "
            f"{'is' if len(left_out) == 1 else 'are'} not analyzed; to add topics to them, copy "
            f"{DEFAULT_TOPICS_PATH} and append yours"
        )
    if redefined:
        parts.append(
            f"in {path}, " + "; ".join(redefined) + ": its stances are of that target, and the "
            "figures on labelled news do not cover it"
        )
    return "note: " + "; ".join(parts) if parts else None


def unjudged_note(
    unjudged: Sequence[Any],
    counter_examples: bool | Collection[str],
    threshold: float | None = None,
) -> str:
    """The log line for topics whose target the stance model's topic head was not trained on:
    there it calls nearly any passage near its own targets "on topic", so it does not gate
    them; the relevance ``threshold`` they get instead (None: the one given for every topic),
    and whether the topics' counter-examples keep look-alikes out."""
    labels = ", ".join(repr(t.label) for t in unjudged)
    keys = {t.key for t in unjudged}
    own = "their own" if len(unjudged) > 1 else "the topic's own"
    vetoed = counter_examples is True or (
        not isinstance(counter_examples, bool) and keys <= set(counter_examples)
    )
    if not vetoed:
        then = 'nothing else keeps look-alikes out (topics.counter_examples = "never")'
    elif missing := [t.label for t in unjudged if not t.counter_examples]:
        then = (
            f"{own} counter-examples veto alias hits; "
            + ", ".join(repr(label) for label in missing)
            + (" have" if len(missing) > 1 else " has")
            + " none: add counter-examples (what resembles the topic without being it) to "
            "the topics file"
        )
    else:
        then = f"{own} counter-examples veto alias hits"
    them = "them" if len(unjudged) > 1 else "it"
    cut = (
        f"relevance must reach {threshold:.2f} there, as for a model without a topic head"
        if threshold is not None
        else "relevance alone decides there, at the threshold given for every topic"
    )
    return (
        f"note: the stance model's topic head was not trained on the target of {labels}; its "
        f"P(on topic) says little there, so it does not gate {them}: {cut}, and {then}"
    )


# A model whose probabilities move less than this (standard deviation of every label's column)
# over at least FLAT_MIN_PAIRS pairs gives every passage the same answer: a random or broken
# model, whose positions would read as confident "mixed" or flat numbers.
FLAT_SPREAD = 0.005
FLAT_MIN_PAIRS = 10


def flat_output_notes(
    scores: pd.DataFrame, stance_labels: Sequence[str], tone_labels: Sequence[str]
) -> list[str]:
    """One note per task whose model gives (almost) the same probabilities to every pair."""
    notes = []
    for task, labels in (("stance", stance_labels), ("tone", tone_labels)):
        columns = [f"{task}_{label}" for label in labels if f"{task}_{label}" in scores]
        values = scores[columns].dropna() if columns else pd.DataFrame()
        if len(values) < FLAT_MIN_PAIRS or values.std().max() >= FLAT_SPREAD:
            continue
        mean = ", ".join(f"{c.removeprefix(task + '_')} {v:.2f}" for c, v in values.mean().items())
        notes.append(
            f"{FLAT_MODEL_NOTE.format(task=task)} {len(values)} passage-topic pairs about the "
            f"same probabilities ({mean}): its {task} says nothing about these passages "
            "(an untrained or broken model?)"
        )
    return notes


def absent_label_notes(identities: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One note per task whose model has no class for one of its labels (a two-class sentiment
    model never answers neutral): said wherever the run's numbers show, not only on stderr
    while it ran, since its labels cannot agree with a three-class model's there."""
    notes = []
    for task, identity in identities.items():
        absent = [str(label) for label in identity.get("absent_labels") or ()]
        if absent:
            which = "/".join(absent)
            notes.append(
                f"the {task} model {identity.get('model') or identity.get('name')} has no "
                f"{which} class: it never answers {which}, so its {task} is "
                "P(positive) - P(negative) alone and its labels cannot agree with another "
                f"model's on {which} passages"
            )
    return notes


def _refuse_if_the_warm_up_failed(estimate: CostEstimate) -> None:
    """Every answer of a task's warm-up failed: the run would fail on every pair, so none is
    started (``--dry-run`` shows the same estimate and stops anyway)."""
    for task, (failed, asked) in estimate.failed_answers.items():
        if asked and failed == asked:
            raise ValueError(
                f"every {task} answer of the warm-up failed ({failed} of {asked}; the estimate "
                f"above says why): no run started. Check the {task} model's endpoint, prompts "
                "or options"
            )


def _refuse_if_a_task_failed_everywhere(scores: pd.DataFrame) -> None:
    """A run in which every prediction of a task failed (a chat endpoint that never answers
    in the expected form) would show "no prediction" for everything: no run is written."""
    for task in ("stance", "tone"):
        if len(scores) and scores[task].isna().all():
            errors = scores.get(f"{task}_error")
            first = errors.dropna().iloc[0] if errors is not None and errors.notna().any() else None
            raise ValueError(
                f"every {task} prediction failed ({len(scores)} passage-topic pairs"
                + (f"; the first: {first}" if first else "")
                + f"): no run written. Check the {task} model (`viewpoints analyze --dry-run` "
                "tries it on a sample); with the prediction cache on, a rerun recomputes only "
                "these"
            )


def stage_shares(estimate: CostEstimate | None) -> dict[str, float]:
    """Where each stage starts, as a share of the whole run: fixed up to the estimate, then
    relevance and scoring split in proportion to the estimate's predicted seconds (None: before
    the estimate is known)."""
    seconds = estimate.seconds if estimate is not None else {}
    relevance = max(float(seconds.get("relevance", 0.0)), 0.0)
    scoring = max(float(seconds.get("stance", 0.0)) + float(seconds.get("tone", 0.0)), 0.0)
    first, last = 0.1, 0.9  # relevance starts at `first`, aggregation at `last`
    split = first + (last - first) * (
        relevance / (relevance + scoring) if relevance + scoring else 0.5
    )
    return {
        "setup": 0.0,
        "loading": 0.03,
        "estimate": 0.05,
        "relevance": first,
        "scoring": split,
        "aggregate": last,
        "writing": 0.97,
        "done": 1.0,
    }


def analyze(
    config: AnalysisConfig,
    progress: bool = True,
    log: Log = _stderr,
    dry_run: bool = False,
    on_stage: OnStage | None = None,
    quiet: bool = False,
    on_written: Callable[[Path], None] | None = None,
) -> AnalysisResult:
    """Run the analysis ``config`` describes and write it as a run; return its path and meta.

    The cost estimate (a measured warm-up) is logged before the expensive steps; ``dry_run``
    stops there and writes nothing. ``on_stage``, when given, is called as each stage of
    :data:`STAGES` starts with the stage's name and the share of the run done so far (a
    progress bar's value; "done" with 1.0 once the run is written, not after a dry run).
    ``quiet`` (``--quiet``) logs only warnings and notes (and a dry run's estimate), not the
    lines that say what is being read and measured. ``on_written`` is told the run's folder
    as it is renamed into place, before an interrupt can come between (so that a Ctrl-C after
    that is not read as "no run was written").
    """
    from analysis.aggregate import POSITION_RULES, POSITIONS_SCHEMA, position_batches
    from analysis.aggregate import REQUIRED as AGGREGATE_REQUIRED
    from analysis.bylines import known_rosters
    from analysis.runs import finish_run, new_run_id, new_staging, write_parquet_batches
    from analysis.scoring_stage import build_scorers, score_with_cache, split_gated_out
    from analysis.stages import (
        build_matcher,
        read_corpus,
        sample_for_estimate,
    )
    from analysis.terminal import format_estimate
    from analysis.topics import (
        DEFAULT_THRESHOLD,
        GATED_THRESHOLD,
        load_topics,
        topic_thresholds,
        unjudged_topics,
    )

    # What the run records must rerun from anywhere: relative paths read from here, now.
    config = config.with_absolute_paths()
    shares = stage_shares(None)  # refined once the cost estimate is known

    def stage(name: str) -> None:
        if on_stage is not None:
            on_stage(name, shares[name])

    timings: dict[str, float] = {}
    peak_mib: dict[str, float] = {}  # the process's peak resident memory after each stage
    started = time.perf_counter()
    stage("setup")
    # Everything that can fail on a name or a path fails here, before any work starts: the
    # paths first, which take no time, then the models, which take seconds to load.
    for path in config.corpus.paths:
        if not Path(path).exists():
            raise ValueError(f"no such file or folder: {path}")
    topics = load_topics(config.topics.file or None)
    if config.topics.file and (note := replaced_topics_note(config.topics.file, topics)):
        log(note)
    stance, tone = build_scorers(config, topics)
    clock = time.perf_counter()
    for scorer in (stance, tone):
        scorer.check()  # load (or reach) each model now: a wrong id fails before any work
    checked = time.perf_counter() - clock  # loading models, for the estimate
    gated = topic_gate(stance) is not None
    threshold = config.topics.threshold
    if threshold is None:
        threshold = GATED_THRESHOLD if gated else DEFAULT_THRESHOLD
    if config.engine.name == "ray":
        from analysis.ray_engine import require_ray

        require_ray()  # without Ray installed: one line saying what to install
    timings["setup"] = time.perf_counter() - started
    peak_mib["setup"] = peak_rss_mib()

    # Passages and articles stream to Parquet in the run's staging folder; only the topic
    # passages and the articles' metadata are held in memory (analysis.stages).
    # A dry run stages in a temporary folder: it writes nothing where runs are kept.
    runs_dir = Path(config.run.runs_dir)
    made_runs_dir = not dry_run and not runs_dir.exists()  # removed again if the run fails
    staging = (
        Path(tempfile.mkdtemp(prefix="viewpoints-dry-run-"))
        if dry_run
        else new_staging(config.run.runs_dir)
    )
    closing = ExitStack()  # what the run holds open beyond its stages (a Ray session)
    try:
        engine = None
        if config.engine.name == "ray" and not dry_run:
            # joined (or started) before any work, so that a wrong address or too many workers
            # fails at once; stopped, if this run started it, when the run ends
            from analysis.ray_engine import ray_engine

            engine = closing.enter_context(ray_engine(config.engine, progress, log))
        stage("loading")
        clock = time.perf_counter()
        fields = FieldMap(**config.corpus.fields) if config.corpus.fields else None
        summary = read_corpus(config.corpus.paths, staging, progress=progress, fields=fields)
        timings["load"] = time.perf_counter() - clock
        peak_mib["load"] = peak_rss_mib()
        release_freed_memory()
        # what was left out is said even with --quiet (not the files a manifest excludes)
        if not quiet or any(not is_excluded(s.reason) for s in summary.skipped):
            log(
                f"read {counted(summary.n_articles, 'article')} "
                f"({counted(summary.n_passages, 'passage')}), {skipped_note(summary.skipped)}"
            )
        if not summary.n_articles:
            raise ValueError(
                f"no articles could be read from {', '.join(config.corpus.paths)} "
                f"({skipped_note(summary.skipped)}{_first_reasons(summary.skipped)})"
            )

        trusted = topic_head_targets(stance)
        unjudged = unjudged_topics(topics, trusted) if gated else []
        counter_examples = config.topics.counter_example_topics(
            gated, None if trusted is None else [t.key for t in unjudged]
        )
        # Where the head was not trained on a topic's target its P(on topic) says little: the
        # topic passes the gate, and relevance alone must reach the threshold chosen for models
        # without a head (unless a threshold was given for every topic).
        ungated = [t.key for t in unjudged]
        checked_topics = gated and len(ungated) < len(topics)  # the topic check judges some
        raised = ungated if config.topics.threshold is None else []
        thresholds = topic_thresholds(topics, threshold, raised)
        if unjudged:
            own_cut = DEFAULT_THRESHOLD if raised else None
            log(unjudged_note(unjudged, counter_examples, own_cut))
        matcher = build_matcher(config, topics, threshold, counter_examples)

        stage("estimate")
        clock = time.perf_counter()
        estimate = None  # a small corpus's run takes no longer than a warm-up would
        if not worth_estimating(summary.n_passages, dry_run, stance, tone, shown=not quiet):
            if not quiet:
                log(
                    "no cost estimate for a corpus this small "
                    f"({counted(summary.n_passages, 'passage')}): its warm-up would read every "
                    "passage, as the run itself does (--dry-run gives one)"
                )
        else:
            if not quiet:  # the warm-up takes seconds to a minute: say what is going on
                log(
                    f"measuring the cost on {min(SAMPLE_PASSAGES, summary.n_passages):,} "
                    "passages (a warm-up of every model)…"
                )
            sample, context = sample_for_estimate(
                staging / "passages.parquet",
                summary.n_passages,
                SAMPLE_PASSAGES,
                config.aggregate.seed,
            )
            with cache_view(config.models.cache) as cache:  # read as the run will, written never
                estimate = estimate_from_sample(
                    sample,
                    context,
                    summary.n_passages,
                    summary.n_articles,
                    matcher,
                    topics,
                    thresholds,
                    stance,
                    tone,
                    loaded_seconds=checked,
                    cache=cache,
                )
            failed = any(n for n, _ in estimate.failed_answers.values())
            if not quiet or dry_run or failed:  # a dry run's answer, and failures, even quiet
                log(format_estimate(estimate))
            if not dry_run:
                _refuse_if_the_warm_up_failed(estimate)
            if config.engine.name == "ray":
                log(
                    "engine ray: the estimate is for one process; relevance and scoring split "
                    "over the Ray workers, after each worker loads its models"
                )
        timings["estimate"] = time.perf_counter() - clock
        peak_mib["estimate"] = peak_rss_mib()
        release_freed_memory()
        if dry_run:
            assert estimate is not None  # a dry run always estimates
            return AnalysisResult(path=None, meta={"counts": estimate.to_dict()}, estimate=estimate)
        shares = stage_shares(estimate)

        stage("relevance")
        clock = time.perf_counter()
        if progress:
            log("finding topic passages")
        relevance_stats: dict[str, dict[str, int]] = {}
        if engine is None:
            found, relevance_stats = _find_with_cache(
                staging / "passages.parquet",
                matcher,
                thresholds,
                summary.n_passages,
                progress,
                staging / SPILLED_TOPIC_PASSAGES,
                config.models.cache,
            )
        else:
            found, relevance_stats = engine.find_topic_passages(
                staging / "passages.parquet",
                config,
                topics,
                thresholds,
                summary.n_passages,
                counter_examples,
            )
        timings["relevance"] = time.perf_counter() - clock
        peak_mib["relevance"] = peak_rss_mib()
        release_freed_memory()

        stage("scoring")
        clock = time.perf_counter()
        if progress:
            log(
                f"scoring stance and tone of {found.n_pairs:,} candidate (passage, topic) "
                f"pairs, {len(found):,} passages"
                + (" (the topic check keeps those really on topic)" if checked_topics else "")
            )
        quoted, gate = quoted_voice(stance), topic_gate(stance)
        if engine is None:
            scores, cache_stats = score_with_cache(
                found,
                topics,
                thresholds,
                (stance, tone, quoted, gate),
                config,
                progress,
                keep_gated=True,
                ungated=ungated,
            )
        else:
            scores, cache_stats = engine.score(found, config, topics, thresholds, ungated)
        cache_stats = {**relevance_stats, **cache_stats}
        # The candidates the topic gates left out count toward nothing, but the run keeps them
        # (ids, relevance, P(on topic)) so that an analyst can read what was left out.
        scores, gated_out = split_gated_out(scores, config.topics.gate)
        timings["scoring"] = time.perf_counter() - clock
        peak_mib["scoring"] = peak_rss_mib()
        # Positions need only where each topic passage sits in its article: the texts go before
        # the articles' metadata is read (ten times the corpus: 30,000 topic passages).
        n_candidates = found.n_pairs
        located = found.read(["passage_id", "index"]).copy()
        del found
        (staging / SPILLED_TOPIC_PASSAGES).unlink(missing_ok=True)  # not a table of the run
        release_freed_memory()
        if cache_stats and progress:
            log(
                "prediction cache: "
                + ", ".join(
                    f"{t} {c['hits']:,} hits / {c['misses']:,} computed"
                    for t, c in cache_stats.items()
                )
            )

        stage("aggregate")
        clock = time.perf_counter()
        agg = config.aggregate
        # A pair whose answer failed (a chat backend's unparsable reply) stays in the scores
        # table with its raw answer and reason, but counts toward no position: not guessed.
        model_notes = flat_output_notes(scores, stance.labels, tone.labels)
        for note in model_notes:
            log(f"warning: {note}")
        # said on stderr when the model loaded; kept with the run for every page and command
        model_notes += absent_label_notes({"stance": stance.identity(), "tone": tone.identity()})
        failed = scores[["stance", "tone"]].isna().any(axis=1)
        if failed.any():
            _refuse_if_a_task_failed_everywhere(scores)
            per_task = ", ".join(
                f"{int(scores[task].isna().sum())} {task}" for task in ("stance", "tone")
            )
            log(
                f"{int(failed.sum())} (passage, topic) pairs have no usable prediction "
                f"({per_task}); left out of both measures"
            )
        # written a batch of articles at a time: the table has a row per article and topic
        # only now, and only the columns positions use: not held through the stages before
        articles = summary.read_articles(AGGREGATE_REQUIRED["articles"])
        rosters = known_rosters()  # recorded in run.json: readers cut bylines the same way
        batches = position_batches(
            articles,
            located,
            scores[~failed],
            [t.key for t in topics],
            agg,
            scores[failed],
            known_rosters=rosters,
        )
        authors: set[str] = set()  # the authors' names, read off the author-level rows
        n_positions = write_parquet_batches(
            _noting_authors(batches, authors), staging / "positions.parquet", POSITIONS_SCHEMA
        )
        n_authors = len(authors)
        del articles, located
        timings["aggregate"] = time.perf_counter() - clock
        peak_mib["aggregate"] = peak_rss_mib()
        release_freed_memory()
        timings["total"] = time.perf_counter() - started

        created = datetime.now(UTC)
        run_id = new_run_id(summary.corpus_hash, created)
        resolved = config.with_values(topics={"threshold": threshold})
        resolved_toml = (
            _untrained_note(unjudged, DEFAULT_THRESHOLD if raised else None)
            + resolved.to_toml()
            + _topics_toml(topics)
        )
        meta = {
            "name": config.run.name,
            "created": created.isoformat(timespec="seconds"),
            "command": command_line(),
            "models": {
                "stance": stance.identity(),
                "tone": tone.identity(),
                "quoted": quoted.identity(),
                **({"topic_gate": gate.identity()} if gate is not None else {}),
            },
            "topic_matcher": matcher.identity(),
            # topics whose target the stance model's topic head was not trained to judge (not
            # gated by it), and each topic's relevance threshold
            "topic_head_untrained": [t.key for t in unjudged],
            "model_warnings": model_notes,
            "relevance_thresholds": {
                t.key: float(cut) for t, cut in zip(topics, thresholds, strict=True)
            },
            # config.toml records the threshold used; whether it was given (for every topic)
            # or the model's default (raised for the topics above) decides a rerun's
            "threshold_given": config.topics.threshold is not None,
            "engine": engine.identity() if engine is not None else {"name": "local"},
            "topics": [t.to_dict() for t in topics],
            "versions": package_versions(),
            "known_rosters": {outlet: sorted(names) for outlet, names in sorted(rosters.items())},
            "seed": agg.seed,
            # how the positions' intervals were made (runs without it: plain percentile)
            "interval_method": INTERVAL_METHOD,
            # the rules of "mixed" and the evidence order (aggregate.POSITION_RULES)
            "position_rules": POSITION_RULES,
            "corpus_hash": summary.corpus_hash,
            "corpus_paths": list(config.corpus.paths),
            "timings": {k: round(v, 2) for k, v in timings.items()},
            "peak_rss_mib": peak_mib,
            "counts": {
                "articles_read": summary.n_articles,
                # bad input; a manifest's exclusions apart (both listed under "skipped")
                "articles_skipped": sum(not is_excluded(s.reason) for s in summary.skipped),
                "files_excluded": sum(is_excluded(s.reason) for s in summary.skipped),
                "passages": summary.n_passages,
                "topic_passages": int(scores["passage_id"].nunique()) if len(scores) else 0,
                "scored_pairs": len(scores),
                "candidate_pairs": n_candidates,
                "gated_out_pairs": len(gated_out),
                "failed_pairs": int(failed.sum()),
                "positions": n_positions,
                "authors": n_authors,
            },
            "skipped": [{"source": s.source, "reason": s.reason} for s in summary.skipped],
            "not_english": summary.not_english,
            "cache": {"path": config.models.cache, **cache_stats},
            "estimate": estimate.to_dict() if estimate is not None else None,
        }
        stage("writing")
        path = finish_run(
            staging,
            config.run.runs_dir,
            run_id,
            meta,
            resolved_toml,
            {"scores": scores, "gated_out": gated_out},
            on_claimed=on_written,
        )
    finally:  # claimed, the folder was renamed; otherwise (a dry run, a failure) it goes
        try:
            closing.close()
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if made_runs_dir:
                with contextlib.suppress(OSError):  # kept when it holds anything, a run first
                    runs_dir.rmdir()
    run_id = path.name  # another run may have taken the id first (runs.finish_run)
    counts = meta["counts"]
    log(
        f"wrote run {run_id} to {path} in {timings['total']:.1f} s: "
        f"{counted(counts['articles_read'], 'article')}, "
        f"{counted(counts['topic_passages'], 'topic passage')} "
        f"({counts['scored_pairs']:,} passage-topic pairs"
        f"{' after the topic check' if checked_topics else ''}), "
        f"{counted(counts['positions'], 'position')}, "
        f"{counted(counts['authors'], 'author or outlet group', 'authors and outlet groups')}"
    )
    stage("done")
    return AnalysisResult(path=path, meta={"run_id": run_id, **meta}, estimate=estimate)


def _noting_authors(batches: Iterable[pd.DataFrame], authors: set[str]) -> Iterator[pd.DataFrame]:
    """``batches`` of position rows as they come, adding the names of their authors (rows of
    the author level) to ``authors``."""
    for batch in batches:
        authors.update(batch.loc[batch["level"] == "author", "author"].astype(str))
        yield batch


def _untrained_note(unjudged: list[Any], own_cut: float | None) -> str:
    """TOML comment lines for the top of a run's config.toml: the topics that took neither the
    gate nor the threshold it records (the topic head was not trained on their targets);
    ``own_cut``: their relevance threshold where it was raised."""
    if not unjudged:
        return ""
    keys = ", ".join(t.key for t in unjudged)
    cut = (
        f"their relevance threshold was {own_cut}, not [topics] threshold, and " if own_cut else ""
    )
    note = (
        f"{keys}: the stance model's topic head was not trained on their targets, so {cut}no "
        "topic gate applied to them (run.json: relevance_thresholds, topic_head_untrained); a "
        "`viewpoints run` of this file does the same (`analyze --config` gives every topic the "
        "threshold below)."
    )
    return "".join(f"# {line}\n" for line in textwrap.wrap(note, 94))


def _topics_toml(topics: list[Any]) -> str:
    """The topics used, appended to the resolved config so a run names exactly what it scored."""
    from analysis.config import dumps_toml

    return "\n" + dumps_toml({"topic_definitions": {t.key: t.to_dict() for t in topics}})


def _find_with_cache(
    path: Path,
    matcher: Any,
    thresholds: Any,
    n_passages: int,
    progress: bool,
    spill: Path,
    cache_path: str,
) -> tuple[Any, dict[str, dict[str, int]]]:
    """The relevance stage in this process, behind the prediction cache where the config
    names one (:mod:`analysis.relevance_cache`): the topic passages, and the cache's hits and
    misses in passages, of relevance rows and of embeddings ({} without a cache)."""
    from analysis.stages import find_topic_passages

    if not cache_path:
        return find_topic_passages(path, matcher, thresholds, n_passages, progress, spill=spill), {}
    from analysis.cache import PredictionCache
    from analysis.relevance_cache import CachedRelevance

    with PredictionCache(cache_path) as cache:
        cached = CachedRelevance(matcher, cache)
        found = find_topic_passages(path, cached, thresholds, n_passages, progress, spill=spill)
    return found, cached.stats()

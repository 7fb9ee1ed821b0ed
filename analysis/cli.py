"""The ``viewpoints`` command."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis import __version__
from analysis.labels import STANCE_LABELS, TONE_LABELS

EXIT_USAGE = 2


class CLIError(Exception):
    """An error to report in one line, without a traceback."""


def parse_label_map(text: str | None) -> dict[str, str]:
    """``LABEL_0=negative,LABEL_1=neutral`` -> a dict; malformed input is a CLIError."""
    if not text:
        return {}
    pairs = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise CLIError(
                f"expected --label-map like LABEL_0=negative,LABEL_1=neutral; got {text!r}"
            )
        pairs[key.strip()] = value.strip().lower()
    return pairs


def cmd_evaluate(args: argparse.Namespace) -> int:
    from analysis.datasets import detect_format, load_examples, news_file_note, untargeted_note
    from analysis.evaluate import evaluate_scorer
    from analysis.scoring import create_scorer

    if args.level == "article":
        return evaluate_articles(args)
    if args.task == "topic":
        return evaluate_topic_check(args)
    stray = [
        f"--{name}"
        for name in ("run", "corpus", "split", "cache")
        if getattr(args, name) is not None
    ]
    if stray:
        also = " (--run: also with --task topic)" if "--run" in stray else ""
        raise CLIError(f"{', '.join(stray)}: only with --level article{also}")
    if args.task is None:
        raise ValueError(
            "--task stance|tone|speaker|topic is needed to evaluate passages (or --level article)"
        )
    examples = load_examples(args.data, args.task, args.format)
    if args.task == "speaker":  # the stance model's reader of quoted voices (its speaker head)
        from analysis.scoring.pair_scorer import quoted_voice

        stance = create_scorer(
            args.model,
            "stance",
            precision=args.precision,
            label_map=parse_label_map(args.label_map),
        )
        scorer = quoted_voice(stance)
        if scorer is stance:
            print(
                f"note: {stance.name} has no speaker head: its stance reading of each quote is "
                "what stands for the quoted voice (as in a run with it)",
                file=sys.stderr,
            )
    else:
        scorer = create_scorer(
            args.model,
            args.task,
            precision=args.precision,
            label_map=parse_label_map(args.label_map),
        )
    what = "quoted voice's stance" if args.task == "speaker" else args.task
    try:  # named: bf16 and fp32 move the third decimal (the dashboard uses the run's)
        precision = scorer.identity().get("precision")
    except Exception:
        precision = None
    print(
        f"evaluating {scorer.name} on {len(examples)} {what} examples from {args.data}"
        + (f" ({precision})" if precision else ""),
        file=sys.stderr,
    )
    if args.task == "stance" and (note := news_file_note(args.data)):
        print(note, file=sys.stderr)
    fmt = args.format if args.format not in (None, "auto") else detect_format(Path(args.data))
    if fmt == "corrections":
        print(
            "note: every correction is scored afresh by the model; the dashboard's Evaluation "
            "page reads a run's own predictions instead, leaving out passages the run did not "
            "score, so its figures on the same folder can differ",
            file=sys.stderr,
        )
    if untargeted := untargeted_note(examples, args.task):
        print(untargeted, file=sys.stderr)
    report = evaluate_scorer(scorer, examples, progress=True)
    report["data"] = str(args.data)
    report["task"] = args.task
    report["precision"] = precision
    if args.json:  # undefined per-class scores as null, as the text prints n/a
        from analysis.metrics import defined_per_class

        print(json.dumps({**report, "per_class": defined_per_class(report)}))
    else:
        from analysis.terminal import format_evaluation

        print(format_evaluation(report))
    return 0


def evaluate_topic_check(args: argparse.Namespace) -> int:
    """``evaluate --task topic``: how often a run's topic reading (a passage scored on a topic,
    or left out) agrees with the analyst's topic corrections, as the Evaluation page shows."""
    from analysis.corrections import latest, predictions_for, read_corrections, topic_agreement
    from analysis.runs import load_run

    if args.run is None:
        raise CLIError("--task topic: needs --run RUN, the run whose topic reading is judged")
    stray = [f"--{n}" for n in ("corpus", "split", "cache", "model") if getattr(args, n)]
    if stray or args.label_map or args.precision != "auto":
        raise CLIError(
            f"{', '.join(stray) or '--label-map, --precision'}: not used with --task topic "
            "(the run's reading is judged, no model is run)"
        )
    run = load_run(args.run, args.runs_dir)
    readings = predictions_for(run, latest(read_corrections(args.data)), "topic")
    report = topic_agreement(readings)
    if report is None:
        raise ValueError(
            f"no topic correction in {args.data} is on a passage of run {run.run_id}"
            + ("" if len(readings) else " (it holds no topic corrections)")
        )
    report.update(run_id=run.run_id, data=str(args.data), task="topic")
    labels = report["labels"]
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"topic check of run {run.run_id} on {report['n']} topic correction(s) from {args.data}"
        + (
            f" ({report['not_in_run']} on passages the run does not have: left out)"
            if report["not_in_run"]
            else ""
        )
    )
    print(f"agreement {report['accuracy']:.1%}   macro-F1 {report['macro_f1']:.3f}")
    print("confusion (rows: the analyst, columns: the run)")
    print(" " * 14 + "".join(f"{x:>14}" for x in labels))
    for name, row in zip(labels, report["confusion"], strict=True):
        print(f"{name:<14}" + "".join(f"{v:>14d}" for v in row))
    return 0


def evaluate_articles(args: argparse.Namespace) -> int:
    """``evaluate --level article``: a run's article positions (or a fresh analysis of the
    labelled articles in ``--corpus``) against article labels."""
    from analysis.evaluate_articles import (
        check_label_topics,
        evaluate_run_articles,
        load_article_labels,
    )
    from analysis.runs import load_run
    from analysis.terminal import format_article_report

    unused = [
        name
        for name, given in (
            ("--task", args.task),
            ("--format", args.format != "auto"),
            ("--label-map", args.label_map),
        )
        if given
    ]
    if unused:
        raise CLIError(f"{', '.join(unused)}: not used with --level article")
    if args.run and (args.model or args.precision != "auto" or args.cache is not None):
        raise CLIError(
            "--model, --precision, --cache: only with --corpus (a --run is already scored)"
        )
    labels = load_article_labels(args.data, args.split)
    if args.run and args.corpus:
        raise ValueError("--level article takes --run RUN or --corpus FILE, not both")
    if args.run:
        run = _load_run_or_kept(args.run, args.runs_dir)
        check_label_topics(labels, [str(t) for t in dict.fromkeys(run.positions["topic"])])
    else:
        if not args.corpus:
            raise ValueError("--level article needs --run RUN, or --corpus FILE to analyze afresh")
        from analysis.topics import load_topics

        check_label_topics(labels, [t.key for t in load_topics()])
        run = load_run(_analyze_labelled(args, labels, Path(args.runs_dir) / EVALUATE_RUNS))
    from analysis.aggregate import position_rules_note

    report = evaluate_run_articles(labels, run.positions)
    report.update({"data": str(args.data), "split": args.split, "run": str(run.path)})
    # a run of older rules keeps its old statuses: its confusion is not today's defaults'
    if note := position_rules_note(run.meta):
        report["position_rules_note"] = note
    if args.json:
        print(json.dumps(report))
    else:  # which run, file and split: a saved report can be traced back
        split = f", split {args.split}" if args.split else ""
        print(f"run {run.run_id} judged against {args.data}{split}")
        print(format_article_report(report))
        if note:
            print(f"note: {note}", file=sys.stderr)
    return 0


def _load_run_or_kept(spec: str, runs_dir: str) -> Any:
    """A run of ``runs_dir``, else one an earlier ``evaluate --corpus`` kept in its
    ``evaluate/`` folder (the id it printed)."""
    from analysis.runs import RunError, load_run

    try:
        return load_run(spec, runs_dir)
    except RunError:
        kept = Path(runs_dir) / EVALUATE_RUNS
        if spec == "latest" or not kept.is_dir():
            raise
        try:
            return load_run(spec, kept)
        except RunError:
            raise RunError(
                f"no run {spec!r} in {runs_dir} or in {kept} (where evaluate --corpus keeps its "
                "runs)"
            ) from None


def _corpus_records(path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The JSON objects of a JSON Lines file with their lines (other lines skipped)."""
    source = Path(path)
    if source.is_dir():
        raise ValueError(f"--corpus expects JSON Lines files; {path} is a folder")
    if not source.is_file():
        raise ValueError(f"--corpus {path}: no such file")
    if source.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
        raise ValueError(
            f"--corpus expects JSON Lines files (the AllSides file, one article a line); "
            f"{path} ends in {source.suffix or 'nothing'}"
        )
    try:
        with source.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    yield record, line
    except UnicodeDecodeError as err:
        raise ValueError(f"--corpus {path} is not UTF-8 text ({err.reason})") from None


# Where ``evaluate --corpus`` keeps its runs, inside --runs-dir: out of the runs listed there,
# so that "latest" and the dashboard stay on the user's own runs.
EVALUATE_RUNS = "evaluate"


def _analyze_labelled(args: argparse.Namespace, labels: Any, runs_dir: Path) -> Path:
    """Analyze only the labelled articles of ``--corpus`` (JSON Lines) into a run of
    ``runs_dir``, kept (to open in the dashboard, or judge again with ``--run PATH``); the
    labelled articles' lines go to ``runs_dir/inputs/``, which the run's config names, so that
    it can be rerun."""
    import hashlib

    from analysis.config import AnalysisConfig
    from analysis.evaluate_articles import labelled_ids
    from analysis.pipeline import analyze

    wanted = set(labelled_ids(labels))
    titles = {str(t) for t in labels["title"].dropna()}
    lines = [
        line if line.endswith("\n") else line + "\n"
        for path in args.corpus
        for record, line in _corpus_records(path)
        if str(record.get("ID", record.get("id", ""))) in wanted or record.get("title") in titles
    ]
    if not lines:
        raise ValueError(f"none of the labelled articles is in {', '.join(args.corpus)}")
    digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()[:12]
    subset = runs_dir / "inputs" / f"{Path(args.data).stem}-{digest}.jsonl"
    subset.parent.mkdir(parents=True, exist_ok=True)
    written_here = not subset.exists()  # the same articles' file, kept for an earlier run
    subset.write_text("".join(lines), encoding="utf-8")
    config = AnalysisConfig().with_values(
        corpus={"paths": [str(subset)]},
        run={"runs_dir": str(runs_dir), "name": f"evaluate {Path(args.data).name}"},
        models={
            "precision": args.precision,
            **({"stance": args.model} if args.model else {}),
            **({"cache": args.cache} if args.cache is not None else {}),
        },
    )
    try:
        result = analyze(config, progress=True)
    except BaseException:
        if written_here:  # no run names it: nothing should be left behind
            subset.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the folder too, unless it keeps other inputs
                subset.parent.rmdir()
        raise
    return Path(result.path)


# The seed articles beside the package in a checkout: what `analyze` with no paths reads when
# the folder it is run from has no ./seeds
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def cmd_analyze(args: argparse.Namespace) -> int:
    from analysis.config import AnalysisConfig, model_relative_to

    config = AnalysisConfig.from_toml(args.config) if args.config else AnalysisConfig()
    paths = [str(p) for p in args.paths] if args.paths else None
    if paths is None and not args.config and not Path("seeds").exists():
        paths = [str(SEEDS_DIR)]  # the default outside the repository: its seed articles
    if not args.paths and not args.config:
        shown = Path("seeds").resolve() if Path("seeds").exists() else SEEDS_DIR
        if not args.quiet:  # a forgotten path would otherwise make a seeds run unnoticed
            print(f"note: no paths given: analyzing the seed articles in {shown}", file=sys.stderr)
    overrides = {
        ("corpus", "paths"): paths,
        ("topics", "file"): args.topics,
        ("topics", "threshold"): args.threshold,
        ("topics", "relevance"): args.relevance,
        ("models", "stance"): args.stance_model,
        ("models", "tone"): args.tone_model,
        ("models", "precision"): args.precision,
        ("models", "cache"): args.cache,
        ("aggregate", "seed"): args.seed,
        ("aggregate", "include_reported"): True if args.include_reported else None,
        ("run", "runs_dir"): _runs_dir_for(args.runs_dir, config),
        ("run", "name"): args.name,
    }
    changes: dict[str, dict[str, Any]] = {}
    for (section, key), value in overrides.items():
        if value is not None:
            changes.setdefault(section, {})[key] = value
    changes["engine"] = _engine_overrides(args)
    # The file's options belong to the file's model: a model named here starts without them
    # (the same folder spelled another way is the same model).
    for task in ("stance", "tone"):
        given = getattr(args, f"{task}_model")
        options = getattr(config.models, f"{task}_options")
        here = given and model_relative_to(Path.cwd(), given)
        if given and here != getattr(config.models, task) and options:
            changes.setdefault("models", {})[f"{task}_options"] = {}
            print(
                f"note: --{task}-model replaces the config's {task} model, so its "
                f"[models.{task}_options] ({', '.join(sorted(options))}) are left out",
                file=sys.stderr,
            )
    config = config.with_values(**changes)
    _check_ray_options(args, config)
    taken = [] if args.dry_run else _runs_named(config.run.name, config.run.runs_dir)
    result = _analyze_for(args, config)
    _note_reused_name(config.run.name, config.run.runs_dir, taken)
    _print_result(result, args.dry_run, args.json)
    return 0


def _analyze_for(args: argparse.Namespace, config: Any) -> Any:
    """``analyze`` or ``run``'s analysis of ``config``, as the command line asked, telling
    :func:`main` the run it wrote (read when an interrupt comes after that). Imported here,
    once the config is known to be good: a bad value fails before torch loads."""
    from analysis.pipeline import analyze

    written = getattr(args, "written_runs", None)
    return analyze(
        config,
        progress=not args.quiet,
        dry_run=args.dry_run,
        quiet=args.quiet,
        on_written=None if written is None else written.append,
    )


def _print_result(result: Any, dry_run: bool, as_json: bool) -> None:
    """stdout of analyze/run: the run folder (or with --json one object); the estimate for a dry
    run. Everything else goes to stderr."""
    if dry_run:
        if as_json:
            print(json.dumps(result.estimate.to_dict()))
        return
    if as_json:
        meta = result.meta
        summary = {
            "run_id": meta.get("run_id"),
            "path": str(result.path),
            **{
                k: meta.get(k)
                for k in ("name", "created", "models", "counts", "timings", "peak_rss_mib")
            },
        }
        print(json.dumps(summary, default=str))
    else:
        print(result.path)


def cmd_run(args: argparse.Namespace) -> int:
    from analysis.config import AnalysisConfig

    config = AnalysisConfig.from_toml(args.experiment)
    recorded = _recorded_run(Path(args.experiment))
    if recorded and _run_meta(Path(args.experiment)).get("threshold_given") is False:
        # the threshold the run recorded was the model's default, raised for the topics its
        # topic head was not trained on: the rerun defaults the same way
        config = config.with_values(topics={"threshold": None})
    # A run's own config.toml records where that run went (provenance, not a choice), so
    # $VIEWPOINTS_RUNS_DIR still decides where its rerun goes.
    runs_dir = _runs_dir_for(args.runs_dir, config, recorded=bool(recorded))
    if recorded:  # a run's own config.toml: the rerun is named for the run, not as it
        old = config.run.name
        name = f"{old} (rerun of {recorded})" if old else f"rerun of {recorded}"
    else:
        name = config.run.name or Path(args.experiment).stem
    config = _topics_for_rerun(Path(args.experiment), config, runs_dir, args.dry_run)
    changes = {
        "run": {**({"runs_dir": runs_dir} if runs_dir else {}), "name": name},
        "models": {"cache": args.cache} if args.cache is not None else {},
        "engine": _engine_overrides(args),
    }
    config = config.with_values(**changes)
    _check_ray_options(args, config)
    _check_corpus_paths(Path(args.experiment), config)
    taken = [] if args.dry_run else _runs_named(config.run.name, config.run.runs_dir)
    from analysis.scoring.base import ModelLoadError

    try:
        result = _analyze_for(args, config)
    except ModelLoadError as err:  # a model the file names: say which file
        raise ModelLoadError(f"{args.experiment}: {err}") from None
    _note_reused_name(config.run.name, config.run.runs_dir, taken)
    _print_result(result, args.dry_run, args.json)
    return 0


def _check_corpus_paths(experiment: Path, config: Any) -> None:
    """Name the experiment file and its key where a corpus path is not there (the pipeline's
    own message named a path the user never wrote: the default "seeds", in the folder the
    command runs in)."""
    missing = [p for p in config.corpus.paths if not Path(p).exists()]
    if not missing:
        return
    import tomllib

    try:
        corpus = tomllib.loads(experiment.read_text(encoding="utf-8")).get("corpus")
        given = isinstance(corpus, dict) and "paths" in corpus
    except (OSError, ValueError):
        given = True
    where = (
        f"[corpus] paths in {experiment}: no such file or folder: {', '.join(map(str, missing))}"
        " (relative paths are read from the file's folder)"
    )
    if not given:
        where = (
            f"{experiment} names no [corpus] paths, and the default, 'seeds', is not in the "
            f"folder this command runs in ({Path.cwd()}); add [corpus] paths = [...]"
        )
    raise ValueError(where)


def _runs_named(name: str | None, runs_dir: str | Path) -> list[str]:
    """The ids of the runs in ``runs_dir`` named ``name`` (before a new one is written)."""
    if not name:
        return []
    from analysis.runs import list_runs

    return [str(m.get("run_id")) for m in list_runs(runs_dir) if m.get("name") == name]


def _note_reused_name(name: str | None, runs_dir: str | Path, taken: list[str]) -> None:
    """Say, once a run is written, that its name was taken: it no longer picks one run."""
    if taken:
        shown = ", ".join(taken[:3]) + (f" and {len(taken) - 3} more" if len(taken) > 3 else "")
        print(
            f"note: {len(taken)} other run(s) in {runs_dir} are named {name!r} ({shown}); "
            "refer to the new run by its id (a name shared by runs picks none of them)",
            file=sys.stderr,
        )


def _recorded_run(experiment: Path) -> str | None:
    """The id of the run whose ``config.toml`` ``experiment`` is (None for another file)."""
    if experiment.name != "config.toml":
        return None
    run_id = _run_meta(experiment).get("run_id")
    return str(run_id) if run_id else None


def _run_meta(experiment: Path) -> dict[str, Any]:
    """The ``run.json`` beside ``experiment`` ({} where there is none or it cannot be read)."""
    meta = experiment.parent / "run.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _recorded_topics(experiment: Path) -> list[Any] | None:
    """The topics a run's config.toml records (``[topic_definitions]``); None for another file
    or where they cannot be read."""
    from analysis.toml_file import read_toml
    from analysis.topics import TopicsError, topics_from_toml

    recorded = read_toml(experiment, "a config TOML file").get("topic_definitions")
    if not isinstance(recorded, dict) or not recorded:
        return None
    tables = {
        key: {k: v for k, v in table.items() if k != "key"}
        for key, table in recorded.items()
        if isinstance(table, dict)
    }
    try:
        return topics_from_toml({"topics": tables})
    except TopicsError:
        return None


def _topics_for_rerun(
    experiment: Path, config: Any, runs_dir: str | None, dry_run: bool = False
) -> Any:
    """A run's config.toml names its topics file; where that file is gone, the rerun uses the
    topics the run recorded (written beside the runs, in ``inputs/``, or for a dry run in a
    temporary folder); where the file no longer defines them, the rerun reads the file and
    says what changed."""
    from analysis.toml_file import read_toml
    from analysis.topics import TopicsError, load_topics, topics_sha256

    if experiment.name != "config.toml":  # not a run's config: a user may mean to define topics
        written = read_toml(experiment, "a config TOML file").get("topic_definitions")
        if written is not None:
            named = ", ".join(written) if isinstance(written, dict) else repr(written)
            where = config.topics.file or "the package's built-in topics file"
            print(
                f"warning: {experiment} has [topic_definitions] ({named}), which is what a run "
                "records of its topics (read when its config.toml is rerun), not where topics "
                f"are defined: they are not used, and the run reads {where}. To define topics "
                "of your own, write them in a topics file and name it as "
                '[topics] file = "FILE"'
                + (
                    f". Its [topics] threshold = {config.topics.threshold:g} is the one that run "
                    "used, which a run's config writes even where it was its stance model's "
                    "default: it is kept here, whatever this file's model; remove the line to "
                    "let the model choose its own"
                    if config.topics.threshold is not None
                    else ""
                ),
                file=sys.stderr,
            )
        return config
    recorded = _recorded_topics(experiment)
    if recorded is None:
        return config
    source = config.topics.file
    if source and not Path(source).exists():
        from analysis.config import dumps_toml

        text = dumps_toml({"topics": {t.key: _plain(t.to_dict()) for t in recorded}})
        if dry_run:  # nothing is written where runs are kept, nor left behind
            import atexit
            import shutil
            import tempfile

            folder = Path(tempfile.mkdtemp(prefix="viewpoints-topics-"))
            atexit.register(shutil.rmtree, folder, True)
        else:
            folder = Path(runs_dir or config.run.runs_dir) / "inputs"
            folder.mkdir(parents=True, exist_ok=True)
        saved = folder / f"topics-{topics_sha256(recorded)[:12]}.toml"
        saved.write_text(text, encoding="utf-8")
        print(
            f"note: the topics file {source} is gone; the rerun uses the {len(recorded)} "
            f"topics {experiment} records, saved as {saved}",
            file=sys.stderr,
        )
        return config.with_values(topics={"file": str(saved)})
    try:
        now = load_topics(source or None)
    except TopicsError:
        return config  # a broken topics file is reported by the run itself
    if topics_sha256(recorded) != topics_sha256(now):
        before = {t.key: t.to_dict() for t in recorded}
        after = {t.key: t.to_dict() for t in now}
        changes = [
            (f"added {', '.join(k for k in after if k not in before)}", set(after) - set(before)),
            (
                f"removed {', '.join(k for k in before if k not in after)}",
                set(before) - set(after),
            ),
            (
                "changed " + ", ".join(k for k in before if k in after and before[k] != after[k]),
                {k for k in before if k in after and before[k] != after[k]},
            ),
        ]
        said = "; ".join(text for text, keys in changes if keys) or "the same topics, reordered"
        where = source or "the package's built-in topics file"
        print(
            f"warning: {where} no longer defines the topics recorded in {experiment} "
            f"([topic_definitions]): {said}; the rerun uses its topics as they are now",
            file=sys.stderr,
        )
    return config


def _plain(definition: dict[str, Any]) -> dict[str, Any]:
    """A topic's fields as a topics file writes them: the key is the table's name, and
    optional fields left empty are left out."""
    return {k: v for k, v in definition.items() if k != "key" and v not in (None, [], "")}


def _runs_dir_for(given: str | None, config: Any, recorded: bool = False) -> str | None:
    """Where a new run goes when the command line or the environment says: ``--runs-dir``,
    else ``$VIEWPOINTS_RUNS_DIR`` unless the config file names a runs folder itself (a file's
    folder is resolved against the file, so only the built-in default is still "runs") and is
    not a run's recorded config (``recorded``); None leaves the config's."""
    from analysis.config import RunSection

    if given:
        return given
    from_env = os.environ.get("VIEWPOINTS_RUNS_DIR")
    if from_env and (recorded or config.run.runs_dir == RunSection.runs_dir):
        return from_env
    return None


def _check_ray_options(args: argparse.Namespace, config: Any) -> None:
    """--workers and --ray-address only mean something on Ray: given without it (even as
    --workers 0, the engine's default), they are refused rather than ignored."""
    given = [
        name
        for name, value in (("--workers", args.workers), ("--ray-address", args.ray_address))
        if value is not None
    ]
    if given and config.engine.name != "ray":
        raise CLIError(f'{", ".join(given)}: only with --engine ray (or [engine] name = "ray")')
    # a local Ray instance has this machine's CPUs: more workers are refused before Ray starts
    # (it took seconds, and the message named no file), as Ray would refuse them after
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = config.engine.workers
    if config.engine.name == "ray" and not config.engine.address and cpus and workers > cpus:
        source = getattr(args, "experiment", None) or getattr(args, "config", None)
        where = "--workers" if args.workers is not None else f"{source}: engine.workers"
        raise CLIError(
            f"{where}: expected at most the {cpus} CPUs of this machine, which a local Ray "
            f"instance has (each worker takes one), got {workers}"
        )


def _engine_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The [engine] keys the command line sets. With --engine local a file's Ray keys step
    aside (a --workers or --ray-address given beside it still fails validation)."""
    given = {"name": args.engine, "address": args.ray_address, "workers": args.workers}
    given = {k: v for k, v in given.items() if v is not None}
    return {"address": "", "workers": 0, **given} if args.engine == "local" else given


def cmd_compare(args: argparse.Namespace) -> int:
    from analysis.compare import compare_runs, load_for_comparison
    from analysis.terminal import format_comparison

    if args.top < 0:
        raise CLIError(f"expected --top to be 0 or more, got {args.top}")
    if args.changes < 0:
        raise CLIError(f"expected --changes to be 0 (every one) or more, got {args.changes}")
    a = load_for_comparison(args.run_a, args.runs_dir)
    b = load_for_comparison(args.run_b, args.runs_dir)
    if a.path.resolve() == b.path.resolve():
        print(f"note: run A and run B are the same run ({a.run_id})", file=sys.stderr)
    try:
        report = compare_runs(a, b, top_k=args.top, level="outlet" if args.outlets else "author")
    except ValueError as error:  # a run whose settings cannot make its outlets' positions
        raise CLIError(str(error)) from None
    if args.outlets:
        from analysis.outlets import sibling_groups_note

        counts = a.articles["outlet"].dropna().astype(str).value_counts().to_dict()
        moved = [e["author"] for e in report["overall"]["author_changes"]]
        if note := sibling_groups_note(moved, counts):
            print(f"note: {note}", file=sys.stderr)
    listed = args.changes or None
    print(
        json.dumps(report)
        if args.json
        else format_comparison(report, max_passages=args.top, max_changes=listed)
    )
    return 0


# Changes `compare` lists of each kind (sign flips, splits, status): a whole-corpus comparison
# printed over 1,000 status lines; the rest are counted, and --json keeps them all
DEFAULT_CHANGES_LISTED = 40
ROBUSTNESS_LABEL_CHARS = 24  # a run name longer than this is a letter in robustness' lines


def _model_scores(run: Any) -> Any:
    """For a run recomputed with corrections, the scores of the model's run it came from
    (None for a model's run, or where that run is gone)."""
    from analysis.corrections.apply import source_run_if_kept
    from analysis.runs import load_run

    path = source_run_if_kept(run)
    return None if path is None else load_run(str(path)).scores


def cmd_robustness(args: argparse.Namespace) -> int:
    from analysis.compare import robustness
    from analysis.config import AnalysisConfig
    from analysis.pipeline import analyze
    from analysis.runs import load_run
    from analysis.terminal import format_robustness

    runs = [load_run(spec, args.runs_dir) for spec in args.runs]
    if args.template and not args.experiment:
        raise CLIError("--template needs --experiment (the experiment to rerun per template)")
    variants: list[tuple[str, str]] = []  # the experiment as is, then each template
    if args.experiment:
        base = AnalysisConfig.from_toml(args.experiment)
        if args.template and base.models.stance != "stance.nli.v1":
            raise CLIError(
                f"--template sets NLI hypotheses: expected an experiment with stance = "
                f'"stance.nli.v1", got {base.models.stance!r} in {args.experiment}'
            )
        variants.append(("", ""))
        for text in args.template:
            favor, _, against = text.partition("|")
            if not favor.strip() or not against.strip():
                raise CLIError(
                    f"expected --template 'FAVOR TEMPLATE|AGAINST TEMPLATE', got {text!r}"
                )
            variants.append((favor.strip(), against.strip()))
    if len(runs) + len(variants) < 2:  # before any analysis, so that none is left behind
        raise CLIError("expected at least two runs (RUN ids, or --experiment with --template)")
    for favor, against in variants:
        # named as `viewpoints run` names an experiment's run: its own name, else the file's
        name = base.run.name or Path(args.experiment).stem
        config = base.with_values(
            run={"name": name, **({"runs_dir": args.runs_dir} if args.runs_dir else {})},
            models={"cache": args.cache} if args.cache is not None else {},
        )
        if favor:
            # The command line's templates win over the topics file's per-topic ones.
            config = config.with_values(
                models={
                    "stance_options": {
                        **config.models.stance_options,
                        "favor_template": favor,
                        "against_template": against,
                        "topic_templates": False,
                    }
                },
                run={"name": f"{name}: {favor} | {against}"},
            )
        result = analyze(config, progress=not args.quiet, quiet=args.quiet)
        runs.append(load_run(str(result.path), args.runs_dir))
    # runs named by their names where those tell them apart and are short (every pair line
    # repeats them: a recomputed run's "NAME + corrections DATE TIME" would fill the line);
    # else A, B, C..., each listed with its run in the header
    names = [str(run.meta.get("name") or run.run_id) for run in runs]
    if len(set(names)) == len(names) and all(len(n) <= ROBUSTNESS_LABEL_CHARS for n in names):
        labels = names
    else:
        labels = [chr(ord("A") + i) if i < 26 else f"R{i + 1}" for i in range(len(runs))]
    report = robustness(runs, labels, measure=args.measure)
    print(json.dumps(report) if args.json else format_robustness(report))
    return 0


def cmd_compare_authors(args: argparse.Namespace) -> int:
    from analysis.config import MAX_RESAMPLES
    from analysis.differences import author_differences
    from analysis.runs import load_run
    from analysis.terminal import format_differences

    for name, value in (("--permutations", args.permutations), ("--bootstrap", args.bootstrap)):
        if not 99 <= value <= MAX_RESAMPLES:
            raise CLIError(f"expected {name} from 99 to {MAX_RESAMPLES:,}, got {value}")
    _check_seed(args.seed)
    run = load_run(args.run, args.runs_dir)
    diffs = author_differences(
        run,
        args.authors,
        topics=_topic_keys(run, args.topic) if args.topic else None,
        n_boot=args.bootstrap,
        n_permutations=args.permutations,
        seed=args.seed,
        level="outlet" if args.outlets else "author",
        measures=[args.measure] if args.measure else ("stance", "tone"),
    )
    from analysis.intervals import INTERVAL_METHOD
    from analysis.news_accuracy import (
        accuracy_for_run,
        finds_no_against,
        no_against_lead,
        run_settings,
        trust_record,
    )

    if args.outlets:
        _sibling_notes(run, [u for d in diffs for u in (d.a, d.b)])
    else:
        _note_older_units(run)
    shown = {d.topic for d in diffs}
    tested = [t for t in run.info.topics if t.key in shown]
    trust = trust_record(run.meta, tested, run_settings(run.info))
    if args.json:
        tests = [d.to_dict() for d in diffs]
        print(
            json.dumps(
                {
                    "run_id": run.run_id,
                    "level": "outlet" if args.outlets else "author",
                    "interval_method": INTERVAL_METHOD,
                    "tests": tests,
                    **trust,
                }
            )
        )
    else:
        level = "outlet" if args.outlets else "author"
        from analysis.terminal import models_note

        print(f"run {run.run_id}; {models_note(run.info)}")
        print(format_differences(diffs, run.info.topic_labels(), level))
        unmeasured = trust["topics_not_measured"]
        if not trust["stance_model_measured_on_news"] and tested:
            print(
                "note: this run's stance model was not measured on labelled news: a difference "
                "may be one the model makes, not the authors (read the evidence)"
            )
        elif unmeasured:
            print(
                f"note: the stance model was not measured on {', '.join(unmeasured)}: a "
                "difference there may be one the model makes, not the authors (read the "
                "evidence)"
            )
        accuracy = accuracy_for_run(run.meta.get("models"))
        if accuracy is not None and finds_no_against(accuracy) and args.measure != "tone":
            print(
                f"note: {no_against_lead(accuracy, 'x')}: a stance difference may be the "
                "model's, not the authors' (read the evidence)"
            )
        if other := trust["measured_with_other_settings"]:
            print(
                "note: the stance model's figures on labelled news were measured with other "
                f"settings than this run's ({'; '.join(other)}): they may not hold for it"
            )
    return 0


def _note_older_units(run: Any) -> None:
    """On stderr, where the run's stored author units differ from today's byline rules."""
    from analysis.bylines import units_note

    note = units_note(run)
    if note:
        print(f"note: {note}", file=sys.stderr)


def _sibling_notes(run: Any, outlets: list[str]) -> None:
    """A note on stderr for each outlet compared that the corpus also files under other names
    (Fox News, Fox Online News, Fox News Opinion...): its numbers are that section's only."""
    from analysis.outlets import members, newsroom_notes

    counts = members(run.articles)["group"].astype(str).value_counts().to_dict()
    for note in newsroom_notes(outlets, counts):
        print(f"note: {note}", file=sys.stderr)


def _topic_keys(run: Any, given: list[str]) -> list[str]:
    """The run's topic keys for ``--topic`` values, each a key or a label (case and spacing
    aside): pages show labels, so a user may know only those. Nothing given: every topic."""
    from analysis.topics import folded

    known = list(dict.fromkeys(run.positions["topic"].astype(str)))
    labels = run.info.topic_labels()
    if not given:
        return known
    by_name: dict[str, set[str]] = {}
    for key in known:
        for name in (key, labels.get(key, key)):
            by_name.setdefault(folded(name), set()).add(key)
    keys, unknown = [], []
    for value in given:
        found = by_name.get(folded(value), set())
        if len(found) > 1:
            raise CLIError(f"--topic {value!r} names several topics ({sorted(found)}): give a key")
        if found:
            keys.append(next(iter(found)))
        else:
            unknown.append(value)
    if unknown:
        listed = ", ".join(f"{k} ({labels.get(k, k)})" for k in known)
        raise CLIError(f"expected topics among {listed} (a key or a label), got {unknown}")
    return list(dict.fromkeys(keys))


def cmd_shift(args: argparse.Namespace) -> int:
    from analysis.bylines import membership
    from analysis.runs import load_run
    from analysis.shifts import author_shift, with_q_values
    from analysis.terminal import format_shift

    _check_seed(args.seed)
    run = load_run(args.run, args.runs_dir)
    topics = _topic_keys(run, args.topic or [])
    measures = [args.measure] if args.measure else ["stance", "tone"]
    level = "outlet" if args.outlets else "author"
    if args.outlets:
        from analysis import outlets

        members = outlets.members(run.articles)
    else:
        members = membership(run.articles, run.info.known_rosters)
    shifts = with_q_values(
        [
            author_shift(
                run,
                args.author,
                t,
                m,
                split_date=args.date,
                seed=args.seed,
                members=members,
                level=level,
            )
            for t in topics
            for m in measures
        ]
    )
    if args.outlets:
        _sibling_notes(run, [s.author for s in shifts])
    if args.json:
        from analysis.intervals import INTERVAL_METHOD

        shown = [s.to_dict() for s in shifts]
        print(
            json.dumps(
                {
                    "run_id": run.run_id,
                    "level": level,
                    "interval_method": INTERVAL_METHOD,
                    "shifts": shown,
                }
            )
        )
    else:
        from analysis.terminal import models_note

        labels = run.info.topic_labels()
        print(f"run {run.run_id}; {models_note(run.info)}")
        print("\n".join(format_shift(s, labels.get(s.topic)) for s in shifts))
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from analysis.runs import list_runs

    runs = list_runs(args.runs_dir)
    if not runs:
        missing = "" if Path(args.runs_dir).is_dir() else " (no such folder)"
        print(
            f"no runs in {args.runs_dir}{missing}: run `viewpoints analyze PATH` first",
            file=sys.stderr,
        )
        if args.json:
            print("[]")  # --json always prints one JSON value
        return 0
    if args.json:  # what the table marks in words, for a script that picks runs
        from analysis.runs import damaged_files, missing_files

        for meta in runs:
            folder = Path(str(meta["path"])) if meta.get("path") else None
            meta["folder"] = folder.name if folder else None
            meta["missing_files"] = missing_files(folder) if folder else []
            meta["damaged_files"] = damaged_files(folder, optional=True) if folder else []
    return _emit(runs, args.json, "format_runs")


def cmd_show(args: argparse.Namespace) -> int:
    from analysis.report import positions_json
    from analysis.runs import load_run
    from analysis.terminal import format_positions

    if args.evidence < 0:
        raise CLIError(f"expected --evidence N >= 0, got {args.evidence}")
    if args.all and args.discussed:
        raise CLIError("--all and --discussed ask for opposite things; give one")
    run = load_run(args.run, args.runs_dir)
    from analysis.aggregate import position_rules_note

    period = _period_of(args)
    stored = period is None and args.level != "outlet"  # the others are made afresh, today
    if stored and (old := position_rules_note(run.meta)):  # as the pages say too
        print(f"note: {old}", file=sys.stderr)
    if period is not None:
        run = _with_period_positions(run, args.level, period)
    elif args.level == "outlet":
        run = _with_outlet_positions(run)
    elif args.level == "author":
        _note_older_units(run)
    silent_left_out = 0
    if not (args.json or args.all or args.discussed or args.author):
        # a long table of units that discuss nothing buries the few that do
        silent_left_out = _silent_units_beyond(run, args.level, args.topic)
    if args.author or args.topic or args.discussed or silent_left_out:
        discussed = args.discussed or bool(silent_left_out)
        run = _selected_positions(run, args.level, args.author, args.topic, discussed)
        if run.positions.empty:
            print(
                "nothing to show: "
                + (
                    "none of them discusses these topics (leave out --discussed to see them)"
                    if args.discussed
                    else "no position matches these filters"
                ),
                file=sys.stderr,
            )
    if args.json:
        shown = positions_json(run, args.level, args.evidence)
        if period is not None:  # positions made again over it, not the stored ones
            shown["period"] = {
                "from": None if args.date_from is None else period.first.isoformat(),
                "to": None if args.date_to is None else period.last.isoformat(),
                "undated": False,
            }
        print(json.dumps(shown, ensure_ascii=False))
    else:
        width = None if args.wide else _terminal_columns()
        print(format_positions(run, level=args.level, evidence=args.evidence, width=width))
        if silent_left_out:
            noun = {"article": "articles", "outlet": "outlets"}.get(args.level, "authors")
            print(
                f"({silent_left_out:,} {noun} that discuss none of the topics shown left out; "
                "--all lists them)"
            )
    return 0


SHOW_ALL_UP_TO = 40  # units `show` lists whole; beyond, only those that discuss a topic


def _silent_units_beyond(run: Any, level: str, topics: list[str]) -> int:
    """How many units `show` leaves out by default: those that discuss none of the ``topics``
    (all where none are given), where the table would list more than :data:`SHOW_ALL_UP_TO`;
    0 where it lists them all."""
    from analysis.runs import GROUP_LEVELS

    table = run.positions[run.positions["level"] == level]
    if topics:
        table = table[table["topic"].isin(_topic_keys(run, topics))]
    unit = "author" if level in GROUP_LEVELS else "article_id"
    units = table[unit].nunique()
    if units <= SHOW_ALL_UP_TO:
        return 0
    return units - table.loc[table["status"] == "discussed", unit].nunique()


def _add_period(parser: argparse.ArgumentParser) -> None:
    """``--from``/``--to``: positions over the dated articles of a period, as the dashboard's
    date range makes them."""
    parser.add_argument(
        "--from",
        dest="date_from",
        default=None,
        help="positions over the dated articles from this day (YYYY-MM-DD): authors' and "
        "outlets' made again over them, as the dashboard's date range does",
    )
    parser.add_argument(
        "--to", dest="date_to", default=None, help="...and up to this day (YYYY-MM-DD)"
    )


def _period_of(args: argparse.Namespace) -> Any:
    """The period ``--from``/``--to`` give, or None (a bad day is one error line)."""
    from analysis.periods import period_from_days

    try:
        return period_from_days(args.date_from, args.date_to)
    except ValueError as error:
        raise CLIError(str(error)) from None


def _with_period_positions(run: Any, level: str, period: Any) -> Any:
    """A copy of ``run`` whose positions at ``level`` are those over ``period``
    (:func:`analysis.periods.positions_within`), said on stderr."""
    from analysis.periods import period_note, positions_within

    within = _with_positions(run, lambda: positions_within(run, level, period))
    print(f"note: {period_note(period)}", file=sys.stderr)
    return within


def _with_outlet_positions(run: Any) -> Any:
    """A copy of ``run`` whose positions are its outlets' (:mod:`analysis.outlets`)."""
    from analysis.outlets import run_outlet_positions

    return _with_positions(run, lambda: run_outlet_positions(run))


def _with_positions(run: Any, made: Any) -> Any:
    """A copy of ``run`` whose positions are the table ``made()`` makes from it (a run whose
    settings cannot be read: one error line)."""
    import copy

    try:
        table = made()
    except ValueError as error:
        raise CLIError(str(error)) from None
    copied = copy.copy(run)
    copied.positions = table.reset_index(drop=True)
    return copied


def _selected_positions(
    run: Any, level: str, authors: list[str], topics: list[str], discussed: bool
) -> Any:
    """A copy of ``run`` whose positions keep only the given authors (names matched as
    ``compare-authors`` matches them; at article level, their articles), the given topics (keys
    or labels), and with ``discussed`` only the units that discuss one of those topics."""
    import copy

    from analysis.bylines import match_group, membership
    from analysis.outlets import match_unit
    from analysis.runs import GROUP_LEVELS

    table = run.positions[run.positions["level"] == level]
    table = table[table["topic"].isin(_topic_keys(run, topics))]
    if authors and level in GROUP_LEVELS:  # the names the run's positions carry
        names = table["author"].astype(str)
        chosen = {match_unit(run, name, set(names), level) for name in authors}
        table = table[names.isin(chosen)]
    elif authors:
        members = membership(run.articles, run.info.known_rosters)
        groups = members["group"].astype(str)
        chosen = {match_group(name, groups, run.run_id) for name in authors}
        articles = set(members.loc[groups.isin(chosen), "article_id"])
        table = table[table["article_id"].isin(articles)]
    if discussed:
        unit = "author" if level in GROUP_LEVELS else "article_id"
        speaking = set(table.loc[table["status"] == "discussed", unit])
        table = table[table[unit].isin(speaking)]
    selected = copy.copy(run)
    selected.positions = table
    return selected


def _terminal_columns() -> int | None:
    """The width ``show`` fits: the terminal's where stdout is one, else ``$COLUMNS`` where
    the environment sets it (a pipe or a file with no ``$COLUMNS`` gets the whole table)."""
    import shutil

    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def _check_export_target(name: str) -> None:
    """Refuse an ``--out`` that cannot be written as a file, in words, before any work."""
    from analysis.runs import RUN_FILE_NAMES

    shown = name if len(name) <= 80 else f"{name[:60]}...{name[-15:]}"
    if not name.strip():
        raise CLIError("--out is empty; expected a file name")
    out = Path(name)
    try:
        if out.is_dir():
            raise CLIError(f"--out {shown} is a folder; expected a file name")
        if out.exists() and not out.is_file():
            raise CLIError(f"--out {shown} is not a regular file; expected a file name")
        if not out.parent.is_dir():
            raise CLIError(f"--out {shown}: no folder {out.parent}")
        if (out.parent / "run.json").is_file() and out.name in RUN_FILE_NAMES:
            # a run's own file overwritten would leave the run damaged; another file beside
            # them (an earlier export) is the user's
            raise CLIError(
                f"--out {shown} is a file of the run folder {out.parent}: writing it would "
                "damage the run; expected a file outside it, or a new name"
            )
    except OSError as err:  # a name too long for the file system, a folder not readable
        raise CLIError(f"--out {shown}: {err.strerror or err}") from None


def cmd_export(args: argparse.Namespace) -> int:
    from analysis.export import export_table, resolve_format
    from analysis.runs import load_run

    if args.out == "-":  # the usual name for standard output
        args.out = None
    try:
        fmt = resolve_format(args.format, args.out)
    except ValueError as error:
        raise CLIError(str(error)) from None
    if args.out is not None:  # checked before anything is written, the sidecar included
        _check_export_target(args.out)
    elif fmt == "parquet" and sys.stdout.isatty():
        raise CLIError("Parquet is binary: expected --out FILE, or a pipe, not a terminal")
    if args.outlets and args.what != "positions":
        raise CLIError(f"--outlets: only with --what positions, got --what {args.what}")
    period = _period_of(args)
    if period is not None and args.what != "positions":
        raise CLIError(f"--from/--to: only with --what positions, got --what {args.what}")
    run = load_run(args.run, args.runs_dir)
    if period is not None:
        from analysis.periods import period_note

        print(f"note: {period_note(period)}", file=sys.stderr)
    rows = export_table(run, args.what, fmt, args.out, outlets=args.outlets, period=period)
    if rows == 0:
        why = "no dated article falls in the period" if period is not None else "the table is empty"
        print(f"note: no rows to export: {why}", file=sys.stderr)
    if args.out:
        print(f"wrote {args.out} ({rows:,} rows)", file=sys.stderr)
    elif fmt != "parquet":  # Parquet keeps it in the file's metadata
        print(
            "note: written to standard output without its provenance (--out FILE writes it "
            "beside the file, FILE.provenance.json)",
            file=sys.stderr,
        )
    return 0


def cmd_recompute(args: argparse.Namespace) -> int:
    from analysis.corrections import (
        SameRecomputation,
        corrections_dir,
        model_run,
        read_corrections,
        recompute,
    )
    from analysis.runs import load_run, resolve_run

    if args.min_examples is not None and not args.calibrate:
        raise CLIError("--min-examples: only with --calibrate")
    given = load_run(args.run, args.runs_dir)
    run = model_run(given)
    if run is not given:
        print(
            f"run {given.run_id} is itself recomputed with corrections: starting again from "
            f"the model's run {run.run_id}",
            file=sys.stderr,
        )
    folder = corrections_dir(args.corrections_dir)
    if not folder.exists():
        raise CLIError(f"no corrections at {folder} (set --corrections-dir)")
    corrections = read_corrections(folder, strict=False)  # a line edited by hand: skipped, said
    if not corrections:
        raise CLIError(
            f"no corrections in {folder}: save some on the dashboard or with `viewpoints "
            "correct` first (nothing to recompute)"
        )
    taken = _runs_named(args.name, args.runs_dir)
    try:
        path = recompute(
            run,
            corrections,
            args.runs_dir,
            calibrate=args.calibrate,
            min_examples=10 if args.min_examples is None else args.min_examples,
            name=args.name,
            corrections_source=str(folder),
        )
    except SameRecomputation as same:
        # done already: the run that holds these corrections is the answer (as a script that
        # recomputes after every batch of corrections expects), not an error
        print(str(same), file=sys.stderr)
        print(resolve_run(same.run_id, args.runs_dir))
        return 0
    # in place: a Ctrl-C while what moved is told (it reads both runs) leaves it complete
    written = getattr(args, "written_runs", None)
    if written is not None:
        written.append(path)
    _note_reused_name(args.name, args.runs_dir, taken)
    meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
    counts = meta["corrections"]
    others = counts.get("other_topics") or 0
    elsewhere = counts.get("other_topic_keys") or []
    details = [
        (counts["removed"], "passage(s) taken off a topic"),
        (counts["added"], "passage(s) added to a topic"),
        (
            counts.get("pending", 0),
            "passage(s) marked relevant pending: each counts once it also has the stance it "
            f"counts toward and a tone ({counts.get('waiting', 0)} corrections wait on that)",
        ),
        (counts["unmatched"], "on text not in this run"),
        (
            counts.get("no_effect", 0),
            "without effect (on passages this run does not count for that topic, on the "
            "author's stance of a quote, or on a quoted voice's stance of the author's words)",
        ),
        (others, f"more on topics this run does not have ({', '.join(elsewhere)})"),
        (
            counts.get("shared_text", 0),
            "applied to more than one passage, as their text is in several places of the run "
            f"({counts.get('shared_passages', 0)} passages in all, perhaps other authors': a "
            "correction goes by the passage's text)",
        ),
    ]
    said = "; ".join(f"{n} {what}" for n, what in details if n)
    print(
        f"applied {counts['applied']} of {counts['in_force']} corrections in force on this run's "
        f"topics" + (f": {said}" if said else ""),
        file=sys.stderr,
    )
    _moved_positions(run, path)
    for task, info in meta.get("calibration", {}).items():
        if info.get("temperature") is None:
            print(
                f"{task}: not calibrated ({info['reason']}; have {info['n']}): the new run "
                "applies the corrections, with the model's probabilities as they were",
                file=sys.stderr,
            )
        else:
            print(
                f"{task}: temperature {info['temperature']:.3f} on {info['n']} examples "
                f"(NLL {info['nll_before']:.3f} -> {info['nll_after']:.3f})"
                + (f"; warning: {info['warning']}" if info.get("warning") else ""),
                file=sys.stderr,
            )
    print(path)
    return 0


MOVED_SHOWN = 5  # author changes a recompute names; `compare` lists 40 of each kind


def _moved_positions(run: Any, path: Path) -> None:
    """On stderr: how many author positions a recompute moved (sign, interval, discussed or
    kind of stance, as `compare` finds them), the first named
    (:func:`analysis.compare.moved_positions`); regrouped authors' changes counted apart."""
    from analysis.bylines import units_note
    from analysis.compare import DEFAULT_ZERO_BAND as band
    from analysis.compare import load_for_comparison, moved_positions
    from analysis.terminal import change_line

    new = load_for_comparison(path)
    moved, regrouped = moved_positions(run, new)  # the model's run, already read
    compare = f"viewpoints compare {run.run_id} {new.run_id} --changes 0"
    if regrouped:
        note = units_note(run) or f"run {run.run_id} groups some authors otherwise"
        print(
            f"note: {note}; recompute reads bylines by today's rules, so {regrouped} author "
            f"position change(s) come from authors regrouped, not from the corrections "
            f"({compare} lists them)",
            file=sys.stderr,
        )
    if not moved:
        # a value moving within overlapping intervals is not one (a review read it so)
        print(
            f"no author position changes sign (from above +{band:g} to below -{band:g} or "
            "back; a move out of or into that band around 0 is not counted), moves to an "
            "interval that no longer overlaps its old one, or changes status or kind of "
            "stance (smaller moves are not counted: `viewpoints show` of each run gives the "
            "values)",
            file=sys.stderr,
        )
        return
    print(
        f"{len(moved)} author position change(s) (sign, interval, discussed or kind of "
        f"stance; {compare} lists them all), e.g.:",
        file=sys.stderr,
    )
    labels = run.info.topic_labels()
    for e in moved[:MOVED_SHOWN]:
        print(f"  {change_line(e, labels)}", file=sys.stderr)


def _gated_out(run: Any, passage_id: str, topic: str) -> str | None:
    """Where the run's topic head left a passage out of ``topic``: what it said, in words."""
    from analysis.runs import read_gated_out

    table = read_gated_out(run.path, ["passage_id", "topic", "relevance", "on_topic"])
    if table is None:
        return None
    hit = table[(table["passage_id"].astype(str) == passage_id) & (table["topic"] == topic)]
    if not len(hit):
        return None
    row = hit.iloc[0]
    return (
        f"the model found passage {passage_id} near {topic} (relevance {row['relevance']:.2f}) "
        f"but its topic head left it out (P(on topic) {row['on_topic']:.2f}, under the gate)"
    )


def cmd_corrections(args: argparse.Namespace) -> int:
    from analysis.corrections import WITHDRAWN, CorrectionStore, corrections_dir, latest

    folder = corrections_dir(args.corrections_dir)
    if folder.exists() and not folder.is_dir():
        raise CLIError(f"--corrections-dir {folder} is a file; expected a folder")
    if not folder.exists():
        print(f"no corrections folder at {folder} (yet)", file=sys.stderr)
    store = CorrectionStore(folder)
    history = store.history()
    current = latest(history)
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for c in current:
        cell = counts.setdefault(c.topic, {}).setdefault(c.task, {"n": 0, "changed": 0})
        cell["n"] += 1
        cell["changed"] += int(c.changed)
    report = {
        "folder": str(store.folder),
        "saved": len(history),
        # of those saved, the records that took a label back (correct --withdraw, Withdraw)
        "withdrawals": sum(c.label == WITHDRAWN for c in history),
        "in_force": len(current),
        "by_topic": counts,
        "skipped_lines": store.skipped_lines(),
    }
    if args.list:  # each one, to review what was said (and withdraw with `correct`)
        keep = ("time", "topic", "task", "label", "model_label", "passage_id", "run_id", "text")
        report["corrections"] = [
            {k: c.to_dict()[k] for k in keep}
            for c in current[::-1]  # latest(): time order
        ]
    return _emit(report, args.json, "format_corrections")


def _withdraw(
    args: argparse.Namespace,
    run: Any,
    pid: str,
    topic: str,
    existing: Mapping[str, Any],
    store: Any,
) -> int:
    """``correct --withdraw``: the analyst's corrections in force on the passage and topic
    withdrawn (records appended; nothing is rewritten)."""
    from analysis.corrections.build import withdrawals
    from analysis.labels import TASK_WORDS

    records = withdrawals(existing, run.run_id)
    path = store.append(records) if records else None
    if args.json:
        print(
            json.dumps(
                {
                    "run_id": run.run_id,
                    "passage_id": pid,
                    "topic": topic,
                    "file": None if path is None else str(path),
                    "withdrawn": {t: c.label for t, c in sorted(existing.items())},
                }
            )
        )
        return 0
    if not records:
        print(
            f"nothing to withdraw: passage {pid} on {topic} has no correction of yours in "
            f"force (in {store.folder})",
            file=sys.stderr,
        )
        return 0
    from analysis.corrections import latest

    said = "; ".join(f"{TASK_WORDS[t]} {c.label}" for t, c in sorted(existing.items()))
    left = latest(store.history())
    print(
        f"withdrew in {path}: passage {pid} on {topic}: {said}; the model's readings count "
        + (
            f"again in a recomputed run: viewpoints recompute {args.run}"
            if left
            else "again: no correction of yours is left in force, so the model's run reads "
            "every passage as the model does (nothing to recompute)"
        ),
        file=sys.stderr,
    )
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from analysis.corrections import SPEAKER, CorrectionStore, corrections_dir, latest
    from analysis.corrections.build import (
        counted_stance,
        existing_for,
        index_of,
        labelled_corrections,
        passage_row,
    )
    from analysis.labels import TASK_WORDS
    from analysis.records import is_missing
    from analysis.runs import load_run

    given = {
        task: label
        for task, label in (("stance", args.stance), (SPEAKER, args.quoted), ("tone", args.tone))
        if label is not None
    }
    if args.relevance is not None:
        given["topic"] = args.relevance
    if args.withdraw and (given or args.confirm):
        raise CLIError(
            "--withdraw takes back your corrections on the passage and topic: give it alone, "
            "not with labels or --confirm"
        )
    if not given and not args.confirm and not args.withdraw:
        raise CLIError(
            "nothing to save: give --stance, --quoted, --tone, --relevant or --not-relevant "
            "(or --confirm to record the model's labels as right)"
        )
    run = load_run(args.run, args.runs_dir)
    pid = str(args.passage_id)
    if not (run.passages["passage_id"].astype(str) == pid).any():
        raise CLIError(
            f"run {run.run_id} has no passage {pid!r}: evidence lines end with passage ids "
            f"(viewpoints show {args.run} --evidence 3)"
        )
    scored = run.scores.loc[run.scores["passage_id"].astype(str) == pid, "topic"].astype(str)
    if args.topic is not None:
        topic = _topic_keys(run, [args.topic])[0]
    elif scored.nunique() == 1:
        topic = scored.iloc[0]
    else:
        labels = run.info.topic_labels()
        on = sorted(set(scored)) or list(labels)
        listed = ", ".join(f"{k} ({labels.get(k, k)})" for k in on)
        said = "is scored on several topics" if len(scored) else "is scored on no topic"
        raise CLIError(f"passage {pid} {said}: give --topic, one of {listed}")
    row = passage_row(run.passages, run.scores, pid, topic)
    if is_missing(row.get("relevance")):  # taken off the topic by a correction? (read if so)
        row = passage_row(run.passages, run.scores, pid, topic, _model_scores(run))
    folder = corrections_dir(args.corrections_dir)
    if folder.exists() and not folder.is_dir():
        raise CLIError(f"--corrections-dir {folder} is a file; expected a folder")
    store = CorrectionStore(folder)
    existing = existing_for(row, index_of(latest(store.history())))
    if args.withdraw:
        return _withdraw(args, run, pid, topic, existing, store)
    try:
        records = labelled_corrections(
            row, given, run.info, run.run_id, existing, confirm=args.confirm
        )
    except ValueError as err:
        raise CLIError(f"passage {pid} on {topic}: {err}") from None
    path = store.append(records) if records else None
    in_force = {**{t: c.label for t, c in existing.items()}, **{r.task: r.label for r in records}}
    counts_toward = counted_stance(row, run.info.aggregation.include_reported)
    waiting = [task for task in (counts_toward, "tone") if task not in in_force]
    unscored = is_missing(row.get("relevance"))
    pending = unscored and in_force.get("topic") == "relevant" and waiting
    report = {
        "run_id": run.run_id,
        "passage_id": pid,
        "topic": topic,
        "file": None if path is None else str(path),
        "saved": [r.to_dict() for r in records],
        "in_force": in_force,
        "pending": bool(pending),
    }
    if args.json:
        print(json.dumps(report))
        return 0
    if not records:
        print(f"nothing new: passage {pid} on {topic} already has these labels", file=sys.stderr)
        return 0
    if unscored and (gated := _gated_out(run, pid, topic)):
        print(f"note: {gated}", file=sys.stderr)
    unknown = (  # a recomputed run's label whose correction is in another folder
        "not scored" if unscored else "unknown: this run holds a correction not in this folder"
    )
    said = [
        f"{TASK_WORDS[r.task]} {r.label} "
        + ("(the model's, confirmed)" if not r.changed else f"(model: {r.model_label or unknown})")
        + (  # a new answer supersedes the earlier one: say which
            f", replacing your earlier {existing[r.task].label}"
            if r.task in existing and existing[r.task].label != r.label
            else ""
        )
        for r in records
    ]
    print(f"saved to {path}: passage {pid} on {topic}: {'; '.join(said)}", file=sys.stderr)
    saved_tasks = {r.task for r in records}
    kept = [  # given, but already the label in force: nothing written for them
        f"{TASK_WORDS[t]} {label} ("
        + ("your earlier correction" if t in existing else "the model's; --confirm records it")
        + ")"
        for t, label in given.items()
        if t not in saved_tasks
    ]
    if kept:
        print(f"already in force, not saved again: {'; '.join(kept)}", file=sys.stderr)
    if pending:
        flags = {"stance": "--stance", SPEAKER: "--quoted", "tone": "--tone"}
        print(
            f"the model did not score this passage on {topic}: it counts there once it also "
            f"has {' and '.join(flags[t] for t in waiting)}",
            file=sys.stderr,
        )
    default_runs = os.environ.get("VIEWPOINTS_RUNS_DIR", "runs")
    moves = any(r.changed for r in records)
    print(
        (
            "positions change in a recomputed run"
            if moves  # a confirmation is applied as certain: P(favor) 0.55 counts as 1
            else "confirmed: a recomputed run counts these labels as certain, so its values "
            "can still move a little"
        )
        + f": viewpoints recompute {args.run}"
        + (f" --runs-dir {args.runs_dir}" if args.runs_dir != default_runs else "")
        + (f" --corrections-dir {folder}" if args.corrections_dir else ""),
        file=sys.stderr,
    )
    return 0


def _emit(data: Any, as_json: bool, renderer: str) -> int:
    """Print ``data`` as one JSON object, or as text for people (``analysis.terminal``'s
    ``renderer``, imported only then)."""
    if as_json:
        print(json.dumps(data))
    else:
        from analysis import terminal

        print(getattr(terminal, renderer)(data))
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    import subprocess
    from pathlib import Path

    from dashboard.serve import server_command  # `streamlit run`, the pages' modules loaded

    app = Path(__file__).resolve().parent.parent / "dashboard" / "streamlit_app.py"
    if not app.is_file():
        raise CLIError(f"the dashboard is not installed here (expected {app})")
    env = {**os.environ, "VIEWPOINTS_RUNS_DIR": str(Path(args.runs_dir).resolve())}
    command = server_command(args.port, args.runs_dir, corrections_dir=args.corrections_dir)
    if not port_is_free(args.port):
        raise CLIError(
            f"port {args.port} is in use; choose another with --port (with make: PORT=N)"
        )
    child = subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    print(f"dashboard on http://localhost:{args.port} (runs from {args.runs_dir})", file=sys.stderr)
    try:
        return child.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:  # the dashboard stops with the command
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def port_is_free(port: int) -> bool:
    """Whether nothing listens on ``port`` (as the dashboard binds it: all interfaces)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("", port))
        except OSError:
            return False
    return True


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """In the dashboard's process: get SIGTERM if the command dies without cleaning up."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _check_seed(seed: int) -> None:
    if seed < 0:
        raise CLIError(f"expected --seed to be an integer >= 0, got {seed}")


def _add_test_options(parser: argparse.ArgumentParser, handler: Callable[..., int]) -> None:
    """What the statistical commands (compare-authors, shift) share."""
    parser.add_argument("--topic", action="append", default=[], help="only this topic (repeatable)")
    parser.add_argument(
        "--outlets",
        action="store_true",
        help="the names are outlets, each over all the articles it published, signed or not "
        "(without it: authors, and outlet groups of unsigned articles)",
    )
    parser.add_argument("--seed", type=int, default=0, help="resampling seed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    _add_runs_dir(parser)
    parser.set_defaults(handler=handler)


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    """--engine, --ray-address and --workers: where relevance and scoring run ([engine])."""
    parser.add_argument(
        "--engine",
        choices=["local", "ray"],
        default=None,
        help="local (default): this process; ray: relevance and scoring on Ray Data actors "
        "(needs Ray: pip install 'ray[data]>=2.50,<3')",
    )
    parser.add_argument(
        "--ray-address",
        default=None,
        help="with --engine ray: the cluster to join ('auto', 'HOST:6379'); "
        "default: start a local Ray instance with this machine's cores",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="with --engine ray: actors per model stage, one CPU each (default, or 0: every CPU)",
    )


def _add_run_outputs(parser: argparse.ArgumentParser) -> None:
    """--dry-run and --json, shared by analyze and run."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the cost estimate (a measured warm-up) and stop",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout (the run, or with --dry-run the estimate)",
    )


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bars (shown only on a terminal) and no stage, cache, reading or "
        "estimate lines, nor the estimate's warm-up (a dry run still prints its estimate); "
        "warnings and notes stay",
    )


def _add_runs_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runs-dir",
        default=os.environ.get("VIEWPOINTS_RUNS_DIR", "runs"),
        help="where runs live (default: ./runs, or $VIEWPOINTS_RUNS_DIR)",
    )


def _add_corrections_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corrections-dir",
        "--corrections",
        dest="corrections_dir",
        default=None,
        help="the corrections folder (default: ./corrections, or $VIEWPOINTS_CORRECTIONS_DIR)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="viewpoints", description="Compare authors' stance and tone on topics."
    )
    parser.add_argument("--version", action="version", version=f"viewpoints {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser(
        "evaluate",
        help="score a model on labelled passages, or a run on labelled articles (--level article)",
    )
    ev.add_argument(
        "--level",
        default="passage",
        choices=["passage", "article"],
        help="passage: a model on labelled passages (needs --task); article: a run's article "
        "positions on article labels (JSONL: article_id or title, topic, label)",
    )
    ev.add_argument(
        "--task",
        default=None,
        choices=["stance", "tone", "speaker", "topic"],
        help="stance (the author's), tone, or speaker: the quoted voice's stance of reported "
        "speech, on the analyst's corrections (a corrections file or folder), read by the "
        "stance model's speaker head; topic: a run's topic reading (--run) on the analyst's "
        "topic corrections",
    )
    ev.add_argument(
        "--run",
        default=None,
        help="--level article, or --task topic: the run to judge (id or path)",
    )
    ev.add_argument(
        "--runs-dir",
        default=os.environ.get("VIEWPOINTS_RUNS_DIR", "runs"),
        help="where --run is looked up, and --corpus's run kept (in its evaluate/ folder; "
        "default: ./runs, or $VIEWPOINTS_RUNS_DIR)",
    )
    ev.add_argument(
        "--corpus",
        nargs="+",
        default=None,
        help="--level article without --run: JSON Lines corpus whose labelled articles are "
        "analyzed afresh with the default models (or --model for stance), into a run kept "
        "in RUNS_DIR/evaluate (not among the runs 'latest' and the dashboard list)",
    )
    ev.add_argument(
        "--cache",
        default=None,
        help="--level article with --corpus: the analysis's prediction cache file ('' = none; "
        "default .viewpoints-cache/... where you run it, as analyze's)",
    )
    ev.add_argument(
        "--split", default=None, help="--level article: only labels with this split (e.g. dev)"
    )
    ev.add_argument(
        "--data",
        required=True,
        help="labelled file (JSONL, VAST CSV, NewsMTSC JSONL) or a corrections file or folder",
    )
    ev.add_argument(
        "--format", default="auto", choices=["auto", "jsonl", "vast", "newsmtsc", "corrections"]
    )
    ev.add_argument(
        "--model",
        default=None,
        help="registered name, model directory or Hugging Face id "
        "(default: the shipped model for the task)",
    )
    ev.add_argument(
        "--precision",
        default="auto",
        choices=["auto", "bf16", "fp32"],
        help="weights' precision for the shipped, Hugging Face and NLI models (auto: bf16 "
        "where the CPU has native bf16, else fp32; default auto)",
    )
    ev.add_argument(
        "--label-map",
        default=None,
        help="for Hugging Face classifiers: LABEL_0=negative,LABEL_1=neutral,...",
    )
    ev.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    ev.set_defaults(handler=cmd_evaluate)

    an = sub.add_parser("analyze", help="analyze files or folders of articles into a run")
    an.add_argument(
        "paths",
        nargs="*",
        help="files or folders (default: the config's, or ./seeds, else the seed articles of "
        "the viewpoints checkout)",
    )
    an.add_argument("--config", default=None, help="an analysis/experiment TOML file")
    an.add_argument("--topics", default=None, help="a topics TOML file (default: built-in)")
    an.add_argument("--threshold", type=float, default=None, help="topic relevance threshold")
    an.add_argument(
        "--relevance",
        choices=["cascade", "full"],
        default=None,
        help="cascade (default): static embeddings choose the passages MiniLM scores; "
        "full: MiniLM on every passage",
    )
    an.add_argument("--stance-model", default=None, help="name, directory or Hugging Face id")
    an.add_argument("--tone-model", default=None, help="name, directory or Hugging Face id")
    an.add_argument(
        "--precision",
        default=None,
        choices=["auto", "bf16", "fp32"],
        help="weights' precision for the shipped, Hugging Face and NLI models (auto: bf16 "
        "where the CPU has native bf16, else fp32; default: the config's, auto)",
    )
    an.add_argument("--seed", type=int, default=None, help="bootstrap seed")
    an.add_argument(
        "--cache",
        default=None,
        help="prediction cache file ('' = none; default .viewpoints-cache/...)",
    )
    an.add_argument(
        "--include-reported",
        action="store_true",
        help="count reported speech toward the author's stance",
    )
    an.add_argument("--name", default=None, help="a label for the run")
    _add_quiet(an)
    an.add_argument(
        "--runs-dir",
        default=None,
        help="where to write the run (default: the config's, else $VIEWPOINTS_RUNS_DIR, "
        "else ./runs)",
    )
    _add_engine_options(an)
    _add_run_outputs(an)
    an.set_defaults(handler=cmd_analyze)

    rn = sub.add_parser("run", help="run an experiment TOML (corpus, topics, models) into a run")
    rn.add_argument("experiment", help="an experiment TOML file, e.g. experiments/defaults.toml")
    _add_run_outputs(rn)
    rn.add_argument("--cache", default=None, help="prediction cache file ('' = none)")
    _add_quiet(rn)
    rn.add_argument(
        "--runs-dir",
        default=None,
        help="override the experiment's runs_dir (default: the experiment's, else "
        "$VIEWPOINTS_RUNS_DIR, else ./runs; for a run's own config.toml, $VIEWPOINTS_RUNS_DIR, "
        "else the runs folder that run was written to)",
    )
    _add_engine_options(rn)
    rn.set_defaults(handler=cmd_run)

    cp = sub.add_parser("compare", help="what changed between two runs")
    cp.add_argument("run_a", help="run id, name, path or 'latest'")
    cp.add_argument("run_b", help="run id, name, path or 'latest'")
    cp.add_argument(
        "--top",
        type=int,
        default=10,
        help="passages listed where the runs disagree most, per topic and label (default 10)",
    )
    cp.add_argument(
        "--changes",
        type=int,
        default=DEFAULT_CHANGES_LISTED,
        help=f"changes listed of each kind, the rest counted (default {DEFAULT_CHANGES_LISTED}; "
        "0: every one; --json always has them all)",
    )
    cp.add_argument(
        "--outlets",
        action="store_true",
        help="the position changes of outlets, each over every article it published (by "
        "default those of authors, where an outlet's row holds only its unsigned pieces)",
    )
    cp.add_argument("--json", action="store_true", help="print one JSON object")
    _add_runs_dir(cp)
    cp.set_defaults(handler=cmd_compare)

    rb = sub.add_parser(
        "robustness", help="which author comparisons hold across runs (or template variants)"
    )
    rb.add_argument("runs", nargs="*", help="existing runs to compare")
    rb.add_argument(
        "--experiment",
        default=None,
        help="run this experiment once per --template (and once as is) first",
    )
    rb.add_argument(
        "--template",
        action="append",
        default=[],
        help="'FAVOR|AGAINST' hypothesis templates with {target}, for stance.nli.v1",
    )
    rb.add_argument(
        "--measure",
        choices=("stance", "tone"),
        default="stance",
        help="the author measure whose orders and signs are compared (default stance)",
    )
    rb.add_argument(
        "--cache",
        default=None,
        help="with --experiment: the prediction cache file of its runs ('' = none; default the "
        "experiment's, else .viewpoints-cache/... where you run it)",
    )
    rb.add_argument("--json", action="store_true", help="print one JSON object")
    _add_quiet(rb)
    _add_runs_dir(rb)
    rb.set_defaults(handler=cmd_robustness)

    ca = sub.add_parser(
        "compare-authors",
        help="is author A different from B? stance and tone differences with 95%% intervals, "
        "permutation p-values and (over many pairs) false-discovery-rate q-values",
    )
    ca.add_argument("run", help="run id, name, path or 'latest'")
    ca.add_argument("authors", nargs="+", help="two or more authors (or outlets) as shown")
    ca.add_argument(
        "--permutations",
        type=int,
        default=2000,
        help="random reassignments of the two authors' articles behind each p-value (default 2000)",
    )
    ca.add_argument(
        "--bootstrap",
        type=int,
        default=2000,
        help="resamples of the articles behind each interval (default 2000)",
    )
    ca.add_argument(
        "--measure", choices=["stance", "tone"], default=None, help="one measure (default: both)"
    )
    _add_test_options(ca, cmd_compare_authors)

    sf = sub.add_parser(
        "shift",
        help="did an author change? the shift in stance and tone before/after --date, or at "
        "the detected change point, with its interval, p-value and evidence",
    )
    sf.add_argument("run", help="run id, name, path or 'latest'")
    sf.add_argument("author", help="the author (or outlet group) as shown")
    sf.add_argument(
        "--measure", choices=["stance", "tone"], default=None, help="one measure (default: both)"
    )
    sf.add_argument("--date", default=None, help="split at this date (YYYY-MM-DD)")
    _add_test_options(sf, cmd_shift)

    ls = sub.add_parser("runs", help="list runs, newest first")
    _add_runs_dir(ls)
    ls.add_argument("--json", action="store_true", help="print one JSON list")
    ls.set_defaults(handler=cmd_runs)

    sh = sub.add_parser("show", help="a terminal table of authors x topics")
    sh.add_argument("run", nargs="?", default="latest", help="run id, name, path or 'latest'")
    sh.add_argument(
        "--level",
        choices=["author", "outlet", "article"],
        default="author",
        help="author (default): authors and outlet groups x topics (an outlet group: its "
        "unsigned articles); outlet: each outlet over all its articles, signed or not; "
        "article: each article x topic",
    )
    sh.add_argument(
        "--evidence",
        type=int,
        nargs="?",
        const=3,
        default=0,
        metavar="N",
        help="under each row, the top N evidence passages per topic (default N: 3)",
    )
    sh.add_argument(
        "--author",
        action="append",
        default=[],
        help="only this author or outlet group (repeatable; case and spacing aside); at "
        "--level outlet, this outlet; at --level article, their articles",
    )
    sh.add_argument(
        "--topic",
        action="append",
        default=[],
        help="only this topic, a key or a label (repeatable)",
    )
    sh.add_argument(
        "--discussed",
        action="store_true",
        help="only the authors (or articles) that discuss one of the topics shown (the "
        f"table's default beyond {SHOW_ALL_UP_TO} of them)",
    )
    sh.add_argument(
        "--all",
        action="store_true",
        help="every author (or article), also beyond "
        f"{SHOW_ALL_UP_TO} where the table leaves out those that discuss none of the topics",
    )
    _add_period(sh)
    sh.add_argument(
        "--wide",
        action="store_true",
        help="the table however wide (by default a terminal narrower than it gets one block "
        "per author, a topic a line)",
    )
    sh.add_argument("--json", action="store_true", help="print one JSON object")
    _add_runs_dir(sh)
    sh.set_defaults(handler=cmd_show)

    ex = sub.add_parser("export", help="write a run's table as JSONL, JSON, CSV or Parquet")
    ex.add_argument("run", help="run id, name, path or 'latest'")
    ex.add_argument(
        "--what",
        choices=["positions", "passages", "articles"],
        default="positions",
        help="which table (default: positions)",
    )
    ex.add_argument(
        "--outlets",
        action="store_true",
        help="--what positions: each outlet's over all its articles, signed or not (as show "
        "--level outlet), instead of the stored article and author positions",
    )
    _add_period(ex)
    ex.add_argument(
        "--format",
        choices=["jsonl", "json", "csv", "parquet"],
        default=None,
        help="default: the one --out's ending names (.jsonl, .ndjson, .json, .csv, .parquet; "
        "another ending is refused without --format), else jsonl",
    )
    ex.add_argument(
        "--out",
        default=None,
        help="output file (default, or '-': stdout), replaced if it exists; a CSV, JSON or "
        "JSONL file gets FILE.provenance.json beside it, Parquet carries it in its metadata",
    )
    _add_runs_dir(ex)
    ex.set_defaults(handler=cmd_export)

    rc = sub.add_parser(
        "recompute",
        help="a new run: a run's positions recomputed with the analyst's corrections",
    )
    rc.add_argument("run", help="run id, name, path or 'latest'")
    _add_corrections_dir(rc)
    rc.add_argument(
        "--calibrate",
        action="store_true",
        help="first temperature-scale each task's probabilities, fitted on the corrections",
    )
    rc.add_argument(
        "--min-examples",
        type=int,
        default=None,
        help="with --calibrate: fewest corrected examples a task needs to be calibrated "
        "(default 10)",
    )
    rc.add_argument("--name", default=None, help="a label for the new run")
    _add_runs_dir(rc)
    rc.set_defaults(handler=cmd_recompute)

    co = sub.add_parser("corrections", help="count the analyst's corrections per topic and task")
    _add_corrections_dir(co)
    co.add_argument(
        "--list",
        action="store_true",
        help="also list each correction in force, newest first (passage id, labels, text)",
    )
    co.add_argument("--json", action="store_true", help="print one JSON object")
    co.set_defaults(handler=cmd_corrections)

    cr = sub.add_parser(
        "correct",
        help="label one passage on one topic (as the dashboard's Correct does): its stance, "
        "quoted voice's stance, tone or relevance",
    )
    cr.add_argument("run", help="run id, name, path or 'latest'")
    cr.add_argument("passage_id", help="the id that ends an evidence line (ARTICLE:INDEX)")
    cr.add_argument(
        "--topic",
        default=None,
        help="topic key or label (needed where the passage is scored on several topics or none)",
    )
    cr.add_argument(
        "--stance",
        choices=STANCE_LABELS,
        default=None,
        help="the author's stance toward the topic's target (own words)",
    )
    cr.add_argument(
        "--quoted",
        choices=STANCE_LABELS,
        default=None,
        help="the stance of the voice a reported passage quotes",
    )
    cr.add_argument("--tone", choices=TONE_LABELS, default=None, help="the passage's tone")
    about = cr.add_mutually_exclusive_group()
    about.add_argument(
        "--relevant",
        dest="relevance",
        action="store_const",
        const="relevant",
        help="the passage is about the topic (one the model did not score there "
        "also needs its stance and tone)",
    )
    about.add_argument(
        "--not-relevant",
        dest="relevance",
        action="store_const",
        const="not relevant",
        help="the passage is not about the topic: it leaves the topic in a recomputed run",
    )
    cr.add_argument(
        "--confirm",
        action="store_true",
        help="also record the model's labels left as they are as right",
    )
    cr.add_argument(
        "--withdraw",
        action="store_true",
        help="withdraw your corrections in force on this passage and topic: the model's "
        "readings count again in a recomputed run (giving the model's label instead records "
        "it as yours, certain)",
    )
    cr.add_argument("--json", action="store_true", help="print one JSON object")
    _add_corrections_dir(cr)
    _add_runs_dir(cr)
    cr.set_defaults(handler=cmd_correct)

    db = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    _add_runs_dir(db)
    db.add_argument("--port", type=_port, default=8501, help="TCP port, 1-65535 (default 8501)")
    db.add_argument(
        "--corrections-dir",
        default=None,
        help="where corrections are stored (default: ./corrections, or "
        "$VIEWPOINTS_CORRECTIONS_DIR)",
    )
    db.add_argument(
        "--headless", action="store_true", help="accepted for compatibility: always headless"
    )
    db.set_defaults(handler=cmd_dashboard)
    return parser


def _show_warning(message: Warning | str, *_: Any, **__: Any) -> None:
    """Warnings for people: one line on stderr, without the source line that raised them."""
    print(f"viewpoints: warning: {message}", file=sys.stderr)


def _port(text: str) -> int:
    """A TCP port number, for argparse (its message names the option)."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number in 1-65535, got {text!r}")
    return port


def _subcommand_parser(
    parser: argparse.ArgumentParser, command: str | None
) -> argparse.ArgumentParser | None:
    """The parser of ``command`` (``viewpoints runs`` ...), None if there is none."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(command)
    return None


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill PID``, ``timeout``, a scheduler stopping the job), handled as Ctrl-C is:
    staging folders removed, what the cache finished kept, one line said; exit 143."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """The ``viewpoints`` command; Ctrl-C and SIGTERM at any point give one line, not a
    traceback."""
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if on_main_thread else None
    try:
        return _main(argv)
    except KeyboardInterrupt as err:  # before a command started (its own are handled there)
        print(f"viewpoints: {_stopped(err)}", file=sys.stderr)
        return _interrupt_status(err)
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)
            if argv is None:  # the command itself: its status stands through the exit (a
                # Ctrl-C while the interpreter shut down turned a written run's 0 into 130)
                signal.signal(signal.SIGINT, signal.SIG_IGN)


def _file_above(path: Path) -> Path | None:
    """The first of ``path``'s parents that exists as something other than a folder."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def _interrupt_in(err: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C (or SIGTERM) an exception was raised while handling, if any: a module
    initialised while the signal arrived ("ImportError: initialization failed") wraps it."""
    seen: set[int] = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def _stopped(err: BaseException) -> str:
    return "terminated" if isinstance(err, Terminated) else "interrupted"


def _interrupt_status(err: BaseException) -> int:
    """128 + the signal's number, as shells report a command a signal stopped."""
    return 128 + (signal.SIGTERM if isinstance(err, Terminated) else signal.SIGINT)


def _main(argv: Sequence[str] | None) -> int:
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said with the command's own usage, not the list of every command
        command = _subcommand_parser(parser, args.command)
        (command or parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    try:  # weight-loading bars say nothing a user needs; real progress bars stay on
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:
        pass
    handler: Callable[[argparse.Namespace], int] = args.handler
    args.written_runs = []  # the run analyze, run or recompute wrote, once it is in place
    import sqlite3

    from analysis.cache import CacheVersionError
    from analysis.datasets import DataError
    from analysis.scoring import ModelLoadError, UnknownScorerError

    runs_dir = getattr(args, "runs_dir", None)
    if runs_dir and Path(runs_dir).exists() and not Path(runs_dir).is_dir():
        print(
            f"viewpoints: error: --runs-dir {runs_dir} is a file; expected a folder",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if runs_dir and (blocked := _file_above(Path(runs_dir))) is not None:
        print(  # "[Errno 20] Not a directory" named neither the option nor the file
            f"viewpoints: error: --runs-dir {runs_dir}: {blocked} is a file, so no folder can "
            "be made under it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        with warnings.catch_warnings():  # restores Python's own display on the way out
            warnings.showwarning = _show_warning
            try:
                return handler(args)
            except ImportError as err:  # a Ctrl-C inside a lazy import arrives wrapped in one
                stop = _interrupt_in(err)
                if stop is None:
                    raise
                raise stop from None
    except BrokenPipeError:
        sys.stderr.close()  # `viewpoints export ... | head`: the reader left; nothing to report
        return 0
    except (
        CLIError,
        DataError,
        ModelLoadError,
        UnknownScorerError,
        ValueError,
        OSError,
        sqlite3.DatabaseError,  # the prediction cache's file
        CacheVersionError,
    ) as err:
        print(f"viewpoints: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as err:
        from analysis.ray_engine import EngineError

        if not isinstance(err, EngineError):
            raise
        print(f"viewpoints: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as err:
        if args.written_runs:  # stopped once the run was in place: the work is done
            path = args.written_runs[-1]
            print(
                f"viewpoints: {_stopped(err)} after run {path.name} was written: it is complete",
                file=sys.stderr,
            )
            as_json = getattr(args, "json", False)
            print(json.dumps({"run_id": path.name, "path": str(path)}) if as_json else path)
            return 0
        print(f"viewpoints: {_stopped(err)}", file=sys.stderr)
        if args.handler in (cmd_analyze, cmd_run):  # robustness may have written some
            from analysis.scoring_stage import SCORING_ROWS
            from analysis.stages import RELEVANCE_ROWS

            if getattr(args, "cache", None) == "":
                kept = "the prediction cache was off (--cache ''), so nothing computed is kept"
            elif getattr(args, "engine", None) == "ray":
                kept = (
                    "with the prediction cache on (the default), what the Ray blocks that "
                    "finished computed is kept, and the same command again starts from it"
                )
            else:
                kept = (
                    "with the prediction cache on (the default), what finished batches computed "
                    f"is kept (topic relevance in batches of {RELEVANCE_ROWS:,} passages, scores "
                    f"in batches of {SCORING_ROWS:,}), and the same command again starts from "
                    "it: an interrupt within a stage's first batch keeps nothing of it"
                )
            print(f"no run was written; {kept}", file=sys.stderr)
        return _interrupt_status(err)


if __name__ == "__main__":
    sys.exit(main())

"""``viewpoints analyze`` and ``viewpoints run``: files, folders or an experiment TOML
into a run (a rerun of a recorded experiment with its recorded topics)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from analysis.cli.common import CLIError, note_reused_name, runs_named

# The seed articles beside the package in a checkout: what `analyze` with no paths reads when
# the folder it is run from has no ./seeds
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


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
    taken = [] if args.dry_run else runs_named(config.run.name, config.run.runs_dir)
    result = _analyze_for(args, config)
    note_reused_name(config.run.name, config.run.runs_dir, taken)
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
    taken = [] if args.dry_run else runs_named(config.run.name, config.run.runs_dir)
    from analysis.scoring.base import ModelLoadError

    try:
        result = _analyze_for(args, config)
    except ModelLoadError as err:  # a model the file names: say which file
        raise ModelLoadError(f"{args.experiment}: {err}") from None
    note_reused_name(config.run.name, config.run.runs_dir, taken)
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

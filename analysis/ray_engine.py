"""The model stages on Ray Data: the same run as the local engine, from a cluster.

What runs where:

- the **driver** (the ``viewpoints analyze`` process) reads the corpus into the run's staging
  folder exactly as the local engine does (:func:`analysis.stages.read_corpus`: formats,
  cleaning, duplicates, bad-input reporting), computes the cost estimate, aggregates positions
  and writes the run folder;
- **relevance** and **scoring** run as ``map_batches`` over a Ray Dataset on fixed pools of
  actors, one CPU each, that load their models once (:class:`RelevanceWorker`,
  :class:`ScoringWorker`). The passages enter the Dataset as Arrow blocks put in Ray's object
  store, each row carrying its predecessor (the context relevance reads), so workers need no
  shared file system; only the topic passages come back to the driver, then only their scores.

Each worker calls the local engine's own stage functions
(:func:`analysis.stages.relevance_of_batch`, :func:`analysis.scoring_stage.score_with_cache`) on its
batch, and rows come back in the local engine's order, so with the same seed and models the
run's scores, positions and counts are the local engine's: within 1e-5 in fp32; in bf16 within
its rounding, since blocks batch the passages differently (measured in docs/scale.md).

Workers open the prediction cache the config names: one SQLite file that the processes of one
machine share (its WAL journal needs them on one host), so on a cluster each node keeps its own
file at that path.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.config import AnalysisConfig, EngineSection
from analysis.stages import PASSAGE_SCHEMA, TopicPassages, passage_batches, previous_in_batch

INSTALL_HINT = (
    "the Ray engine needs Ray: pip install 'ray[data]>=2.50,<3' "
    "(or, in a viewpoints checkout, pip install -e '.[ray]')"
)
# Rows of a Dataset block: enough that MiniLM's length-sorted batches pad little, few enough
# that every worker gets several blocks (the block size shrinks for small corpora).
MAX_BLOCK_ROWS = 16_384
MIN_BLOCK_ROWS = 512
BLOCKS_PER_WORKER = 4
SCORING_BLOCK_ROWS = 256  # topic passages a scoring batch holds
ROW = "row"  # a passage's position in the corpus: puts rows back in the local engine's order
PREVIOUS = "previous"
RELEVANCE_PREFIX = "relevance_"
INPUT_SCHEMA = PASSAGE_SCHEMA.append(pa.field(ROW, pa.int64())).append(
    pa.field(PREVIOUS, pa.large_string())
)


class EngineError(RuntimeError):
    """A Ray stage failed on a worker or the cluster went away; the message says which."""


def require_ray() -> Any:
    """The ``ray`` module with Ray Data, or a one-line error saying what to install."""
    try:
        import ray
        import ray.data  # the Data library is the [data] extra
    except ImportError:
        raise ValueError(INSTALL_HINT) from None
    return ray


@contextmanager
def ray_engine(
    section: EngineSection, progress: bool, log: Callable[[str], None]
) -> Iterator[RayEngine]:
    """A :class:`RayEngine` on the cluster at ``section.address``, or on a local Ray instance
    with this machine's cores; a Ray this call started is shut down when the block ends (one
    already running in this process is used and left running)."""
    ray = require_ray()
    started = False
    if not ray.is_initialized():
        # --quiet (no progress): only Ray's errors, not its start-up warnings
        level = logging.WARNING if progress else logging.ERROR
        options: dict[str, Any] = {"logging_level": level, "log_to_driver": False}
        terminate = _sigterm_handler()  # ray.init puts its own in (sys.exit, no message)
        if section.address:
            address = _resolved(section.address)
            _check_reachable(address, shown=_cluster_label(section.address, address, quoted=True))
            try:
                ray.init(address=address, **options)
            except (ConnectionError, RuntimeError, ValueError) as err:
                raise ValueError(
                    f"could not join the Ray cluster at {section.address!r}: {err} (is it "
                    "running? a cluster with token authentication needs RAY_AUTH_MODE=token "
                    "here and its token: `ray get-auth-token`)"
                ) from None
            finally:
                _restore_sigterm(terminate)
        else:  # Ray counts the CPUs this process may use (cgroup limits included)
            address = ""
            try:
                ray.init(address="local", include_dashboard=False, **options)
            except Exception as err:
                ray.shutdown()  # whatever part of it started
                raise EngineError(f"could not start a local Ray instance: {err}") from err
            finally:
                _restore_sigterm(terminate)
        started = True
    else:
        address = section.address
    try:
        cpus = int(ray.cluster_resources().get("CPU", 0))
        workers = section.workers or cpus
        if workers < 1 or workers > cpus:
            raise ValueError(
                f"engine.workers: expected at most the {cpus} CPUs the Ray cluster has "
                f"(each worker takes one), got {workers}"
            )
        context = ray.data.DataContext.get_current()
        # bars on a terminal only, as the local engine's: elsewhere (a log file, a pipe) Ray
        # Data would write six progress lines every ten seconds
        bars = progress and sys.stderr.isatty()
        context.enable_progress_bars = bars
        context.print_on_execution_start = bars
        # quiet: Ray Data's own lines (plans, "execution finished") only when something is wrong
        logging.getLogger("ray.data").setLevel(logging.INFO if bars else logging.ERROR)
        if progress:  # --quiet: not this line either
            where = _cluster_label(section.address, address) or "a local Ray instance"
            log(f"engine: Ray {ray.__version__} on {where}, {workers} worker(s) of {cpus} CPUs")
        yield RayEngine(workers, address, cpus)
    finally:
        if started:
            ray.shutdown()


def _cluster_label(given: str, resolved: str, quoted: bool = False) -> str:
    """The cluster address as the user gave it (``quoted``: in quotes, as in an error), with
    what ``auto`` resolved to after it."""
    return (repr(given) if quoted else given) + (f" ({resolved})" if resolved != given else "")


def _resolved(address: str) -> str:
    """``auto`` as Ray resolves it ($RAY_ADDRESS, else the cluster last started on this
    machine, else one running here), so that it is checked before Ray retries a stale one for
    many minutes, and recorded as the cluster it was; any other address as given."""
    if address != "auto":
        return address
    try:
        from ray._private.services import canonicalize_bootstrap_address
    except ImportError:  # Ray's own module moved: leave "auto" to Ray
        return address
    try:
        return canonicalize_bootstrap_address(address) or address
    except ConnectionError as err:  # none found: said at once, not after Ray's retries
        raise ValueError(f"could not join the Ray cluster at 'auto': {err}") from None
    except Exception:  # anything else: Ray's own error, where ray.init meets it
        return address


def _sigterm_handler() -> Any:
    """The SIGTERM handler now (the CLI's, which says "terminated" and exits 143), or None
    off the main thread, where no handler can be set."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.getsignal(signal.SIGTERM)


def _restore_sigterm(handler: Any) -> None:
    if handler is not None and signal.getsignal(signal.SIGTERM) is not handler:
        signal.signal(signal.SIGTERM, handler)


def _check_reachable(address: str, timeout_s: float = 5.0, shown: str | None = None) -> None:
    """Fail in one line when nothing listens at a HOST:PORT cluster address (``auto`` is
    resolved to one first: :func:`_resolved`): Ray itself retries such an address for minutes.
    Other forms are left to Ray. ``shown``: the address as the user gave it, for the message."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as err:
        raise ValueError(
            f"could not join the Ray cluster at {shown or repr(address)}: nothing answers there "
            f"({err.strerror or err}); start it with `ray start --head` or check the address"
        ) from None


def portable_config(config: AnalysisConfig) -> AnalysisConfig:
    """The config as workers need it: the precision the driver resolved, and the cache and local
    model folders as absolute paths, since a worker's working directory is not the driver's."""
    import torch

    from analysis.precision import resolve_dtype

    # "auto" resolved here, once: every worker uses the driver's choice, the one run.json records
    bf16 = resolve_dtype(config.models.precision) == torch.bfloat16
    models: dict[str, Any] = {"precision": "bf16" if bf16 else "fp32"}
    if config.models.cache:
        models["cache"] = str(Path(config.models.cache).resolve())
    for task in ("stance", "tone"):
        spec = getattr(config.models, task)
        if Path(spec).exists():
            models[task] = str(Path(spec).resolve())
    return config.with_values(source="ray engine", models=models)


def block_rows(n_passages: int, workers: int) -> int:
    """Rows per Dataset block for a corpus: several blocks per worker, within bounds."""
    wanted = -(-max(n_passages, 1) // (workers * BLOCKS_PER_WORKER))
    return int(min(MAX_BLOCK_ROWS, max(MIN_BLOCK_ROWS, wanted)))


def relevance_columns(n_topics: int) -> list[str]:
    """The columns that carry each topic's relevance through the Dataset (by topic position)."""
    return [f"{RELEVANCE_PREFIX}{t}" for t in range(n_topics)]


class RelevanceWorker:
    """A Ray Data actor: topic relevance of a block of passages (the model loaded once), behind
    the prediction cache where the config names one (:mod:`analysis.relevance_cache`, as the
    local engine reads it); only the rows on some topic are returned, with one relevance
    column per topic."""

    def __init__(
        self,
        config: AnalysisConfig,
        topics: list[Any],
        threshold: float | np.ndarray,
        tally: Any,
        counter_examples: bool | Collection[str] = True,
    ) -> None:
        from analysis.stages import build_matcher

        self.matcher = build_matcher(config, topics, threshold, counter_examples)
        self.threshold, self.tally, self.cache_path = threshold, tally, config.models.cache
        self.schema = PASSAGE_SCHEMA.append(pa.field(ROW, pa.int64()))
        for name in relevance_columns(len(topics)):
            self.schema = self.schema.append(pa.field(name, pa.float32()))

    def __call__(self, batch: pd.DataFrame) -> pa.Table:
        from analysis.stages import relevance_of_batch

        previous = [p if isinstance(p, str) else None for p in batch[PREVIOUS].tolist()]
        if self.cache_path:
            import ray

            from analysis.cache import PredictionCache
            from analysis.relevance_cache import CachedRelevance

            with PredictionCache(self.cache_path) as cache:
                cached = CachedRelevance(self.matcher, cache)
                relevance = relevance_of_batch(batch, previous, cached)
            ray.get(self.tally.add.remote(cached.stats()))
        else:
            relevance = relevance_of_batch(batch, previous, self.matcher)
        on = (relevance >= self.threshold).any(axis=1)
        kept = batch.loc[on, [*PASSAGE_SCHEMA.names, ROW]].reset_index(drop=True)
        for t, name in enumerate(relevance_columns(relevance.shape[1])):
            kept[name] = relevance[on, t].astype(np.float32)
        return pa.Table.from_pandas(kept, schema=self.schema, preserve_index=False)


class CacheTally:
    """A Ray actor adding up the prediction cache's hits and misses the scoring workers had."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}

    def add(self, stats: dict[str, dict[str, int]]) -> None:
        for task, counts in stats.items():
            total = self.counts.setdefault(task, {"hits": 0, "misses": 0})
            for key in ("hits", "misses"):
                total[key] += int(counts.get(key, 0))

    def totals(self) -> dict[str, dict[str, int]]:
        return self.counts


class ScoringWorker:
    """A Ray Data actor: stance, tone, quoted voices and the topic gate of a block of topic
    passages (the models loaded once), through the local engine's scoring stage."""

    def __init__(
        self,
        config: AnalysisConfig,
        topics: list[Any],
        threshold: float | np.ndarray,
        tally: Any,
        ungated: Collection[str] = (),
    ) -> None:
        from analysis.scoring.pair_scorer import quoted_voice, topic_gate
        from analysis.scoring_stage import build_scorers

        stance, tone = build_scorers(config, topics)
        self.scorers = (stance, tone, quoted_voice(stance), topic_gate(stance))
        self.config, self.topics, self.threshold, self.tally = config, topics, threshold, tally
        self.ungated = tuple(ungated)

    def __call__(self, batch: pd.DataFrame) -> pa.Table:
        from analysis.scoring_stage import score_with_cache

        relevance = batch[relevance_columns(len(self.topics))].to_numpy(dtype=np.float32)
        found = TopicPassages(batch.reset_index(drop=True), relevance, 0)
        scores, stats = score_with_cache(
            found,
            self.topics,
            self.threshold,
            self.scorers,
            self.config,
            progress=False,
            keep_gated=True,  # the driver splits them off (scoring_stage.split_gated_out)
            ungated=self.ungated,
        )
        if stats:  # waited for: counted before this block's rows reach the driver
            import ray

            ray.get(self.tally.add.remote(stats))
        # Arrow typed from pandas' dtypes: an all-NaN column stays float (not Arrow's null type)
        return pa.Table.from_pandas(scores, preserve_index=False)


class RayEngine:
    """Relevance and scoring as Ray Data stages on ``workers`` actors each."""

    name = "ray"

    def __init__(self, workers: int, address: str, cluster_cpus: int) -> None:
        self.workers = workers
        self.address = address
        self.cluster_cpus = cluster_cpus
        self.actors: dict[str, int] = {}  # the pool each stage ran on (fewer on few blocks)

    def identity(self) -> dict[str, Any]:
        import ray

        return {
            "name": self.name,
            "ray": ray.__version__,
            "address": self.address or "local",
            "workers": self.workers,
            "cluster_cpus": self.cluster_cpus,
            "actors": dict(self.actors),
        }

    def _pool(self, stage: str, n_blocks: int) -> Any:
        """A fixed pool of actors for ``stage``: ``workers``, or fewer when there are fewer
        blocks (recorded in :meth:`identity`)."""
        import ray.data

        self.actors[stage] = max(1, min(self.workers, n_blocks))
        return ray.data.ActorPoolStrategy(size=self.actors[stage])

    def find_topic_passages(
        self,
        path: Path,
        config: AnalysisConfig,
        topics: list[Any],
        threshold: float | np.ndarray,
        n_passages: int,
        counter_examples: bool | Collection[str] = True,
    ) -> tuple[TopicPassages, dict[str, dict[str, int]]]:
        """Relevance of every passage in ``path`` on the actor pool; the rows on a topic
        (``counter_examples``: whose counter-examples veto alias hits: all, none, or these keys)
        and the prediction cache's hits and misses in passages ({} without a cache)."""
        import ray

        rows = block_rows(n_passages, self.workers)
        blocks, start, carry = [], 0, None
        for batch in passage_batches(path, batch_rows=rows):
            previous, carry = previous_in_batch(batch, carry)
            batch = batch.assign(**{ROW: np.arange(start, start + len(batch)), PREVIOUS: previous})
            start += len(batch)
            table = pa.Table.from_pandas(batch, schema=INPUT_SCHEMA, preserve_index=False)
            blocks.append(ray.put(table))
        names = relevance_columns(len(topics))
        if not blocks:
            empty = pd.DataFrame(columns=[*PASSAGE_SCHEMA.names, ROW])
            return _topic_passages(empty, names), {}
        tally = ray.remote(num_cpus=0)(CacheTally).remote()
        dataset = ray.data.from_arrow_refs(blocks).map_batches(
            RelevanceWorker,
            fn_constructor_args=(
                portable_config(config),
                topics,
                threshold,
                tally,
                counter_examples,
            ),
            batch_size=None,  # a block at a time
            batch_format="pandas",
            compute=self._pool("relevance", len(blocks)),
            num_cpus=1,
        )
        frame = _collect(dataset, [*PASSAGE_SCHEMA.names, ROW, *names], "relevance")
        frame = frame.sort_values(ROW, kind="stable").reset_index(drop=True)
        found = _topic_passages(frame, names)
        found.n_pairs = int((found.relevance >= threshold).sum())
        return found, ray.get(tally.totals.remote())

    def score(
        self,
        found: TopicPassages,
        config: AnalysisConfig,
        topics: list[Any],
        threshold: float | np.ndarray,
        ungated: Collection[str] = (),
    ) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
        """Scores of the topic passages on the actor pool, in the local engine's row order
        (topic by topic, passages in corpus order), and the cache's hits and misses."""
        import ray

        from analysis.runs import ALL_COLUMNS

        if not len(found.passages):
            return pd.DataFrame(columns=list(ALL_COLUMNS["scores"])), {}
        names = relevance_columns(len(topics))
        frame = found.passages.copy()
        for t, name in enumerate(names):
            frame[name] = found.relevance[:, t]
        tally = ray.remote(num_cpus=0)(CacheTally).remote()
        size = max(1, min(SCORING_BLOCK_ROWS, -(-len(frame) // self.workers)))
        parts = [frame.iloc[i : i + size] for i in range(0, len(frame), size)]
        dataset = ray.data.from_pandas(parts).map_batches(
            ScoringWorker,
            fn_constructor_args=(portable_config(config), topics, threshold, tally, tuple(ungated)),
            batch_size=None,
            batch_format="pandas",
            compute=self._pool("scoring", len(parts)),
            num_cpus=1,
        )
        scores = _collect(dataset, list(ALL_COLUMNS["scores"]), "scoring")
        order = dict(zip(found.passages["passage_id"], found.passages[ROW], strict=True))
        rank = {t.key: i for i, t in enumerate(topics)}
        scores = (
            scores.assign(_topic=scores["topic"].map(rank), _row=scores["passage_id"].map(order))
            .sort_values(["_topic", "_row"], kind="stable")
            .drop(columns=["_topic", "_row"])
            .reset_index(drop=True)
        )
        return scores, ray.get(tally.totals.remote())


def _collect(dataset: Any, columns: list[str], stage: str) -> pd.DataFrame:
    """A Dataset's rows on the driver (only the few topic rows or their scores ever are)."""
    try:
        parts = [
            part
            for part in dataset.iter_batches(batch_size=None, batch_format="pandas")
            if len(part)
        ]
    except Exception as err:  # a worker's error (RayError) or Ray Data's own (timeouts, ...)
        lines = str(err).strip().splitlines()
        cause = lines[-1] if lines else repr(err)
        raise EngineError(f"the {stage} stage failed on Ray: {cause}") from err
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)


def _topic_passages(frame: pd.DataFrame, names: list[str]) -> TopicPassages:
    """Rows collected from the relevance stage as the local engine's :class:`TopicPassages`."""
    relevance = frame[names].to_numpy(dtype=np.float32) if len(frame) else np.zeros((0, len(names)))
    passages = frame[[*PASSAGE_SCHEMA.names, ROW]].reset_index(drop=True)
    return TopicPassages(passages, relevance.astype(np.float32), 0)

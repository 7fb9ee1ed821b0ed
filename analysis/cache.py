"""A prediction cache on disk, so that a rerun with one model changed recomputes only that model.

Entries live in one SQLite file (stdlib :mod:`sqlite3`, WAL journal) that several processes may
read and write at once. An entry is keyed by

- the **model key**: sha256 of the scorer's ``identity()`` as sorted, compact JSON
  (:func:`model_key`), so a retrained or re-pointed model never reuses old predictions;
- the sha256 of the passage **text**;
- the **target** (``None`` and ``""`` are different targets);
- a **template** string (NLI hypothesis templates, a prompt template's hash; ``""`` when none);
- the **span** marking the target inside the text, when one was given (the pair classifier
  marks it in its input, so the same text with another span is another prediction).

These are hashed together into one 32-byte key column with a unique index, so a lookup is one
indexed ``IN`` query per chunk of :data:`CHUNK` keys. (A rowid table plus that index inserts
about three times faster than a ``WITHOUT ROWID`` table keyed by the hash: rows are appended,
and only the small index takes random inserts.) The value is the probability row as
float32 bytes with its length, plus optional JSON details (a chat backend's raw answer or
error). Nothing is pickled. Rows with a NaN or infinite value are failures and are not stored,
so the next run tries them again.

Schema versions: the file records :data:`SCHEMA_VERSION` in its ``meta`` table. A file written
by an *older* version is rebuilt empty on open (it is a cache: everything in it can be
recomputed); a file written by a *newer* version raises :class:`CacheVersionError` rather than
destroying data another, newer program is using.

Read-only: ``PredictionCache(path, read_only=True)`` opens an existing file without writing to
it (no schema set-up; stores are skipped): the cost estimate looks up what a run would find
there, and a dry run leaves the file as it was. A file of another schema version reads as empty.

Concurrency: writes go in short ``BEGIN IMMEDIATE`` transactions of at most
:data:`WRITE_CHUNK` rows, with SQLite's busy timeout and a bounded retry on "database is
locked"; WAL lets readers go on while one process writes. Open one :class:`PredictionCache`
per process (a connection must not cross ``fork``); within a process one instance may be
shared by threads.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

# analysis.scoring loads its registry (and torch) lazily, so this import keeps the cache cheap to
# import (spawned workers, the dashboard's cache stats).
from analysis.scoring.base import (
    BaseScorer,
    Details,
    Span,
    Spans,
    Targets,
    Texts,
    check_inputs,
)

SCHEMA_VERSION = 1
CHUNK = 500  # keys per IN-query (SQLite's bound-variable limit is 999 in old builds)
WRITE_CHUNK = 2000  # rows per write transaction: short, so another writer waits milliseconds
BUSY_TIMEOUT_S = 30.0
CACHE_KIB = 32 * 1024  # SQLite page cache per connection, allocated as used
RETRIES = 8  # attempts after the busy timeout itself gave up, with doubling sleeps from 0.05 s

_T = TypeVar("_T")


class CacheVersionError(RuntimeError):
    """The cache file was written by a newer schema version than this program understands."""


def model_key(identity: dict[str, Any]) -> str:
    """A stable hex key for a scorer's ``identity()``: sha256 of its sorted, compact JSON."""
    if not isinstance(identity, dict):
        raise ValueError(f"expected identity to be a dict, got {type(identity).__name__}")
    try:
        text = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"expected a JSON-serialisable identity, got {identity!r}: {error}"
        ) from None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_sha256(text: str) -> str:
    """The hex sha256 of a passage's UTF-8 text (lone surrogates pass through, not fail)."""
    return _text_digest(text).hex()


def _text_digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _key_prefix(model: str, template: str) -> bytes:
    return hashlib.sha256(json.dumps([model, template]).encode("utf-8")).digest()


def _key(prefix: bytes, text_digest: bytes, target: str | None, span: Span) -> bytes:
    # Fixed-width or flagged parts first and the free-form target last, so no two different
    # inputs give the same byte string (and hashing stays cheap: no JSON per row).
    span_part = b"\0" if span is None else b"\1" + struct.pack("<qq", int(span[0]), int(span[1]))
    target_part = b"\0" if target is None else b"\1" + target.encode("utf-8", "surrogatepass")
    return hashlib.sha256(prefix + text_digest + span_part + target_part).digest()


def entry_key(
    model: str, text: str, target: str | None, template: str = "", span: Span = None
) -> bytes:
    """The 32-byte primary key of one entry: every part of the key, hashed together."""
    return _key(_key_prefix(model, template), _text_digest(text), target, span)


def _is_locked(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


class CacheFileError(sqlite3.DatabaseError):
    """The prediction cache's file failed: the message names it and says what to do."""


def _what_to_do(error: sqlite3.DatabaseError) -> str:
    """Advice for a failure of the cache's file, by what SQLite said: deleting the file is
    right for a damaged one only (a review's read-only cache was told to delete it)."""
    message = str(error).lower()
    if "readonly" in message or "unable to open" in message or "permission" in message:
        return (
            "check that the file and its folder can be written, or run without the cache: "
            "--cache ''"
        )
    if "disk i/o" in message or "full" in message:
        return "the disk may be full: free some space, or run without the cache: --cache ''"
    if isinstance(error, sqlite3.OperationalError) and _is_locked(error):
        return "another process holds it: wait for it, or give another file with --cache FILE"
    return "delete the file to start an empty cache, or run without it: --cache ''"


class PredictionCache:
    """Probability rows per (model, text, target, template, span) in a SQLite file.

    Parameters
    ----------
    path:
        The database file; its parent folders are created. Several processes may open the
        same file at once.
    read_only:
        Open an existing file only to read it: lookups answer as usual, stores write nothing
        and return 0, and a file of another schema version answers no lookup.
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        if not isinstance(path, str | Path):
            raise ValueError(f"expected path to be a str or Path, got {type(path).__name__}")
        self.path = Path(path).expanduser()
        if self.path.is_dir():
            raise ValueError(
                f"prediction cache {self.path} is a folder; expected a file such as "
                f"{self.path / 'predictions.sqlite'}"
            )
        self.read_only = read_only
        self._readable = True  # False: a read-only file of another schema version
        if read_only and not self.path.is_file():
            raise ValueError(f"prediction cache {self.path} does not exist; expected a file")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro" if read_only else self.path,
                timeout=BUSY_TIMEOUT_S,  # SQLite's busy timeout: wait for another writer
                isolation_level=None,  # autocommit; transactions are explicit
                check_same_thread=False,  # guarded by self._lock instead
                uri=read_only,
            )
            self._retry(self._check_version if read_only else self._setup)
        except CacheFileError as error:
            self.close()
            raise CacheFileError(f"cannot open {error}") from error.__cause__
        except sqlite3.DatabaseError as error:  # connecting, before any work was retried
            self.close()
            raise CacheFileError(
                f"cannot open prediction cache {self.path}: {error} ({_what_to_do(error)})"
            ) from error
        except CacheVersionError:
            self.close()
            raise

    # -- internals ---------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError(f"expected an open cache, got one closed ({self.path})")
        return self._conn

    def _retry(self, work: Callable[[], _T]) -> _T:
        """Run ``work`` again after a short sleep when SQLite says the database is locked; any
        other failure of the file (damaged, read-only, a full disk) raised as a
        :class:`CacheFileError` that names the file and says what to do."""
        delay = 0.05
        for attempt in range(RETRIES + 1):
            try:
                with self._lock:
                    return work()
            except sqlite3.DatabaseError as error:
                transient = isinstance(error, sqlite3.OperationalError) and _is_locked(error)
                if not transient or attempt == RETRIES:
                    raise CacheFileError(
                        f"prediction cache {self.path}: {error} ({_what_to_do(error)})"
                    ) from error
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
        raise AssertionError("unreachable")

    def _write(self, statements: Callable[[sqlite3.Connection], None]) -> None:
        """One short write transaction, taken with the write lock up front (no upgrade race)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            statements(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # also after a failed COMMIT, so a retry starts clean
                conn.execute("ROLLBACK")
            raise

    def _setup(self) -> None:
        conn = self.conn
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable against corruption in WAL mode; a power cut may lose the last
        # commits, which for a cache only means recomputing them.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._write(self._create_schema)

    def _check_version(self) -> None:
        """A read-only file's schema: readable only where it is this version's."""
        conn = self.conn
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        row = (
            conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if "meta" in tables
            else None
        )
        self._readable = (
            row is not None
            and row[0] == str(SCHEMA_VERSION)
            and {"predictions", "relevance"} <= tables
        )

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        found = int(row[0]) if row is not None else None
        if found is not None and found > SCHEMA_VERSION:
            raise CacheVersionError(
                f"prediction cache {self.path} has schema version {found}, expected "
                f"{SCHEMA_VERSION} or older; upgrade viewpoints or point at another cache file"
            )
        if found is not None and found < SCHEMA_VERSION:
            conn.execute("DROP TABLE IF EXISTS predictions")  # rebuilt empty below
            conn.execute("DROP TABLE IF EXISTS relevance")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS predictions ("
            " key BLOB NOT NULL,"  # entry_key(): the hashed, indexed lookup column
            " model_key TEXT NOT NULL,"
            " text_sha256 TEXT NOT NULL,"
            " target TEXT,"
            " template TEXT NOT NULL,"
            " span TEXT,"
            " n_labels INTEGER NOT NULL,"
            " probs BLOB NOT NULL,"  # float32, native little-endian via '<f4'
            " details TEXT,"  # JSON or NULL
            " created REAL NOT NULL"
            ")"
        )
        conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS predictions_key ON predictions (key)")
        # Each passage's relevance to each topic (analysis.relevance_cache): a file written
        # before this table read as having none, and older versions leave it alone.
        conn.execute(
            "CREATE TABLE IF NOT EXISTS relevance (key BLOB PRIMARY KEY, n INTEGER NOT NULL,"
            " vals BLOB NOT NULL)"
        )
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    # -- public API ----------------------------------------------------------------------------

    def get_many(
        self,
        model_key: str,
        texts: Sequence[str],
        targets: Sequence[str | None],
        template: str = "",
        spans: Sequence[Span] | None = None,
    ) -> list[np.ndarray | None]:
        """The cached float32 row for each input, or None where there is none; input order."""
        rows, _ = self.get_many_detailed(model_key, texts, targets, template, spans)
        return rows

    def get_many_detailed(
        self,
        model_key: str,
        texts: Sequence[str],
        targets: Sequence[str | None],
        template: str = "",
        spans: Sequence[Span] | None = None,
    ) -> tuple[list[np.ndarray | None], list[dict[str, Any] | None]]:
        """Like :meth:`get_many`, plus each entry's stored details (None when absent)."""
        keys, _ = self._keys(model_key, texts, targets, template, spans)
        found: dict[bytes, tuple[int, bytes, str | None]] = {}
        unique = list(dict.fromkeys(keys)) if self._readable else []
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            query = (
                "SELECT key, n_labels, probs, details FROM predictions WHERE key IN "
                f"({','.join('?' * len(chunk))})"
            )
            result = self._retry(lambda q=query, c=chunk: self.conn.execute(q, c).fetchall())
            found.update((k, (n, p, d)) for k, n, p, d in result)
        rows: list[np.ndarray | None] = []
        details: list[dict[str, Any] | None] = []
        for key in keys:
            hit = found.get(key)
            if hit is None:
                rows.append(None)
                details.append(None)
                continue
            n_labels, probs, detail = hit
            row = np.frombuffer(probs, dtype="<f4").astype(np.float32)
            rows.append(row if row.shape == (n_labels,) else None)
            details.append(json.loads(detail) if detail is not None else None)
        return rows, details

    def put_many(
        self,
        model_key: str,
        texts: Sequence[str],
        targets: Sequence[str | None],
        rows: np.ndarray,
        template: str = "",
        details: Sequence[dict[str, Any] | None] | None = None,
        spans: Sequence[Span] | None = None,
    ) -> int:
        """Store one row per input (last write wins); rows with NaN/inf are skipped.

        Returns the number of rows stored (0 when read-only).
        """
        if self.read_only:
            return 0
        keys, digests = self._keys(model_key, texts, targets, template, spans)
        array = np.asarray(rows, dtype=np.float32)
        if array.ndim != 2 or array.shape[0] != len(keys):
            raise ValueError(
                f"expected rows of shape ({len(keys)}, n_labels), got {np.shape(rows)}"
            )
        if details is not None and len(details) != len(keys):
            raise ValueError(f"expected one details entry per text, got {len(details)}")
        finite = np.isfinite(array).all(axis=1)
        now = time.time()
        records = []
        for i in np.flatnonzero(finite):
            detail = details[i] if details is not None else None
            if detail is not None and not isinstance(detail, dict):
                raise ValueError(f"expected details {i} to be a dict or None, got {detail!r}")
            span = spans[i] if spans is not None else None
            records.append(
                (
                    keys[i],
                    model_key,
                    digests[i].hex(),
                    targets[i],
                    template,
                    None if span is None else json.dumps([int(span[0]), int(span[1])]),
                    array.shape[1],
                    array[i].astype("<f4").tobytes(),
                    _dump_details(detail, i),
                    now,
                )
            )
        sql = (
            "INSERT OR REPLACE INTO predictions (key, model_key, text_sha256, target, template,"
            " span, n_labels, probs, details, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        for start in range(0, len(records), WRITE_CHUNK):
            chunk = records[start : start + WRITE_CHUNK]
            self._retry(lambda c=chunk: self._write(lambda conn: conn.executemany(sql, c)))
        return len(records)

    def get_relevance(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The stored relevance row (float32, one value per topic) of each key found."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys)) if self._readable else []
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, n, vals FROM relevance WHERE key IN ({marks})"
            result = self._retry(lambda q=query, c=chunk: self.conn.execute(q, c).fetchall())
            for key, n, vals in result:
                row = np.frombuffer(vals, dtype="<f4").astype(np.float32)
                if row.shape == (n,):
                    found[bytes(key)] = row
        return found

    def put_relevance(self, keys: Sequence[bytes], rows: np.ndarray) -> int:
        """Store one relevance row per key (last write wins; rows with NaN/inf skipped; none
        when read-only)."""
        if self.read_only:
            return 0
        array = np.asarray(rows, dtype=np.float32)
        if array.ndim != 2 or array.shape[0] != len(keys):
            raise ValueError(f"expected rows of shape ({len(keys)}, n_topics), got {array.shape}")
        records = [
            (keys[i], array.shape[1], array[i].astype("<f4").tobytes())
            for i in np.flatnonzero(np.isfinite(array).all(axis=1))
        ]
        sql = "INSERT OR REPLACE INTO relevance (key, n, vals) VALUES (?, ?, ?)"
        for start in range(0, len(records), WRITE_CHUNK):
            chunk = records[start : start + WRITE_CHUNK]
            self._retry(lambda c=chunk: self._write(lambda conn: conn.executemany(sql, c)))
        return len(records)

    def stats(self) -> dict[str, Any]:
        """Entries, distinct models, and bytes on disk (database plus its WAL and index files)."""
        entries, models = (
            self._retry(
                lambda: self.conn.execute(
                    "SELECT COUNT(*), COUNT(DISTINCT model_key) FROM predictions"
                ).fetchone()
            )
            if self._readable
            else (0, 0)
        )
        files = [self.path, *(Path(f"{self.path}{s}") for s in ("-wal", "-shm"))]
        size = sum(f.stat().st_size for f in files if f.exists())
        return {"path": str(self.path), "entries": entries, "models": models, "bytes": size}

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> PredictionCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PredictionCache({str(self.path)!r})"

    def _keys(
        self,
        model: str,
        texts: Sequence[str],
        targets: Sequence[str | None],
        template: str,
        spans: Sequence[Span] | None,
    ) -> tuple[list[bytes], list[bytes]]:
        """Validate the inputs; the entry key and text digest of each row."""
        if not isinstance(model, str) or not model:
            raise ValueError(f"expected model_key to be a non-empty string, got {model!r}")
        if not isinstance(template, str):
            raise ValueError(f"expected template to be a string, got {type(template).__name__}")
        check_inputs(texts, targets, spans)
        prefix = _key_prefix(model, template)
        memo: dict[str, bytes] = {}  # the same passage under several targets is hashed once
        digests = [memo[t] if t in memo else memo.setdefault(t, _text_digest(t)) for t in texts]
        spans = spans if spans is not None else [None] * len(texts)
        keys = [
            _key(prefix, digest, target, span)
            for digest, target, span in zip(digests, targets, spans, strict=True)
        ]
        return keys, digests


def _dump_details(detail: dict[str, Any] | None, index: int) -> str | None:
    if detail is None:
        return None
    try:
        return json.dumps(detail, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"expected details {index} to be JSON-serialisable: {error}") from None


class CachedScorer(BaseScorer):
    """Any scorer behind a :class:`PredictionCache`.

    ``score`` looks every input up, sends only the misses to the wrapped scorer (each distinct
    (text, target, span) once, in one call), stores the results and returns all rows in input
    order as float32, so a first run and a rerun return identical arrays. Misses are scored
    through the wrapped scorer's ``score_detailed``; details it gives (a chat backend's raw
    answer or error per row) are cached with the rows.

    ``hits`` and ``misses`` count input rows served from the cache and not (a repeat of a
    miss within one call counts as a miss but is scored once); ``scored`` counts the rows
    actually sent to the wrapped scorer.
    """

    def __init__(self, scorer: BaseScorer, cache: PredictionCache, template: str = "") -> None:
        if not isinstance(scorer, BaseScorer):
            raise ValueError(f"expected a scorer (BaseScorer), got {type(scorer).__name__}")
        if not isinstance(cache, PredictionCache):
            raise ValueError(f"expected a PredictionCache, got {type(cache).__name__}")
        if not isinstance(template, str):
            raise ValueError(f"expected template to be a string, got {type(template).__name__}")
        self.scorer = scorer
        self.cache = cache
        self.template = template
        self.hits = 0
        self.misses = 0
        self.scored = 0
        self._model_key: str | None = None

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.scorer.name

    @property
    def task(self) -> str:  # type: ignore[override]
        return self.scorer.task

    @property
    def labels(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.scorer.labels

    def identity(self) -> dict[str, Any]:
        return self.scorer.identity()

    def check(self) -> None:
        self.scorer.check()

    def calls_per_pair(self) -> int:
        return self.scorer.calls_per_pair()

    def shares_pass_with(self, other: BaseScorer) -> bool:
        return self.scorer.shares_pass_with(other.unwrapped())

    def unwrapped(self) -> BaseScorer:
        return self.scorer.unwrapped()

    def cache_counts(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses}

    @property
    def model_key(self) -> str:
        """The wrapped scorer's :func:`model_key`, computed on first use."""
        if self._model_key is None:
            self._model_key = model_key(self.scorer.identity())
        return self._model_key

    def __repr__(self) -> str:
        return f"CachedScorer({self.scorer!r}, {self.cache!r}, template={self.template!r})"

    def _score_detailed(
        self, texts: Texts, targets: Targets, spans: Spans, progress: bool
    ) -> tuple[np.ndarray, Details | None]:
        texts, targets = list(texts), list(targets)
        n_labels = len(self.labels)
        cached, details = self.cache.get_many_detailed(
            self.model_key, texts, targets, self.template, spans
        )
        out = np.empty((len(texts), n_labels), dtype=np.float32)
        pending: dict[tuple[str, str | None, Span], list[int]] = {}
        for i, row in enumerate(cached):
            if row is not None and row.shape == (n_labels,):
                out[i] = row
            else:
                span = tuple(spans[i]) if spans is not None and spans[i] is not None else None
                pending.setdefault((texts[i], targets[i], span), []).append(i)
        n_missing = sum(len(positions) for positions in pending.values())
        self.hits += len(texts) - n_missing
        self.misses += n_missing
        if not pending:
            return out, _details_or_none(details)
        miss_texts = [text for text, _, _ in pending]
        miss_targets = [target for _, target, _ in pending]
        miss_spans = [span for _, _, span in pending] if spans is not None else None
        fresh, fresh_details = self.scorer.score_detailed(
            miss_texts, miss_targets, miss_spans, progress=progress
        )
        fresh_details = list(fresh_details) if fresh_details is not None else None
        fresh = np.asarray(fresh, dtype=np.float32)
        if fresh.shape != (len(miss_texts), n_labels):
            raise ValueError(
                f"expected {self.name} to return shape ({len(miss_texts)}, {n_labels}), "
                f"got {fresh.shape}"
            )
        if fresh_details is not None and len(fresh_details) != len(miss_texts):
            raise ValueError(
                f"expected {self.name} to return {len(miss_texts)} details, "
                f"got {len(fresh_details)}"
            )
        self.scored += len(miss_texts)
        self.cache.put_many(
            self.model_key,
            miss_texts,
            miss_targets,
            fresh,
            self.template,
            fresh_details,
            miss_spans,
        )
        for j, positions in enumerate(pending.values()):
            out[positions] = fresh[j]
            if fresh_details is not None:
                for i in positions:
                    details[i] = fresh_details[j]
        return out, _details_or_none(details)


def _details_or_none(details: Details) -> Details | None:
    """None where no row has details: a backend without them stays one without them."""
    return details if any(d is not None for d in details) else None

import hashlib
import multiprocessing
import sqlite3

import numpy as np
import pytest

from analysis.cache import (
    SCHEMA_VERSION,
    CachedScorer,
    CacheVersionError,
    PredictionCache,
    model_key,
)
from analysis.scoring.base import BaseScorer


def fake_row(text, target, span=None, salt=""):
    """Deterministic probabilities from the inputs, so any two computations agree."""
    digest = hashlib.sha256(repr((text, target, span, salt)).encode()).digest()
    raw = np.frombuffer(digest[:3], dtype=np.uint8).astype(np.float64) + 1.0
    return raw / raw.sum()


class CountingScorer(BaseScorer):
    """A Scorer that records every call and fails (NaN row) on texts containing 'FAIL'."""

    task = "stance"
    labels = ("favor", "against", "none")

    def __init__(self, name="stance.fake.v1", salt=""):
        self.name = name
        self.salt = salt
        self.calls = []

    def identity(self):
        return {"name": self.name, "weights_sha256": hashlib.sha256(self.salt.encode()).hexdigest()}

    def _score(self, texts, targets, spans, progress):
        spans = spans if spans is not None else [None] * len(texts)
        self.calls.append(list(zip(texts, targets, spans, strict=True)))
        rows = [
            np.full(3, np.nan) if "FAIL" in t else fake_row(t, g, s, self.salt)
            for t, g, s in zip(texts, targets, spans, strict=True)
        ]
        return np.array(rows).reshape(len(texts), 3)

    @property
    def n_scored(self):
        return sum(len(c) for c in self.calls)


class DetailedScorer(CountingScorer):
    """Like a chat backend: also returns the raw answer (or error) per row."""

    def _score_detailed(self, texts, targets, spans, progress):
        rows = self._score(texts, targets, spans, progress)
        details = [
            {"error": "timeout"} if "FAIL" in t else {"raw": f"answer for {t}", "tokens": len(t)}
            for t in texts
        ]
        return rows, details


TEXTS = ["Sanctions hurt.", "Arms control works.", "Kyiv stands."]
TARGETS = ["sanctions", "arms control", None]


@pytest.fixture
def cache(tmp_path):
    with PredictionCache(tmp_path / "sub" / "cache.sqlite") as c:
        yield c


def test_rerun_hits_the_cache_and_returns_identical_rows(cache):
    scorer = CountingScorer()
    cached = CachedScorer(scorer, cache)
    first = cached.score(TEXTS, TARGETS)
    assert scorer.n_scored == 3
    assert (cached.hits, cached.misses) == (0, 3)
    second = cached.score(TEXTS, TARGETS)
    assert scorer.n_scored == 3  # nothing recomputed
    assert (cached.hits, cached.misses) == (3, 3)
    np.testing.assert_array_equal(first, second)
    assert first.dtype == np.float32 and first.shape == (3, 3)
    expected = np.array([fake_row(t, g) for t, g in zip(TEXTS, TARGETS, strict=True)])
    np.testing.assert_allclose(first, expected, rtol=1e-6)


def test_only_misses_are_scored_and_rows_keep_input_order(cache):
    scorer = CountingScorer()
    cached = CachedScorer(scorer, cache)
    cached.score(TEXTS[:2], TARGETS[:2])
    texts = ["New one.", TEXTS[1], TEXTS[0], TEXTS[2]]
    targets = ["sanctions", TARGETS[1], TARGETS[0], TARGETS[2]]
    rows = cached.score(texts, targets)
    assert scorer.calls[-1] == [("New one.", "sanctions", None), (TEXTS[2], None, None)]
    expected = np.array([fake_row(t, g) for t, g in zip(texts, targets, strict=True)])
    np.testing.assert_allclose(rows, expected, rtol=1e-6)
    assert (cached.hits, cached.misses, cached.scored) == (2, 4, 4)


def test_repeated_inputs_are_scored_once_in_one_call(cache):
    scorer = CountingScorer()
    cached = CachedScorer(scorer, cache)
    texts = ["A.", "B.", "A.", "A.", "B."]
    targets = ["x", "x", "x", "y", "x"]
    rows = cached.score(texts, targets)
    assert len(scorer.calls) == 1
    assert scorer.calls[0] == [("A.", "x", None), ("B.", "x", None), ("A.", "y", None)]
    np.testing.assert_array_equal(rows[0], rows[2])
    np.testing.assert_array_equal(rows[1], rows[4])
    assert not np.array_equal(rows[0], rows[3])
    assert cached.scored == 3 and cached.misses == 5


def test_all_hits_and_empty_input_do_not_call_the_scorer(cache):
    scorer = CountingScorer()
    cached = CachedScorer(scorer, cache)
    assert cached.score([], []).shape == (0, 3)
    cached.score(TEXTS, TARGETS)
    cached.score(TEXTS[::-1], TARGETS[::-1])
    assert len(scorer.calls) == 1


def test_a_different_model_identity_gets_its_own_entries(cache):
    old, new = CountingScorer(salt="weights-a"), CountingScorer(salt="weights-b")
    assert model_key(old.identity()) != model_key(new.identity())
    rows_old = CachedScorer(old, cache).score(TEXTS, TARGETS)
    rows_new = CachedScorer(new, cache).score(TEXTS, TARGETS)
    assert new.n_scored == 3
    assert not np.allclose(rows_old, rows_new)
    assert cache.stats()["entries"] == 6 and cache.stats()["models"] == 2
    again = CountingScorer(salt="weights-a")
    np.testing.assert_array_equal(CachedScorer(again, cache).score(TEXTS, TARGETS), rows_old)
    assert again.n_scored == 0


def test_model_key_is_stable_and_order_free():
    a = {"name": "stance.x.v1", "weights_sha256": "ab", "extra": {"b": 1, "a": 2}}
    b = {"extra": {"a": 2, "b": 1}, "weights_sha256": "ab", "name": "stance.x.v1"}
    assert model_key(a) == model_key(b)
    assert len(model_key(a)) == 64
    assert model_key(a) != model_key({**a, "weights_sha256": "cd"})
    with pytest.raises(ValueError, match="expected a JSON-serialisable identity"):
        model_key({"name": object()})


def test_target_template_and_span_changes_are_misses(cache):
    scorer = CountingScorer()
    CachedScorer(scorer, cache).score(["Text about sanctions."], ["sanctions"])
    CachedScorer(scorer, cache).score(["Text about sanctions."], ["Ukraine"])
    CachedScorer(scorer, cache).score(["Text about sanctions."], [None])
    CachedScorer(scorer, cache).score(["Text about sanctions."], [""])
    CachedScorer(scorer, cache, template="{} is good").score(
        ["Text about sanctions."], ["sanctions"]
    )
    CachedScorer(scorer, cache).score(["Text about sanctions."], ["sanctions"], spans=[(11, 20)])
    assert scorer.n_scored == 6
    CachedScorer(scorer, cache).score(["Text about sanctions."], ["sanctions"], spans=[(11, 20)])
    assert scorer.n_scored == 6
    assert cache.stats()["entries"] == 6


def test_failed_rows_are_returned_but_not_cached(cache):
    scorer = CountingScorer()
    cached = CachedScorer(scorer, cache)
    rows = cached.score(["FAIL here", "fine"], ["x", "x"])
    assert np.isnan(rows[0]).all() and np.isfinite(rows[1]).all()
    assert cache.stats()["entries"] == 1
    cached.score(["FAIL here", "fine"], ["x", "x"])
    assert scorer.calls[-1] == [("FAIL here", "x", None)]  # the failure is retried
    key = model_key(scorer.identity())
    assert cache.put_many(key, ["p", "q"], ["x", "x"], np.array([[np.inf, 0, 0], [1, 0, 0]])) == 1
    assert cache.get_many(key, ["p", "q"], ["x", "x"])[0] is None


def test_details_round_trip_through_the_cache(cache):
    scorer = DetailedScorer()
    cached = CachedScorer(scorer, cache)
    plain = CachedScorer(CountingScorer(salt="plain"), cache).score_detailed(["Hello"], ["x"])
    assert plain[1] is None  # a backend without details stays one without them
    rows, details = cached.score_detailed(["Hello", "FAIL now"], ["x", "x"])
    assert details == [{"raw": "answer for Hello", "tokens": 5}, {"error": "timeout"}]
    assert np.isnan(rows[1]).all()
    rows2, details2 = CachedScorer(scorer, cache).score_detailed(["Hello"], ["x"])
    assert scorer.n_scored == 2  # served from the cache
    assert details2 == [{"raw": "answer for Hello", "tokens": 5}]
    np.testing.assert_array_equal(rows2[0], rows[0])
    key = model_key(scorer.identity())
    _, stored = cache.get_many_detailed(key, ["Hello", "FAIL now"], ["x", "x"])
    assert stored == [{"raw": "answer for Hello", "tokens": 5}, None]


def test_entries_survive_closing_and_reopening(tmp_path):
    path = tmp_path / "cache.sqlite"
    key = model_key({"name": "m"})
    rows = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], dtype=np.float32)
    with PredictionCache(path) as cache:
        cache.put_many(key, ["a", "b"], ["t", None], rows, template="tpl", details=[{"k": 1}, None])
    with PredictionCache(path) as cache:
        got = cache.get_many(key, ["b", "a", "c"], [None, "t", "t"], template="tpl")
        np.testing.assert_array_equal(got[0], rows[1])
        np.testing.assert_array_equal(got[1], rows[0])
        assert got[2] is None
        assert cache.get_many(key, ["a"], ["t"]) == [None]  # other template
        assert cache.get_many_detailed(key, ["a"], ["t"], "tpl")[1] == [{"k": 1}]
        stats = cache.stats()
    assert stats["entries"] == 2 and stats["bytes"] > 0
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_lookups_larger_than_one_chunk(cache):
    key = model_key({"name": "m"})
    n = 1234
    texts = [f"passage {i}" for i in range(n)]
    rows = np.random.default_rng(0).random((n, 3)).astype(np.float32)
    cache.put_many(key, texts, ["t"] * n, rows)
    got = cache.get_many(key, texts, ["t"] * n)
    np.testing.assert_array_equal(np.stack(got), rows)


def test_inputs_are_validated(cache):
    key = model_key({"name": "m"})
    with pytest.raises(ValueError, match="expected rows of shape"):
        cache.put_many(key, ["a"], ["t"], np.zeros(3))
    with pytest.raises(ValueError, match="expected one target per text"):
        cache.get_many(key, ["a", "b"], ["t"])
    with pytest.raises(ValueError, match="expected details 0 to be JSON-serialisable"):
        cache.put_many(key, ["a"], ["t"], np.ones((1, 3)), details=[{"x": object()}])
    with pytest.raises(ValueError, match="expected one span per text"):
        CachedScorer(CountingScorer(), cache).score(["a"], ["t"], spans=[])
    cache.close()
    with pytest.raises(ValueError, match="expected an open cache"):
        cache.get_many(key, ["a"], ["t"])


def _set_version(path, version):
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    conn.commit()
    conn.close()


def test_an_older_schema_is_rebuilt_empty(tmp_path):
    path = tmp_path / "cache.sqlite"
    with PredictionCache(path) as cache:
        cache.put_many("m", ["a"], ["t"], np.ones((1, 3)))
    _set_version(path, SCHEMA_VERSION - 1)
    with PredictionCache(path) as cache:
        assert cache.stats()["entries"] == 0
        cache.put_many("m", ["a"], ["t"], np.ones((1, 3)))
        assert cache.stats()["entries"] == 1
    version = sqlite3.connect(path).execute("SELECT value FROM meta").fetchone()[0]
    assert int(version) == SCHEMA_VERSION


def test_a_newer_schema_is_a_clear_error_and_left_intact(tmp_path):
    path = tmp_path / "cache.sqlite"
    with PredictionCache(path) as cache:
        cache.put_many("m", ["a"], ["t"], np.ones((1, 3)))
    _set_version(path, SCHEMA_VERSION + 1)
    with pytest.raises(CacheVersionError, match=f"schema version {SCHEMA_VERSION + 1}"):
        PredictionCache(path)
    count = sqlite3.connect(path).execute("SELECT COUNT(*) FROM predictions").fetchone()[0]
    assert count == 1


def test_a_file_that_is_not_a_cache_is_a_clear_error(tmp_path):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError, match="cannot open prediction cache"):
        PredictionCache(path)


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (sqlite3.DatabaseError("database disk image is malformed"), "delete the file"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "can be written"),
        (sqlite3.OperationalError("unable to open database file"), "can be written"),
        (sqlite3.OperationalError("disk I/O error"), "the disk may be full"),
    ],
)
def test_a_failure_of_the_file_mid_run_names_it_and_says_what_to_do(tmp_path, error, advice):
    """A review's cache damaged mid-file said only "database disk image is malformed"; a
    read-only one was told to delete the file."""
    from analysis.cache import CacheFileError

    path = tmp_path / "cache.sqlite"
    with PredictionCache(path) as cache:

        def fails():
            raise error

        with pytest.raises(CacheFileError) as info:
            cache._retry(fails)
    message = str(info.value)
    assert f"prediction cache {path}: {error}" in message and advice in message
    assert ("delete the file" in message) == (advice == "delete the file")
    assert "--cache ''" in message


def test_a_read_only_cache_answers_lookups_and_writes_nothing(tmp_path):
    path = tmp_path / "cache.sqlite"
    with PredictionCache(path) as cache:
        cache.put_many("m", ["a"], ["t"], np.ones((1, 3)))
        cache.put_relevance([b"k" * 32], np.ones((1, 2)))
    written = path.read_bytes()
    with PredictionCache(path, read_only=True) as view:
        assert view.get_many("m", ["a", "b"], ["t", "t"])[0].tolist() == [1.0, 1.0, 1.0]
        assert set(view.get_relevance([b"k" * 32, b"j" * 32])) == {b"k" * 32}
        assert view.put_many("m", ["b"], ["t"], np.ones((1, 3))) == 0
        assert view.put_relevance([b"j" * 32], np.ones((1, 2))) == 0
        wrapped = CachedScorer(CountingScorer(), view)
        wrapped.score(["fresh text"], ["t"])
        wrapped.score(["fresh text"], ["t"])
        assert wrapped.cache_counts() == {"hits": 0, "misses": 2}  # nothing was stored
    assert path.read_bytes() == written
    with PredictionCache(path) as cache:
        assert cache.get_many("m", ["b"], ["t"]) == [None]
        assert cache.stats()["entries"] == 1


def test_a_read_only_cache_of_another_version_reads_as_empty_and_is_kept(tmp_path):
    path = tmp_path / "cache.sqlite"
    with PredictionCache(path) as cache:
        cache.put_many("m", ["a"], ["t"], np.ones((1, 3)))
    _set_version(path, SCHEMA_VERSION - 1)
    with PredictionCache(path, read_only=True) as view:
        assert view.get_many("m", ["a"], ["t"]) == [None]
        assert view.stats()["entries"] == 0
    count = sqlite3.connect(path).execute("SELECT COUNT(*) FROM predictions").fetchone()[0]
    assert count == 1  # not rebuilt: a run, not a look, decides that


def test_a_read_only_cache_must_exist(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        PredictionCache(tmp_path / "none.sqlite", read_only=True)
    assert not (tmp_path / "none.sqlite").exists()


def test_wraps_a_real_backend(cache):
    from analysis.scoring.base import Scorer
    from analysis.scoring.vader import VaderToneScorer

    texts = ["What a wonderful, great deal.", "A terrible, awful failure.", "It is Tuesday."]
    direct = VaderToneScorer().score(texts, [None] * 3)
    cached = CachedScorer(VaderToneScorer(), cache)
    assert isinstance(cached, Scorer)
    np.testing.assert_array_equal(cached.score(texts, [None] * 3), direct)
    np.testing.assert_array_equal(cached.score(texts, [None] * 3), direct)
    assert cached.hits == 3 and cached.name == "tone.vader.v1" and cached.task == "tone"
    assert cached.identity() == VaderToneScorer().identity()


def _writer(path, start, stop, barrier, queue):
    """One process scoring items [start, stop) in small batches through a shared cache file."""
    barrier.wait(timeout=60)
    try:
        with PredictionCache(path) as cache:
            cached = CachedScorer(CountingScorer(), cache)
            texts = [f"passage {i}" for i in range(start, stop)]
            out = np.concatenate(
                [
                    cached.score(texts[i : i + 25], ["t"] * len(texts[i : i + 25]))
                    for i in range(0, len(texts), 25)
                ]
            )
        queue.put((start, out.tolist()))
    except Exception as error:  # reported to the parent, which fails at once instead of waiting
        queue.put((start, repr(error)))


def test_two_processes_writing_overlapping_keys_at_once(tmp_path):
    path = tmp_path / "shared.sqlite"
    PredictionCache(path).close()  # both find an initialised file; the race is in the writes
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    ranges = [(0, 600), (300, 900)]
    procs = [ctx.Process(target=_writer, args=(path, a, b, barrier, queue)) for a, b in ranges]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=120) for _ in procs)
    assert all(isinstance(r, list) for r in results.values()), results
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    for start, stop in ranges:
        expected = np.array([fake_row(f"passage {i}", "t") for i in range(start, stop)])
        np.testing.assert_allclose(np.array(results[start]), expected, rtol=1e-6)
    with PredictionCache(path) as cache:
        assert cache.stats()["entries"] == 900
        key = model_key(CountingScorer().identity())
        got = cache.get_many(key, [f"passage {i}" for i in range(900)], ["t"] * 900)
    expected = np.array([fake_row(f"passage {i}", "t") for i in range(900)], dtype=np.float32)
    np.testing.assert_array_equal(np.stack(got), expected)

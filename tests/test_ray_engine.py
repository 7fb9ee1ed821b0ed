"""The Ray engine writes the local engine's run: same scores, positions and counts.

A local Ray instance with 2 CPUs runs the seeds and a 60-article AllSides slice; each is also
analyzed by the local engine and the run tables are compared column by column.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.cli import main
from analysis.config import AnalysisConfig, ConfigError
from tests.conftest import SHARED_DATA

ray = pytest.importorskip("ray", reason="the Ray engine's extra (ray[data]) is not installed")

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ALLSIDES = SHARED_DATA / "allsides" / "articles.jsonl"
TABLES = ("articles", "passages", "scores", "positions", "gated_out")  # + the gate's rejects


def analyze(capsys, *args: str) -> Path:
    """``viewpoints analyze ...`` in this process; the run folder it printed."""
    capsys.readouterr()
    code = main(["analyze", *args, "--quiet"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return Path(out.out.strip().splitlines()[-1])


def run_json(run: Path) -> dict:
    return json.loads((run / "run.json").read_text(encoding="utf-8"))


def assert_same_run(local: Path, other: Path, atol: float) -> None:
    """Every table of the two runs equal (with the pairs the topic gate left out): the same
    rows in the same order, text columns equal, numbers within ``atol``; and the same counts."""
    for name in TABLES:
        a = pq.read_table(local / f"{name}.parquet").to_pandas()
        b = pq.read_table(other / f"{name}.parquet").to_pandas()
        assert list(a.columns) == list(b.columns), name
        assert len(a) == len(b), name
        for column in a.columns:
            x, y = a[column], b[column]
            if pd.api.types.is_float_dtype(x):
                np.testing.assert_allclose(
                    x.to_numpy(), y.to_numpy(), atol=atol, rtol=0, err_msg=f"{name}.{column}"
                )
            else:
                assert x.astype(str).tolist() == y.astype(str).tolist(), f"{name}.{column}"
    assert run_json(local)["counts"] == run_json(other)["counts"]


def test_seeds_on_a_local_ray_instance_give_the_local_run(tmp_path, capsys, monkeypatch):
    """No cluster named: the run starts its own local Ray instance and stops it after. Blocks
    of 8 passages and 2 topic passages, so that predecessors cross block edges and rows come
    back from several blocks out of order; fp32, so that batching cannot move a number."""
    import analysis.ray_engine as ray_engine

    monkeypatch.setattr(ray_engine, "MIN_BLOCK_ROWS", 8)
    monkeypatch.setattr(ray_engine, "SCORING_BLOCK_ROWS", 2)
    from analysis.topics import DEFAULT_TOPICS_PATH

    assert not ray.is_initialized()
    # and a topic of the user's, which the topic head does not gate (its own threshold)
    topics = tmp_path / "topics.toml"
    topics.write_text(
        DEFAULT_TOPICS_PATH.read_text(encoding="utf-8")
        + '\n[topics.summit]\nlabel = "Summit"\ndescription = "Meetings of the Russian and '
        'US presidents."\ntarget = "a Putin-Trump summit"\naliases = ["summit"]\n',
        encoding="utf-8",
    )
    common = [str(SEEDS), "--precision", "fp32", "--cache", "", "--topics", str(topics)]
    local = analyze(capsys, *common, "--runs-dir", str(tmp_path / "local"))
    on_ray = analyze(capsys, *common, "--engine", "ray", "--runs-dir", str(tmp_path / "ray"))
    assert not ray.is_initialized()
    assert run_json(on_ray)["counts"]["passages"] > 6 * 8  # several relevance blocks
    assert run_json(on_ray)["counts"]["topic_passages"] > 2  # several scoring blocks
    summit = pq.read_table(on_ray / "scores.parquet").to_pandas().query("topic == 'summit'")
    assert len(summit) and summit["on_topic"].isna().all()
    assert_same_run(local, on_ray, atol=1e-5)
    engine = run_json(on_ray)["engine"]
    assert engine["name"] == "ray" and engine["workers"] == engine["cluster_cpus"] >= 1
    # the pools actually used: every worker on the 8 relevance blocks, no more than 3 parts
    assert engine["actors"]["relevance"] == engine["workers"]
    assert 1 <= engine["actors"]["scoring"] <= min(engine["workers"], 3)
    assert run_json(local)["engine"] == {"name": "local"}
    assert 'name = "ray"' in (on_ray / "config.toml").read_text(encoding="utf-8")


def test_dry_run_on_ray_estimates_and_writes_nothing(tmp_path, capsys):
    runs = str(tmp_path / "runs")
    code = main(
        ["analyze", str(SEEDS), "--engine", "ray", "--dry-run", "--json", "--runs-dir", runs]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out)["passages"] > 0
    assert "one process" in out.err  # says what the estimate is for
    assert not ray.is_initialized()  # a dry run starts no Ray
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


@pytest.fixture(scope="module")
def ray_instance():
    """One local Ray instance (2 CPUs) for the module's other tests: a run uses it, leaves it."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


SLICE = 30  # articles: 1,392 passages, 20 topic passages in fp32 (enough to compare runs)


@pytest.fixture(scope="module")
def allsides_slice(tmp_path_factory) -> Path:
    if not ALLSIDES.is_file():
        pytest.skip(f"{ALLSIDES} is absent")
    path = tmp_path_factory.mktemp("slice") / "allsides_slice.jsonl"
    with ALLSIDES.open(encoding="utf-8") as source:
        path.write_text("".join(next(source) for _ in range(SLICE)), encoding="utf-8")
    return path


@pytest.mark.slow
def test_allsides_slice_and_the_cache_on_ray(ray_instance, allsides_slice, tmp_path, capsys):
    """fp32 so that different batching cannot move a number; the second Ray run finds every
    prediction and every passage's relevance in the cache the first one wrote."""
    common = [str(allsides_slice), "--precision", "fp32"]
    local = analyze(capsys, *common, "--runs-dir", str(tmp_path / "local"), "--cache", "")
    cache = tmp_path / "cache.sqlite"
    ray_args = [*common, "--engine", "ray", "--workers", "2", "--cache", str(cache)]
    first = analyze(capsys, *ray_args, "--runs-dir", str(tmp_path / "ray1"))
    assert ray.is_initialized()  # the module's instance: used, not stopped
    assert_same_run(local, first, atol=1e-5)
    counts = run_json(first)["counts"]
    assert counts["topic_passages"] > 10 and counts["articles_read"] == SLICE

    second = analyze(capsys, *ray_args, "--runs-dir", str(tmp_path / "ray2"))
    assert_same_run(first, second, atol=1e-6)
    first_cache, second_cache = run_json(first)["cache"], run_json(second)["cache"]
    for task in ("relevance", "stance", "tone", "quoted", "gate"):
        assert first_cache[task]["misses"] > 0 and first_cache[task]["hits"] == 0, task
        assert second_cache[task] == {"hits": first_cache[task]["misses"], "misses": 0}, task
    # relevance counts every passage of the slice once
    assert first_cache["relevance"]["misses"] == counts["passages"]


def test_more_workers_than_cpus_is_one_line(ray_instance, tmp_path, capsys):
    ray_options = ["--engine", "ray", "--workers", "5", "--cache", "", "--quiet"]
    code = main(["analyze", str(SEEDS), *ray_options, "--runs-dir", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 2
    assert "--workers: expected at most the 2 CPUs of this machine" in err and "got 5" in err
    assert "Traceback" not in err
    assert not any((tmp_path / "runs").glob("2*"))  # no run folder left behind


def test_the_engine_line_is_said_unless_quiet(ray_instance):
    """The engine says where it runs (Ray's version, the cluster, workers of CPUs), as a
    progress line: --quiet leaves it out as it leaves out the local engine's."""
    from analysis.config import EngineSection
    from analysis.ray_engine import ray_engine

    for progress in (True, False):
        lines: list[str] = []
        with ray_engine(EngineSection(name="ray", workers=1), progress, lines.append) as engine:
            assert engine.workers == 1
        if progress:
            assert len(lines) == 1 and lines[0].startswith(f"engine: Ray {ray.__version__} on ")
            assert lines[0].endswith("1 worker(s) of 2 CPUs")
        else:
            assert lines == []


def test_without_ray_the_engine_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    code = main(["analyze", str(SEEDS), "--engine", "ray", "--quiet", "--runs-dir", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [
        "viewpoints: error: the Ray engine needs Ray: pip install 'ray[data]>=2.50,<3' "
        "(or, in a viewpoints checkout, pip install -e '.[ray]')"
    ]


def test_engine_keys_in_an_experiment_file(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text('[engine]\nname = "ray"\naddress = "auto"\nworkers = 3\n', encoding="utf-8")
    engine = AnalysisConfig.from_toml(path).engine
    assert (engine.name, engine.address, engine.workers) == ("ray", "auto", 3)
    for bad, expected in (
        ('name = "spark"', "engine.name: expected local or ray, got 'spark'"),
        ("workers = -1", "engine.workers: expected an integer >= 0"),
        ("workers = true", "engine.workers: expected an integer >= 0"),
        ('name = "local"\nworkers = 2', "engine.workers: expected to be left out unless"),
    ):
        path.write_text(f"[engine]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")):
            AnalysisConfig.from_toml(path)


def test_engine_local_on_the_command_line_sets_a_files_ray_keys_aside(tmp_path, capsys):
    """An experiment written for a cluster runs here with --engine local; --workers alone
    (no Ray anywhere) is a mistake, said in one line."""
    path = tmp_path / "exp.toml"
    path.write_text(
        f'[corpus]\npaths = ["{SEEDS}"]\n[engine]\nname = "ray"\naddress = "auto"\nworkers = 8\n',
        encoding="utf-8",
    )
    code = main(["run", str(path), "--engine", "local", "--dry-run", "--json", "--quiet"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out)["articles"] == 3
    assert "engine ray" not in out.err  # the estimate is not labelled as a Ray one
    code = main(["analyze", str(SEEDS), "--workers", "2", "--dry-run", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert 'engine.workers: expected to be left out unless engine.name = "ray", got 2' in err
    # 0 (every CPU on Ray) is no exception: asked for without Ray, it is refused, not ignored
    assert main(["analyze", str(SEEDS), "--workers", "0", "--dry-run", "--quiet"]) == 2
    assert "--workers: only with --engine ray" in capsys.readouterr().err


@pytest.mark.slow
def test_a_ray_run_reads_the_relevance_a_local_run_cached(ray_instance, tmp_path, capsys):
    """A docs audit: the workers' precision, resolved by the driver ("bf16"), keyed relevance
    apart from a local run's ("auto", the same dtype), so a Ray run embedded everything again."""
    common = [str(SEEDS), "--cache", str(tmp_path / "cache.sqlite")]
    analyze(capsys, *common, "--runs-dir", str(tmp_path / "local"))
    on_ray = analyze(
        capsys, *common, "--engine", "ray", "--workers", "1", "--runs-dir", str(tmp_path / "ray")
    )
    relevance = run_json(on_ray)["cache"]["relevance"]
    assert relevance == {"hits": run_json(on_ray)["counts"]["passages"], "misses": 0}

import json

import pandas as pd
import pytest

from analysis.runs import TABLE_COLUMNS, RunError, list_runs, load_run, resolve_run, write_run


def tables(n_articles=2):
    out = {name: pd.DataFrame({c: [] for c in cols}) for name, cols in TABLE_COLUMNS.items()}
    out["articles"] = pd.DataFrame(
        [
            {c: None for c in TABLE_COLUMNS["articles"]} | {"article_id": f"a{i}", "title": f"T{i}"}
            for i in range(n_articles)
        ]
    )
    return out


def test_write_then_load_round_trips(tmp_path):
    path = write_run(
        tmp_path, "20260101-000000-abc", {"created": "2026-01-01"}, "x = 1\n", tables()
    )
    run = load_run("20260101-000000-abc", tmp_path)
    assert run.path == path and run.run_id == "20260101-000000-abc"
    assert run.config == {"x": 1}
    assert list(run.articles["article_id"]) == ["a0", "a1"]


def test_latest_is_the_newest_and_unknown_runs_name_recent_ones(tmp_path):
    write_run(tmp_path, "r1", {"created": "2026-01-01T00:00:00"}, "", tables())
    write_run(tmp_path, "r2", {"created": "2026-01-02T00:00:00"}, "", tables())
    assert resolve_run("latest", tmp_path).name == "r2"
    assert [m["run_id"] for m in list_runs(tmp_path)] == ["r2", "r1"]
    with pytest.raises(RunError, match="recent runs: r2, r1"):
        resolve_run("r3", tmp_path)
    with pytest.raises(RunError, match="no runs in"):
        resolve_run("latest", tmp_path / "empty")


def test_an_interrupted_write_leaves_no_listed_run(tmp_path, monkeypatch):
    def explode(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", explode)
    with pytest.raises(KeyboardInterrupt):
        write_run(tmp_path, "r1", {}, "", tables())
    assert list_runs(tmp_path) == []
    assert list(tmp_path.iterdir()) == []  # the staging folder is gone too


def test_missing_columns_are_refused_before_writing(tmp_path):
    bad = tables()
    bad["positions"] = pd.DataFrame({"level": []})
    with pytest.raises(ValueError, match="table 'positions' lacks columns"):
        write_run(tmp_path, "r1", {}, "", bad)
    assert not (tmp_path / "r1").exists()


def test_run_json_records_the_format_version(tmp_path):
    path = write_run(tmp_path, "r1", {"seed": 3}, "", tables())
    meta = json.loads((path / "run.json").read_text())
    assert meta["seed"] == 3 and meta["format_version"] == 1 and meta["run_id"] == "r1"


def test_list_columns_written_with_an_arrow_dtype_read_back_as_lists(tmp_path):
    import pyarrow as pa

    data = tables()
    data["positions"] = pd.DataFrame(
        [{c: None for c in TABLE_COLUMNS["positions"]} | {"level": "article"}]
    )
    data["positions"]["evidence"] = pd.Series(
        [["a0:1", "a0:2"]], dtype=pd.ArrowDtype(pa.list_(pa.string()))
    )
    write_run(tmp_path, "r1", {}, "", data)
    run = load_run("r1", tmp_path)
    assert list(run.positions.loc[0, "evidence"]) == ["a0:1", "a0:2"]

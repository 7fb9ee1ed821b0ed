import json
import shutil

import pandas as pd
import pytest

from analysis.runs import (
    NO_RUN_JSON,
    TABLE_COLUMNS,
    RunError,
    list_runs,
    load_run,
    resolve_run,
    write_run,
)


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
    with pytest.raises(RunError, match=r"no runs in .*empty \(no such folder: check --runs-dir\)"):
        resolve_run("latest", tmp_path / "empty")  # a misspelt --runs-dir is said to be one
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunError, match=r"no runs in .*empty: run `viewpoints analyze PATH`"):
        resolve_run("latest", tmp_path / "empty")


def test_a_run_opens_by_its_name_where_one_run_has_it(tmp_path):
    write_run(tmp_path, "r1", {"created": "2026-01-01T00:00:00", "name": "vader"}, "", tables())
    write_run(tmp_path, "r2", {"created": "2026-01-02T00:00:00", "name": "v1"}, "", tables())
    assert resolve_run("vader", tmp_path).name == "r1"
    write_run(tmp_path, "r3", {"created": "2026-01-03T00:00:00", "name": "vader"}, "", tables())
    with pytest.raises(RunError, match=r"2 runs are named 'vader' \(r3, r1, newest first\)"):
        resolve_run("vader", tmp_path)
    with pytest.raises(RunError, match=r"recent runs: r3 \(vader\), r2 \(v1\), r1 \(vader\)"):
        resolve_run("v2", tmp_path)
    # two copies of one run under one name: an id would name both, so a folder is asked for
    shutil.copytree(tmp_path / "r2", tmp_path / "r2-copy")
    with pytest.raises(RunError, match=r"2 runs are named 'v1', copies of one run among them"):
        resolve_run("v1", tmp_path)


def test_a_copied_run_folder_opens_by_the_id_it_lists_under(tmp_path):
    import shutil

    original = write_run(tmp_path, "r1", {"created": "2026-01-01T00:00:00"}, "", tables())
    shutil.copytree(original, tmp_path / "my copy")
    shutil.rmtree(original)
    assert [m["run_id"] for m in list_runs(tmp_path)] == ["r1"]
    assert resolve_run("r1", tmp_path) == tmp_path / "my copy"
    assert load_run("r1", tmp_path).run_id == "r1"
    shutil.copytree(tmp_path / "my copy", tmp_path / "another")
    with pytest.raises(RunError, match="'r1' is ambiguous: the folders another, my copy"):
        resolve_run("r1", tmp_path)
    assert resolve_run("another", tmp_path) == tmp_path / "another"


def test_an_interrupted_write_leaves_no_listed_run(tmp_path, monkeypatch):
    def explode(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("pyarrow.parquet.write_table", explode)
    with pytest.raises(KeyboardInterrupt):
        write_run(tmp_path, "r1", {}, "", tables())
    assert list_runs(tmp_path) == []
    assert list(tmp_path.iterdir()) == []  # the staging folder is gone too


def test_every_table_of_a_run_reads_with_pandas_pyarrow_polars_and_duckdb(tmp_path):
    import duckdb
    import polars as pl
    import pyarrow.parquet as pq

    from analysis.aggregate import EVIDENCE_DTYPE

    data = tables()
    data["positions"] = pd.DataFrame(
        [{c: None for c in TABLE_COLUMNS["positions"]} for _ in range(2)]
    ).assign(
        level="article",
        stance=[0.5, float("nan")],
        evidence=pd.Series([["a0:1", "a0:0"], []], dtype=EVIDENCE_DTYPE),
    )
    path = write_run(tmp_path, "r1", {}, "", data)
    for name in TABLE_COLUMNS:
        file = path / f"{name}.parquet"
        expected = len(data[name])
        assert len(pd.read_parquet(file)) == expected, name
        assert pq.read_table(file).num_rows == expected, name
        assert pl.read_parquet(file).height == expected, name
        assert duckdb.sql(f"select count(*) from '{file}'").fetchall()[0][0] == expected, name
    evidence = pd.read_parquet(path / "positions.parquet")["evidence"]
    assert [list(v) for v in evidence] == [["a0:1", "a0:0"], []]
    assert pl.read_parquet(path / "positions.parquet")["evidence"].to_list()[0] == ["a0:1", "a0:0"]
    assert str(pq.read_schema(path / "positions.parquet").field("evidence").type) in (
        "list<item: string>",
        "list<element: string>",
    )


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


def _write_same_id(args):
    runs_dir, marker = args
    data = tables()
    data["articles"] = data["articles"].assign(title=marker)
    return str(write_run(runs_dir, "20260101-000000-abc", {"who": marker}, "", data))


def test_runs_given_the_same_id_at_once_all_land_under_distinct_ids(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    markers = [f"w{i}" for i in range(6)]
    with ProcessPoolExecutor(max_workers=6) as pool:
        paths = list(pool.map(_write_same_id, [(tmp_path, m) for m in markers]))
    assert len(set(paths)) == 6
    ids = sorted(m["run_id"] for m in list_runs(tmp_path))
    assert ids[0] == "20260101-000000-abc" and len(ids) == 6
    assert all(i.startswith("20260101-000000-abc") for i in ids)
    # every writer's own tables are in the run whose id it got, nothing is lost or mixed
    for path in paths:
        run = load_run(path, tmp_path)
        assert run.path.name == run.run_id
        assert set(run.articles["title"]) == {run.meta["who"]}
    assert sorted(load_run(p, tmp_path).meta["who"] for p in paths) == markers
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_an_existing_id_gets_a_numbered_twin(tmp_path):
    first = write_run(tmp_path, "r1", {}, "", tables())
    second = write_run(tmp_path, "r1", {}, "", tables())
    assert (first.name, second.name) == ("r1", "r1~2")
    assert json.loads((second / "run.json").read_text())["run_id"] == "r1~2"


def test_an_export_carries_the_run_id_and_its_provenance(tmp_path):
    import pyarrow.parquet as pq

    from analysis.export import export_table
    from analysis.provenance import PARQUET_KEY

    meta = {
        "created": "2026-01-01T00:00:00",
        "command": "viewpoints analyze seeds",
        "models": {"stance": {"name": "stance.minilm.v2", "weights_sha256": "f" * 64}},
        "topics": [{"key": "sanctions", "target": "sanctions on Russia"}],
    }
    path = write_run(tmp_path, "r1", meta, '[topics]\nfile = "my_topics.toml"\n', tables())
    run = load_run(path)
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"articles.{fmt}"
        export_table(run, "articles", fmt, out)
        if fmt == "parquet":
            table = pq.read_table(out)
            assert set(table.column("run_id").to_pylist()) == {"r1"}
            provenance = json.loads(table.schema.metadata[PARQUET_KEY])
        else:
            frame = pd.read_csv(out) if fmt == "csv" else pd.read_json(out, lines=True)
            assert frame.columns[0] == "run_id" and set(frame["run_id"]) == {"r1"}
            provenance = json.loads((tmp_path / f"articles.{fmt}.provenance.json").read_text())
        assert provenance["run_id"] == "r1" and provenance["command"] == meta["command"]
        assert provenance["models"]["stance"]["weights_sha256"] == "f" * 64
        assert provenance["topics_file"] == "my_topics.toml"
        assert len(provenance["topics_sha256"]) == 64
        assert provenance["export"]["what"] == "articles" and provenance["export"]["rows"] == 2


def test_a_run_folder_with_a_broken_run_json_is_left_out_with_a_warning(tmp_path):
    write_run(tmp_path, "good", {"created": "2026-01-01T00:00:00"}, "", tables())
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "run.json").write_text("{not json")
    listed = tmp_path / "listed"
    listed.mkdir()
    (listed / "run.json").write_text("[1, 2]")
    with pytest.warns(UserWarning) as caught:
        runs = list_runs(tmp_path)
    assert [m["run_id"] for m in runs] == ["good"]
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2
    assert "broken: its run.json is unreadable" in messages[0]
    assert "listed: its run.json is not a JSON object" in messages[1]


def test_a_run_folder_copied_without_its_run_json_is_said_not_passed_over(tmp_path):
    """A review's copy cut short before run.json was invisible to `runs` and the dashboard,
    and `show` answered "no run" for a folder that was there."""
    path = write_run(tmp_path, "20260101-000000-abc", {"created": "2026-01-01"}, "", tables())
    (path / "run.json").unlink()
    (tmp_path / "notes").mkdir()  # a folder of something else: no word about it
    with pytest.warns(UserWarning) as caught:
        assert list_runs(tmp_path) == []
    (message,) = [str(w.message) for w in caught]
    assert "20260101-000000-abc: it holds a run's tables but no run.json" in message
    heard = []
    list_runs(tmp_path, lambda folder, why: heard.append((folder.name, why)))
    assert heard == [("20260101-000000-abc", f"it {NO_RUN_JSON}")]
    for spec in ("20260101-000000-abc", str(path)):
        with pytest.raises(RunError, match=r"holds a run's tables but no run\.json"):
            resolve_run(spec, tmp_path)


def test_a_run_with_a_table_removed_says_which_files_it_lacks(tmp_path):
    path = write_run(tmp_path, "r1", {"created": "2026-01-01T00:00:00"}, "", tables())
    (path / "scores.parquet").unlink()
    (path / "config.toml").unlink()
    with pytest.raises(RunError, match=r"incomplete: it has no scores\.parquet, config\.toml"):
        load_run("latest", tmp_path)


def test_latest_passes_over_a_newest_run_copied_in_part(tmp_path):
    write_run(tmp_path, "r1", {"created": "2026-01-01T00:00:00"}, "", tables())
    newest = write_run(tmp_path, "r2", {"created": "2026-01-02T00:00:00"}, "", tables())
    (newest / "positions.parquet").unlink()
    with pytest.warns(UserWarning, match=r"the newest run, r2, is incomplete or damaged \(no posi"):
        assert resolve_run("latest", tmp_path).name == "r1"
    with pytest.raises(RunError, match="is incomplete"):
        load_run("r2", tmp_path)  # named, it is still refused with what it lacks


def test_a_table_truncated_or_replaced_is_damaged_listed_so_and_passed_over(tmp_path, capsys):
    import pandas as pd

    from analysis.terminal import format_runs

    write_run(tmp_path, "r1", {"created": "2026-01-01T00:00:00"}, "", tables())
    newest = write_run(tmp_path, "r2", {"created": "2026-01-02T00:00:00"}, "", tables())
    positions = newest / "positions.parquet"
    positions.write_bytes(positions.read_bytes()[: positions.stat().st_size // 2])  # half copied
    with pytest.warns(UserWarning, match=r"the newest run, r2, is incomplete or damaged"):
        assert resolve_run("latest", tmp_path).name == "r1"
    with pytest.raises(RunError, match=r"r2 is damaged: positions\.parquet \(cannot be read"):
        load_run("r2", tmp_path)  # named: refused in one line that names run and file
    listed = format_runs(list_runs(tmp_path)).splitlines()
    assert "[damaged: positions.parquet (cannot be read" in listed[1]
    assert "damaged" not in listed[2]
    # and in `runs --json`, for a script that picks runs (it had the healthy run's keys only)
    from analysis.cli import main

    capsys.readouterr()
    assert main(["runs", "--runs-dir", str(tmp_path), "--json"]) == 0
    by_id = {r["run_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert by_id["r2"]["damaged_files"][0].startswith("positions.parquet (cannot be read")
    assert by_id["r1"]["damaged_files"] == [] and by_id["r1"]["missing_files"] == []
    assert by_id["r1"]["folder"] == "r1"
    # a table of another kind under the name (no status column) is damaged too
    pd.DataFrame({"level": ["author"], "author": ["A"], "topic": ["t"]}).to_parquet(positions)
    with pytest.raises(RunError, match=r"positions\.parquet \(no column article_id, .*status"):
        load_run("r2", tmp_path)
    # and so is the run's own table with columns every run has taken out (an edit by hand)
    whole = tables()["positions"]
    whole.drop(columns=["stance", "tone_low"]).to_parquet(positions)
    with pytest.raises(RunError, match=r"positions\.parquet \(no column stance, tone_low\)"):
        load_run("r2", tmp_path)
    whole.to_parquet(positions)
    assert load_run("r2", tmp_path).positions.shape == whole.shape


def test_a_run_json_whose_fields_have_the_wrong_types_is_left_out_and_refused(tmp_path):
    write_run(tmp_path, "good", {"created": "2026-01-01T00:00:00"}, "", tables())
    bad = write_run(tmp_path, "bad", {"created": "2026-01-02T00:00:00"}, "", tables())
    meta = json.loads((bad / "run.json").read_text())
    (bad / "run.json").write_text(json.dumps({**meta, "counts": "many"}))
    with pytest.warns(
        UserWarning, match=r'bad: its run\.json has counts = "many", expected an obj'
    ):
        assert [m["run_id"] for m in list_runs(tmp_path)] == ["good"]
    with pytest.raises(RunError, match=r"its run\.json has counts"):
        load_run(str(bad), tmp_path)


def test_a_damaged_optional_table_is_listed_but_the_run_still_opens(tmp_path):
    from analysis.runs import GATED_OUT_TABLE
    from analysis.terminal import format_runs

    path = write_run(tmp_path, "r1", {"created": "2026-01-01T00:00:00"}, "", tables())
    (path / GATED_OUT_TABLE).write_bytes(b"PAR1 cut short")
    assert "[damaged: gated_out.parquet (cannot be read" in format_runs(list_runs(tmp_path))
    assert load_run("latest", tmp_path).run_id == "r1"  # no reader needs it


def test_a_run_renamed_into_place_is_told_before_an_interrupt_can_come_between(tmp_path):
    """A review's Ctrl-C just after the rename printed "no run was written" for a run that
    was complete; the one told of the folder now learns it before the interrupt lands."""
    import os
    import signal

    from analysis.runs import finish_run, new_staging

    told = []

    def on_claimed(path):
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C the moment the run is in place
        told.append(path)  # still runs: the interrupt waits for the block to end

    staging = new_staging(tmp_path)
    # as a command has it (a test runner's worker may ignore SIGINT)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            finish_run(staging, tmp_path, "20260101-000000-abc", {}, "", tables(), on_claimed)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert told == [tmp_path / "20260101-000000-abc"]
    assert load_run("20260101-000000-abc", tmp_path).run_id == "20260101-000000-abc"


def test_a_table_that_cannot_be_written_is_named_and_a_full_disk_said(tmp_path):
    """A review's full disk read "[Errno 27] Error writing bytes to file", naming no file."""
    import errno

    from analysis.runs import naming_the_file

    where = tmp_path / "scores.parquet"
    full = r"cannot write .*scores\.parquet: .*\(no room left"
    with pytest.raises(OSError, match=full) as info, naming_the_file(where):
        raise OSError(errno.EFBIG, "Error writing bytes to file")
    assert info.value.errno == errno.EFBIG
    denied = r"cannot write .*: .*Permission denied$"
    with pytest.raises(OSError, match=denied), naming_the_file(str(where)):
        raise PermissionError(errno.EACCES, "Permission denied")


def test_a_table_replaced_by_a_shorter_valid_one_is_damaged_by_its_recorded_count(tmp_path):
    """A review's positions.parquet cut to 100 of its 1,089 rows read as a whole run."""
    from analysis.runs import run_problems, write_parquet

    meta = {"created": "2026-01-01", "counts": {"passages": 0, "positions": 0}}
    path = write_run(tmp_path, "20260101-000000-abc", meta, "", tables())
    assert run_problems(path) is None  # as recorded
    extra = pd.DataFrame([{c: None for c in TABLE_COLUMNS["positions"]}] * 3)
    write_parquet(
        extra.assign(level="author", author="A", topic="t", status="discussed"),
        path / "positions.parquet",
    )
    assert run_problems(path) == (
        "positions.parquet (3 rows where run.json records 0: replaced or edited?)"
    )
    with pytest.raises(RunError, match=r"damaged: positions\.parquet"):
        load_run(str(path))


def test_a_runs_folder_that_cannot_be_written_is_named_not_a_staging_folder(tmp_path, monkeypatch):
    from pathlib import Path

    from analysis.runs import new_staging

    def refused(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refused)
    with pytest.raises(OSError) as err:
        new_staging(tmp_path / "runs")
    message = str(err.value)
    assert message.startswith(f"cannot write a run in {tmp_path / 'runs'}: Permission denied")
    assert ".tmp-" not in message

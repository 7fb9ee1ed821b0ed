import json
import os
import signal
import sys
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.cli.evaluate import parse_label_map
from tests.conftest import write_jsonl
from tests.test_shifts import make_run

STANCE_ROWS = [
    {"text": "We should extend New START.", "target": "arms control", "label": "favor"},
    {"text": "Treaties only tie our hands.", "target": "arms control", "label": "against"},
    {"text": "The weather was fine.", "target": "arms control", "label": "none"},
]


def test_evaluate_json_prints_exactly_one_object_with_the_metrics(
    tmp_path, tiny_pair_model_dir, capsys
):
    data = write_jsonl(tmp_path / "stance.jsonl", STANCE_ROWS)
    code = main(
        [
            "evaluate",
            "--task",
            "stance",
            "--data",
            str(data),
            "--model",
            str(tiny_pair_model_dir),
            "--json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    report = json.loads(captured.out)  # the whole of stdout is one JSON object
    for key in ("task", "model", "n", "macro_f1", "accuracy", "per_class", "confusion"):
        assert key in report
    assert report["task"] == "stance" and report["n"] == 3
    assert sum(map(sum, report["confusion"])) == 3
    assert set(report["per_class"]) == {"favor", "against", "none"}
    # a class never predicted has no precision: null, as the text says n/a (not 0.0)
    predicted = [sum(col) for col in zip(*report["confusion"], strict=True)]
    assert 0 in predicted  # the tiny model leaves a class out, so this is tested
    for label, n in zip(report["labels"], predicted, strict=True):
        assert (report["per_class"][label]["precision"] is None) == (n == 0), label
    assert "evaluating" in captured.err
    # the precision is named (bf16 and fp32 move the third decimal; the page uses the run's)
    assert report["precision"] in ("float32", "bfloat16")
    assert f"examples from {data} ({report['precision']})" in captured.err
    assert "no target" not in captured.err


def test_evaluating_stance_examples_without_a_target_warns(tmp_path, tiny_pair_model_dir, capsys):
    rows = [*STANCE_ROWS, {"text": "Sanctions work.", "label": "favor"}]
    data = write_jsonl(tmp_path / "stance.jsonl", rows)
    args = ["evaluate", "--task", "stance", "--data", str(data), "--json"]
    assert main([*args, "--model", str(tiny_pair_model_dir)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["n"] == 4  # still scored
    assert "warning: 1 of 4 stance examples have no target" in captured.err


def test_evaluate_text_report_shows_scores_and_confusion(tmp_path, capsys):
    data = write_jsonl(
        tmp_path / "tone.jsonl",
        [
            {"text": "A wonderful, hopeful success.", "label": "positive"},
            {"text": "A horrible and shameful disaster.", "label": "negative"},
        ],
    )
    assert (
        main(["evaluate", "--task", "tone", "--data", str(data), "--model", "tone.vader.v1"]) == 0
    )
    out = capsys.readouterr().out
    assert "macro-F1: 1.0000" in out
    assert "confusion" in out and "positive" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "empty"),
        ('{"text": "x", "label": "maybe"}\n', "bad.jsonl:1: unknown tone label 'maybe'"),
        ('{"label": "neutral"}\n', "bad.jsonl:1: missing field 'text'"),
    ],
)
def test_bad_data_is_one_line_and_nonzero_exit(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    code = main(["evaluate", "--task", "tone", "--data", str(path), "--model", "tone.vader.v1"])
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_model_name_lists_registered_ones(tmp_path, capsys):
    data = write_jsonl(tmp_path / "t.jsonl", [{"text": "x", "label": "neutral"}])
    assert main(["evaluate", "--task", "tone", "--data", str(data), "--model", "tone.nope.v1"]) == 2
    err = capsys.readouterr().err
    assert "tone.vader.v1" in err and "tone.minilm.v1" in err


def test_label_map_parsing():
    assert parse_label_map("LABEL_0=Negative, LABEL_1=neutral") == {
        "LABEL_0": "negative",
        "LABEL_1": "neutral",
    }
    with pytest.raises(Exception, match="expected --label-map"):
        parse_label_map("LABEL_0")


def _error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_bad_cache_paths_are_one_line_errors(tmp_path, capsys):
    corpus = tmp_path / "a.txt"
    corpus.write_text("A title\n\nSanctions on Russia were tightened again this week.\n")
    folder = tmp_path / "cache_folder"
    folder.mkdir()
    runs = tmp_path / "runs"
    args = ["analyze", str(corpus), "--runs-dir", str(runs), "--quiet"]
    assert main([*args, "--cache", str(folder), "--tone-model", "tone.vader.v1"]) == 2
    assert "is a folder; expected a file" in _error(capsys)
    broken = tmp_path / "broken.sqlite"
    broken.write_text("not a database")
    assert main([*args, "--cache", str(broken), "--tone-model", "tone.vader.v1"]) == 2
    assert "cannot open prediction cache" in _error(capsys)
    assert not runs.exists() or not any(runs.iterdir())


@pytest.mark.parametrize("port", ["-1", "99999", "http"])
def test_dashboard_port_out_of_range_is_a_usage_error(port, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard", "--port", port])
    assert exit_.value.code == 2
    assert "expected a port number in 1-65535" in capsys.readouterr().err


def test_a_model_name_with_a_task_prefix_is_looked_up_among_registered_names(capsys):
    assert main(["analyze", "seeds", "--stance-model", "stance.minilm", "--dry-run"]) == 2
    err = _error(capsys)
    assert "unknown model name 'stance.minilm'" in err and "stance.minilm.v2" in err


def test_shift_rejects_a_topic_the_run_does_not_have(tmp_path, capsys):
    make_run(tmp_path)
    code = main(["shift", "latest", "Ann", "--runs-dir", str(tmp_path), "--topic", "foo"])
    assert code == 2
    assert "expected topics among" in _error(capsys)


def test_export_checks_out_before_writing_anything(tmp_path, capsys):
    make_run(tmp_path / "runs")
    folder = tmp_path / "out"
    folder.mkdir()
    base = ["export", "latest", "--runs-dir", str(tmp_path / "runs"), "--out"]
    assert main([*base, str(folder)]) == 2
    assert "is a folder" in _error(capsys)
    assert main([*base, str(tmp_path / "no" / "such" / "a.jsonl")]) == 2
    assert "no folder" in _error(capsys)
    assert main([*base, ""]) == 2
    assert "--out is empty" in _error(capsys)
    assert main([*base, "/dev/null"]) == 2  # a device is not replaced by a file
    assert "not a regular file" in _error(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "runs"]
    assert list(folder.iterdir()) == []
    # a run's own table, overwritten, would damage the run
    (run,) = (tmp_path / "runs").iterdir()
    before = (run / "positions.parquet").read_bytes()
    assert main([*base, str(run / "positions.parquet")]) == 2
    assert "would damage the run" in _error(capsys)
    assert (run / "positions.parquet").read_bytes() == before
    # an export of the user's own beside them is theirs to replace
    (run / "authors.csv").write_text("an earlier export")
    assert main([*base, str(run / "authors.csv")]) == 0
    assert (run / "authors.csv").read_text().startswith("run_id,")


def test_a_failed_export_leaves_neither_the_file_nor_its_sidecar(tmp_path, capsys, monkeypatch):
    from analysis import export

    make_run(tmp_path / "runs")
    out = tmp_path / "x.jsonl"
    real = Path.write_bytes

    def full_disk(self, data):
        if self.name.startswith(".x.jsonl.provenance.json"):
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    base = ["export", "latest", "--runs-dir", str(tmp_path / "runs"), "--out", str(out)]
    assert main(base) == 2
    error = _error(capsys)
    assert "No space left on device" in error
    # the file the user asked for is named, not the part written first
    assert f"cannot write {export.sidecar_path(out)}" in error and ".part" not in error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]  # nothing half-written
    monkeypatch.setattr(Path, "write_bytes", real)
    assert main(base) == 0
    assert out.read_text().startswith('{"run_id"') and export.sidecar_path(out).is_file()


def test_export_takes_its_format_from_the_out_files_ending(tmp_path, capsys):
    import pyarrow.parquet as pq

    make_run(tmp_path / "runs")
    base = ["export", "latest", "--runs-dir", str(tmp_path / "runs"), "--out"]
    assert main([*base, str(tmp_path / "x.parquet")]) == 0
    assert pq.read_table(tmp_path / "x.parquet").num_rows > 0  # Parquet, not JSONL named so
    assert not (tmp_path / "x.parquet.provenance.json").exists()  # it is in the metadata
    assert main([*base, str(tmp_path / "y.csv")]) == 0
    assert (tmp_path / "y.csv").read_text().startswith("run_id,")
    assert main([*base, str(tmp_path / "z.csv"), "--format", "parquet"]) == 2
    assert "names the csv format but --format is parquet" in _error(capsys)
    assert not (tmp_path / "z.csv").exists()
    # an ending that names no format: refused, not JSON Lines under a spreadsheet's name
    assert main([*base, str(tmp_path / "sheet.xlsx")]) == 2
    assert "no export format ends in '.xlsx'" in _error(capsys)
    assert not (tmp_path / "sheet.xlsx").exists()
    assert main([*base, str(tmp_path / "plain.out"), "--format", "jsonl"]) == 0  # named: kept
    assert (tmp_path / "plain.out").read_text().startswith('{"run_id"')
    assert main([*base, str(tmp_path / "plain")]) == 0  # no ending at all: JSONL
    assert (tmp_path / "plain").read_text().startswith('{"run_id"')
    assert main([*base, str(tmp_path / "all.json")]) == 0  # one JSON document, an array
    rows = json.loads((tmp_path / "all.json").read_text())
    assert isinstance(rows, list) and rows and rows[0]["run_id"]
    assert (tmp_path / "all.json.provenance.json").is_file()


def test_export_to_dash_is_stdout_and_odd_names_are_one_line_errors(tmp_path, capsys, monkeypatch):
    make_run(tmp_path / "runs")
    base = ["export", "latest", "--runs-dir", str(tmp_path / "runs"), "--out"]
    monkeypatch.chdir(tmp_path)  # put back after the test: later tests' `python -m` need it
    assert main([*base, "-", "--format", "csv"]) == 0  # '-': standard output, as usual
    captured = capsys.readouterr()
    assert captured.out.startswith("run_id,")
    assert "without its provenance (--out FILE writes it" in captured.err
    assert not (tmp_path / "-").exists() and not (tmp_path / "-.provenance.json").exists()
    long_name = str(tmp_path / ("a" * 300 + ".csv"))
    assert main([*base, long_name]) == 2
    error = _error(capsys)
    assert "File name too long" in error and "Errno" not in error and long_name not in error


def test_export_through_a_link_and_onto_a_read_only_folder(tmp_path, capsys, monkeypatch):
    run = make_run(tmp_path / "runs")
    base = ["export", "latest", "--runs-dir", str(tmp_path / "runs"), "--out"]
    target = tmp_path / "kept" / "table.csv"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert main([*base, str(link)]) == 0
    assert link.is_symlink() and target.read_text().startswith("run_id,")  # written through
    assert f"({len(run.positions)} rows)" in capsys.readouterr().err  # the rows are counted

    def read_only(self, *args, **kwargs):
        raise OSError(30, "Read-only file system")

    # a read-only file system refuses the write, and the clean-up's removal too
    monkeypatch.setattr(Path, "write_bytes", read_only)
    monkeypatch.setattr(Path, "unlink", read_only)
    assert main([*base, str(tmp_path / "x.csv")]) == 2
    error = _error(capsys)
    assert f"cannot write {tmp_path / 'x.csv'}: Read-only file system" in error
    assert ".part" not in error


def test_an_export_with_no_rows_says_so(tmp_path, capsys):
    make_run(tmp_path / "runs")
    out = tmp_path / "empty.jsonl"
    args = ["export", "latest", "--runs-dir", str(tmp_path / "runs"), "--from", "2030-01-01"]
    assert main([*args, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "no rows to export: no dated article falls in the period" in err
    assert out.read_text() == "" and "(0 rows)" in err


def test_export_writes_the_outlets_positions_when_asked(tmp_path, capsys):
    from analysis.outlets import run_outlet_positions
    from analysis.runs import load_run

    make_run(tmp_path / "runs")
    base = ["export", "latest", "--runs-dir", str(tmp_path / "runs"), "--outlets", "--out"]
    assert main([*base, str(tmp_path / "o.json")]) == 0
    rows = json.loads((tmp_path / "o.json").read_text())
    expected = run_outlet_positions(load_run("latest", tmp_path / "runs"))
    assert {r["level"] for r in rows} == {"outlet"} and len(rows) == len(expected)
    provenance = json.loads((tmp_path / "o.json.provenance.json").read_text())
    assert provenance["export"]["what"] == "outlet positions"
    # in CSV their evidence is passage ids separated by spaces, as the authors' (columns.md),
    # not the printed form of an Arrow list ("['a' 'b'\n 'c']")
    assert main([*base, str(tmp_path / "o.csv")]) == 0
    import pandas as pd

    cells = pd.read_csv(tmp_path / "o.csv")["evidence"].dropna()
    listed = [r["evidence"] for r in rows if r["evidence"]]
    assert len(cells) == len(listed) and set(cells) == {" ".join(ids) for ids in listed}
    assert main([*base, str(tmp_path / "p.json"), "--what", "articles"]) == 2
    assert "--outlets: only with --what positions" in _error(capsys)


def test_recompute_with_an_empty_corrections_folder_writes_no_run(tmp_path, capsys):
    make_run(tmp_path / "runs")
    (tmp_path / "fixes").mkdir()
    before = sorted((tmp_path / "runs").iterdir())
    code = main(
        [
            "recompute",
            "latest",
            "--runs-dir",
            str(tmp_path / "runs"),
            "--corrections-dir",
            str(tmp_path / "fixes"),
        ]
    )
    assert code == 2
    assert "no corrections in" in _error(capsys)
    assert sorted((tmp_path / "runs").iterdir()) == before


def test_robustness_with_too_few_runs_analyses_nothing(tmp_path, capsys):
    experiment = tmp_path / "exp.toml"
    experiment.write_text('[corpus]\npaths = ["../nothing"]\n')
    code = main(["robustness", "--experiment", str(experiment), "--runs-dir", str(tmp_path / "r")])
    assert code == 2
    assert "expected at least two runs" in _error(capsys)
    assert not (tmp_path / "r").exists()


def test_article_evaluation_checks_its_inputs(tmp_path, capsys):
    make_run(tmp_path / "runs")
    labels = write_jsonl(
        tmp_path / "labels.jsonl",
        [{"article_id": "a1", "topic": "Arms control", "label": "favor"}],
    )
    base = ["evaluate", "--level", "article", "--data", str(labels)]
    assert main([*base, "--run", "latest", "--runs-dir", str(tmp_path / "runs")]) == 2
    assert "unknown topic(s) ['Arms control']" in _error(capsys)
    good = write_jsonl(
        tmp_path / "good.jsonl", [{"article_id": "a1", "topic": "sanctions", "label": "favor"}]
    )
    good_base = ["evaluate", "--level", "article", "--data", str(good)]
    assert main([*good_base, "--corpus", str(tmp_path)]) == 2
    assert "is a folder" in _error(capsys)
    latin = tmp_path / "latin1.jsonl"
    latin.write_bytes('{"id": "a1", "title": "caf\u00e9"}\n'.encode("latin-1"))
    assert main([*good_base, "--corpus", str(latin)]) == 2
    assert "is not UTF-8" in _error(capsys)
    array = tmp_path / "array.jsonl"
    array.write_text('[1, 2]\n"text"\n')
    assert main([*good_base, "--corpus", str(array)]) == 2
    assert "none of the labelled articles" in _error(capsys)
    both = [*good_base, "--run", "latest", "--corpus", str(array)]
    assert main(both) == 2
    assert "not both" in _error(capsys)
    assert main([*good_base, "--corpus", str(tmp_path / "nosuch.jsonl")]) == 2
    assert "--corpus " in (error := _error(capsys)) and "no such file" in error
    csv = tmp_path / "other.csv"
    csv.write_text("id,title\na1,x\n")
    assert main([*good_base, "--corpus", str(csv)]) == 2
    assert "expects JSON Lines files" in _error(capsys)
    # an analysis that fails leaves no input file behind (no run names it)
    corpus = write_jsonl(tmp_path / "corpus.jsonl", [{"id": "a1", "title": "T", "content": "x"}])
    failing = ["--corpus", str(corpus), "--model", str(tmp_path / "no-model")]
    assert main([*good_base, *failing, "--runs-dir", str(tmp_path / "ev")]) == 2
    assert "does not exist" in _error(capsys)
    assert not (tmp_path / "ev" / "evaluate" / "inputs").exists()
    assert main([*base[:4], str(tmp_path), "--run", "latest"]) == 2  # labels given as a folder
    assert "a folder; expected a JSON Lines file of article labels" in _error(capsys)
    # a run an earlier --corpus kept in runs/evaluate/ is found by the id it printed
    import shutil

    shutil.copytree(tmp_path / "runs" / "r1", tmp_path / "runs" / "evaluate" / "kept-run")
    runs = ["--runs-dir", str(tmp_path / "runs")]
    ann = write_jsonl(
        tmp_path / "ann.jsonl", [{"article_id": "a01", "topic": "sanctions", "label": "favor"}]
    )
    assert main([*base[:4], str(ann), "--run", "kept-run", *runs]) == 0
    capsys.readouterr()
    assert main([*good_base, "--run", "nope", *runs]) == 2
    assert "(where evaluate --corpus keeps its runs)" in _error(capsys)


def test_warnings_are_one_line_for_people(tmp_path, capsys):
    folder = tmp_path / "fixes"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"broken\n')
    assert main(["corrections", "--corrections-dir", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("viewpoints: warning: ") and "skipped a line" in err
    assert "UserWarning" not in err and len(err.strip().splitlines()) == 1
    # the summary counts the line the reading skipped, and says where it is
    assert (
        "1 line(s) skipped, not JSON (writes cut short, never saved) or no correction (edited "
        f"by hand?): {folder / 'a.jsonl'}:1" in out
    )
    # a line edited by hand (a label that is none) is skipped and said too, not fatal
    (folder / "a.jsonl").write_text(
        '{"text": "x", "target": "t", "topic": "s", "task": "stance", "label": "favour"}\n'
    )
    assert main(["corrections", "--corrections-dir", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert "skipped a line that is not a correction" in err and "a.jsonl:1" in out


def test_article_options_are_refused_for_passages(tmp_path, capsys):
    data = write_jsonl(tmp_path / "stance.jsonl", STANCE_ROWS)
    base = ["evaluate", "--task", "tone", "--data", str(data)]
    assert main([*base, "--split", "dev", "--run", "latest"]) == 2
    assert "--run, --split: only with --level article (--run: also with --task topic)" in (
        _error(capsys)
    )
    assert main([*base, "--split", "dev"]) == 2  # says nothing of --task topic, which refuses it
    assert _error(capsys).strip().endswith("--split: only with --level article")


def test_a_model_folder_without_a_config_is_named_as_such(tmp_path, capsys):
    empty = tmp_path / "model"
    empty.mkdir()
    assert main(["analyze", "seeds", "--stance-model", str(empty), "--dry-run"]) == 2
    assert "has no config.json" in _error(capsys)


def test_runs_says_when_the_runs_folder_does_not_exist(tmp_path, capsys):
    assert main(["runs", "--runs-dir", str(tmp_path / "missing")]) == 0
    assert "(no such folder)" in _error(capsys)
    assert main(["runs", "--runs-dir", str(tmp_path)]) == 0
    err = _error(capsys)
    assert "no runs in" in err and "no such folder" not in err


def test_runs_json_prints_an_empty_list_when_there_are_no_runs(tmp_path, capsys):
    assert main(["runs", "--runs-dir", str(tmp_path / "missing"), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == [] and "no runs in" in err


def test_analyze_and_run_write_where_viewpoints_runs_dir_says(
    tmp_path, capsys, monkeypatch, tiny_pair_model_dir
):
    corpus = tmp_path / "a.txt"
    corpus.write_text("A title\n\nSanctions on Russia were tightened again this week.\n")
    env_runs = tmp_path / "env_runs"
    monkeypatch.setenv("VIEWPOINTS_RUNS_DIR", str(env_runs))
    monkeypatch.chdir(tmp_path)
    models = ["--stance-model", str(tiny_pair_model_dir), "--tone-model", str(tiny_pair_model_dir)]
    assert main(["analyze", str(corpus), "--quiet", *models]) == 0
    assert len(list(env_runs.iterdir())) == 1 and not (tmp_path / "runs").exists()
    # --runs-dir still wins, and so does a runs folder the config file names.
    assert main(["analyze", str(corpus), "--quiet", "--runs-dir", "mine", *models]) == 0
    assert len(list((tmp_path / "mine").iterdir())) == 1
    experiment = tmp_path / "exp.toml"
    experiment.write_text(
        f'[corpus]\npaths = ["{corpus}"]\n[models]\nstance = "{tiny_pair_model_dir}"\n'
        f'tone = "{tiny_pair_model_dir}"\n'
    )
    assert main(["run", str(experiment), "--quiet"]) == 0
    assert len(list(env_runs.iterdir())) == 2
    experiment.write_text(experiment.read_text() + '[run]\nruns_dir = "from_file"\n')
    assert main(["run", str(experiment), "--quiet"]) == 0
    assert len(list((tmp_path / "from_file").iterdir())) == 1


def test_a_failed_run_leaves_no_runs_folder_it_made(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    runs = tmp_path / "new_runs"
    assert main(["analyze", str(empty), "--runs-dir", str(runs), "--quiet"]) == 2
    error = _error(capsys).splitlines()[-1]
    assert "no articles could be read" in error
    assert f"(skipped 1: {empty}: " in error  # the reason, in the error itself
    assert not runs.exists()
    kept = tmp_path / "kept"
    (kept / "mine.txt").parent.mkdir()
    (kept / "mine.txt").write_text("x")
    assert main(["analyze", str(empty), "--runs-dir", str(kept), "--quiet"]) == 2
    assert [p.name for p in kept.iterdir()] == ["mine.txt"]  # a folder that was there stays


def test_a_file_as_the_runs_folder_is_one_clear_line(tmp_path, capsys):
    not_a_folder = tmp_path / "a.jsonl"
    not_a_folder.write_text("{}\n")
    assert main(["runs", "--runs-dir", str(not_a_folder)]) == 2
    assert f"--runs-dir {not_a_folder} is a file; expected a folder" in _error(capsys)
    under = not_a_folder / "runs" / "here"  # a folder that cannot be made: named, not Errno 20
    assert main(["runs", "--runs-dir", str(under)]) == 2
    assert f"--runs-dir {under}: {not_a_folder} is a file, so no folder can be made" in (
        _error(capsys)
    )


def test_a_run_name_with_a_line_break_is_refused(tmp_path, capsys):
    code = main(["analyze", "seeds", "--name", "a\nb", "--runs-dir", str(tmp_path), "--dry-run"])
    assert code == 2
    assert "run.name: expected a name without line breaks" in _error(capsys)


def test_a_model_named_on_the_command_line_drops_the_config_files_options_for_it(capsys):
    nli = Path(__file__).resolve().parent.parent / "experiments" / "nli_deberta.toml"
    args = ["analyze", "--config", str(nli), "--stance-model", "stance.minilm.v1", "--dry-run"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "--stance-model replaces the config's stance model, so its " in err
    assert "[models.stance_options] (against_template, batch_size, favor_template, model)" in err


def test_the_config_files_own_model_spelled_another_way_keeps_its_options(
    tmp_path, monkeypatch, capsys, minilm_tokenizer
):
    from tests.scoring.test_nli import NLI3, save_classifier

    save_classifier(tmp_path / "models" / "nli", minilm_tokenizer, NLI3)
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    config = tmp_path / "exp.toml"
    config.write_text(
        f'[corpus]\npaths = ["{seeds}"]\n[models]\nstance = "models/nli"\n'
        "[models.stance_options]\nbatch_size = 8\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    command = ["analyze", "--config", str(config), "--dry-run", "--cache", ""]
    assert main([*command, "--stance-model", "./models/../models/nli"]) == 0
    assert "replaces the config's stance model" not in capsys.readouterr().err


def test_analyze_without_paths_outside_the_repository_reads_the_shipped_seeds(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)  # no ./seeds here
    assert main(["analyze", "--runs-dir", str(tmp_path / "runs"), "--dry-run"]) == 0
    assert "read 3 articles" in capsys.readouterr().err


def test_a_folder_that_is_not_a_run_and_a_negative_top_are_said_plainly(tmp_path, capsys):
    make_run(tmp_path / "runs")
    folder = tmp_path / "inputs"
    folder.mkdir()
    assert main(["show", str(folder), "--runs-dir", str(tmp_path / "runs")]) == 2
    assert f"{folder} is a folder but not a run (it has no run.json)" in _error(capsys)
    assert main(
        ["compare", "latest", "latest", "--runs-dir", str(tmp_path / "runs"), "--top", "-1"]
    )
    assert "expected --top to be 0 or more, got -1" in _error(capsys)


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["compare-authors"], "(default 2000)"),
        (["compare"], "(default 10)"),
        (["export"], "(default: positions)"),
        (["shift"], "(default: both)"),
        (["dashboard"], "$VIEWPOINTS_CORRECTIONS_DIR"),
    ],
)
def test_help_gives_the_defaults(command, said, capsys):
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    assert said in " ".join(capsys.readouterr().out.split())


def test_a_model_an_experiment_file_names_that_cannot_load_names_the_file(tmp_path, capsys):
    experiment, corpus = tmp_path / "exp.toml", tmp_path / "a.txt"
    corpus.write_text("A title\n\nSanctions on Russia were tightened again this week.\n")
    experiment.write_text(
        f'[corpus]\npaths = ["{corpus}"]\n[models]\nstance = "stance.nli.v1"\n'
        '[models.stance_options]\nmodel = "nobody/no-such-nli"\n'  # HF_HUB_OFFLINE=1 in conftest
    )
    code = main(["run", str(experiment), "--runs-dir", str(tmp_path / "runs"), "--dry-run"])
    assert code == 2
    error = _error(capsys)
    assert error.startswith(f"viewpoints: error: {experiment}: ") and "nobody/no-such-nli" in error


def test_an_experiment_whose_corpus_is_not_there_names_the_file_and_the_key(
    tmp_path, capsys, monkeypatch
):
    """A review: an empty experiment file run outside the project said 'no such file or
    folder: seeds', a path the user never wrote."""
    monkeypatch.chdir(tmp_path)  # no seeds folder here
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert main(["run", str(empty), "--runs-dir", str(tmp_path / "runs"), "--dry-run"]) == 2
    error = _error(capsys)
    assert f"{empty} names no [corpus] paths, and the default, 'seeds', is not in" in error
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[corpus]\npaths = ["nowhere.jsonl"]\n')
    assert main(["run", str(wrong), "--runs-dir", str(tmp_path / "runs"), "--dry-run"]) == 2
    error = _error(capsys)
    assert f"[corpus] paths in {wrong}: no such file or folder: " in error
    assert "nowhere.jsonl" in error and not (tmp_path / "runs").exists()


def test_a_rerun_whose_topics_file_only_reordered_its_topics_says_so(tmp_path, capsys):
    from analysis.cli.analyze import _topics_for_rerun
    from analysis.config import AnalysisConfig, dumps_toml
    from analysis.topics import load_topics

    topics = load_topics(None)
    mine = tmp_path / "mine.toml"
    tables = {t.key: {k: v for k, v in t.to_dict().items() if k != "key" and v} for t in topics}
    mine.write_text(dumps_toml({"topics": dict(reversed(list(tables.items())))}))
    recorded = tmp_path / "config.toml"
    recorded.write_text(
        f'[topics]\nfile = "{mine}"\n\n' + dumps_toml({"topic_definitions": tables})
    )
    config = AnalysisConfig.from_toml(recorded)
    assert _topics_for_rerun(recorded, config, str(tmp_path / "runs")) == config
    err = capsys.readouterr().err
    assert "([topic_definitions]): the same topics, reordered; the rerun uses" in err


def test_analyze_with_no_paths_says_it_reads_the_seeds(tmp_path, monkeypatch, capsys):
    from analysis.cli.analyze import SEEDS_DIR

    monkeypatch.chdir(tmp_path)  # no ./seeds here: the checkout's seed articles
    assert main(["analyze", "--dry-run", "--runs-dir", str(tmp_path), "--cache", ""]) == 0
    err = capsys.readouterr().err
    assert f"note: no paths given: analyzing the seed articles in {SEEDS_DIR}" in err
    assert main(["analyze", str(SEEDS_DIR), "--dry-run", "--cache", ""]) == 0
    assert "no paths given" not in capsys.readouterr().err


def test_show_fits_columns_unless_asked_for_the_wide_table(tmp_path, capsys, monkeypatch):
    make_run(tmp_path / "runs")
    base = ["show", "latest", "--runs-dir", str(tmp_path / "runs")]
    monkeypatch.setenv("COLUMNS", "60")
    assert main(base) == 0
    assert "one block per author: the table is wider than 60 columns" in capsys.readouterr().out
    assert main([*base, "--wide"]) == 0
    assert "one block per" not in capsys.readouterr().out
    monkeypatch.delenv("COLUMNS")  # a pipe with no width: the table, as before
    assert main(base) == 0
    assert "one block per" not in capsys.readouterr().out


def test_show_and_export_take_a_period_as_the_dashboards_date_range_does(tmp_path, capsys):
    runs = tmp_path / "runs"
    make_run(runs)  # Ann: favor January to June, against from July
    base = ["--runs-dir", str(runs), "--from", "2018-07-01", "--to", "2018-12-31"]
    assert main(["show", "latest", *base, "--json"]) == 0
    captured = capsys.readouterr()
    assert "note: positions over the dated articles from 2018-07-01 to 2018-12-31" in captured.err
    assert json.loads(captured.out)["period"] == {
        "from": "2018-07-01",
        "to": "2018-12-31",
        "undated": False,
    }
    shown = json.loads(captured.out)["positions"]
    (ann,) = [r for r in shown if r["author"] == "Ann" and r["topic"] == "sanctions"]
    assert ann["n_articles"] == 6 and ann["stance"] < 0  # the second half alone
    out = tmp_path / "late.json"
    assert main(["export", "latest", *base, "--out", str(out)]) == 0
    rows = json.loads(out.read_text())
    articles = [r for r in rows if r["level"] == "article" and r["topic"] == "sanctions"]
    assert len(articles) == 6 and all(r["date"] >= "2018-07" for r in articles)
    (author,) = [r for r in rows if r["level"] == "author" and r["topic"] == "sanctions"]
    assert author["n_articles"] == 6 and author["stance"] < 0
    provenance = json.loads((tmp_path / "late.json.provenance.json").read_text())
    assert "from 2018-07-01 to 2018-12-31" in provenance["export"]["what"]
    assert main(["show", "latest", "--runs-dir", str(runs), "--from", "July"]) == 2
    assert "expected --from as a day YYYY-MM-DD, got 'July'" in _error(capsys)
    assert main(["export", "latest", *base, "--what", "articles"]) == 2
    assert "only with --what positions" in _error(capsys)


def test_quiet_keeps_to_warnings_and_an_interrupt_says_what_is_kept(
    tmp_path, capsys, monkeypatch, tiny_pair_model_dir
):
    corpus = tmp_path / "a.txt"
    corpus.write_text("A title\n\nSanctions on Russia were tightened again this week.\n")
    models = ["--stance-model", str(tiny_pair_model_dir), "--tone-model", str(tiny_pair_model_dir)]
    runs = ["--runs-dir", str(tmp_path / "runs"), "--cache", ""]
    assert main(["analyze", str(corpus), *models, *runs]) == 0
    loud = capsys.readouterr().err
    # one article: its run reads every passage as soon as a warm-up would, so no estimate
    assert "read 1 article (1 passage)" in loud and "no cost estimate" in loud
    assert "measuring the cost" not in loud and "estimate:" not in loud
    # a corpus larger than the warm-up's sample is measured first
    monkeypatch.setattr("analysis.estimate.SAMPLE_PASSAGES", 0)
    assert main(["analyze", str(corpus), *models, *runs]) == 0
    loud = capsys.readouterr().err
    assert "estimate:" in loud and "measuring the cost" in loud and "no cost" not in loud
    import analysis.pipeline

    warm_ups = []
    measure = analysis.pipeline.estimate_from_sample
    monkeypatch.setattr(
        "analysis.pipeline.estimate_from_sample",
        lambda *a, **k: warm_ups.append(1) or measure(*a, **k),
    )
    assert main(["analyze", str(corpus), "--quiet", *models, *runs]) == 0
    quiet = capsys.readouterr().err
    assert "read 1 article" not in quiet and "estimate:" not in quiet
    assert not warm_ups  # an estimate nobody sees is not measured (its warm-up is not kept)
    assert main(["analyze", str(corpus), "--quiet", "--dry-run", *models, *runs]) == 0
    assert "estimate:" in capsys.readouterr().err  # a dry run's answer, even quiet
    assert warm_ups
    # a file a manifest leaves out on purpose is no skip to report; a file that fails is
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a.txt").write_text(corpus.read_text())
    (batch / "notes.md").write_text("# notes\n")
    (batch / "articles.toml").write_text('exclude = ["notes.md"]\n')
    folder = ["analyze", str(batch), "--quiet", *models, *runs]
    assert main(folder) == 0
    assert "read " not in capsys.readouterr().err

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("analysis.pipeline.analyze", interrupted)
    cached = ["--cache", str(tmp_path / "cache.sqlite")]  # after `runs`' --cache '': it wins
    assert main(["analyze", str(corpus), "--quiet", *models, *runs, *cached]) == 130
    err = capsys.readouterr().err
    assert "viewpoints: interrupted" in err and "no run was written" in err
    assert "the same command again starts from it" in err
    # what is kept depends on the batches: said, so that a small run's user expects nothing
    assert "an interrupt within a stage's first batch keeps nothing of it" in err
    assert main(["analyze", str(corpus), "--quiet", *models, *runs]) == 130
    err = capsys.readouterr().err  # without a cache, nothing is kept, and it says so
    assert "the prediction cache was off (--cache ''), so nothing computed is kept" in err
    assert "starts from it" not in err

    def terminated(*args, **kwargs):  # SIGTERM (kill PID, timeout) reads as Ctrl-C does
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr("analysis.pipeline.analyze", terminated)
    assert main(["analyze", str(corpus), "--quiet", *models, *runs]) == 143
    err = capsys.readouterr().err
    assert "viewpoints: terminated" in err and "no run was written" in err
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # put back as it was

    def written_then_interrupted(*args, on_written=None, **kwargs):
        done = tmp_path / "runs" / "20990101-000000-done"
        on_written(done)  # the run is in place, then Ctrl-C comes
        raise KeyboardInterrupt

    monkeypatch.setattr("analysis.pipeline.analyze", written_then_interrupted)
    assert main(["analyze", str(corpus), "--quiet", *models, *runs]) == 0
    captured = capsys.readouterr()
    assert "interrupted after run 20990101-000000-done was written: it is complete" in captured.err
    assert "no run was written" not in captured.err
    assert captured.out.strip() == str(tmp_path / "runs" / "20990101-000000-done")

    def interrupted_in_an_import(*args, **kwargs):  # a module initialising when Ctrl-C came
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ImportError("initialization failed") from None

    monkeypatch.setattr("analysis.pipeline.analyze", interrupted_in_an_import)
    assert main(["analyze", str(corpus), "--quiet", *models, *runs]) == 130
    err = capsys.readouterr().err
    assert "viewpoints: interrupted" in err and "Traceback" not in err

    def broken_import(*args, **kwargs):  # an ImportError of its own is not an interrupt
        raise ImportError("no module named nothing")

    monkeypatch.setattr("analysis.pipeline.analyze", broken_import)
    with pytest.raises(ImportError, match="no module named nothing"):
        main(["analyze", str(corpus), "--quiet", *models, *runs])


def test_topic_definitions_in_a_users_experiment_are_said_not_to_define_topics(
    tmp_path, capsys, tiny_pair_model_dir
):
    corpus = tmp_path / "a.txt"
    corpus.write_text("A title\n\nNATO expansion worried Moscow again this week.\n")
    experiment = tmp_path / "exp.toml"
    experiment.write_text(
        f'[corpus]\npaths = ["{corpus}"]\n[models]\nstance = "{tiny_pair_model_dir}"\n'
        f'tone = "{tiny_pair_model_dir}"\ncache = ""\n'
        '[topic_definitions.nato]\nlabel = "NATO expansion"\ndescription = "NATO enlargement"\n'
        'target = "NATO expansion"\naliases = ["NATO expansion"]\n'
    )
    assert main(["run", str(experiment), "--dry-run", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "has [topic_definitions] (nato), which is what a run records of its topics" in err
    assert "they are not used" in err and '[topics] file = "FILE"' in err
    assert "threshold" not in err  # none given here: nothing to say of it
    # a copied run config: its threshold, written even where it was the model's default, is
    # said to stay whatever the file's model now is
    experiment.write_text(experiment.read_text() + "[topics]\nthreshold = 0.55\n")
    assert main(["run", str(experiment), "--dry-run", "--quiet"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "Its [topics] threshold = 0.55 is the one that run used" in err
    assert "remove the line to let the model choose its own" in err
    # a table that is no whole topic, or no table at all, is said the same way
    for table in (
        '[topic_definitions.nato]\nlabel = "NATO"\n',
        '[topic_definitions]\nnato = "x"\n',
    ):
        experiment.write_text(experiment.read_text().split("[topic_definitions")[0] + table)
        assert main(["run", str(experiment), "--dry-run", "--quiet"]) == 0
        assert "has [topic_definitions] (nato)" in capsys.readouterr().err


def test_an_unknown_option_is_refused_with_its_commands_usage(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["runs", "--bogus"])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.startswith("usage: viewpoints runs ") and "unrecognized arguments: --bogus" in err
    assert "{evaluate,analyze" not in err  # not the list of every command


def test_the_command_keeps_its_status_through_a_ctrl_c_while_python_exits(
    tmp_path, monkeypatch, capsys
):
    """A review: Ctrl-C while the interpreter shut down, after 'wrote run', turned exit 0 into
    130 with no word. Run as the command (no argv given), main leaves SIGINT ignored for the
    exit; called with arguments (as here and in scripts), it leaves the handler alone."""
    before = signal.getsignal(signal.SIGINT)
    try:
        assert main(["runs", "--runs-dir", str(tmp_path)]) == 0
        assert signal.getsignal(signal.SIGINT) is before
        monkeypatch.setattr(sys, "argv", ["viewpoints", "runs", "--runs-dir", str(tmp_path)])
        assert main() == 0
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
    capsys.readouterr()


def test_show_says_when_a_runs_stored_positions_follow_older_rules(tmp_path, capsys):
    from tests.dashboard.conftest import make_small_run

    folder = make_small_run(tmp_path / "runs")
    base = ["show", "latest", "--runs-dir", str(tmp_path / "runs")]
    assert main(base) == 0
    assert "older rules" not in capsys.readouterr().err  # made by today's
    meta = json.loads((folder / "run.json").read_text())
    del meta["position_rules"]  # as a run made before 2026-12-07
    (folder / "run.json").write_text(json.dumps(meta))
    assert main(base) == 0
    assert "note: this run's positions were made by older rules" in capsys.readouterr().err
    assert main([*base, "--level", "outlet"]) == 0  # outlets are made afresh: no note
    assert "older rules" not in capsys.readouterr().err


def test_more_ray_workers_than_cpus_are_refused_before_ray_starts(tmp_path, capsys, monkeypatch):
    """A review: a file asking 64 workers on 2 cores was refused after Ray had started (about
    10 s), in a message naming no file."""
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    experiment = tmp_path / "ray.toml"
    experiment.write_text(
        f'[corpus]\npaths = ["{tmp_path}"]\n[engine]\nname = "ray"\nworkers = 64\n'
    )
    assert main(["run", str(experiment), "--runs-dir", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert f"{experiment}: engine.workers: expected at most the 2 CPUs of this machine" in err
    assert "got 64" in err and "Traceback" not in err


def test_a_config_maps_a_spreadsheets_own_column_names(tmp_path, capsys, tiny_pair_model_dir):
    """A review: a CSV whose columns are "Body Text", "Writer(s)" and "Published On" had every
    row skipped, and no way to say which column is which. `[corpus.fields]` says it."""
    import csv

    from analysis.runs import load_run

    sheet = tmp_path / "sheet.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Headline", "Writer(s)", "Published On", "Body Text"])
        writer.writerow(
            ["Sanctions", "Ann Lee", "2019-01-02", "Sanctions on Russia were tightened."]
        )
    experiment = tmp_path / "exp.toml"
    base = (
        f'[corpus]\npaths = ["{sheet}"]\n'
        f'[models]\nstance = "{tiny_pair_model_dir}"\ntone = "{tiny_pair_model_dir}"\ncache = ""\n'
        f'[run]\nruns_dir = "{tmp_path / "runs"}"\n'
    )
    experiment.write_text(base)
    assert main(["run", str(experiment), "--quiet"]) == 2  # every row skipped: no article
    assert (
        "(this record has Headline, Writer(s), Published On, Body Text" in capsys.readouterr().err
    )
    fields = '[corpus.fields]\ntext = "Body Text"\nauthors = "Writer(s)"\ndate = "Published On"\n'
    fields += 'title = "Headline"\n'
    experiment.write_text(base.replace("[models]", fields + "[models]"))
    assert main(["run", str(experiment), "--quiet"]) == 0
    capsys.readouterr()
    run = load_run("latest", tmp_path / "runs")
    article = run.articles.iloc[0]
    assert (article["title"], article["author"], article["date"]) == (
        "Sanctions",
        "Ann Lee",
        "2019-01-02",
    )
    assert '[corpus.fields]\ntext = "Body Text"' in (run.path / "config.toml").read_text()
    experiment.write_text(base.replace("[models]", '[corpus.fields]\nbody = "Body Text"\n[models]'))
    assert main(["run", str(experiment), "--quiet"]) == 2
    assert "corpus.fields: expected keys among id, title, authors" in capsys.readouterr().err

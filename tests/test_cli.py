import json

import pytest

from analysis.cli import main, parse_label_map
from tests.conftest import write_jsonl

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
    assert "evaluating" in captured.err


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

"""``experiments.news_accuracy`` writes a model's figures from a run of labelled articles."""

from __future__ import annotations

import json
from pathlib import Path

from analysis.cli import main as viewpoints
from analysis.evaluate_articles import evaluate_run_articles, load_article_labels
from analysis.news_accuracy import read_news_accuracy
from analysis.runs import load_run
from experiments.news_accuracy import main
from tests.conftest import write_jsonl

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_the_figures_are_the_runs_article_evaluation_and_the_heads_passage_f1(
    tmp_path, capsys, tiny_news_model_dir
):
    runs = tmp_path / "runs"
    model = ["--stance-model", str(tiny_news_model_dir), "--tone-model", str(tiny_news_model_dir)]
    analyze = ["analyze", str(SEEDS), "--runs-dir", str(runs), "--quiet", "--cache", ""]
    assert viewpoints([*analyze, *model]) == 0
    run = load_run("latest", runs)
    art = run.positions[run.positions["level"] == "article"]
    discussed = art[art["status"] != "not_discussed"].iloc[0]
    silent = art[art["status"] == "not_discussed"].iloc[0]
    rows = [
        {"article_id": discussed["article_id"], "topic": discussed["topic"], "label": "favor"},
        {"article_id": silent["article_id"], "topic": silent["topic"], "label": "against"},
    ]
    labels = write_jsonl(tmp_path / "labels.jsonl", [dict(r, split="dev") for r in rows])
    out = tmp_path / "news_accuracy.json"
    # experiments/negated_targets.py's output for this model (its counts made up here)
    on_topic_dev = len(reversal_labels())
    reading = {"n": on_topic_dev, "predicted_favor": 40, "predicted_against": 3}
    reversed_file = tmp_path / "negated.json"
    reversed_file.write_text(
        json.dumps(
            {
                str(tiny_news_model_dir): {
                    "stance plain": reading,
                    "stance negated": {**reading, "predicted_against": 50},
                }
            }
        )
    )
    capsys.readouterr()

    main(
        [
            *("--run", str(run.path), "--labels", str(labels), "--out", str(out)),
            *("--reversed", str(reversed_file)),
        ]
    )

    figures = read_news_accuracy(out)
    report = evaluate_run_articles(load_article_labels(labels, "dev"), run.positions)
    assert figures.run_id == run.path.name
    assert (figures.pairs, figures.n_leaning, figures.n_against) == (2, 2, 1)
    assert figures.articles == len({r["article_id"] for r in rows})
    assert figures.coverage_recall == report["coverage"]["recall"] == 0.5
    assert figures.against_found == 0  # the against article was not even found discussed
    assert figures.sign_accuracy == report["sign_accuracy"]
    # The passage figures are the tiny model's heads on the real dev passages.
    assert figures.passages and figures.passages > 100
    assert 0.0 <= figures.passage_author_f1 <= 1.0
    assert 0.0 <= figures.passage_speaker_f1 <= 1.0
    assert f"wrote {out}" in capsys.readouterr().out
    # favor of the reverse: the negated reading's "against", swapped back
    assert figures.reversed_target == {
        "passages": on_topic_dev,
        "favor_of_target": 40,
        "favor_of_reverse": 50,
        "labelled_favor": reversal_labels().count("favor"),
        "labelled_against": reversal_labels().count("against"),
    }
    # a model the file does not name has no such figures
    main(["--run", str(run.path), "--labels", str(labels), "--out", str(out), "--reversed", "x"])
    assert read_news_accuracy(out).reversed_target is None


def reversal_labels() -> list[str]:
    """The readers' labels of the on-topic passages of the dev articles."""
    from experiments.train_news_stance import NEW_LABELS, NEWS_STANCE, SPLITS, read_news

    rows = read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS))
    return [r["label"] for r in rows if r["split"] == "dev" and r["on_topic"]]

"""The article reader experiment: which passages it joins, in which order, and its training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from analysis.scoring.pair_model import load_pair_classifier, predict_proba
from experiments.article_level.article_reader import fine_tune, joined_texts, metrics


def _run_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    passages = pd.DataFrame(
        {
            "passage_id": ["a:0", "a:1", "a:2", "b:0"],
            "index": [0, 1, 2, 0],
            "text": ["first.", "quoted.", "third.", "other."],
        }
    )
    chosen = pd.DataFrame(
        {
            "passage_id": ["a:2", "a:0", "a:1", "b:0"],
            "article_id": ["a", "a", "a", "b"],
            "topic": ["t", "t", "t", "t"],
            "relevance": [0.9, 0.6, 0.8, 0.7],
            "reported": [False, False, True, False],
        }
    )
    return chosen, passages


def test_joined_texts_keep_article_order_and_leave_out_quotes_for_the_own_voice():
    chosen, passages = _run_tables()
    own = joined_texts(chosen, passages, "own", "article").set_index("article_id")["text"]
    assert own["a"] == "first. third."
    everyone = joined_texts(chosen, passages, "all", "article").set_index("article_id")["text"]
    assert everyone["a"] == "first. quoted. third."
    strongest = joined_texts(chosen, passages, "all", "rel").set_index("article_id")["text"]
    assert strongest["a"] == "third. quoted. first."


def test_a_weak_stance_under_the_cut_reads_as_no_stance():
    table = pd.DataFrame(
        {
            "topic": ["t", "t", "t"],
            "label": ["favor", "none", "favor"],
            "n_own": [1, 1, 1],
        }
    )
    score = pd.Series([0.05, 0.0, 0.6])
    assert metrics(table, score, 0.0)["sign_accuracy"] == 1.0
    assert metrics(table, score, 0.1)["sign_accuracy"] == 0.5


def test_fine_tune_learns_the_article_labels_and_leaves_the_model_alone(tiny_news_model_dir):
    model, tokenizer = load_pair_classifier(tiny_news_model_dir)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    joined = pd.DataFrame(
        {
            "text": ["We must keep the treaty.", "The treaty is a trap.", "Talks were held."] * 2,
            "topic": ["t"] * 6,
            "label": ["favor", "against", "none"] * 2,
        }
    )
    targets = {"t": "arms control"}

    def true_label_probability(m) -> float:
        probs = predict_proba(m, tokenizer, joined["text"].tolist(), ["arms control"] * 6)
        index = [("favor", "against", "none").index(v) for v in joined["label"]]
        return float(np.mean(probs["stance"][np.arange(6), index]))

    untrained = true_label_probability(model)
    tuned = fine_tune(model, tokenizer, joined, targets, epochs=15, lr=1e-3, seed=0)
    assert true_label_probability(tuned) > untrained + 0.2
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())

"""Choose how passage scores become an article's stance, on the article dev set.

Input: a run of the labelled articles (``viewpoints evaluate --level article`` can make one, or
``viewpoints analyze`` on them) and ``experiments/news_labels/articles.jsonl``. Optionally
``--model DIR`` re-scores the run's topic passages with another stance model first (relevance
is the run's, so models are compared on the same passages).

Rules compared at article level (the author's own passages unless said otherwise):

- ``mean``: the relevance-weighted mean of favor − against (the rule before the news model);
- ``balance``: sum r (f − a) / sum r (f + a), called only when the expected number of
  stance-taking passages sum (f + a) reaches ``tau`` (else "no stance expressed", scored 0);
  this is ``analysis.aggregate`` with ``min_stance_mass = tau``;
- ``balance+quoted``: ``balance``, and where the author takes no side, the quoted voices'
  balance at half weight (an article that quotes only one side leans that way);
- ``max``: max f − max a over the passages;
- ``reader``: a logistic regression over those features (numpy), trained on the article train
  split.

Coverage rules: "discussed" with at least ``k`` own-voice topic passages, or ``k`` topic
passages of either voice. Every rule is scored on the dev split (where the choice is made)
and on the train split (a check that the choice is not a dev accident).

    python -m experiments.article_level.choose_aggregation --run RUN [--model DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.aggregate import AggregateConfig, positions
from analysis.evaluate_articles import evaluate_run_articles, load_article_labels
from analysis.metrics import roc_auc
from analysis.runs import load_run

HERE = Path(__file__).resolve().parent
LABELS = HERE.parent / "news_labels" / "articles.jsonl"
TAUS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)


def rescore(scores: pd.DataFrame, passages: pd.DataFrame, model: str, topics: dict) -> pd.DataFrame:
    """The run's score rows with stance (and quoted voices) from ``model``."""
    from analysis.scoring.pair_scorer import PairModel, PairModelScorer, quoted_voice

    pair = PairModel(model)
    stance = PairModelScorer("stance", "stance", pair)
    texts = passages.set_index("passage_id").loc[scores["passage_id"], "text"].tolist()
    targets = [topics[t] for t in scores["topic"]]
    probs = stance.score(texts, targets, progress=True)
    quoted = quoted_voice(stance)
    speaker = probs if quoted is stance else quoted.score(texts, targets)
    out = scores.copy()
    reported = out["reported"].astype(bool).to_numpy()
    for j, label in enumerate(("favor", "against", "none")):
        out[f"stance_{label}"] = probs[:, j]
        out[f"speaker_{label}"] = np.where(reported, speaker[:, j], np.nan)
    out["stance"] = out["stance_favor"] - out["stance_against"]
    out["speaker_stance"] = out["speaker_favor"] - out["speaker_against"]
    return out


def features(scores: pd.DataFrame) -> pd.DataFrame:
    """Per article × topic: counts, stance masses and rules' scores of both voices."""
    s = scores.assign(
        f=scores["stance_favor"].astype(float),
        a=scores["stance_against"].astype(float),
        r=scores["relevance"].astype(float),
        own=~scores["reported"].astype(bool),
    )
    s["sf"] = s["speaker_favor"].astype(float).fillna(s["f"])
    s["sa"] = s["speaker_against"].astype(float).fillna(s["a"])
    rows = []
    for (aid, topic), g in s.groupby(["article_id", "topic"]):
        own, rep = g[g["own"]], g[~g["own"]]
        row = {"article_id": aid, "topic": topic, "n_own": len(own), "n_rep": len(rep)}
        row["mass"] = float((own["f"] + own["a"]).sum())
        row["F"], row["A"] = float(own["f"].sum()), float(own["a"].sum())
        w = (own["r"] * (own["f"] + own["a"])).sum()
        row["balance"] = float((own["r"] * (own["f"] - own["a"])).sum() / w) if w > 0 else 0.0
        row["mean"] = (
            float((own["r"] * (own["f"] - own["a"])).sum() / own["r"].sum()) if len(own) else 0.0
        )
        row["max"] = float(own["f"].max() - own["a"].max()) if len(own) else 0.0
        row["qmass"] = float((rep["sf"] + rep["sa"]).sum())
        qw = (rep["r"] * (rep["sf"] + rep["sa"])).sum()
        row["qbalance"] = float((rep["r"] * (rep["sf"] - rep["sa"])).sum() / qw) if qw > 0 else 0.0
        row["QF"], row["QA"] = float(rep["sf"].sum()), float(rep["sa"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def rule_scores(feat: pd.DataFrame, rule: str, tau: float) -> pd.Series:
    """An article's stance under ``rule`` (0 = no stance expressed)."""
    if rule == "mean":
        return feat["mean"]
    if rule == "max":
        return feat["max"]
    own = feat["balance"].where(feat["mass"] >= tau, 0.0)
    if rule == "balance":
        return own
    quoted = 0.5 * feat["qbalance"].where(feat["qmass"] >= tau, 0.0)
    return own.where(feat["mass"] >= tau, quoted)


READER_FEATURES = ["F", "A", "mass", "balance", "max", "QF", "QA", "qbalance", "n_own", "n_rep"]


def _design(feat: pd.DataFrame) -> np.ndarray:
    x = feat[READER_FEATURES].to_numpy(dtype=float)
    return np.column_stack([np.ones(len(x)), np.log1p(np.abs(x)) * np.sign(x)])


class Reader:
    """Multinomial logistic regression (none / favor / against) with class-balanced weights
    and an L2 penalty, fitted by gradient descent (numpy only)."""

    classes = ("none", "favor", "against")

    def __init__(self, l2: float = 1.0, steps: int = 3000, lr: float = 0.1) -> None:
        self.l2, self.steps, self.lr = l2, steps, lr

    def fit(self, feat: pd.DataFrame, labels: pd.Series) -> Reader:
        x = _design(feat)
        y = np.array([self.classes.index(v) for v in labels])
        counts = np.bincount(y, minlength=3).astype(float)
        weight = (len(y) / (3 * np.maximum(counts, 1)))[y]
        onehot = np.eye(3)[y]
        self.w_ = np.zeros((x.shape[1], 3))
        for _ in range(self.steps):
            p = self._softmax(x @ self.w_)
            grad = x.T @ ((p - onehot) * weight[:, None]) / len(y)
            grad[1:] += self.l2 * self.w_[1:] / len(y)
            self.w_ -= self.lr * grad
        return self

    @staticmethod
    def _softmax(z: np.ndarray) -> np.ndarray:
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def proba(self, feat: pd.DataFrame) -> np.ndarray:
        return self._softmax(_design(feat) @ self.w_)


def fit_reader(train: pd.DataFrame) -> Reader:
    return Reader().fit(train, train["label"])


def reader_scores(model: Reader, feat: pd.DataFrame) -> pd.Series:
    p = model.proba(feat)
    score = pd.Series(p[:, 1] - p[:, 2], index=feat.index)
    return score.where(p.argmax(axis=1) != 0, 0.0)


def judge(labelled: pd.DataFrame, score: pd.Series, discussed: pd.Series) -> dict:
    """Sign accuracy, AUCs and coverage of article scores against labels."""
    lab = labelled["label"].to_numpy()
    sc = score.where(discussed, 0.0).to_numpy()
    signed = np.isin(lab, ["favor", "against"])
    ok = ((lab == "favor") & (sc > 0)) | ((lab == "against") & (sc < 0))
    truth, pred = lab != "not_discussed", discussed.to_numpy()
    tp = (truth & pred).sum()
    p, r = tp / max(pred.sum(), 1), tp / max(truth.sum(), 1)
    return {
        "auc_favor_vs_none": roc_auc(sc[lab == "favor"], sc[lab == "none"]),
        "sign_accuracy": float(ok[signed].mean()) if signed.any() else None,
        "none_kept_at_zero": float((sc[lab == "none"] == 0).mean())
        if (lab == "none").any()
        else None,
        "coverage_f1": float(2 * p * r / (p + r)) if p + r else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--runs-dir", default="runs")
    parser.add_argument("--model", default=None, help="re-score the run's passages with this model")
    parser.add_argument("--labels", default=str(LABELS))
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    args = parser.parse_args()
    run = load_run(args.run, args.runs_dir)
    topics = {t["key"]: t["target"] for t in run.meta["topics"]}
    scores = run.scores
    if args.model:
        scores = rescore(scores, run.passages, args.model, topics)
    feat = features(scores)
    results: dict = {
        "run": str(run.path),
        "model": args.model or run.meta["models"]["stance"]["name"],
    }
    for split in ("train", "dev"):
        labels = load_article_labels(args.labels, split)
        labelled = labels.merge(feat, on=["article_id", "topic"], how="left")
        for c in feat.columns.drop(["article_id", "topic"]):
            labelled[c] = labelled[c].fillna(0.0)
        cov = {
            "own>=1": labelled["n_own"] >= 1,
            "own>=2": labelled["n_own"] >= 2,
            "any>=1": labelled["n_own"] + labelled["n_rep"] >= 1,
            "any>=2": labelled["n_own"] + labelled["n_rep"] >= 2,
            "any>=3": labelled["n_own"] + labelled["n_rep"] >= 3,
        }
        out = {}
        for cname, discussed in cov.items():
            out[f"coverage {cname}"] = judge(labelled, labelled["mean"], discussed)["coverage_f1"]
        discussed = cov["own>=1"]
        for rule in ("mean", "max"):
            out[rule] = judge(labelled, rule_scores(labelled, rule, 0), discussed)
        for rule in ("balance", "balance+quoted"):
            for tau in TAUS:
                out[f"{rule} tau={tau}"] = judge(
                    labelled, rule_scores(labelled, rule, tau), discussed
                )
        results[split] = {"n": len(labelled), **out}
        if split == "train":
            train_rows = labelled[labelled["label"] != "not_discussed"]
            reader = fit_reader(train_rows)
        results[split]["reader"] = judge(labelled, reader_scores(reader, labelled), discussed)
    # The run's own positions under each tau, through analysis.aggregate and the evaluator.
    for tau in TAUS:
        table = positions(
            run.articles, run.passages, scores, list(topics), AggregateConfig(min_stance_mass=tau)
        )
        for split in ("train", "dev"):
            report = evaluate_run_articles(load_article_labels(args.labels, split), table)
            results[split][f"positions tau={tau}"] = {
                k: report[k] for k in ("auc_favor_vs_none", "sign_accuracy", "macro_f1", "coverage")
            }
    text = json.dumps(results, indent=1, default=float)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()

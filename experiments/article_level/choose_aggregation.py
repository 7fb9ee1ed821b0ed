"""Choose how passage scores become an article's stance, on the article dev set.

Input: a run of the labelled articles (``viewpoints evaluate --level article`` can make one, or
``viewpoints analyze`` on them) and ``experiments/news_labels/articles.jsonl``. Optionally
``--model DIR`` re-scores the run's topic passages with another stance model first (relevance
is the run's, so models are compared on the same passages).

Rules compared at article level (the author's own passages unless said otherwise):

- ``mean``: the relevance-weighted mean of favor − against (the rule before the news model),
  and ``mean+tau``: the same, "no stance expressed" (scored 0) under the stance mass ``tau``;
- ``balance``: sum r (f − a) / sum r (f + a), called only when the expected number of
  stance-taking passages sum (f + a) reaches ``tau`` (else "no stance expressed", scored 0);
  this is ``analysis.aggregate`` with ``min_stance_mass = tau``;
- ``balance+quoted``: ``balance``, and where the author takes no side, the quoted voices'
  balance at half weight (an article that quotes only one side leans that way);
- ``max``: max f − max a over the passages;
- ``reader``: a logistic regression over those features (numpy), trained on the article train
  split.

Coverage: "discussed" with at least one own-voice topic passage (what ``analysis.aggregate``
does), or one of either voice; topic passages are the candidates at or over a relevance
threshold ``t`` whose P(on topic) from the model's topic head reaches the gate ``g`` (run the
articles with a low ``--threshold`` and ``--relevance full`` so that every ``t`` of the grid can
be tried: the relevance cascade's recall was measured at 0.55 and 0.61 only). Every rule is
scored on the dev split (where the choice is made) and on the train split (a check that the
choice is not a dev accident).

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
from experiments.train_news_stance import (
    NEW_LABELS,
    NEWS_STANCE,
    SPLITS,
    read_news,
    side_targets,
    titled,
)

HERE = Path(__file__).resolve().parent
LABELS = HERE.parent / "news_labels" / "articles.jsonl"
TAUS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
THRESHOLDS = (0.45, 0.5, 0.55, 0.61)
GATES = (0.0, 0.3, 0.5, 0.7, 0.9)


def candidates(scores: pd.DataFrame, threshold: float, gate: float) -> pd.DataFrame:
    """Topic passages at relevance ``threshold`` that pass the topic ``gate``."""
    on = scores["on_topic"].astype(float).fillna(1.0) if "on_topic" in scores else 1.0
    return scores[(scores["relevance"] >= threshold) & (on >= gate)]


def labelled_features(labels: pd.DataFrame, feat: pd.DataFrame) -> pd.DataFrame:
    out = labels.merge(feat, on=["article_id", "topic"], how="left")
    for c in feat.columns.drop(["article_id", "topic"]):
        out[c] = out[c].fillna(0.0)
    return out


def rescore(
    scores: pd.DataFrame,
    passages: pd.DataFrame,
    model: str,
    topics: dict,
    titles: pd.Series | None = None,
) -> pd.DataFrame:
    """The run's score rows with stance (and quoted voices) from ``model``; with ``titles``
    (article id -> title) each passage gets its article's title in front."""
    from analysis.scoring.pair_scorer import PairModel, PairModelScorer, quoted_voice, topic_gate

    pair = PairModel(model)
    stance = PairModelScorer("stance", "stance", pair)
    texts = passages.set_index("passage_id").loc[scores["passage_id"], "text"].tolist()
    if titles is not None:
        texts = [titled(titles.get(a), t) for a, t in zip(scores["article_id"], texts, strict=True)]
    targets = [topics[t] for t in scores["topic"]]
    probs = stance.score(texts, targets, progress=True)
    quoted = quoted_voice(stance)
    speaker = probs if quoted is stance else quoted.score(texts, targets)
    gate = topic_gate(stance)
    out = scores.copy()
    out["on_topic"] = np.nan if gate is None else gate.score(texts, targets)[:, 1]
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
    if rule == "mean+tau":  # the mean, "no stance expressed" (0) under the stance mass tau
        return feat["mean"].where(feat["mass"] >= tau, 0.0)
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


def write_results(results: dict, out: str | None) -> None:
    """Print the results as JSON, and write them to ``out`` when given."""
    text = json.dumps(results, indent=1, default=float)
    if out:
        Path(out).write_text(text + "\n")
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--runs-dir", default="runs")
    parser.add_argument("--model", default=None, help="re-score the run's passages with this model")
    parser.add_argument("--labels", default=str(LABELS))
    parser.add_argument(
        "--title-context",
        action="store_true",
        help="with --model: the article's title in front of each passage (a model trained so)",
    )
    parser.add_argument(
        "--side-definitions",
        action="store_true",
        help="with --model: each topic's target followed by what either side means, as the "
        "labelled news passages define it (a model trained so)",
    )
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    args = parser.parse_args()
    run = load_run(args.run, args.runs_dir)
    topics = {t["key"]: t["target"] for t in run.meta["topics"]}
    scores = run.scores
    if args.model and args.side_definitions:
        sided = side_targets(read_news([str(NEWS_STANCE), str(NEW_LABELS)], str(SPLITS)))
        topics = {key: sided[key] for key in topics}
    if args.model:
        titles = run.articles.set_index("article_id")["title"] if args.title_context else None
        scores = rescore(scores, run.passages, args.model, topics, titles)
    labels = {split: load_article_labels(args.labels, split) for split in ("train", "dev")}
    results: dict = {
        "run": str(run.path),
        "model": args.model or run.meta["models"]["stance"]["name"],
    }
    # 1. Coverage: which candidates count as topic passages.
    grid = {}
    for threshold in THRESHOLDS:
        for gate in GATES:
            feat = features(candidates(scores, threshold, gate))
            for voice, column in (("own", "n_own"), ("any", None)):
                row = {}
                for split, lab in labels.items():
                    table = labelled_features(lab, feat)
                    n = table["n_own"] if column else table["n_own"] + table["n_rep"]
                    row[split] = round(judge(table, table["mean"], n >= 1)["coverage_f1"], 4)
                grid[f"t={threshold} gate={gate} {voice}>=1"] = row
    results["coverage_f1"] = grid
    best = max(grid, key=lambda k: grid[k]["dev"])
    threshold = float(best.split()[0][2:])
    gate = float(best.split()[1][5:])
    voice = best.split()[2]
    results["chosen_coverage"] = {
        "threshold": threshold,
        "gate": gate,
        "voice": voice,
        **grid[best],
    }
    # 2. Stance rules on the chosen topic passages.
    chosen = candidates(scores, threshold, gate)
    feat = features(chosen)
    for split, lab in labels.items():
        labelled = labelled_features(lab, feat)
        discussed = (
            labelled["n_own"] if voice == "own>=1" else labelled["n_own"] + labelled["n_rep"]
        ) >= 1
        out = {"n": len(labelled)}
        for rule in ("mean", "max"):
            out[rule] = judge(labelled, rule_scores(labelled, rule, 0), discussed)
        for rule in ("mean+tau", "balance", "balance+quoted"):
            for tau in TAUS:
                out[f"{rule} tau={tau}"] = judge(
                    labelled, rule_scores(labelled, rule, tau), discussed
                )
        if split == "train":
            reader = fit_reader(labelled[labelled["label"] != "not_discussed"])
        out["reader"] = judge(labelled, reader_scores(reader, labelled), discussed)
        results[split] = out
    # 3. The run's own positions under each tau, through analysis.aggregate and the evaluator.
    keep = ("auc_favor_vs_none", "sign_accuracy", "sign_accuracy_called", "macro_f1", "coverage")
    for rule in ("mean", "balance"):
        for tau in TAUS:
            config = AggregateConfig(min_stance_mass=tau, stance_rule=rule)
            table = positions(run.articles, run.passages, chosen, list(topics), config)
            for split, lab in labels.items():
                report = evaluate_run_articles(lab, table)
                results[split][f"positions {rule} tau={tau}"] = {k: report[k] for k in keep}
    write_results(results, args.out)


if __name__ == "__main__":
    main()

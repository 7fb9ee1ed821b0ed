import numpy as np
import pytest

from analysis.metrics import (
    classification_report,
    expected_calibration_error,
    precision_recall_f1,
)


def test_report_matches_hand_computed_scores():
    truth = ["a", "a", "a", "b", "b", "c"]
    pred = ["a", "a", "b", "b", "c", "c"]
    report = classification_report(truth, pred, ["a", "b", "c"])
    # a: p=1, r=2/3 -> f1=0.8; b: p=1/2, r=1/2 -> 0.5; c: p=1/2, r=1 -> 2/3
    assert report["per_class"]["a"]["f1"] == pytest.approx(0.8)
    assert report["per_class"]["b"]["f1"] == pytest.approx(0.5)
    assert report["per_class"]["c"]["f1"] == pytest.approx(2 / 3)
    assert report["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert report["accuracy"] == pytest.approx(4 / 6)
    assert report["confusion"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert report["n"] == 6


def test_class_never_predicted_scores_zero_not_nan():
    report = classification_report(["a", "b"], ["a", "a"], ["a", "b"])
    assert report["per_class"]["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def test_calibration_error_is_zero_when_confidence_equals_accuracy():
    probs = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert expected_calibration_error(probs, np.array([0, 1]))["ece"] == pytest.approx(0.0)
    wrong = expected_calibration_error(probs, np.array([1, 0]))
    assert wrong["ece"] == pytest.approx(1.0)


def test_macro_f1_ignores_labels_absent_from_truth_and_predictions():
    report = classification_report(["a", "b"], ["a", "b"], ["a", "b", "c"])
    assert report["macro_f1"] == pytest.approx(1.0)
    assert report["per_class"]["c"]["support"] == 0


def test_benjamini_hochberg_q_values():
    from analysis.metrics import benjamini_hochberg

    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert benjamini_hochberg([]) == []
    with pytest.raises(ValueError, match="expected p-values in"):
        benjamini_hochberg([0.2, 1.5])


def test_precision_recall_f1_from_counts_with_nothing_predicted_or_nothing_true():
    assert precision_recall_f1(2, 4, 3) == {"precision": 0.5, "recall": 0.667, "f1": 0.571}
    assert precision_recall_f1(0, 0, 3) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert precision_recall_f1(0, 2, 0)["recall"] == 0.0


def test_macro_f1_of_a_confusion_matrix_is_the_report_s_macro_f1():
    from analysis.metrics import classification_report, macro_f1_of

    rng = np.random.default_rng(3)
    labels = ["favor", "against", "none"]
    for _ in range(20):
        truth = rng.integers(0, 3, 30)
        pred = np.where(rng.random(30) < 0.5, truth, rng.integers(0, 2, 30))  # "none" rarer
        report = classification_report(
            [labels[i] for i in truth], [labels[i] for i in pred], labels
        )
        assert macro_f1_of(np.array(report["confusion"])) == pytest.approx(report["macro_f1"])


def test_macro_f1_interval_brackets_the_figure_and_narrows_with_more_examples():
    from analysis.metrics import classification_report, macro_f1_interval

    rng = np.random.default_rng(3)
    labels = ["favor", "against", "none"]
    widths = []
    for n in (40, 4000):
        truth = rng.integers(0, 3, n)
        pred = np.where(rng.random(n) < 0.6, truth, rng.integers(0, 3, n))
        low, high = macro_f1_interval(truth, pred, 3, seed=5)
        whole = classification_report([labels[i] for i in truth], [labels[i] for i in pred], labels)
        assert low < whole["macro_f1"] < high
        assert macro_f1_interval(truth, pred, 3, seed=5) == (low, high)  # seeded: repeats
        widths.append(high - low)
    assert widths[1] < widths[0] / 5  # about 1/sqrt(100) as wide
    assert macro_f1_interval(truth[:1], pred[:1], 3) is None  # one example: no interval


def test_a_resample_without_the_rare_label_does_not_lift_the_macro_f1_interval():
    """Two 'against' rows among 40, both missed: the sample's macro-F1 averages three labels,
    one of them 0. A resample that draws neither still averages three (it cannot do better on
    'against'), so the interval stays around the figure; averaged over the two labels it drew,
    such a resample scored near 0.85 and stretched the interval to [0.44, 0.85] around 0.53."""
    from analysis.metrics import classification_report, macro_f1_interval

    truth = np.array([0] * 19 + [2] * 19 + [1, 1])
    pred = truth.copy()
    pred[[0, 1, 2, 20, 21, 22, 23]] = [2, 2, 2, 0, 0, 0, 0]
    pred[[38, 39]] = 2  # 'against' never found
    labels = ["favor", "against", "none"]
    whole = classification_report([labels[i] for i in truth], [labels[i] for i in pred], labels)
    low, high = macro_f1_interval(truth, pred, 3, seed=0)
    assert low < whole["macro_f1"] < high
    assert high < 2 / 3  # favor and none perfect, against 0: no resample can read more


def test_a_perfect_reading_with_a_rare_label_keeps_a_perfect_interval():
    """A review: scoring 0 for a label a resample happened to miss pulled a perfect reading of
    40 examples, one of them 'against', down to [0.67, 1.00]; each label is now resampled
    among its own examples."""
    from analysis.metrics import macro_f1_interval

    truth = np.array([0] * 20 + [2] * 19 + [1])
    assert macro_f1_interval(truth, truth.copy(), 3, seed=0) == (1.0, 1.0)

import numpy as np
import pandas as pd
import pytest

from analysis.calibration import (
    TemperatureScaler,
    calibrate_scores,
    fit_temperatures,
    nll,
    scale,
)
from analysis.evaluate import probability_report


def _confident(n: int, right: float, confidence: float, seed: int = 0):
    """n three-class predictions with top-class probability ``confidence``, of which a share
    ``right`` have the true label on top."""
    rng = np.random.default_rng(seed)
    probs = np.full((n, 3), (1.0 - confidence) / 2.0)
    top = rng.integers(0, 3, size=n)
    probs[np.arange(n), top] = confidence
    y = top.copy()
    wrong = rng.random(n) >= right
    y[wrong] = (top[wrong] + rng.integers(1, 3, size=int(wrong.sum()))) % 3
    return probs, y


def test_over_confident_wrong_predictions_fit_a_temperature_above_one():
    probs, y = _confident(400, right=0.55, confidence=0.95)
    scaler = TemperatureScaler().fit(probs, y)
    assert scaler.temperature_ > 1.5
    assert scaler.nll_after_ < scaler.nll_before_
    # The calibrated confidence moves toward the accuracy.
    assert scaler.transform(probs).max(axis=1).mean() < 0.8


def test_under_confident_right_predictions_fit_a_temperature_below_one():
    probs, y = _confident(400, right=0.9, confidence=0.45)
    scaler = TemperatureScaler().fit(probs, y)
    assert scaler.temperature_ < 0.7
    assert scaler.nll_after_ < scaler.nll_before_
    assert scaler.transform(probs).max(axis=1).mean() > 0.6


def test_fitted_temperature_is_the_minimum_of_the_nll():
    probs, y = _confident(300, right=0.7, confidence=0.9, seed=3)
    scaler = TemperatureScaler().fit(probs, y)
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 4001))
    brute = grid[int(np.argmin([nll(probs, y, t) for t in grid]))]
    assert scaler.temperature_ == pytest.approx(brute, rel=5e-3)
    assert scaler.nll_after_ <= min(nll(probs, y, t) for t in (0.5, 1.0, 2.0, brute)) + 1e-9


def test_scaling_keeps_the_predicted_label_and_one_is_the_identity():
    probs = np.random.default_rng(1).dirichlet([1, 1, 1], size=50)
    for t in (0.3, 1.0, 4.0):
        scaled = scale(probs, t)
        assert np.allclose(scaled.sum(axis=1), 1.0)
        assert (scaled.argmax(axis=1) == probs.argmax(axis=1)).all()
    assert np.allclose(scale(probs, 1.0), probs)


def test_uninformative_probabilities_keep_temperature_one():
    probs = np.full((20, 3), 1 / 3)
    assert TemperatureScaler().fit(probs, np.zeros(20, dtype=int)).temperature_ == 1.0


@pytest.mark.parametrize(
    ("probs", "y", "message"),
    [
        (np.ones((3, 3)) / 3, [0, 1], "label indices"),
        (np.ones((2, 3)) / 3, [0, 3], "label indices"),
        (np.ones(3), [0], "shape"),
        (np.zeros((0, 3)), [], "at least one"),
    ],
)
def test_bad_inputs_say_what_was_expected(probs, y, message):
    with pytest.raises(ValueError, match=message):
        TemperatureScaler().fit(probs, np.asarray(y, dtype=int))


def test_transform_before_fit_is_an_error():
    with pytest.raises(ValueError, match="fit"):
        TemperatureScaler().transform(np.ones((1, 3)) / 3)


def test_calibrate_scores_rescales_each_task_and_recomputes_stance_and_tone():
    scores = pd.DataFrame(
        {
            "stance_favor": [0.9, np.nan],
            "stance_against": [0.05, np.nan],
            "stance_none": [0.05, np.nan],
            "tone_negative": [0.1, 0.2],
            "tone_neutral": [0.2, 0.3],
            "tone_positive": [0.7, 0.5],
            "stance": [0.85, np.nan],
            "tone": [0.6, 0.3],
        }
    )
    out = calibrate_scores(scores, {"stance": 3.0})
    assert out.loc[0, "stance_favor"] < 0.9  # softened
    assert out.loc[0, "stance"] == pytest.approx(
        out.loc[0, "stance_favor"] - out.loc[0, "stance_against"]
    )
    assert np.isnan(out.loc[1, "stance_favor"])  # a failed row stays failed
    pd.testing.assert_frame_equal(out[["tone_negative", "tone"]], scores[["tone_negative", "tone"]])
    assert scores.loc[0, "stance_favor"] == 0.9  # the input is not modified


def test_fit_temperatures_needs_enough_examples():
    probs, y = _confident(12, right=0.5, confidence=0.95)
    labels = ("favor", "against", "none")
    frame = pd.DataFrame({f"p_{label}": probs[:, i] for i, label in enumerate(labels)})
    frame["label"] = [labels[i] for i in y]
    frame["predicted"] = [labels[i] for i in probs.argmax(axis=1)]
    fitted = fit_temperatures({"stance": frame}, min_examples=10)
    assert fitted["stance"]["n"] == 12 and fitted["stance"]["temperature"] > 1
    short = fit_temperatures({"stance": frame.head(5)}, min_examples=10)
    assert short["stance"]["temperature"] is None and "10" in short["stance"]["reason"]


def test_a_degenerate_fitted_temperature_is_refused_with_its_reason():
    # Two corrected examples, both right: the NLL falls as T -> 0, which would turn every tone
    # into -1.00 or +1.00.
    labels = ("negative", "neutral", "positive")
    probs = np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    frame = pd.DataFrame({f"p_{label}": probs[:, i] for i, label in enumerate(labels)})
    frame["label"] = ["negative", "positive"]
    frame["predicted"] = frame["label"]
    assert TemperatureScaler().fit(probs, [0, 2]).temperature_ < 0.1
    fitted = fit_temperatures({"tone": frame}, min_examples=2)["tone"]
    assert fitted["temperature"] is None and fitted["fitted"] < 0.1
    assert "degenerate" in fitted["reason"] and "0 or 1" in fitted["reason"]
    # Worse than chance: applied (near uniform), with a warning that says so.
    probs, y = _confident(400, right=0.2, confidence=0.95)
    frame = pd.DataFrame({f"p_{label}": probs[:, i] for i, label in enumerate(labels)})
    frame["label"] = [labels[i] for i in y]
    frame["predicted"] = [labels[i] for i in probs.argmax(axis=1)]
    flat = fit_temperatures({"tone": frame})["tone"]
    assert flat["temperature"] > 19 and "no better than chance" in flat["warning"]


def test_probability_report_scores_the_top_class_and_bins_confidence():
    probs = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    report = probability_report(probs, ["favor", "against", "against", "none"], "stance")
    assert report["n"] == 4 and report["accuracy"] == 0.75
    assert report["confusion"][1] == [1, 1, 0]  # one 'against' predicted as favor
    assert sum(b["n"] for b in report["calibration"]["bins"]) == 4


def test_a_temperature_that_flattens_the_probabilities_is_applied_with_a_warning():
    """An audit found a temperature of 14 fitted on three corrections turning "no stance
    expressed" into "mixed" across a run, with nothing said."""
    labels = ("favor", "against", "none")

    def frame_of(n: int, right: float) -> pd.DataFrame:
        probs, y = _confident(n, right=right, confidence=0.95)
        frame = pd.DataFrame({f"p_{label}": probs[:, i] for i, label in enumerate(labels)})
        frame["label"] = [labels[i] for i in y]
        frame["predicted"] = [labels[i] for i in probs.argmax(axis=1)]
        return frame

    fitted = {
        right: fit_temperatures({"stance": frame_of(40, right)})["stance"] for right in (0.5, 0.9)
    }
    flat = next(f for f in fitted.values() if 3 <= f["temperature"] < 19)
    assert "flattens every probability toward uniform" in flat["warning"]
    assert "fitted on 40 corrected examples" in flat["warning"]
    sharp = fitted[0.9]
    assert sharp["temperature"] < 3 and "warning" not in sharp

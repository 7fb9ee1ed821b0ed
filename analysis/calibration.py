"""Temperature scaling: making a model's probabilities mean what they say, fitted on corrections.

A model is *calibrated* when, of the passages it labels with 80% confidence, about 80% are right.
Temperature scaling (Guo et al. 2017, *On Calibration of Modern Neural Networks*) rescales the
log-probabilities by one number per task: ``softmax(log p / T)``. ``T > 1`` softens an
over-confident model, ``T < 1`` sharpens an under-confident one, and the predicted label never
changes (the order of the probabilities is kept), so accuracy and macro-F1 are untouched: only
the confidence, and through it the stance and tone numbers, move.

``T`` is fitted by minimising the mean negative log-likelihood of the analyst's labels. As a
function of ``1/T`` that NLL is convex (a log-sum-exp of linear functions minus a linear one), so a
bounded 1-D search finds the minimum: a log-spaced grid, then golden-section refinement in the
bracket around the best grid point (scipy is not a dependency).

Caveat: analysts tend to open the passages that look wrong. A set of corrections made mostly of
disagreements over-states the error rate and fits too high a ``T``; confirming the passages one
reads (saving them unchanged) keeps the sample honest. The fitted ``T`` and ``n`` are written into
every calibrated run so the reader can judge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.labels import labels_for

_EPS = 1e-12
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def scale(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log p / T)`` row by row (probabilities clipped away from 0 first)."""
    if not temperature > 0:
        raise ValueError(f"expected a temperature > 0, got {temperature!r}")
    logits = np.log(np.clip(np.asarray(probabilities, dtype=float), _EPS, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return out / out.sum(axis=1, keepdims=True)


def nll(probabilities: np.ndarray, y_index: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the true labels under ``scale(probabilities, T)``."""
    scaled = scale(probabilities, temperature)
    picked = scaled[np.arange(len(y_index)), np.asarray(y_index, dtype=int)]
    return float(-np.log(np.clip(picked, _EPS, 1.0)).mean())


class TemperatureScaler:
    """One temperature for one task's probabilities, fitted by minimising NLL.

    ``bounds`` limit the search for ``T``; ``grid`` is the number of log-spaced points tried
    before the golden-section refinement. Fitted state: ``temperature_``, ``n_``,
    ``nll_before_`` (at T = 1) and ``nll_after_``.
    """

    def __init__(self, bounds: tuple[float, float] = (0.05, 20.0), grid: int = 200) -> None:
        self.bounds = bounds
        self.grid = grid

    def fit(self, probabilities: np.ndarray, y_index: Sequence[int]) -> TemperatureScaler:
        probs, y = _check_fit_inputs(probabilities, y_index)
        low, high = self.bounds
        if not 0 < low < 1 < high:
            raise ValueError(f"expected bounds with 0 < low < 1 < high, got {self.bounds!r}")
        if not isinstance(self.grid, int) or self.grid < 3:
            raise ValueError(f"expected grid >= 3, got {self.grid!r}")

        # Search over log(1/T): the NLL is convex in 1/T, hence unimodal in its logarithm.
        def loss(log_beta: float) -> float:
            return nll(probs, y, 1.0 / math.exp(log_beta))

        points = np.linspace(-math.log(high), -math.log(low), self.grid)
        values = np.array([loss(p) for p in points])
        if values.max() - values.min() < 1e-12:  # flat: the temperature changes nothing
            best = 0.0
        else:
            i = int(values.argmin())
            best = _golden(loss, points[max(i - 1, 0)], points[min(i + 1, len(points) - 1)])
            if loss(best) > values[i]:
                best = float(points[i])
        self.temperature_ = float(1.0 / math.exp(best))
        self.n_ = len(y)
        self.nll_before_ = nll(probs, y, 1.0)
        self.nll_after_ = nll(probs, y, self.temperature_)
        return self

    def transform(self, probabilities: np.ndarray) -> np.ndarray:
        if not hasattr(self, "temperature_"):
            raise ValueError("expected a fitted TemperatureScaler: call fit() first")
        return scale(probabilities, self.temperature_)

    def __repr__(self) -> str:
        fitted = f", temperature_={self.temperature_:.3f}" if hasattr(self, "temperature_") else ""
        return f"TemperatureScaler(bounds={self.bounds!r}, grid={self.grid}{fitted})"


def _check_fit_inputs(probabilities: np.ndarray, y_index: Sequence[int]) -> tuple[np.ndarray, ...]:
    probs = np.asarray(probabilities, dtype=float)
    y = np.asarray(y_index)
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise ValueError(f"expected probabilities of shape (n, k>=2), got {probs.shape}")
    if len(probs) == 0:
        raise ValueError("expected at least one example, got none")
    if y.shape != (len(probs),):
        raise ValueError(f"expected {len(probs)} label indices, got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= probs.shape[1]:
        raise ValueError(f"expected label indices in [0, {probs.shape[1]}), got {y[:5]!r}")
    if not np.isfinite(probs).all() or (probs < 0).any():
        raise ValueError("expected finite, non-negative probabilities")
    return probs, y.astype(int)


def _golden(f: Any, a: float, b: float, tol: float = 1e-7) -> float:
    """Minimum of a unimodal ``f`` on [a, b] by golden-section search."""
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - _GOLDEN * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + _GOLDEN * (b - a)
            fd = f(d)
    return (a + b) / 2.0


def prediction_arrays(
    predictions: pd.DataFrame, task: str, labels: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities (n × labels) and true label indices of the rows that have a prediction.

    ``predictions`` has the columns of :func:`analysis.corrections.predictions_for`;
    ``labels`` defaults to the task's (give them for a task no scorer has, such as the quoted
    voice's stance).
    """
    labels = list(labels_for(task) if labels is None else labels)
    if predictions.empty:
        return np.zeros((0, len(labels))), np.zeros(0, dtype=int)
    rows = predictions[predictions["predicted"].notna()]
    probs = rows[[f"p_{label}" for label in labels]].to_numpy(dtype=float)
    y = np.array([labels.index(label) for label in rows["label"]], dtype=int)
    return probs, y


# A fitted temperature under this says the corrected examples cannot calibrate (too few, or all
# right): at 0.05 every probability becomes 0 or 1, so such a fit is refused.
MIN_USEFUL_TEMPERATURE = 0.2
# At or above this a fitted temperature leaves little of any probability's lean (0.9 / 0.05 /
# 0.05 becomes about 0.57 / 0.22 / 0.22): applied, with a warning.
FLATTENING_TEMPERATURE = 3.0


def fit_temperatures(
    predictions: Mapping[str, pd.DataFrame], min_examples: int = 10
) -> dict[str, dict[str, Any]]:
    """Per task, fit a temperature on the predictions of corrected examples.

    Returns ``{task: {"temperature", "n", "nll_before", "nll_after"}}``; a task with fewer than
    ``min_examples`` predictions, or whose fitted temperature is degenerate (under
    :data:`MIN_USEFUL_TEMPERATURE`), gets ``temperature`` None and a ``reason``; one at the
    search's upper bound is applied with a ``warning`` (the examples say the probabilities carry
    no information).
    """
    if not isinstance(min_examples, int) or min_examples < 1:
        raise ValueError(f"expected min_examples >= 1, got {min_examples!r}")
    out: dict[str, dict[str, Any]] = {}
    for task, frame in predictions.items():
        probs, y = prediction_arrays(frame, task)
        if len(y) < min_examples:
            out[task] = {
                "temperature": None,
                "n": len(y),
                "reason": f"needs at least {min_examples} corrected examples with a prediction",
            }
            continue
        scaler = TemperatureScaler().fit(probs, y)
        if scaler.temperature_ < MIN_USEFUL_TEMPERATURE:
            out[task] = {
                "temperature": None,
                "n": scaler.n_,
                "fitted": round(scaler.temperature_, 6),
                "reason": (
                    f"the fitted temperature {scaler.temperature_:.2f} is degenerate (under "
                    f"{MIN_USEFUL_TEMPERATURE}: it would turn every probability into 0 or 1); "
                    "the corrected examples are too few or too one-sided to calibrate"
                ),
            }
            continue
        out[task] = {
            "temperature": round(scaler.temperature_, 6),
            "n": scaler.n_,
            "nll_before": round(scaler.nll_before_, 6),
            "nll_after": round(scaler.nll_after_, 6),
        }
        if scaler.temperature_ >= 0.99 * scaler.bounds[1]:
            out[task]["warning"] = (
                f"temperature at the search bound {scaler.bounds[1]:g}: on the corrected "
                "examples the model does no better than chance, so its probabilities are "
                "flattened to near uniform"
            )
        elif scaler.temperature_ >= FLATTENING_TEMPERATURE:
            out[task]["warning"] = (
                f"temperature {scaler.temperature_:.1f} flattens every probability toward "
                "uniform: sides taken count for little, and a position whose two sides come "
                "close reads 'mixed' or 'no stance expressed' (fitted on "
                f"{scaler.n_} corrected example{'s' if scaler.n_ != 1 else ''}: "
                + ("check it on more" if scaler.n_ < 30 else "read its evidence")
                + ")"
            )
    return out


def calibrate_scores(scores: pd.DataFrame, temperatures: Mapping[str, float]) -> pd.DataFrame:
    """A copy of a run's scores table with each task's probabilities scaled by its temperature
    and ``stance`` / ``tone`` recomputed; rows without probabilities are left as they are."""
    out = scores.copy()
    for task, temperature in temperatures.items():
        labels = labels_for(task)
        columns = [f"{task}_{label}" for label in labels]
        values = out[columns].to_numpy(dtype=float, copy=True)
        ok = np.isfinite(values).all(axis=1)
        if ok.any():
            values[ok] = scale(values[ok], float(temperature))
            out[columns] = values
        if task == "stance":
            out["stance"] = out["stance_favor"] - out["stance_against"]
        else:
            out["tone"] = out["tone_positive"] - out["tone_negative"]
    return out

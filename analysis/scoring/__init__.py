"""Stance and tone scorers behind one interface, resolved from registered names or paths."""

from analysis.scoring.base import ModelLoadError, Scorer
from analysis.scoring.registry import DEFAULTS, UnknownScorerError, available, create_scorer

__all__ = [
    "DEFAULTS",
    "ModelLoadError",
    "Scorer",
    "UnknownScorerError",
    "available",
    "create_scorer",
]

"""Stance and tone scorers behind one interface, resolved from registered names or paths.

The registry (and with it torch and transformers) is imported on first use of
:func:`create_scorer`, so that light modules such as :mod:`analysis.cache` and the config can use
:mod:`analysis.scoring.base` and :mod:`analysis.scoring.options` cheaply.
"""

from typing import Any

from analysis.scoring.base import ModelLoadError, Scorer
from analysis.scoring.options import DEFAULTS, UnknownScorerError, available

__all__ = [
    "DEFAULTS",
    "ModelLoadError",
    "Scorer",
    "UnknownScorerError",
    "available",
    "create_scorer",
]


def __getattr__(name: str) -> Any:
    if name == "create_scorer":
        from analysis.scoring import registry

        return registry.create_scorer
    raise AttributeError(f"module 'analysis.scoring' has no attribute {name!r}")

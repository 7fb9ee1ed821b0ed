"""Stance and tone scorers behind one interface, resolved from registered names or paths.

The registry (and with it torch and transformers) is imported on first use of one of its names,
so that light modules such as :mod:`analysis.cache` can use :mod:`analysis.scoring.base` cheaply.
"""

from typing import Any

from analysis.scoring.base import ModelLoadError, Scorer

_FROM_REGISTRY = ("DEFAULTS", "UnknownScorerError", "available", "create_scorer")

__all__ = ["ModelLoadError", "Scorer", *_FROM_REGISTRY]


def __getattr__(name: str) -> Any:
    if name in _FROM_REGISTRY:
        from analysis.scoring import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'analysis.scoring' has no attribute {name!r}")

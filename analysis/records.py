"""Record types shared by the data readers and the corrections: a labelled example, the
error a labelled file that cannot be read raises, and what counts as a table cell without a
value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def is_missing(value: Any) -> bool:
    """None, NaN or NA: a table cell without a value."""
    if value is None:
        return True
    if isinstance(value, list | tuple | set | dict | np.ndarray):
        return False  # a container (or an array) is a value, even of one missing element
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


class DataError(ValueError):
    """A labelled file that cannot be read; the message names file, line and problem."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path, self.line, self.problem = Path(path), line, problem


@dataclass(frozen=True)
class Example:
    """One labelled (text, target) pair; ``span`` marks the target mention when known."""

    text: str
    target: str | None
    label: str
    span: tuple[int, int] | None = None
    group: str | None = None

"""The label sets of the two tasks, in the column order every scorer returns."""

from __future__ import annotations

STANCE_LABELS: tuple[str, ...] = ("favor", "against", "none")
TONE_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")

TASK_LABELS: dict[str, tuple[str, ...]] = {"stance": STANCE_LABELS, "tone": TONE_LABELS}


def labels_for(task: str) -> tuple[str, ...]:
    """Return the label order of ``task``; an unknown task is a ValueError naming the known ones."""
    try:
        return TASK_LABELS[task]
    except KeyError:
        raise ValueError(f"expected task 'stance' or 'tone', got {task!r}") from None

"""The label sets of the two tasks, in the column order every scorer returns, and the words
the CLI and the dashboard use for the tasks and measures they show."""

from __future__ import annotations

STANCE_LABELS: tuple[str, ...] = ("favor", "against", "none")
TONE_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")

TASK_LABELS: dict[str, tuple[str, ...]] = {"stance": STANCE_LABELS, "tone": TONE_LABELS}
# The stance of the voice a reported passage quotes: the stance labels, read by a stance
# model's speaker head (a run's speaker_* columns), labelled only by the analyst's corrections
SPEAKER_TASK = "speaker"

# Passage labels in words: the author's stance, tone, a quote's quoted voice (``speaker``:
# the speaker_* columns of a run's scores), whether a passage is about a topic
TASK_WORDS: dict[str, str] = {
    "stance": "stance",
    "tone": "tone",
    "speaker": "quoted voice's stance",
    "topic": "topic",
}
# Author and article measures in words (``quoted``: the quoted voices' stance of positions)
MEASURE_WORDS: dict[str, str] = {"stance": "stance", "quoted": "quoted voices", "tone": "tone"}


def labels_for(task: str) -> tuple[str, ...]:
    """Return the label order of ``task``; an unknown task is a ValueError naming the known ones."""
    try:
        return TASK_LABELS[task]
    except KeyError:
        raise ValueError(f"expected task 'stance' or 'tone', got {task!r}") from None


# What a unit that is not an author holds, as every list tags it: an outlet's row among the
# authors has only its unsigned pieces (never the outlet over all its articles).
GROUP_TAGS: dict[str, str] = {
    "author": "",
    "outlet": "unsigned pieces",
    "article": "single article",
}


def group_label(name: str, kind: str | None) -> str:
    """A unit's name as lists show it: an author's as it is, a group's with its tag
    ("BBC News (unsigned pieces)")."""
    tag = GROUP_TAGS.get(kind, kind) if kind and kind != "author" else ""
    return f"{name} ({tag})" if tag else name


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``1 article``, ``2,000 articles``: a count with its noun in the right number."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def p_value_text(p: float) -> str:
    """A p- or q-value as shown: three decimals, or "<0.001" below that (a permutation test's
    p is never 0, and "0.000" read as "impossible by chance")."""
    return "<0.001" if p < 0.0005 else f"{p:.3f}"

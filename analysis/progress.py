"""Progress bars: shown where someone watches them, not written into logs."""

from __future__ import annotations


def bars_off(progress: bool) -> bool | None:
    """tqdm's ``disable`` for a bar: off when no progress was asked for (``--quiet``); when it
    was, left to tqdm's own test (None), which shows the bar only where its stream is a
    terminal, so that a log or CI output gets the stage lines without carriage returns and
    cursor codes."""
    return None if progress else True

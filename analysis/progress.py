"""Progress bars: shown where someone watches them, not written into logs; a log gets a plain
line now and then instead, so that a long stage is never silent."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

LOG_EVERY_S = 30.0  # seconds between two progress lines in a log


def bars_off(progress: bool) -> bool | None:
    """tqdm's ``disable`` for a bar: off when no progress was asked for (``--quiet``); when it
    was, left to tqdm's own test (None), which shows the bar only where its stream is a
    terminal, so that a log or CI output gets the stage lines without carriage returns and
    cursor codes."""
    return None if progress else True


class LogProgress:
    """A stand-in for a tqdm bar where stderr is not a terminal: ``update`` writes "relevance:
    12,000 of 80,000 passages (15%)" at most every ``every`` seconds (:data:`LOG_EVERY_S`
    unless told; the first after that long, so a short stage says nothing), to ``stream``."""

    def __init__(
        self,
        total: int | None,
        desc: str,
        unit: str,
        every: float | None = None,
        stream: TextIO | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        self.total, self.desc, self.unit = total, desc, unit.strip()
        self.every = LOG_EVERY_S if every is None else every  # read now: a test may lower it
        self.stream, self.clock = stream, clock
        self.done = 0
        self.last = clock()

    def update(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        of = f" of {self.total:,}" if self.total else ""
        print(
            f"{self.desc}: {self.done:,}{of} {self.unit}{share}",
            file=self.stream or sys.stderr,
            flush=True,
        )

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def stage_bar(total: int | None, desc: str, unit: str, progress: bool) -> Any:
    """A long stage's progress: a tqdm bar on a terminal, a :class:`LogProgress` in a log (with
    ``progress``), nothing with ``progress`` off. A context manager with ``update``."""
    from tqdm.auto import tqdm

    if progress and not sys.stderr.isatty():
        return LogProgress(total, desc, unit)
    return tqdm(total=total, desc=desc, unit=unit, disable=bars_off(progress))

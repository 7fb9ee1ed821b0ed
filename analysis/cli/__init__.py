"""The ``viewpoints`` command, a module per group of commands (``analyze``, ``evaluate``,
``tables``, ``comparisons``, ``corrections``, ``dashboard``), their options in ``parser`` and
the entry point, which turns errors and interrupts into one line, in ``entry``."""

from analysis.cli.entry import main

__all__ = ["main"]

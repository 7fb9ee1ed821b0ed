"""The process's memory: its peak so far, and handing freed memory back to the system.

Why the second: the stages free each batch's texts, tensors and frames, but glibc's allocator
keeps freed memory in its heaps, and a few small objects that outlive a batch (the rows kept on
a topic) pin the memory freed around them. With a stand-in for MiniLM, the relevance stage's
resident memory grew by about 10 MB per 16,384 passages, 1.8 GB over the three million of ten
times the AllSides corpus; trimming after each batch kept it flat. Only glibc can be asked to
trim (Linux); elsewhere :func:`release_freed_memory` does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache


def peak_rss_mib() -> float:
    """The peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl, Windows)."""
    for name in (None, "libc.so.6"):  # the process's own symbols first, then glibc by name
        try:
            return ctypes.CDLL(name).malloc_trim
        except (OSError, AttributeError, TypeError):
            continue
    return None


def release_freed_memory() -> bool:
    """Return the memory freed in this process's heaps to the system (glibc's
    ``malloc_trim(0)``); False where the C library cannot (nothing happens then)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True

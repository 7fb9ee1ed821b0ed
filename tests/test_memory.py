"""Process memory: the peak, and freed memory handed back to the system between batches."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.memory import peak_rss_mib, release_freed_memory


def rss_mib() -> float:
    fields = Path("/proc/self/statm").read_text().split()
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_peak_is_at_least_what_is_resident_now():
    if not Path("/proc/self/statm").exists():
        pytest.skip("needs Linux's /proc")
    assert peak_rss_mib() >= rss_mib() - 1


def freed_by_trim() -> tuple[float, float, int]:
    """Resident MiB before and after a trim, and the survivors kept: 64 KiB blocks come from
    the heap; a small object kept after each (as the rows a stage keeps from a batch) pins the
    memory freed around it until the heap is trimmed."""
    blocks, survivors = [], []
    for _ in range(3000):
        blocks.append(bytearray(64 * 1024))
        survivors.append(bytearray(600))
    del blocks
    before = rss_mib()
    assert release_freed_memory()
    return before, rss_mib(), len(survivors)


def test_memory_freed_between_small_survivors_goes_back_to_the_system():
    if not Path("/proc/self/statm").exists() or not release_freed_memory():
        pytest.skip("needs glibc's malloc_trim and Linux's /proc")
    # in a child: a fresh heap, whatever earlier tests left in this process's
    code = "from tests.test_memory import freed_by_trim; print(*freed_by_trim())"
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    before, after, kept = (float(v) for v in done.stdout.split())
    assert before - after > 100, f"{before:.0f} MiB resident before the trim, {after:.0f} after"
    assert kept == 3000

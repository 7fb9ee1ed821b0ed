"""Process memory: the peak, and freed memory handed back to the system between batches."""

from __future__ import annotations

import os
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


def test_memory_freed_between_small_survivors_goes_back_to_the_system():
    if not Path("/proc/self/statm").exists() or not release_freed_memory():
        pytest.skip("needs glibc's malloc_trim and Linux's /proc")
    # 64 KiB blocks come from the heap; a small object kept after each (as the rows a stage
    # keeps from a batch) pins the memory freed around it until the heap is trimmed
    blocks, survivors = [], []
    for _ in range(3000):
        blocks.append(bytearray(64 * 1024))
        survivors.append(bytearray(600))
    del blocks
    before = rss_mib()
    assert release_freed_memory()
    after = rss_mib()
    assert before - after > 100, f"{before:.0f} MiB resident before the trim, {after:.0f} after"
    assert len(survivors) == 3000

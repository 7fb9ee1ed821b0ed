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


def test_memory_freed_between_small_survivors_goes_back_to_the_system():
    if not Path("/proc/self/statm").exists() or not release_freed_memory():
        pytest.skip("needs glibc's malloc_trim and Linux's /proc")
    # In a child: a fresh heap, whatever earlier tests left in this process's.
    # 64 KiB blocks come from the heap; a small object kept after each (as the rows a stage
    # keeps from a batch) pins the memory freed around it until the heap is trimmed
    code = (
        "import os\n"
        "from pathlib import Path\n"
        "from analysis.memory import release_freed_memory\n"
        "def rss():\n"
        "    pages = int(Path('/proc/self/statm').read_text().split()[1])\n"
        "    return pages * os.sysconf('SC_PAGE_SIZE') / 2**20\n"
        "blocks, survivors = [], []\n"
        "for _ in range(3000):\n"
        "    blocks.append(bytearray(64 * 1024))\n"
        "    survivors.append(bytearray(600))\n"
        "del blocks\n"
        "before = rss()\n"
        "assert release_freed_memory()\n"
        "print(before, rss(), len(survivors))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, kept = done.stdout.split()
    assert float(before) - float(after) > 100, (
        f"{before} MiB resident before the trim, {after} after"
    )
    assert kept == "3000"

"""Length-sorted batches: the one batching loop of every model that pads its inputs."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from analysis.memory import release_freed_memory

# Scoring models (the pair classifier, Hugging Face classifiers, NLI) pad each batch to a
# multiple of this many tokens (:func:`pad_multiple`). Scoring a whole-corpus run's 3,180 pairs
# with the shipped model rose 189 MiB above its start, the same pairs three times over 259 MiB;
# padded, 109-135 and 112 MiB (a throwaway script, bf16). ``predict_proba`` alone took about
# 30% longer, the scoring stage of a whole-corpus run 4% (docs/scale_history.md).
INFERENCE_PAD_MULTIPLE = 32


def length_sorted_batches(
    lengths: Sequence[int], batch_size: int, progress: bool = False, desc: str = "scoring"
) -> Iterator[np.ndarray]:
    """Row indices in batches of ``batch_size``, shortest inputs first, so that a batch pads to
    a similar length (several times faster than input order on mixed lengths). Callers write
    each batch's results back by index, which keeps outputs in input order. With ``progress``,
    a bar counts batches.

    After each batch, memory the batch freed is handed back to the system (glibc's
    ``malloc_trim``): batches grow as lengths do, and without it freed blocks too small for the
    next batch piled up. Measured on 9,000 passages embedded by MiniLM: peak resident memory
    1,687 MiB without, 1,082 MiB with (base 514 MiB)."""
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"expected batch_size an integer >= 1, got {batch_size!r}")
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    starts: Iterable[int] = range(0, len(order), batch_size)
    if progress:
        from tqdm.auto import tqdm

        # only where stderr is a terminal (bars_off), as every other bar
        starts = tqdm(starts, desc=desc, unit="batch", leave=False, disable=None)
    for start in starts:
        yield order[start : start + batch_size]
        release_freed_memory()


def pad_multiple(multiple: int, max_length: int) -> int:
    """The ``pad_to_multiple_of`` for a tokenizer truncating at ``max_length``: ``multiple``, or
    its greatest common divisor with ``max_length`` (a tokenizer refuses to pad past a truncation
    length that is not a multiple).

    Padding every batch to a multiple gives the batches a few shapes, so the memory one batch
    frees fits the next; with every batch its own length, the heap grew with the number of
    batches (measured in docs/scale_history.md)."""
    return math.gcd(multiple, max_length)


def fill_rows(encoded: Mapping[str, Any], rows: int) -> dict[str, Any]:
    """A tokenizer's tensors with the first dimension brought up to ``rows`` by repeating the
    last row; the caller keeps the outputs of the real rows only.

    Why: in bf16, PyTorch's oneDNN kernels keep state for every input shape they meet, about
    3 MiB each for the shipped MiniLM (half as much with oneDNN's primitive cache off), never
    freed; in fp32 about 0.05 MiB. Each call's last batch is short by a different number of
    rows, so memory grew with the number of calls: scoring ten times the AllSides corpus
    alone grew by 122 MiB. Filled, every batch has ``rows`` rows and one of a few padded
    lengths (:func:`pad_multiple`), so the shapes, and that memory, stop growing early in a
    run (docs/scale_history.md)."""
    import torch

    out = {}
    for key, tensor in encoded.items():
        missing = rows - len(tensor)
        if missing > 0:
            tensor = torch.cat([tensor, tensor[-1:].expand(missing, *tensor.shape[1:])])
        out[key] = tensor
    return out

"""Choosing the inference precision: bf16 weights where the CPU computes bf16 natively."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.config import PRECISIONS

if TYPE_CHECKING:
    import torch

__all__ = ["PRECISIONS", "cpu_supports_bf16", "resolve_dtype"]


def cpu_supports_bf16() -> bool:
    """Whether oneDNN has native bf16 kernels here (AVX-512 BF16 or AMX); else bf16 is slow."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_dtype(precision: str = "auto", device: str = "cpu") -> torch.dtype:
    """The dtype to load weights in: bf16 on capable hardware under ``auto``, else fp32."""
    import torch

    if precision not in PRECISIONS:
        raise ValueError(f"expected precision one of {PRECISIONS}, got {precision!r}")
    if precision == "fp32":
        return torch.float32
    if precision == "bf16":
        return torch.bfloat16
    if device.startswith("cuda"):
        return torch.bfloat16
    return torch.bfloat16 if cpu_supports_bf16() else torch.float32

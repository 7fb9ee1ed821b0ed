"""The static-table recipe learns a table whose pooled rows point where the targets point."""

from __future__ import annotations

import numpy as np

from experiments.topic_relevance.fit_static import fit, projection_of


def test_fitting_raises_the_held_out_cosine_and_keeps_the_best_epoch():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=(60, 8)).astype(np.float32)
    ids = [rng.integers(0, 60, size=rng.integers(3, 12)) for _ in range(400)]
    targets = np.stack([truth[i].sum(0) for i in ids])
    held_out = np.arange(400) >= 360
    start = rng.normal(size=(60, 8)).astype(np.float32)
    options = {"seed": 0, "epochs": 6, "lr": 0.05, "l2": 0.0, "batch_size": 32}
    table, log = fit(ids, targets, held_out, start, options)
    cosines = [row["held_out_cosine"] for row in log]
    assert cosines[0] < 0.5 < max(cosines)  # a random start, then learned
    assert len(log) == options["epochs"] + 1
    pooled = np.stack([table[i].sum(0) for i in ids])[held_out]
    wanted = targets[held_out]
    cos = (pooled * wanted).sum(1) / np.linalg.norm(pooled, axis=1) / np.linalg.norm(wanted, axis=1)
    assert abs(float(cos.mean()) - max(cosines)) < 1e-3  # the best epoch's table is returned


def test_the_projection_is_contiguous_and_keeps_cosines():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(300, 16)) @ np.diag(np.linspace(3, 0.01, 16))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    projection = projection_of(vectors, 10)
    assert projection.shape == (16, 10) and projection.flags["C_CONTIGUOUS"]  # saved as it lies
    full = vectors[:50] @ vectors[:50].T
    projected = vectors[:50] @ projection
    projected /= np.linalg.norm(projected, axis=1, keepdims=True)
    assert np.abs(projected @ projected.T - full).mean() < 0.05

import numpy as np
import pytest
import torch

from analysis.backbone import MINILM_SHA256, sha256_of
from analysis.embedding import PAD_MULTIPLE, Embedder


@pytest.fixture(scope="module")
def minilm():
    """The real pinned MiniLM, loaded once for this module."""
    return Embedder(batch_size=2)


def test_embeddings_are_unit_float32_rows_in_input_order(minilm):
    texts = [
        "A much longer sentence about sanctions on Russian banks and oil companies.",
        "Short one.",
        "Sanctions hit Russian banks.",
    ]
    out = minilm.encode(texts)
    assert out.shape == (3, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-4)
    # batches are sorted by length, but rows come back in input order
    alone = minilm.encode([texts[1]])
    np.testing.assert_allclose(out[1], alone[0], atol=2e-2)
    assert out[0] @ out[2] > out[0] @ out[1]


def test_batches_are_padded_to_a_few_shapes_without_changing_embeddings(minilm):
    model, tokenizer = minilm.loaded
    widths = []
    hook = model.register_forward_pre_hook(
        lambda _module, _args, kwargs: widths.append(kwargs["input_ids"].shape[1]),
        with_kwargs=True,
    )
    texts = ["Short one.", "Sanctions hit Russian banks and the oil companies that feed them."]
    try:
        padded = minilm.encode(texts)
    finally:
        hook.remove()
    assert widths and all(w % PAD_MULTIPLE == 0 for w in widths)
    for text, row in zip(texts, padded, strict=True):  # against the text alone, unpadded
        enc = tokenizer([text], truncation=True, max_length=minilm.max_length, return_tensors="pt")
        with torch.inference_mode():
            alone = model(**enc).last_hidden_state.float().mean(1)[0]
        alone = torch.nn.functional.normalize(alone, dim=-1).numpy()
        np.testing.assert_allclose(row, alone, atol=2e-2)


def test_empty_input_and_bad_input(minilm):
    assert minilm.encode([]).shape == (0, 384)
    with pytest.raises(ValueError, match="single string"):
        minilm.encode("not a list")
    with pytest.raises(ValueError, match="text 1 to be a string, got int"):
        minilm.encode(["ok", 3])


def test_long_text_is_truncated_not_refused(minilm):
    out = minilm.encode(["word " * 2000])
    assert np.isfinite(out).all()


def test_identity_names_the_pinned_weights(minilm):
    ident = minilm.identity()
    assert ident["weights_sha256"] == MINILM_SHA256
    assert ident["name"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert ident["max_length"] == 128 and ident["dtype"] in ("float32", "bfloat16")


def test_a_local_model_directory_is_hashed(tiny_encoder_dir):
    embedder = Embedder(tiny_encoder_dir, precision="fp32")
    assert embedder.identity()["weights_sha256"] == sha256_of(
        tiny_encoder_dir / "model.safetensors"
    )
    assert embedder.encode(["hello world"]).shape == (1, 32)


def test_constructor_validates(tmp_path):
    with pytest.raises(ValueError, match="expected precision one of"):
        Embedder(precision="fp8")
    with pytest.raises(ValueError, match="expected batch_size a positive integer, got 0"):
        Embedder(batch_size=0)
    with pytest.raises(FileNotFoundError, match=r"model\.safetensors"):
        Embedder(tmp_path).encode(["x"])


def test_bf16_batches_are_filled_to_the_batch_size_and_the_fillers_dropped():
    embedder = Embedder(batch_size=4, precision="bf16")
    model, _ = embedder.loaded
    rows = []
    model.register_forward_pre_hook(
        lambda _module, _args, kwargs: rows.append(kwargs["input_ids"].shape[0]),
        with_kwargs=True,
    )
    texts = ["Short one.", "Sanctions hit Russian banks.", "Arms control talks resumed in Geneva."]
    out = embedder.encode(texts)
    assert rows == [4] and out.shape == (3, 384)
    for text, row in zip(texts, out, strict=True):
        np.testing.assert_allclose(row, embedder.encode([text])[0], atol=2e-2)

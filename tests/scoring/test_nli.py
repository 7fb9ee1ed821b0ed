"""The NLI zero-shot stance scorer: label discovery, the stance mapping, batching, truncation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from analysis.scoring.base import ModelLoadError, Scorer
from analysis.scoring.nli import (
    DEFAULT_AGAINST_TEMPLATE,
    DEFAULT_FAVOR_TEMPLATE,
    NLIStanceScorer,
    nli_label_indices,
    stance_from_entailment,
)
from tests.conftest import tiny_bert_config

NLI3 = {0: "entailment", 1: "neutral", 2: "contradiction"}
TEXTS = [
    "The treaty limits warheads.",
    "Sanctions hurt ordinary people and achieve little, the columnist argues at length.",
    "Kyiv",
    "Nothing here is about the topic at all, only the weather in Moscow this week.",
    "Arms control talks resumed in Geneva.",
]
TARGETS = ["arms control", "sanctions", "Ukraine", "sanctions", "arms control"]


@pytest.fixture(autouse=True)
def full_precision(monkeypatch):
    """These tests compare scores to 1e-5, which bf16 weights (``auto`` on a CPU with native
    bf16) do not give: every model here loads in fp32, as on a CPU without it."""
    monkeypatch.setattr("analysis.precision.cpu_supports_bf16", lambda: False)


def save_classifier(path: Path, tokenizer, id2label: dict[int, str], state=None) -> Path:
    """Save a tiny BERT sequence classifier with ``id2label``, optionally with given weights."""
    import torch
    from transformers import BertForSequenceClassification

    torch.manual_seed(0)
    config = tiny_bert_config(
        initializer_range=0.2,  # large enough that outputs depend on the input and differ by class
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    model = BertForSequenceClassification(config)
    if state is not None:
        model.load_state_dict(state)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def permuted_state(directory: Path, rows: list[int]) -> dict:
    """The weights of a saved classifier with its output classes reordered (or selected)."""
    from transformers import BertForSequenceClassification

    state = BertForSequenceClassification.from_pretrained(directory).state_dict()
    state["classifier.weight"] = state["classifier.weight"][rows].clone()
    state["classifier.bias"] = state["classifier.bias"][rows].clone()
    return state


@pytest.fixture(scope="module")
def nli_dir(tmp_path_factory, minilm_tokenizer) -> Path:
    """A tiny random NLI model: entailment, neutral, contradiction."""
    return save_classifier(tmp_path_factory.mktemp("nli3"), minilm_tokenizer, NLI3)


@pytest.fixture(scope="module")
def nli_scorer(nli_dir) -> NLIStanceScorer:
    return NLIStanceScorer(str(nli_dir), batch_size=4)


def count_forward(model, monkeypatch) -> list:
    """Wrap ``model.forward``; the returned list collects every call's input_ids."""
    calls: list = []
    original = model.forward

    def forward(*args, **kwargs):
        calls.append(kwargs["input_ids"].clone())
        return original(*args, **kwargs)

    monkeypatch.setattr(model, "forward", forward)
    return calls


def second_segments(tokenizer, input_ids) -> list[str]:
    """Decode the hypothesis (second segment) of each row of a batch."""
    rows = []
    for row in input_ids.tolist():
        sep = tokenizer.sep_token_id
        first_sep = row.index(sep)
        second = [t for t in row[first_sep + 1 :] if t not in (sep, tokenizer.pad_token_id)]
        rows.append(tokenizer.decode(second))
    return rows


def test_scores_are_stance_probabilities(nli_scorer):
    assert isinstance(nli_scorer, Scorer)
    assert nli_scorer.task == "stance"
    assert nli_scorer.labels == ("favor", "against", "none")
    probs = nli_scorer.score(TEXTS, TARGETS)
    assert probs.shape == (len(TEXTS), 3)
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    assert nli_scorer.score([], []).shape == (0, 3)


def test_rows_do_not_depend_on_batch_or_order(nli_dir):
    a = NLIStanceScorer(str(nli_dir), batch_size=3).score(TEXTS, TARGETS)
    order = [4, 2, 0, 3, 1]
    b = NLIStanceScorer(str(nli_dir), batch_size=64).score(
        [TEXTS[i] for i in order], [TARGETS[i] for i in order]
    )
    np.testing.assert_allclose(a[order], b, atol=1e-5)


def test_identity_names_model_weights_and_templates(nli_dir):
    from analysis.backbone import sha256_of

    scorer = NLIStanceScorer(
        str(nli_dir), templates={"sanctions": ("{target} work.", "X {target}")}
    )
    ident = scorer.identity()
    assert ident["backend"] == "nli"
    assert ident["model"] == str(nli_dir)
    assert ident["name"] == f"stance.nli.v1:{nli_dir}"
    assert ident["weights_sha256"] == sha256_of(nli_dir / "model.safetensors")
    assert ident["nli_labels"] == {"entailment": 0, "neutral": 1, "contradiction": 2}
    assert ident["templates"] == {"sanctions": ["{target} work.", "X {target}"]}
    assert ident["favor_template"] == DEFAULT_FAVOR_TEMPLATE
    assert ident["against_template"] == DEFAULT_AGAINST_TEMPLATE
    assert "revision" in ident
    other = NLIStanceScorer(str(nli_dir), favor_template="I like {target}.").identity()
    assert other != ident


def test_pairs_are_batched_in_one_forward_per_batch(nli_dir, monkeypatch):
    scorer = NLIStanceScorer(str(nli_dir), batch_size=4)
    calls = count_forward(scorer.loaded[0], monkeypatch)
    texts = [f"passage number {i} " * (1 + i % 7) for i in range(11)]
    scorer.score(texts, ["sanctions"] * len(texts))
    assert len(calls) == math.ceil(2 * len(texts) / 4)
    assert sum(len(c) for c in calls) == 2 * len(texts)
    lengths = [int((c != 0).sum(dim=1).max()) for c in calls]
    assert lengths == sorted(lengths)  # batches go shortest first


def test_long_passage_is_truncated_hypothesis_kept(nli_dir, minilm_tokenizer, monkeypatch):
    scorer = NLIStanceScorer(str(nli_dir), max_length=32)
    calls = count_forward(scorer.loaded[0], monkeypatch)
    long_text = "Sanctions are a blunt instrument that rarely works. " * 200
    probs = scorer.score([long_text, "short"], ["sanctions on Russia", "sanctions on Russia"])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    ids = calls[0]
    assert ids.shape[1] <= 32
    hyps = second_segments(minilm_tokenizer, ids)
    assert sorted(hyps) == sorted([h.lower() for h in scorer.hypotheses("sanctions on Russia")] * 2)


def test_hypothesis_longer_than_max_length_is_a_clear_error(nli_dir):
    scorer = NLIStanceScorer(str(nli_dir), max_length=8)
    with pytest.raises(ValueError, match="expected max_length of at least"):
        scorer.score(["text"], ["the long and winding road of arms control treaties"])


def test_per_target_templates_change_the_hypotheses(nli_dir, minilm_tokenizer, monkeypatch):
    templates = {"Sanctions": ("{target} are justified.", "{target} are a mistake.")}
    scorer = NLIStanceScorer(str(nli_dir), templates=templates)
    assert scorer.hypotheses("sanctions") == (
        "sanctions are justified.",
        "sanctions are a mistake.",
    )
    assert scorer.hypotheses("arms control") == (
        "The author supports arms control.",
        "The author opposes arms control.",
    )
    calls = count_forward(scorer.loaded[0], monkeypatch)
    with_templates = scorer.score(["They hit the banks."] * 2, ["sanctions", "arms control"])
    used = {h for c in calls for h in second_segments(minilm_tokenizer, c)}
    assert used == {
        "sanctions are justified.",
        "sanctions are a mistake.",
        "the author supports arms control.",
        "the author opposes arms control.",
    }
    plain = NLIStanceScorer(str(nli_dir)).score(["They hit the banks."] * 2, ["sanctions"] * 2)
    assert not np.allclose(with_templates[0], plain[0], atol=1e-3)  # other hypotheses


@pytest.mark.parametrize(
    "template",
    ["The author supports it.", "{topic} is good", None, 3],
)
def test_default_templates_without_placeholder_are_rejected(nli_dir, template):
    with pytest.raises(ValueError, match=r"expected a template with \{target\}"):
        NLIStanceScorer(str(nli_dir), favor_template=template)


def test_a_template_for_one_target_may_spell_the_target_out(nli_dir):
    scorer = NLIStanceScorer(
        str(nli_dir),
        templates={"Ukraine": ("The author sides with Ukraine.", "The author sides with Russia.")},
    )
    assert scorer.hypotheses("Ukraine") == (
        "The author sides with Ukraine.",
        "The author sides with Russia.",
    )
    for empty in (None, 3, "  "):
        with pytest.raises(ValueError, match="expected a non-empty hypothesis template"):
            NLIStanceScorer(str(nli_dir), templates={"sanctions": ("{target}", empty)})


def test_bad_arguments_are_rejected(nli_dir, nli_scorer):
    with pytest.raises(ValueError, match=r"expected a \(favor, against\) template pair"):
        NLIStanceScorer(str(nli_dir), templates={"sanctions": "{target}"})
    with pytest.raises(ValueError, match="expected a model directory or Hugging Face id"):
        NLIStanceScorer("")
    with pytest.raises(ValueError, match="expected batch_size"):
        NLIStanceScorer(str(nli_dir), batch_size=0)
    with pytest.raises(ValueError, match="expected a stance target for text 1"):
        nli_scorer.score(["a", "b"], ["sanctions", None])
    with pytest.raises(ValueError, match="expected one target per text"):
        nli_scorer.score(["a", "b"], ["sanctions"])


def test_entailing_the_favor_hypothesis_gives_favor(nli_dir, minilm_tokenizer, monkeypatch):
    """Set the logits by content: "good" entails "supports", "bad" entails "opposes"."""
    import torch
    from transformers.modeling_outputs import SequenceClassifierOutput

    scorer = NLIStanceScorer(str(nli_dir), batch_size=3)
    model = scorer.loaded[0]
    vocab = minilm_tokenizer.convert_tokens_to_ids
    good, bad, supports, opposes = vocab(["good", "bad", "supports", "opposes"])

    def forward(input_ids, **_):
        logits = torch.zeros(len(input_ids), 3)
        for row, ids in enumerate(input_ids.tolist()):
            if (good in ids and supports in ids) or (bad in ids and opposes in ids):
                logits[row] = torch.tensor([5.0, 0.0, -5.0])  # entailment
            elif (good in ids and opposes in ids) or (bad in ids and supports in ids):
                logits[row] = torch.tensor([-5.0, 0.0, 5.0])  # contradiction
            else:
                logits[row] = torch.tensor([-5.0, 5.0, 0.0])  # neutral
        return SequenceClassifierOutput(logits=logits)

    monkeypatch.setattr(model, "forward", forward)
    texts = ["good", "a bad deal in every respect", "the weather", "good good good news", "bad"]
    probs = scorer.score(texts, ["sanctions"] * len(texts))
    assert [scorer.labels[i] for i in probs.argmax(axis=1)] == [
        "favor",
        "against",
        "none",
        "favor",
        "against",
    ]
    assert probs[0, 0] > 0.95 and probs[0, 0] > probs[0, 1]
    assert probs[1, 1] > 0.95 and probs[1, 1] > probs[1, 0]


def test_stance_mapping_properties():
    e = np.linspace(0, 1, 11)
    e_f, e_a = np.meshgrid(e, e)
    probs = stance_from_entailment(e_f, e_a)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0)
    assert np.all(probs >= 0)
    np.testing.assert_allclose(stance_from_entailment(1.0, 0.0), [1, 0, 0])
    np.testing.assert_allclose(stance_from_entailment(0.0, 1.0), [0, 1, 0])
    np.testing.assert_allclose(stance_from_entailment(0.0, 0.0), [0, 0, 1])
    np.testing.assert_allclose(stance_from_entailment(1.0, 1.0), [0, 0, 1])
    # more entailment of the favor hypothesis: more favor, less against
    assert np.all(np.diff(probs[..., 0], axis=1) >= 0)
    assert np.all(np.diff(probs[..., 1], axis=1) <= 0)
    # swapping the hypotheses swaps favor and against
    np.testing.assert_allclose(stance_from_entailment(e_a, e_f)[..., [1, 0, 2]], probs)


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        ({0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"}, {"entailment": 0}),
        ({0: "contradiction", 1: "entailment", 2: "neutral"}, {"entailment": 1}),
        ({0: "entailment", 1: "not_entailment"}, {"entailment": 0, "contradiction": 1}),
        ({0: "not-entailment", 1: "Entailment"}, {"entailment": 1, "contradiction": 0}),
    ],
)
def test_nli_labels_are_found_by_name(id2label, expected):
    roles = nli_label_indices(id2label, "some/model")
    assert roles.items() >= expected.items()


@pytest.mark.parametrize(
    "id2label",
    [{0: "NEG", 1: "NEU", 2: "POS"}, {0: "LABEL_0", 1: "LABEL_1"}, {0: "entailment"}],
)
def test_non_nli_labels_are_a_load_error(id2label):
    with pytest.raises(ModelLoadError, match="some/model"):
        nli_label_indices(id2label, "some/model")


def test_label_order_is_read_from_the_config(nli_dir, tmp_path, minilm_tokenizer):
    """The same network with its classes stored in another order scores the same."""
    reordered = {0: "contradiction", 1: "neutral", 2: "entailment"}
    other = save_classifier(
        tmp_path / "reordered", minilm_tokenizer, reordered, permuted_state(nli_dir, [2, 1, 0])
    )
    a = NLIStanceScorer(str(nli_dir)).score(TEXTS, TARGETS)
    b = NLIStanceScorer(str(other)).score(TEXTS, TARGETS)
    np.testing.assert_allclose(a, b, atol=1e-5)
    scorer = NLIStanceScorer(str(other))
    assert scorer.identity()["nli_labels"]["entailment"] == 2
    model, tokenizer, _ = scorer.loaded
    scorer.__dict__["loaded"] = (model, tokenizer, {"entailment": 0})  # a positional reading
    assert not np.allclose(a, scorer.score(TEXTS, TARGETS), atol=1e-2)


def test_two_class_entailment_models_work(nli_dir, tmp_path, minilm_tokenizer):
    """entailment / not_entailment in either order; P(entail) is their softmax."""
    import torch
    from transformers import AutoModelForSequenceClassification

    first = save_classifier(
        tmp_path / "two_a",
        minilm_tokenizer,
        {0: "entailment", 1: "not_entailment"},
        permuted_state(nli_dir, [0, 2]),
    )
    second = save_classifier(
        tmp_path / "two_b",
        minilm_tokenizer,
        {0: "NOT_ENTAILMENT", 1: "ENTAILMENT"},
        permuted_state(nli_dir, [2, 0]),
    )
    a = NLIStanceScorer(str(first)).score(TEXTS[:2], TARGETS[:2])
    b = NLIStanceScorer(str(second)).score(TEXTS[:2], TARGETS[:2])
    np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, atol=1e-6)

    # the documented mapping, computed by hand from the model's own logits for the first row
    model = AutoModelForSequenceClassification.from_pretrained(first).eval()
    hyps = NLIStanceScorer(str(first)).hypotheses(TARGETS[0])
    enc = minilm_tokenizer([TEXTS[0]] * 2, list(hyps), padding=True, return_tensors="pt")
    with torch.inference_mode():
        e_f, e_a = torch.softmax(model(**enc).logits, dim=-1)[:, 0].tolist()
    np.testing.assert_allclose(
        a[0], [e_f * (1 - e_a), e_a * (1 - e_f), (1 - e_f) * (1 - e_a) + e_f * e_a], atol=1e-5
    )


def test_model_without_entailment_is_a_one_line_load_error(tiny_sentiment_dir):
    scorer = NLIStanceScorer(str(tiny_sentiment_dir))
    with pytest.raises(ModelLoadError) as err:
        scorer.score(["text"], ["sanctions"])
    message = str(err.value)
    assert "\n" not in message
    assert str(tiny_sentiment_dir) in message and "NEG" in message and "entailment" in message


def test_missing_hub_model_is_a_one_line_load_error():
    scorer = NLIStanceScorer("no-such-org/no-such-nli-model")  # HF_HUB_OFFLINE=1 in conftest
    with pytest.raises(ModelLoadError) as err:
        scorer.identity()
    message = str(err.value)
    assert "\n" not in message
    assert "no-such-org/no-such-nli-model" in message


def test_batches_are_padded_to_a_few_shapes_without_changing_scores(nli_dir, monkeypatch):
    """Each batch is padded to a multiple of 32 tokens (memory: docs/scale_history.md); the
    padding is masked, so the scores equal unpadded ones."""
    import analysis.scoring.nli as nli

    monkeypatch.setattr(nli, "INFERENCE_PAD_MULTIPLE", 1)  # a multiple of 1: no padding
    plain = NLIStanceScorer(str(nli_dir), batch_size=2, precision="fp32")
    unpadded = plain.score(TEXTS, TARGETS)
    monkeypatch.undo()  # (the fixture's fp32 too: so both name it)
    scorer = NLIStanceScorer(str(nli_dir), batch_size=2, precision="fp32")
    calls = count_forward(scorer.loaded[0], monkeypatch)
    padded = scorer.score(TEXTS, TARGETS)
    widths = {int(ids.shape[1]) for ids in calls}
    assert widths and all(w % 32 == 0 for w in widths)
    np.testing.assert_allclose(padded, unpadded, atol=1e-5)

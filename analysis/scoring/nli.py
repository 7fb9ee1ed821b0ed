"""Any Hugging Face NLI model as a zero-shot stance scorer, with hypothesis templates per target.

Each passage is the premise of two hypotheses made from the target: a *favor* one ("The author
supports {target}.") and an *against* one ("The author opposes {target}."). The model gives the
probability that each is entailed,

    e_f = P(entailment | passage, favor hypothesis)
    e_a = P(entailment | passage, against hypothesis)

each a softmax over all of the model's NLI classes (so a neutral class, where the model has one,
keeps probability away from entailment). Treating the two entailment events as independent, the
four outcomes give the stance:

    favor   = e_f * (1 - e_a)              only the favor hypothesis holds
    against = e_a * (1 - e_f)              only the against hypothesis holds
    none    = (1 - e_f) * (1 - e_a)        neither holds: the passage takes no side
            + e_f * e_a                    both hold: the model cannot tell the sides apart

The rows sum to one exactly, there is no threshold to tune, and raising ``e_f`` always raises
``favor`` and lowers ``against``. The entailment class (and the contradiction or
``not_entailment`` and neutral classes, recorded in :meth:`NLIStanceScorer.identity`) is found
by name in the model's ``config.id2label``, so 3-class models in any label order and 2-class
entailment / not-entailment models both work.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np

from analysis.batching import INFERENCE_PAD_MULTIPLE, length_sorted_batches, pad_multiple
from analysis.labels import STANCE_LABELS
from analysis.scoring.base import (
    BaseScorer,
    ModelLoadError,
    Spans,
    Targets,
    Texts,
)
from analysis.scoring.hf_classifier import (
    load_hf_model,
    local_tokenizer_sha256,
    local_weights_sha256,
    model_precision,
)

DEFAULT_FAVOR_TEMPLATE = "The author supports {target}."
DEFAULT_AGAINST_TEMPLATE = "The author opposes {target}."
PLACEHOLDER = "{target}"

# Names NLI models give their classes, normalised (lower case, "-" and " " as "_").
NLI_ROLES: Mapping[str, str] = {
    "entailment": "entailment",
    "entail": "entailment",
    "entails": "entailment",
    "entailed": "entailment",
    "contradiction": "contradiction",
    "contradict": "contradiction",
    "contradicts": "contradiction",
    "not_entailment": "contradiction",
    "non_entailment": "contradiction",
    "not_entailed": "contradiction",
    "neutral": "neutral",
}


def nli_label_indices(id2label: Mapping[int, str], model_id: str) -> dict[str, int]:
    """The model's output index of ``entailment`` and, where present, ``contradiction``/``neutral``.

    A model without an entailment class, or with fewer than two classes, is a one-line
    :class:`ModelLoadError` naming the model and its labels.
    """
    roles: dict[str, int] = {}
    for index, raw in id2label.items():
        key = str(raw).strip().lower().replace("-", "_").replace(" ", "_")
        role = NLI_ROLES.get(key)
        if role is not None:
            if role in roles:
                raise ModelLoadError(
                    f"model {model_id!r} has two {role} labels in {dict(id2label)}; "
                    "expected one of each NLI class"
                )
            roles[role] = int(index)
    if "entailment" not in roles or len(id2label) < 2:
        raise ModelLoadError(
            f"model {model_id!r} is not an NLI model: expected an 'entailment' label among "
            f"at least two, got labels {dict(id2label)}"
        )
    return roles


def stance_from_entailment(e_favor: np.ndarray, e_against: np.ndarray) -> np.ndarray:
    """Stance probabilities ``(favor, against, none)`` from the two entailment probabilities.

    See the module docstring: the two hypotheses are independent events; "only favor" is favor,
    "only against" is against, and "neither" and "both" are none.
    """
    e_f = np.clip(np.asarray(e_favor, dtype=np.float64), 0.0, 1.0)
    e_a = np.clip(np.asarray(e_against, dtype=np.float64), 0.0, 1.0)
    favor = e_f * (1.0 - e_a)
    against = e_a * (1.0 - e_f)
    none = (1.0 - e_f) * (1.0 - e_a) + e_f * e_a
    return np.stack([favor, against, none], axis=-1)


def _check_template(template: object, needs_placeholder: bool = True) -> str:
    """A default template must name its target; one written for a single target may spell it."""
    if needs_placeholder and (not isinstance(template, str) or PLACEHOLDER not in template):
        raise ValueError(f"expected a template with {PLACEHOLDER}, got {template!r}")
    if not isinstance(template, str) or not template.strip():
        raise ValueError(f"expected a non-empty hypothesis template, got {template!r}")
    return template


def _target_key(target: str) -> str:
    return " ".join(target.split()).lower()


class NLIStanceScorer(BaseScorer):
    """Zero-shot stance from an NLI model (local directory or Hugging Face id); loads lazily.

    ``templates`` overrides the hypothesis pair for particular targets,
    ``{target_phrase: (favor_template, against_template)}``, matched to a passage's target
    ignoring case and repeated spaces; every template holds a ``{target}`` placeholder.
    ``batch_size`` counts (passage, hypothesis) pairs per forward pass: each passage brings two.
    Passages longer than ``max_length`` tokens lose their end; hypotheses are never cut.
    ``spans`` are accepted for the common interface and ignored: the whole passage is the premise.
    """

    task = "stance"
    labels = STANCE_LABELS

    def __init__(
        self,
        model_id: str,
        templates: Mapping[str, tuple[str, str]] | None = None,
        favor_template: str = DEFAULT_FAVOR_TEMPLATE,
        against_template: str = DEFAULT_AGAINST_TEMPLATE,
        batch_size: int = 32,
        max_length: int = 256,
        name: str | None = None,
        precision: str = "auto",
    ) -> None:
        if not isinstance(model_id, str) or not model_id.strip():
            raise ValueError(f"expected a model directory or Hugging Face id, got {model_id!r}")
        self.model_id, self.precision = model_id, precision
        self.favor_template = _check_template(favor_template)
        self.against_template = _check_template(against_template)
        self.templates: dict[str, tuple[str, str]] = {}
        for target, pair in (templates or {}).items():
            if not isinstance(target, str) or not target.strip():
                raise ValueError(
                    f"expected a non-empty target phrase as template key, got {target!r}"
                )
            if isinstance(pair, str) or len(pair) != 2:
                raise ValueError(
                    f"expected a (favor, against) template pair for {target!r}, got {pair!r}"
                )
            self.templates[target] = (
                _check_template(pair[0], needs_placeholder=False),
                _check_template(pair[1], needs_placeholder=False),
            )
        self._overrides: dict[str, tuple[str, str]] = {}
        for target, pair in self.templates.items():
            key = _target_key(target)
            if key in self._overrides:
                raise ValueError(f"expected one template pair per target, got two for {key!r}")
            self._overrides[key] = pair
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"expected batch_size a positive integer, got {batch_size!r}")
        if not isinstance(max_length, int) or max_length < 8:
            raise ValueError(f"expected max_length an integer of at least 8, got {max_length!r}")
        self.batch_size, self.max_length = batch_size, max_length
        self.name = name or f"stance.nli.v1:{model_id}"

    @cached_property
    def loaded(self) -> tuple[Any, Any, dict[str, int]]:
        """Model, tokenizer and the indices of its NLI classes."""
        model, tokenizer = load_hf_model(self.model_id, "NLI", self.precision)
        roles = nli_label_indices(model.config.id2label, self.model_id)
        return model, tokenizer, roles

    @cached_property
    def weights_sha256(self) -> str | None:
        """SHA-256 of a local model's safetensors weights (of the shard digests if sharded)."""
        return local_weights_sha256(self.model_id)

    @cached_property
    def tokenizer_sha256(self) -> str | None:
        """SHA-256 of a local model's tokenizer files (None for a hub id)."""
        return local_tokenizer_sha256(self.model_id)

    def hypotheses(self, target: str) -> tuple[str, str]:
        """The (favor, against) hypotheses for ``target``: its own templates or the defaults."""
        if not isinstance(target, str) or not target.strip():
            raise ValueError(f"expected a non-empty stance target, got {target!r}")
        favor, against = self._overrides.get(
            _target_key(target), (self.favor_template, self.against_template)
        )
        phrase = " ".join(target.split())
        return favor.replace(PLACEHOLDER, phrase), against.replace(PLACEHOLDER, phrase)

    def identity(self) -> dict[str, Any]:
        model, _, roles = self.loaded
        return {
            "name": self.name,
            "backend": "nli",
            "model": self.model_id,
            "revision": getattr(model.config, "_commit_hash", None),
            "weights_sha256": self.weights_sha256,
            **({"tokenizer_sha256": self.tokenizer_sha256} if self.tokenizer_sha256 else {}),
            "nli_labels": roles,
            "favor_template": self.favor_template,
            "against_template": self.against_template,
            "templates": {t: list(pair) for t, pair in self.templates.items()},
            "max_length": self.max_length,
            "precision": model_precision(model),
            "mapping": "favor=ef(1-ea), against=ea(1-ef), none=rest",
        }

    def calls_per_pair(self) -> int:
        return 2  # one forward pass per hypothesis (favor, against)

    def _score(self, texts: Texts, targets: Targets, spans: Spans, progress: bool) -> np.ndarray:
        """Stance probabilities, shape ``(len(texts), 3)`` in ``labels`` order; rows sum to 1."""
        for i, target in enumerate(targets):
            if not isinstance(target, str) or not target.strip():
                raise ValueError(f"expected a stance target for text {i}, got {target!r}")
        if not texts:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        pairs = {t: self.hypotheses(t) for t in set(targets)}
        premises = [text for text in texts for _ in range(2)]
        hyps = [h for target in targets for h in pairs[target]]
        entail = self._entailment(premises, hyps, progress).reshape(len(texts), 2)
        return stance_from_entailment(entail[:, 0], entail[:, 1]).astype(np.float32)

    def _entailment(self, premises: list[str], hyps: list[str], progress: bool) -> np.ndarray:
        """P(entailment) per (premise, hypothesis) pair, one forward pass per batch of pairs."""
        import torch

        model, tokenizer, roles = self.loaded
        max_length = min(self.max_length, getattr(tokenizer, "model_max_length", self.max_length))
        self._check_hypothesis_lengths(tokenizer, set(hyps), max_length)
        out = np.zeros(len(premises), dtype=np.float64)
        lengths = [len(p) + len(h) for p, h in zip(premises, hyps, strict=True)]
        device = next(model.parameters()).device
        with torch.inference_mode():
            for idx in length_sorted_batches(lengths, self.batch_size, progress, "scoring (NLI)"):
                enc = tokenizer(
                    [premises[i] for i in idx],
                    [hyps[i] for i in idx],
                    truncation="only_first",
                    max_length=max_length,
                    padding=True,
                    pad_to_multiple_of=pad_multiple(INFERENCE_PAD_MULTIPLE, max_length),
                    return_tensors="pt",
                )
                logits = model(**{k: v.to(device) for k, v in enc.items()}).logits.float()
                probs = torch.softmax(logits, dim=-1)[:, roles["entailment"]]
                out[idx] = probs.cpu().numpy()
        return out

    @staticmethod
    def _check_hypothesis_lengths(tokenizer: Any, hyps: set[str], max_length: int) -> None:
        """A hypothesis must leave room for the premise; otherwise truncation cannot work."""
        specials = tokenizer.num_special_tokens_to_add(pair=True)
        for hyp in hyps:
            needed = len(tokenizer.tokenize(hyp)) + specials + 1
            if needed > max_length:
                raise ValueError(
                    f"expected max_length of at least {needed} for the hypothesis {hyp!r}, "
                    f"got {max_length}"
                )

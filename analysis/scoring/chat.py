"""Stance or tone from an OpenAI-compatible chat-completions endpoint (llama.cpp, vLLM, Ollama).

Each passage is one ``POST {base_url}/chat/completions`` request built from a system and a user
template (``analysis/chat_prompts.toml`` by default) with ``temperature`` (0 unless configured)
in every request. The answer must be one JSON object, optionally inside a fenced code block and
optionally after a ``<think>...</think>`` block (reasoning models), in one of two forms:

- ``{"label": "favor", "confidence": 0.8}``: the label gets the confidence and the other labels
  share ``1 - confidence`` equally (``[0.8, 0.1, 0.1]``); a label without a confidence is taken
  as certain (one-hot);
- ``{"probabilities": {"favor": 0.7, "against": 0.2, "none": 0.1}}``: each value in [0, 1],
  only the task's labels as keys, missing labels count as 0, and the row is divided by its sum.

An answer that fails these checks is a failure with its reason and a NaN row: never guessed.
At temperature 0 a server usually repeats a malformed answer, so it is not asked again unless
``retry_invalid`` is set (then once at most). HTTP 429/500/502/503/504, timeouts and connection
errors are retried up to ``max_retries`` times, waiting ``backoff * 2**k`` seconds before retry
``k`` (or the server's ``Retry-After``, capped at :data:`MAX_RETRY_AFTER`); other HTTP errors
fail at once. At most ``concurrency`` requests are in flight. The key, when the environment
variable ``api_key_env`` is set, is read per request and never stored or reported.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import re
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, fields
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import numpy as np

from analysis.labels import labels_for
from analysis.scoring.base import (
    BaseScorer,
    Details,
    ModelLoadError,
    Spans,
    Targets,
    Texts,
)
from analysis.toml_file import read_toml

DEFAULT_PROMPTS = Path(__file__).resolve().parents[1] / "chat_prompts.toml"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After is waited this long, not stalled on
EXCERPT = 200  # characters of an error body or answer quoted in a reason


@dataclass(frozen=True)
class ChatConfig:
    """Where the endpoint is and how to talk to it; saved with a run via :meth:`to_dict`."""

    base_url: str
    model: str
    prompts: str | None = None
    temperature: float = 0.0
    timeout: float = 60.0
    max_retries: int = 3
    backoff: float = 1.0
    concurrency: int = 4
    api_key_env: str = "OPENAI_API_KEY"
    json_mode: bool = False  # send response_format {"type": "json_object"}; some servers reject it
    max_tokens: int | None = None  # None: the server's default
    retry_invalid: bool = False  # ask once more after an answer that does not validate

    def __post_init__(self) -> None:
        _expect(
            isinstance(self.base_url, str) and re.match(r"^https?://\S+$", self.base_url),
            "base_url",
            "an http(s) URL such as 'http://localhost:8080/v1'",
            self.base_url,
        )
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        _expect(isinstance(self.model, str) and self.model, "model", "a model name", self.model)
        _expect(
            self.prompts is None or (isinstance(self.prompts, str) and self.prompts),
            "prompts",
            "a TOML file path or None",
            self.prompts,
        )
        _expect(
            _number(self.temperature) and 0.0 <= self.temperature <= 2.0,
            "temperature",
            "a number in [0, 2]",
            self.temperature,
        )
        _expect(_number(self.timeout) and self.timeout > 0, "timeout", "seconds > 0", self.timeout)
        _expect(
            _integer(self.max_retries) and self.max_retries >= 0,
            "max_retries",
            "an integer >= 0",
            self.max_retries,
        )
        _expect(
            _number(self.backoff) and self.backoff >= 0, "backoff", "seconds >= 0", self.backoff
        )
        _expect(
            _integer(self.concurrency) and self.concurrency >= 1,
            "concurrency",
            "an integer >= 1",
            self.concurrency,
        )
        _expect(
            isinstance(self.api_key_env, str), "api_key_env", "a variable name", self.api_key_env
        )
        for key in ("json_mode", "retry_invalid"):
            _expect(isinstance(getattr(self, key), bool), key, "true or false", getattr(self, key))
        _expect(
            self.max_tokens is None or (_integer(self.max_tokens) and self.max_tokens >= 1),
            "max_tokens",
            "an integer >= 1 or None",
            self.max_tokens,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatConfig:
        """Build and validate; unknown keys are errors, not ignored."""
        if not isinstance(data, dict):
            raise ValueError(f"expected a table of chat settings, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        extra = sorted(set(data) - known)
        if extra:
            raise ValueError(f"expected keys from {sorted(known)}, got unknown {extra}")
        missing = sorted({"base_url", "model"} - set(data))
        if missing:
            raise ValueError(f"expected base_url and model, got no {' or '.join(missing)}")
        return cls(**data)


@dataclass(frozen=True)
class Prompt:
    """The system and user templates of one task."""

    system: str
    user: str

    def render(self, text: str, target: str | None) -> list[dict[str, str]]:
        """Chat messages with {text} and {target} substituted in one pass (nothing else)."""
        values = {"text": text, "target": target or ""}

        def fill(template: str) -> str:
            return re.sub(r"\{(text|target)\}", lambda m: values[m.group(1)], template)

        return [
            {"role": "system", "content": fill(self.system)},
            {"role": "user", "content": fill(self.user)},
        ]

    def sha256(self) -> str:
        blob = json.dumps({"system": self.system, "user": self.user}, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def load_prompt(path: str | Path | None, task: str) -> Prompt:
    """Read ``task``'s templates from a TOML file (None: the package's defaults) and check them."""
    labels_for(task)
    path = Path(path).expanduser() if path is not None else DEFAULT_PROMPTS
    data = read_toml(path, "a prompts TOML file")
    table = data.get(task)
    if not isinstance(table, dict):
        raise ValueError(f"{path}: expected a [{task}] table with system and user, got {table!r}")
    extra = sorted(set(table) - {"system", "user"})
    if extra:
        raise ValueError(f"{path}: expected keys system and user in [{task}], got also {extra}")
    for key in ("system", "user"):
        if not isinstance(table.get(key), str):
            raise ValueError(
                f"{path}: expected [{task}].{key} to be a string, got {table.get(key)!r}"
            )
    prompt = Prompt(system=table["system"], user=table["user"])
    both = prompt.system + prompt.user
    needed = ["{text}"] + (["{target}"] if task == "stance" else [])
    for placeholder in needed:
        if placeholder not in both:
            raise ValueError(f"{path}: expected {placeholder} in the [{task}] templates, got none")
    return prompt


class AnswerError(ValueError):
    """An answer that does not parse or validate; the message is the recorded reason."""


FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
THINK = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)


def parse_answer(raw: str, labels: Sequence[str]) -> np.ndarray:
    """One answer's probability row in the order of ``labels``; an invalid one is AnswerError."""
    text = THINK.sub("", raw, count=1).strip()
    fenced = FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as err:
        raise AnswerError(f"not JSON ({err.msg} at char {err.pos})") from None
    if not isinstance(answer, dict):
        raise AnswerError(f"expected a JSON object, got {type(answer).__name__}")
    allowed = ", ".join(labels)
    label = answer.get("label")
    if label is not None:
        if not isinstance(label, str) or label.strip().lower() not in labels:
            raise AnswerError(f"label {label!r} is not one of {allowed}")
        label = label.strip().lower()
    if "probabilities" in answer:
        probs = answer["probabilities"]
        if not isinstance(probs, dict) or not probs:
            raise AnswerError(f"expected probabilities to be an object, got {probs!r}")
        lowered = {str(k).strip().lower(): v for k, v in probs.items()}
        unknown = sorted(set(lowered) - set(labels))
        if unknown:
            raise AnswerError(f"probability label(s) {unknown} not among {allowed}")
        row = np.zeros(len(labels))
        for j, name in enumerate(labels):
            value = lowered.get(name, 0.0)
            if not _number(value) or not 0.0 <= value <= 1.0:
                raise AnswerError(f"probability of {name} {value!r} is not a number in [0, 1]")
            row[j] = value
        if row.sum() <= 0:
            raise AnswerError("probabilities sum to 0")
        return row / row.sum()
    if label is None:
        raise AnswerError("expected 'label' or 'probabilities' in the answer, got neither")
    confidence = answer.get("confidence", 1.0)
    if not _number(confidence) or not 0.0 <= confidence <= 1.0:
        raise AnswerError(f"confidence {confidence!r} is not a number in [0, 1]")
    row = np.full(len(labels), (1.0 - confidence) / (len(labels) - 1))
    row[list(labels).index(label)] = confidence
    return row


class RequestError(Exception):
    """A request that failed: the reason to record, and whether a retry may help."""

    def __init__(
        self,
        reason: str,
        retryable: bool = False,
        retry_after: float | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(reason)
        self.reason, self.retryable = reason, retryable
        self.retry_after, self.attempts = retry_after, attempts


class ChatScorer(BaseScorer):
    """A scorer asking a chat model for ``stance`` or ``tone``; its details per row say what
    happened (raw answer, error, attempts). ``spans`` are ignored: the prompt names the target.
    """

    def __init__(self, config: ChatConfig, task: str, name: str | None = None) -> None:
        if not isinstance(config, ChatConfig):
            raise ValueError(f"expected a ChatConfig, got {type(config).__name__}")
        self.config, self.task = config, task
        self.labels = labels_for(task)
        # the name predictions are cached under since the backend came (a new one would ask
        # the endpoint again for every cached answer), so not the registered "{task}.chat.v1"
        self.name = name or f"{task}.openai-chat.v1:{config.model}"
        self.prompt = load_prompt(config.prompts, task)
        self._server_model: tuple[str | None] | None = None
        self._lock = threading.Lock()

    # -- identity and fail-fast check ---------------------------------------------------------

    def identity(self) -> dict[str, Any]:
        c = self.config
        return {
            "name": self.name,
            "backend": "openai-chat",
            "base_url": c.base_url,
            "model": c.model,
            "server_model": self.server_model(),
            "prompts": c.prompts or "default",
            "prompt_sha256": self.prompt.sha256(),
            "temperature": c.temperature,
            "json_mode": c.json_mode,
            "max_tokens": c.max_tokens,
        }

    def server_model(self) -> str | None:
        """The model id ``GET /models`` reports for ``model`` (or the only one listed), else None.

        Asked once per scorer; an endpoint without ``/models`` or out of reach gives None.
        """
        with self._lock:
            if self._server_model is None:
                try:
                    self._server_model = (_pick_model(self._get_models(), self.config.model),)
                except RequestError:
                    self._server_model = (None,)
            return self._server_model[0]

    def check(self) -> None:
        """One request, no retries: the endpoint answers and serves ``model``; else ModelLoadError.

        Asks ``GET /models``; where that is 404/405 (not every server has it), a one-token chat.
        """
        c = self.config
        where = f"cannot use chat endpoint {c.base_url} with model {c.model!r}"
        try:
            listed = self._get_models()
        except RequestError as err:
            if not err.reason.startswith(("HTTP 404", "HTTP 405")):
                raise ModelLoadError(f"{where}: {err.reason}{self._key_hint(err)}") from None
        else:
            ids = [str(m.get("id")) for m in listed if isinstance(m, dict)]
            if c.model not in ids and len(ids) > 1:
                raise ModelLoadError(f"{where}: it serves {', '.join(ids)}")
            return
        body = self._body([{"role": "user", "content": "Answer with {}."}])
        body["max_tokens"] = 1
        try:
            self._post(body)
        except RequestError as err:
            raise ModelLoadError(f"{where}: {err.reason}{self._key_hint(err)}") from None

    def _key_hint(self, err: RequestError) -> str:
        if err.reason.startswith(("HTTP 401", "HTTP 403")):
            return f" (is ${self.config.api_key_env} set to the right key?)"
        return ""

    # -- scoring -------------------------------------------------------------------------------

    def score(
        self, texts: Texts, targets: Targets, spans: Spans = None, progress: bool = False
    ) -> np.ndarray:
        """``(n, len(labels))`` probabilities; rows whose answer failed are NaN (and warned of)."""
        probs, details = self.score_detailed(texts, targets, spans, progress)
        failed = [d for d in details or [] if d and d["error"] is not None]
        if failed:
            warnings.warn(
                f"{self.name}: {len(failed)} of {len(details)} answers failed and are NaN "
                f"(first: {failed[0]['error']})",
                RuntimeWarning,
                stacklevel=2,
            )
        return probs

    def _score_detailed(
        self, texts: Texts, targets: Targets, spans: Spans, progress: bool
    ) -> tuple[np.ndarray, Details | None]:
        """Probabilities and, per row, ``{"raw", "error", "attempts"}`` saying what happened."""
        out = np.full((len(texts), len(self.labels)), np.nan, dtype=np.float32)
        details: list[dict[str, Any]] = [{}] * len(texts)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(
                total=len(texts),
                desc=f"asking {self.config.model}",
                unit="passage",
                disable=None,  # only where stderr is a terminal, as every other bar
            )
        with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            futures = {
                pool.submit(self._score_one, text, target): i
                for i, (text, target) in enumerate(zip(texts, targets, strict=True))
            }
            for future in as_completed(futures):
                i = futures[future]
                row, details[i] = future.result()
                if row is not None:
                    out[i] = row
                if bar is not None:
                    bar.update(1)
        if bar is not None:
            bar.close()
        return out, details

    def _score_one(self, text: str, target: str | None) -> tuple[np.ndarray | None, dict]:
        """One passage: its row (None on failure) and what happened."""
        body = self._body(self.prompt.render(text, target))
        attempts, raw, error = 0, None, None
        for _ in range(2 if self.config.retry_invalid else 1):
            try:
                reply = self._post_with_retries(body)
            except RequestError as err:
                return None, {"raw": raw, "error": err.reason, "attempts": attempts + err.attempts}
            attempts += reply.attempts
            raw, finish = None, None
            try:
                raw, finish = _content(reply.payload)
                return parse_answer(raw, self.labels), {
                    "raw": raw,
                    "error": None,
                    "attempts": attempts,
                }
            except AnswerError as err:
                cut = " (answer cut off: finish_reason 'length')" if finish == "length" else ""
                error = f"{err}{cut}"
        return None, {"raw": raw, "error": error, "attempts": attempts}

    # -- HTTP ----------------------------------------------------------------------------------

    def _body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        c = self.config
        body: dict[str, Any] = {
            "model": c.model,
            "messages": messages,
            "temperature": c.temperature,
        }
        if c.json_mode:
            body["response_format"] = {"type": "json_object"}
        if c.max_tokens is not None:
            body["max_tokens"] = c.max_tokens
        return body

    def _post_with_retries(self, body: dict[str, Any]) -> _Reply:
        """POST with retries of transient failures; RequestError(attempts=...) when they run out."""
        c = self.config
        for attempt in range(c.max_retries + 1):
            try:
                return _Reply(self._post(body), attempt + 1)
            except RequestError as err:
                if not err.retryable:
                    raise RequestError(err.reason, attempts=attempt + 1) from None
                if attempt == c.max_retries:
                    reason = f"{err.reason} after {attempt + 1} attempts"
                    raise RequestError(reason, attempts=attempt + 1) from None
                wait = c.backoff * 2**attempt if err.retry_after is None else err.retry_after
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(body).encode("utf-8")
        return self._request("POST", "/chat/completions", data)

    def _get_models(self) -> list[Any]:
        reply = self._request("GET", "/models", None)
        listed = reply.get("data") if isinstance(reply, dict) else None
        if not isinstance(listed, list):
            raise RequestError("malformed /models reply: expected a 'data' list")
        return listed

    def _request(self, method: str, path: str, data: bytes | None) -> Any:
        """One HTTP request's decoded JSON reply; any failure is a RequestError."""
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        key = os.environ.get(self.config.api_key_env) if self.config.api_key_env else None
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = self.config.base_url + path
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as err:
            try:
                detail = _excerpt(err.read().decode("utf-8", "replace"))
            except (OSError, http.client.HTTPException):
                detail = ""
            reason = f"HTTP {err.code}" + (f": {detail}" if detail else "")
            retry_after = _retry_after(err.headers.get("Retry-After"))
            raise RequestError(reason, err.code in RETRY_STATUS, retry_after) from None
        except (OSError, http.client.HTTPException) as err:  # URLError and timeouts are OSErrors
            cause = getattr(err, "reason", err)
            if isinstance(err, TimeoutError) or isinstance(cause, TimeoutError):
                raise RequestError(f"timed out (timeout {self.config.timeout:g} s)", True) from None
            raise RequestError(f"connection failed ({_excerpt(str(cause))})", True) from None
        try:
            return json.loads(payload)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise RequestError(f"malformed reply from {path}: {_excerpt(repr(payload))}") from None


@dataclass(frozen=True)
class _Reply:
    payload: Any
    attempts: int


def _content(reply: Any) -> tuple[str, str | None]:
    """The answer text and finish reason of a chat-completions reply."""
    try:
        choice = reply["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise AnswerError("malformed reply: no choices[0].message.content") from None
    if not isinstance(content, str) or not content.strip():
        raise AnswerError("empty answer")
    return content, choice.get("finish_reason")


def _pick_model(listed: list[Any], model: str) -> str | None:
    """The listed entry for ``model`` (or the only entry: llama.cpp serves one model whatever it
    is called), reported by its ``root`` (vLLM: the weights it loaded) or else its ``id``."""
    entries = [m for m in listed if isinstance(m, dict) and isinstance(m.get("id"), str)]
    matching = [m for m in entries if m["id"] == model] or (entries if len(entries) == 1 else [])
    if not matching:
        return None
    root = matching[0].get("root")
    return root if isinstance(root, str) and root else matching[0]["id"]


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), capped; None if absent/bad."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _expect(ok: object, key: str, expected: str, got: object) -> None:
    if not ok:
        raise ValueError(f"{key}: expected {expected}, got {got!r}")

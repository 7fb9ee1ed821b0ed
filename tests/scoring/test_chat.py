"""The chat backend against a scripted local chat-completions server (no network, no model)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from analysis.labels import STANCE_LABELS, TONE_LABELS
from analysis.scoring.base import ModelLoadError, Scorer
from analysis.scoring.chat import (
    DEFAULT_PROMPTS,
    AnswerError,
    ChatConfig,
    ChatScorer,
    load_prompt,
    parse_answer,
)

VALID = '{"label": "favor", "confidence": 0.8}'
# What the server answers for a passage containing the key; a list is one answer per request.
ANSWERS: dict[str, object] = {
    "case-valid": VALID,
    "case-probs": '{"probabilities": {"favor": 0.3, "against": 0.3, "none": 0.2}}',
    "case-fenced": 'Here you are:\n```json\n{"label": "against", "confidence": 0.9}\n```',
    "case-think": '<think>maybe {"label": "favor"}?</think>\n{"label": "none", "confidence": 0.6}',
    "case-malformed": "I think the author is in favor.",
    "case-badlabel": '{"label": "maybe", "confidence": 0.5}',
    "case-badconf": '{"label": "favor", "confidence": 1.5}',
    "case-flaky": ["not json at all", VALID],
    "case-tone": '{"label": "positive", "confidence": 0.7}',
    "case-cut": '{"label": "fav',
}


class ScriptedServer(ThreadingHTTPServer):
    """Speaks /models and /chat/completions; behaviour is chosen by a key in the passage."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.seen: list[dict] = []  # every chat request: time, headers, body
        self.counts: dict[str, int] = {}
        self.models: list[dict] | None = [{"id": "test-model", "root": "/weights/test.gguf"}]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def log_message(self, *args: object) -> None:
        pass

    def send_json(self, status: int, payload: object, headers: dict | None = None) -> None:
        # The request stops counting as in flight before its reply is written: once the
        # client has the reply it may send the next request before this thread runs again.
        self.count_out()
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def do_GET(self) -> None:
        if self.path != "/v1/models" or self.server.models is None:
            self.send_json(404, {"error": "not found"})
        else:
            self.send_json(200, {"object": "list", "data": self.server.models})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server = self.server
        with server.lock:
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
            server.seen.append({"time": time.monotonic(), "headers": dict(self.headers), **body})
            user = body["messages"][-1]["content"]
            key = next((k for k in user.split() if k.startswith("case-")), "case-valid")
            count = server.counts[key] = server.counts.get(key, 0) + 1
        self.counted = True
        try:
            self.answer(key, count)
        finally:
            self.count_out()

    def count_out(self) -> None:
        """Count this request out of the in-flight total (once)."""
        if getattr(self, "counted", False):
            with self.server.lock:
                self.server.in_flight -= 1
            self.counted = False

    def answer(self, key: str, count: int) -> None:
        if key == "case-slow":
            time.sleep(0.6)
        elif key == "case-conc":
            time.sleep(0.15)
        elif key == "case-429" and count == 1:
            return self.send_json(429, {"error": "slow down"}, {"Retry-After": "0.3"})
        elif key == "case-500":
            return self.send_json(500, {"error": "server exploded"})
        elif key == "case-400":
            return self.send_json(400, {"error": "bad request: context too long"})
        answer = ANSWERS.get(key, VALID)
        if isinstance(answer, list):
            answer = answer[min(count, len(answer)) - 1]
        self.send_json(
            200,
            {
                "object": "chat.completion",
                "model": "test-model",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer},
                        "finish_reason": "length" if key == "case-cut" else "stop",
                    }
                ],
            },
        )


@pytest.fixture
def server():
    srv = ScriptedServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join()


def make(server: ScriptedServer, task: str = "stance", **options) -> ChatScorer:
    options = {"timeout": 5.0, "backoff": 0.01, "max_retries": 2, **options}
    return ChatScorer(ChatConfig(server.base_url, "test-model", **options), task)


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# -- answers become probability rows -----------------------------------------------------------


def test_valid_fenced_and_think_answers_become_probability_rows(server):
    scorer = make(server)
    assert isinstance(scorer, Scorer)
    texts = ["case-valid text", "case-probs text", "case-fenced text", "case-think text"]
    probs, details = scorer.score_detailed(texts, ["sanctions"] * 4)
    assert probs.shape == (4, 3)
    np.testing.assert_allclose(probs[0], [0.8, 0.1, 0.1], atol=1e-6)
    np.testing.assert_allclose(probs[1], [0.375, 0.375, 0.25], atol=1e-6)  # normalised
    np.testing.assert_allclose(probs[2], [0.05, 0.9, 0.05], atol=1e-6)
    np.testing.assert_allclose(probs[3], [0.2, 0.2, 0.6], atol=1e-6)
    assert [d["error"] for d in details] == [None] * 4
    assert [d["attempts"] for d in details] == [1] * 4
    assert details[2]["raw"].startswith("Here you are:")


def test_invalid_answers_are_nan_with_reasons_and_not_retried(server):
    scorer = make(server)
    texts = ["case-malformed a", "case-badlabel b", "case-badconf c", "case-cut d", "case-valid"]
    with pytest.warns(RuntimeWarning, match="4 of 5 answers failed"):
        probs = scorer.score(texts, ["sanctions"] * 5)
    assert np.isnan(probs[:4]).all()
    assert not np.isnan(probs[4]).any()
    _, details = scorer.score_detailed(texts, ["sanctions"] * 5)
    assert details[0]["error"].startswith("not JSON")
    assert details[0]["raw"] == "I think the author is in favor."
    assert details[1]["error"] == "label 'maybe' is not one of favor, against, none"
    assert details[2]["error"] == "confidence 1.5 is not a number in [0, 1]"
    assert details[3]["error"].endswith("(answer cut off: finish_reason 'length')")
    assert [d["attempts"] for d in details[:4]] == [1, 1, 1, 1]
    assert server.counts["case-malformed"] == 2  # once per call: no retry of bad answers


def test_retry_invalid_asks_once_more(server):
    probs, details = make(server, retry_invalid=True).score_detailed(["case-flaky x"], ["t"])
    np.testing.assert_allclose(probs[0], [0.8, 0.1, 0.1], atol=1e-6)
    assert details[0] == {"raw": VALID, "error": None, "attempts": 2}
    probs, details = make(server, retry_invalid=True).score_detailed(["case-malformed"], ["t"])
    assert np.isnan(probs).all() and details[0]["attempts"] == 2
    assert server.counts["case-malformed"] == 2  # twice at most, not forever


def test_tone_uses_tone_labels_and_no_target(server):
    scorer = make(server, task="tone")
    assert scorer.labels == TONE_LABELS
    probs = scorer.score(["case-tone Sanctions are working."], [None])
    np.testing.assert_allclose(probs[0], [0.15, 0.15, 0.7], atol=1e-6)
    user = server.seen[-1]["messages"][-1]["content"]
    assert "Sanctions are working." in user and "{target}" not in user


# -- the request ------------------------------------------------------------------------------


def test_request_carries_model_prompt_and_temperature_zero(server, monkeypatch):
    monkeypatch.setenv("VIEWPOINTS_TEST_KEY", "s3cret")
    scorer = make(server, api_key_env="VIEWPOINTS_TEST_KEY")
    scorer.score(["The {target} treaty case-valid must stay."], ["arms control"])
    request = server.seen[-1]
    assert request["model"] == "test-model"
    assert request["temperature"] == 0.0
    assert "response_format" not in request and "max_tokens" not in request
    system, user = request["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert "Target: arms control" in user["content"]
    assert "The {target} treaty" in user["content"]  # a passage's braces are not expanded
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert "s3cret" not in json.dumps(scorer.identity()) + json.dumps(scorer.config.to_dict())
    make(server, json_mode=True, max_tokens=50).score(["case-valid"], ["t"])
    assert server.seen[-1]["response_format"] == {"type": "json_object"}
    assert server.seen[-1]["max_tokens"] == 50


def test_identity_names_server_model_and_prompt_hash(server, tmp_path):
    identity = make(server).identity()
    assert identity["backend"] == "openai-chat"
    assert identity["base_url"] == server.base_url and identity["model"] == "test-model"
    assert identity["server_model"] == "/weights/test.gguf"
    assert identity["prompt_sha256"] == load_prompt(None, "stance").sha256()
    custom = tmp_path / "prompts.toml"
    custom.write_text(
        DEFAULT_PROMPTS.read_text().replace("careful annotator", "strict annotator"),
        encoding="utf-8",
    )
    other = make(server, prompts=str(custom)).identity()
    assert other["prompt_sha256"] != identity["prompt_sha256"]
    server.models = None  # a server without /models
    assert make(server).identity()["server_model"] is None
    dead = ChatScorer(ChatConfig(dead_url(), "m", timeout=1.0), "stance").identity()
    assert dead["server_model"] is None


# -- transient and permanent failures ---------------------------------------------------------


def test_429_is_retried_after_retry_after(server):
    probs, details = make(server).score_detailed(["case-429 x"], ["t"])
    assert details[0] == {"raw": VALID, "error": None, "attempts": 2}
    assert not np.isnan(probs).any()
    first, second = (r["time"] for r in server.seen if "case-429" in r["messages"][-1]["content"])
    assert second - first >= 0.29  # Retry-After 0.3 s, not backoff 0.01 s


def test_500_until_retries_run_out_is_a_recorded_failure(server):
    probs, details = make(server, max_retries=2).score_detailed(["case-500 x"], ["t"])
    assert np.isnan(probs).all()
    assert details[0]["attempts"] == 3 and server.counts["case-500"] == 3
    assert details[0]["error"].startswith("HTTP 500")
    assert "after 3 attempts" in details[0]["error"]
    assert details[0]["raw"] is None


def test_other_4xx_fails_without_retry(server):
    _, details = make(server).score_detailed(["case-400 x"], ["t"])
    assert details[0]["attempts"] == 1 and server.counts["case-400"] == 1
    assert "HTTP 400" in details[0]["error"] and "context too long" in details[0]["error"]


def test_timeouts_are_retried_then_recorded(server):
    probs, details = make(server, timeout=0.2, max_retries=1).score_detailed(
        ["case-slow x", "case-valid y"], ["t", "t"]
    )
    assert server.counts["case-slow"] == 2  # the first try and one retry, each cut at 0.2 s
    assert np.isnan(probs[0]).all() and not np.isnan(probs[1]).any()
    assert details[0]["error"] == "timed out (timeout 0.2 s) after 2 attempts"
    assert details[0]["attempts"] == 2


def test_connection_refused_is_retried_then_recorded():
    scorer = ChatScorer(ChatConfig(dead_url(), "m", backoff=0.01, max_retries=1), "stance")
    _, details = scorer.score_detailed(["x"], ["t"])
    assert details[0]["error"].startswith("connection failed")
    assert details[0]["attempts"] == 2


def test_at_most_concurrency_requests_in_flight(server):
    texts = [f"case-conc {i}" for i in range(12)]
    probs = make(server, concurrency=3).score(texts, ["t"] * 12)
    assert not np.isnan(probs).any()
    assert server.max_in_flight == 3  # reached, never exceeded


# -- check -------------------------------------------------------------------------------------


def test_check_passes_on_a_live_server_and_falls_back_to_chat(server):
    make(server).check()
    server.models = None  # no /models: one tiny chat instead
    make(server).check()
    assert server.seen[-1]["max_tokens"] == 1


def test_check_against_a_dead_port_is_one_line():
    url = dead_url()
    with pytest.raises(ModelLoadError) as info:
        ChatScorer(ChatConfig(url, "my-model", timeout=2.0), "stance").check()
    message = str(info.value)
    assert "\n" not in message
    assert url in message and "my-model" in message and "connection failed" in message


def test_check_names_the_served_models_when_ours_is_missing(server):
    server.models = [{"id": "llama3"}, {"id": "qwen2.5"}]
    with pytest.raises(ModelLoadError, match=re.escape("it serves llama3, qwen2.5")):
        make(server).check()


# -- parsing, config and prompts ---------------------------------------------------------------


def test_parse_answer_validates_and_converts():
    np.testing.assert_allclose(parse_answer('{"label": " Against "}', STANCE_LABELS), [0, 1, 0])
    np.testing.assert_allclose(
        parse_answer('{"probabilities": {"favor": 1}}', STANCE_LABELS), [1, 0, 0]
    )
    bad = {
        "[1, 2]": "expected a JSON object",
        '{"confidence": 0.9}': "got neither",
        '{"label": "favor", "confidence": true}': "confidence True",
        '{"probabilities": {"favor": 0.5, "pro": 0.5}}': "['pro'] not among",
        '{"probabilities": {"favor": 0, "against": 0}}': "sum to 0",
        '{"probabilities": {"favor": -0.1}}': "probability of favor -0.1",
        '{"label": "positive"}': "not one of favor, against, none",
    }
    for raw, reason in bad.items():
        with pytest.raises(AnswerError, match=reason.replace("[", r"\[").replace("]", r"\]")):
            parse_answer(raw, STANCE_LABELS)


def test_config_validates_and_round_trips():
    config = ChatConfig("http://localhost:8080/v1/", "m", concurrency=2)
    assert config.base_url == "http://localhost:8080/v1"
    assert ChatConfig.from_dict(config.to_dict()) == config
    for bad, match in [
        ({"base_url": "localhost:8080"}, "base_url: expected an http"),
        ({"concurrency": 0}, "concurrency: expected an integer >= 1, got 0"),
        ({"max_retries": True}, "max_retries: expected an integer"),
        ({"timeout": 0}, "timeout: expected seconds > 0"),
        ({"temperature": -1}, "temperature: expected a number"),
    ]:
        with pytest.raises(ValueError, match=match):
            ChatConfig(**{"base_url": "http://h/v1", "model": "m", **bad})
    with pytest.raises(ValueError, match=re.escape("unknown ['api_key']")):
        ChatConfig.from_dict({"base_url": "http://h/v1", "model": "m", "api_key": "x"})
    with pytest.raises(ValueError, match="expected task 'stance' or 'tone'"):
        ChatScorer(config, "sentiment")


def test_prompt_files_are_checked(tmp_path):
    for task in ("stance", "tone"):
        load_prompt(None, task)
    no_target = tmp_path / "p.toml"
    no_target.write_text('[stance]\nsystem = "s"\nuser = "Passage: {text}"\n')
    with pytest.raises(ValueError, match=r"expected \{target\}"):
        load_prompt(no_target, "stance")
    with pytest.raises(ValueError, match=r"expected a \[tone\] table"):
        load_prompt(no_target, "tone")
    with pytest.raises(ValueError, match="expected a prompts TOML file, found no such file"):
        load_prompt(tmp_path / "missing.toml", "stance")

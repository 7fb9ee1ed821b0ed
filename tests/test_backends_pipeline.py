"""Every Hugging Face code path and the chat backend through `viewpoints run`, on tiny models.

A tiny random NLI model (stance) and tiny sentiment classifiers (tone) are saved locally; the
chat backend talks to a scripted chat-completions server on 127.0.0.1 started here.
"""

from __future__ import annotations

import json
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.runs import list_runs, load_run
from tests.conftest import tiny_bert_config

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def tiny_nli_dir(tmp_path_factory, minilm_tokenizer) -> Path:
    import torch
    from transformers import BertForSequenceClassification

    torch.manual_seed(1)
    labels = {0: "entailment", 1: "neutral", 2: "contradiction"}
    config = tiny_bert_config(
        num_labels=3, id2label=labels, label2id={v: k for k, v in labels.items()}
    )
    path = tmp_path_factory.mktemp("tiny_nli")
    BertForSequenceClassification(config).save_pretrained(path)
    minilm_tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_label_n_dir(tmp_path_factory, minilm_tokenizer) -> Path:
    """A sentiment classifier whose labels say nothing (LABEL_0..2): needs a label map."""
    import torch
    from transformers import BertForSequenceClassification

    torch.manual_seed(2)
    path = tmp_path_factory.mktemp("tiny_label_n")
    BertForSequenceClassification(tiny_bert_config(num_labels=3)).save_pretrained(path)
    minilm_tokenizer.save_pretrained(path)
    return path


def experiment(tmp_path: Path, models: str) -> Path:
    path = tmp_path / "experiment.toml"
    path.write_text(f'[corpus]\npaths = ["{SEEDS}"]\n\n{models}\n')
    return path


def run(tmp_path: Path, toml: Path, cache: Path) -> dict:
    runs = tmp_path / "runs"
    assert main(["run", str(toml), "--runs-dir", str(runs), "--cache", str(cache), "--quiet"]) == 0
    return list_runs(runs)[0]


def test_nli_stance_and_mapped_tone_run_and_a_rerun_hits_the_cache(
    tmp_path, tiny_nli_dir, tiny_label_n_dir
):
    toml = experiment(
        tmp_path,
        f"""[models]
stance = "stance.nli.v1"
tone = "{tiny_label_n_dir}"
[models.stance_options]
model = "{tiny_nli_dir}"
max_length = 24
[models.tone_options]
label_map = {{LABEL_0 = "negative", LABEL_1 = "neutral", LABEL_2 = "positive"}}
max_length = 24""",
    )
    cache = tmp_path / "cache.sqlite"
    first = run(tmp_path, toml, cache)
    pairs = first["counts"]["scored_pairs"]
    assert pairs > 0
    assert first["models"]["stance"]["backend"] == "nli"
    assert first["models"]["tone"]["label_map"] == {
        "LABEL_0": "negative",
        "LABEL_1": "neutral",
        "LABEL_2": "positive",
    }
    assert first["cache"]["stance"]["misses"] == pairs
    scores = load_run(first["path"]).scores
    probs = scores[["stance_favor", "stance_against", "stance_none"]].sum(axis=1)
    assert ((probs - 1).abs() < 1e-4).all()
    second = run(tmp_path, toml, cache)
    assert second["cache"]["stance"] == {"hits": pairs, "misses": 0}
    assert second["cache"]["tone"] == {"hits": pairs, "misses": 0}
    again = load_run(second["path"]).scores
    pd.testing.assert_series_equal(again["stance"], scores["stance"])


def test_a_label_map_that_does_not_fit_fails_before_any_work(tmp_path, tiny_label_n_dir, capsys):
    toml = experiment(tmp_path, f'[models]\ntone = "{tiny_label_n_dir}"')
    assert (
        main(["run", str(toml), "--runs-dir", str(tmp_path / "runs"), "--cache", "", "--quiet"])
        == 2
    )
    err = capsys.readouterr().err
    assert "LABEL_0" in err and "label map" in err
    assert list_runs(tmp_path / "runs") == []


class ChatServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ChatHandler)


class ChatHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def reply(self, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.reply({"data": [{"id": "tiny-chat"}, {"id": "mute"}]})

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = " ".join(m["content"] for m in request["messages"])
        if request.get("model") == "mute" or "sanction" in prompt.lower():
            answer = "I would rather not say."  # malformed: must be recorded, not guessed
        elif "favor" in prompt:
            answer = '{"label": "against", "confidence": 0.9}'
        else:
            answer = '{"label": "negative", "confidence": 0.7}'
        self.reply({"choices": [{"message": {"role": "assistant", "content": answer}}]})


@pytest.fixture
def chat_server():
    server = ChatServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def chat_experiment(tmp_path, server: str, tone_model: str):
    """An experiment whose stance and tone come from the test chat server ("mute": a model
    that answers nothing in the expected form)."""
    return experiment(
        tmp_path,
        f"""[models]
stance = "stance.chat.v1"
tone = "tone.chat.v1"
[models.stance_options]
base_url = "{server}"
model = "tiny-chat"
backoff = 0.01
[models.tone_options]
base_url = "{server}"
model = "{tone_model}"
backoff = 0.01""",
    )


def test_chat_backend_keeps_raw_answers_and_records_failures(tmp_path, chat_server):
    toml = chat_experiment(tmp_path, chat_server, tone_model="tiny-chat")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no raw warning lines from the estimate
        meta = run(tmp_path, toml, tmp_path / "cache.sqlite")
    notes = meta["estimate"]["notes"]
    assert any("real requests to the chat endpoint" in n for n in notes)
    assert any("answers failed" in n for n in notes)
    scores = load_run(meta["path"]).scores
    assert {"stance_raw", "stance_error", "tone_raw", "tone_error"} <= set(scores.columns)
    sanctions = scores[scores["topic"] == "sanctions"]
    others = scores[scores["topic"] != "sanctions"]
    assert len(sanctions) and len(others)
    assert sanctions["stance"].isna().all() and sanctions["stance_error"].notna().all()
    assert (sanctions["stance_raw"] == "I would rather not say.").all()
    assert (others["stance_against"] > 0.8).all() and others["stance_error"].isna().all()
    assert meta["counts"]["failed_pairs"] == len(sanctions)
    positions = load_run(meta["path"]).positions
    sanctions_positions = positions[positions["topic"] == "sanctions"]
    written = set(sanctions[~sanctions["reported"]]["article_id"])
    for _, row in sanctions_positions[sanctions_positions["level"] == "article"].iterrows():
        # written about but never scored: neither a position nor "not discussed"
        expected = "unscored" if row["article_id"] in written else "not_discussed"
        assert row["status"] == expected
        assert pd.isna(row["stance"])


def test_a_task_whose_every_prediction_fails_writes_no_run(tmp_path, chat_server, capsys):
    toml = chat_experiment(tmp_path, chat_server, tone_model="mute")
    runs = tmp_path / "runs"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        code = main(["run", str(toml), "--runs-dir", str(runs), "--cache", "", "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    # every answer counted, not one batch's, with the first reason only
    assert "tone warm-up: 17 of 17 answers failed (the first: " in err
    assert "2 of 2" not in err
    assert "every tone answer of the warm-up failed (17 of 17" in err and "no run started" in err
    assert list_runs(runs) == []
    # past the warm-up (a model that fails only later), no run is written either
    import pandas as pd

    from analysis.pipeline import _refuse_if_a_task_failed_everywhere

    scores = pd.DataFrame({"stance": [0.1, -0.2], "tone": [float("nan")] * 2})
    scores["tone_error"] = ["not JSON", "not JSON"]
    with pytest.raises(ValueError, match=r"every tone prediction failed \(2 .*the first: not JSON"):
        _refuse_if_a_task_failed_everywhere(scores)
    _refuse_if_a_task_failed_everywhere(scores.assign(tone=[0.3, float("nan")]))  # not all

"""Models named by folder or hub id: clear one-line failures offline, NLI folders recognised."""

from __future__ import annotations

import pytest

from analysis.scoring.base import ModelLoadError
from analysis.scoring.hf_classifier import HFClassifierScorer, load_hf_model, map_labels
from analysis.scoring.hub import looks_like_path, resolve_model_source
from analysis.scoring.nli import NLIStanceScorer
from analysis.scoring.options import UnknownScorerError
from analysis.scoring.registry import create_scorer
from tests.scoring.test_nli import NLI3, save_classifier

CLOSED_PORT = {"HF_ENDPOINT": "http://127.0.0.1:9"}  # nothing listens on the discard port


@pytest.fixture(scope="module")
def nli_folder(tmp_path_factory, minilm_tokenizer):
    return save_classifier(tmp_path_factory.mktemp("nli"), minilm_tokenizer, NLI3)


@pytest.mark.parametrize(
    ("spec", "is_path"),
    [
        ("./models/x", True),
        ("../x", True),
        ("/abs/x", True),
        ("~/x", True),
        ("experiments/output/news_model", True),
        ("org/name", False),
        ("gpt2", False),
        ("MoritzLaurer/deberta-v3-base-zeroshot-v2.0", False),
    ],
)
def test_paths_and_hub_ids_are_told_apart(spec, is_path):
    assert looks_like_path(spec) is is_path


def test_a_missing_folder_is_named_as_a_folder_not_a_repo_id(tmp_path):
    missing = tmp_path / "no" / "such" / "model"
    with pytest.raises(ModelLoadError, match="does not exist") as err:
        resolve_model_source(str(missing), "NLI")
    assert str(missing) in str(err.value) and "Repo id" not in str(err.value)
    with pytest.raises(ModelLoadError, match=r"folder './x' does not exist \(looked for /.+/x\)"):
        load_hf_model("./x", "sequence-classification")


def test_a_hub_id_offline_fails_in_one_line_naming_the_id_and_a_local_copy():
    with pytest.raises(ModelLoadError) as err:
        resolve_model_source("someone/not-cached-model", "NLI", {"HF_HUB_OFFLINE": "1"})
    message = str(err.value)
    assert "someone/not-cached-model" in message and "HF_HUB_OFFLINE" in message
    assert "--local-dir" in message and "\n" not in message


def test_a_bare_name_close_to_a_registered_one_is_suggested():
    with pytest.raises(ModelLoadError) as err:
        resolve_model_source("minilm_v1", "sequence-classification", {"HF_HUB_OFFLINE": "1"})
    # the likelier reading first: a registered name mistyped, then how to get a hub model
    assert "(HF_HUB_OFFLINE): did you mean 'stance.minilm.v1' or 'tone.minilm.v1'? (a " in str(
        err.value
    )
    with pytest.raises(ModelLoadError) as err:  # for a stance model, only the stance name
        resolve_model_source("minilm_v1", "stance", {"HF_HUB_OFFLINE": "1"})
    assert ": did you mean 'stance.minilm.v1'? (a Hugging Face model: download" in str(err.value)
    with pytest.raises(ModelLoadError) as err:
        resolve_model_source("someone/minilm_v1", "NLI", {"HF_HUB_OFFLINE": "1"})
    assert "did you mean" not in str(err.value)  # an owner/name is a hub id as meant


def test_an_unreachable_hub_is_detected_without_retries():
    with pytest.raises(ModelLoadError, match="cannot be reached") as err:
        resolve_model_source("someone/not-cached-model", "NLI", CLOSED_PORT)
    assert "someone/not-cached-model" in str(err.value)


def test_a_local_folder_loads_from_disk_only(nli_folder):
    assert resolve_model_source(str(nli_folder), "NLI", CLOSED_PORT) == (str(nli_folder), True)


def test_a_local_nli_folder_given_as_stance_model_is_scored_as_nli(nli_folder):
    scorer = create_scorer(str(nli_folder), "stance")
    assert isinstance(scorer, NLIStanceScorer)
    probs = scorer.score(["Sanctions on Russia must stay."], ["sanctions on Russia"])
    assert probs.shape == (1, 3) and abs(float(probs.sum()) - 1) < 1e-5


def test_an_nli_folder_as_tone_model_says_what_it_can_do(nli_folder):
    with pytest.raises(UnknownScorerError, match=r"NLI model .* not tone"):
        create_scorer(str(nli_folder), "tone")


def test_an_nli_head_read_as_a_classifier_says_how_to_choose_the_backend(nli_folder):
    with pytest.raises(ValueError, match=r"NLI head .*stance\.nli\.v1"):
        map_labels(NLI3, "stance")
    scorer = HFClassifierScorer(str(nli_folder), "tone")
    with pytest.raises(ValueError, match="cannot score tone"):
        scorer.score(["x"], [None])


def test_a_bare_name_close_to_nothing_lists_the_tasks_registered_models():
    with pytest.raises(ModelLoadError) as err:
        resolve_model_source("bogus", "stance", {"HF_HUB_OFFLINE": "1"})
    message = str(err.value)
    assert message.startswith("stance model 'bogus'")
    assert "; or a registered stance model: " in message and "stance.minilm.v2" in message
    assert message.endswith("(a hub id names its owner: owner/name)")
    assert "tone.minilm.v3" not in message
    with pytest.raises(ModelLoadError) as err:
        resolve_model_source("bogus", "NLI", {"HF_HUB_OFFLINE": "1"})
    assert "registered" not in str(err.value)  # no registered NLI names to offer

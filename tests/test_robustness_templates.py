"""`viewpoints robustness --experiment X --template A --template B`: the experiment as is plus
one run per command-line template, and the command line's templates win over the topics file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.runs import list_runs, load_run
from tests.scoring.test_nli import NLI3, save_classifier

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def nli_experiment(tmp_path_factory, minilm_tokenizer) -> Path:
    folder = tmp_path_factory.mktemp("exp")
    save_classifier(folder / "nli", minilm_tokenizer, NLI3)
    toml = folder / "nli.toml"
    toml.write_text(
        f"""
[corpus]
paths = ["{SEEDS}"]
[models]
stance = "stance.nli.v1"
tone = "tone.vader.v1"
cache = ""
[models.stance_options]
model = "nli"
"""
    )
    return toml


def stance_of(run_path: str) -> pd.Series:
    scores = load_run(run_path).scores
    return scores.set_index(["passage_id", "topic"])["stance_favor"].sort_index()


def test_each_template_is_a_run_besides_the_experiment_as_is(nli_experiment, tmp_path, capsys):
    code = main(
        [
            "robustness",
            "--experiment",
            str(nli_experiment),
            "--template",
            "The writer welcomes {target}.|The writer rejects {target}.",
            "--template",
            "{target} is good.|{target} is bad.",
            "--runs-dir",
            str(tmp_path),
            "--cache",
            str(tmp_path / "cache" / "p.sqlite"),
            "--json",
            "--quiet",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    json.loads(out)
    runs = list_runs(tmp_path)
    assert len(runs) == 3  # as is + two templates
    names = sorted(r["name"] for r in runs)
    assert any("welcomes" in n for n in names) and any("is good" in n for n in names)
    # named as `viewpoints run` names them: the file's stem, each template in both halves
    assert "nli" in names and "nli: {target} is good. | {target} is bad." in names
    assert (tmp_path / "cache" / "p.sqlite").is_file()  # the cache asked for, not ./...
    as_is = next(r for r in runs if "{target}" not in r["name"])
    by_template = [r for r in runs if "{target}" in r["name"]]
    # The command line's templates replace the topics file's: every run scores differently.
    first, second = (stance_of(r["path"]) for r in by_template)
    base = stance_of(as_is["path"])
    assert not first.equals(base) and not second.equals(base) and not first.equals(second)
    options = load_run(by_template[0]["path"]).config["models"]["stance_options"]
    assert options["topic_templates"] is False


def test_templates_need_an_nli_experiment(tmp_path, capsys):
    experiment = Path(__file__).resolve().parent.parent / "experiments" / "defaults.toml"
    code = main(
        ["robustness", "--experiment", str(experiment), "--template", "a {target}|b {target}"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "expected an experiment with stance" in err
    assert list_runs(tmp_path) == []

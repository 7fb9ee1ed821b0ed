"""docs/experiments.md gives every key of an experiment file as the config documents it, and
every registered model name with the options the config accepts for it."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import analysis.config
from analysis.config import AnalysisConfig
from analysis.scoring.options import BACKEND_SPECS

DOC = Path(__file__).resolve().parents[1] / "docs" / "experiments.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_keys_of_an_experiment_file_are_the_configs_own():
    shown = re.search(r"```toml\n(.*?)```", _section("Every key of an experiment file"), re.S)
    documented = analysis.config.__doc__.split("::\n\n", 1)[1]
    assert shown is not None
    assert shown.group(1).rstrip() == textwrap.dedent(documented).rstrip()
    # and the sections it names are the config's
    sections = set(re.findall(r"^\[(\w+)\]", shown.group(1), re.M))
    assert sections == set(AnalysisConfig().to_dict()) - {"topic_definitions"}


def test_every_registered_model_is_listed_with_the_options_it_takes():
    rows = {}
    for line in _section("The registered models and their options").splitlines():
        if line.startswith("| `"):
            names, _, options = line.strip("|").split(" | ")
            for name in re.findall(r"`([\w.-]+)`", names):
                rows[name] = set(re.findall(r"`(\w+)`", options))
    assert set(rows) == set(BACKEND_SPECS)
    for name, spec in BACKEND_SPECS.items():
        assert rows[name] == set(spec.options), name

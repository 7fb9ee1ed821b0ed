import pytest

from analysis.config import AnalysisConfig, ConfigError


def test_defaults_round_trip_through_toml(tmp_path):
    config = AnalysisConfig()
    path = tmp_path / "c.toml"
    path.write_text(config.to_toml())
    again = AnalysisConfig.from_toml(path)
    assert again.aggregate == config.aggregate
    assert again.models.stance == config.models.stance and again.models.tone == config.models.tone
    # every relative path the file sets is read from its folder
    assert again.corpus.paths == (str(tmp_path / "seeds"),)
    assert again.models.cache == str(tmp_path / config.models.cache)
    assert again.run.runs_dir == str(tmp_path / "runs")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[models]\nstance = 3\n", "models.stance: expected a model name, got 3"),
        (
            "[aggregate]\nn_bootstrap = 0\n",
            "aggregate.n_bootstrap: expected an integer from 100 to",
        ),
        (
            "[aggregate]\nn_bootstrap = 1000000000\n",
            "aggregate.n_bootstrap: expected an integer from 100 to 100,000 (fewer",
        ),
        ("[topics]\nthreshold = 2.0\n", "topics.threshold: expected a number in [0, 1]"),
        ("[modles]\nstance = 'x'\n", "unknown section(s) ['modles']"),
        ("[models]\nstanse = 'x'\n", "unknown key(s) ['stanse'] in [models]"),
        ("[models\n", "expected valid TOML"),
        ("[aggregate]\nseed = -1\n", "aggregate.seed: expected an integer >= 0, got -1"),
        ("[aggregate]\nseed = true\n", "aggregate.seed: expected an integer >= 0, got true"),
        ("[aggregate]\nn_bootstrap = true\n", "aggregate.n_bootstrap: expected an integer"),
        ("[aggregate]\nmin_stance_mass = false\n", "aggregate.min_stance_mass: expected a number"),
        ("[topics]\nthreshold = true\n", "topics.threshold: expected a number in [0, 1]"),
        ("[corpus]\npaths = []\n", "corpus.paths: expected a non-empty list of non-empty path"),
        ("[models]\nbatch_size = 16\n", "models.batch_size was removed"),
        ("[topics]\ngate = false\n", "topics.gate: expected a number in [0, 1]"),
        ("[topics]\npassage_gate = 1.5\n", "topics.passage_gate: expected a number in [0, 1]"),
        (
            "[topics]\ncounter_examples = true\n",
            "topics.counter_examples: expected auto or always or never, got true",
        ),
        (
            "[topics]\nrelevance = 'fast'\n",
            "topics.relevance: expected cascade or full, got 'fast'",
        ),
        (
            "[aggregate]\nconfidence = 1.0\n",
            "aggregate.confidence: expected a number between 0 and 1, both excluded, got 1.0",
        ),
        ("[aggregate]\nn_bootstrap = 1\n", "aggregate.n_bootstrap: expected an integer from 100"),
        ("[aggregate]\nstance_rule = 'median'\n", "aggregate.stance_rule: expected mean or"),
        # model names and backend options are checked at load, before any model is built
        ("[models]\nstance = 'stance.minilm.v9'\n", "unknown model name 'stance.minilm.v9'"),
        ("[models]\ntone = 'stance.nli.v1'\n", "is a stance model, expected a tone model"),
        ("[models]\nstance = 'stance.nli.v1'\n", "stance.nli.v1 needs option(s) ['model']"),
        (  # an endpoint's address no command line gives: not "give the folder or hub id"
            "[models]\nstance = 'stance.chat.v1'\n",
            "stance_options] of an experiment TOML; options a command line cannot give",
        ),
        (
            "[models]\nstance = 'stance.nli.v1'\n[models.stance_options]\nmodel = 'm'\nbogus = 1\n",
            "does not take option(s) ['bogus']; it takes: model, favor_template",
        ),
        (
            "[models]\nstance = 'stance.nli.v1'\n[models.stance_options]\nmodel = 'm'\n"
            "batch_size = true\n",
            "option batch_size: expected an integer >= 1, got True",
        ),
        (
            "[models]\nstance = 'stance.nli.v1'\n[models.stance_options]\nmodel = 'm'\n"
            "favor_template = 'The author supports it.'\n",
            "option favor_template: expected a hypothesis template containing {target}",
        ),
        (
            "[models]\nstance = 'stance.chat.v1'\n[models.stance_options]\n"
            "base_url = 'ftp://x'\nmodel = 'm'\n",
            "stance.chat.v1: base_url: expected an http(s) URL",
        ),
        (
            "[models]\ntone = 'org/some-model'\n[models.tone_options]\nlabel_map = 3\n",
            "option label_map: expected a table of model label",
        ),
        (
            "[models]\ntone = 'tone.hf-classifier.v1'\n[models.tone_options]\nmodel = 'x'\n"
            "label_map = {LABEL_0 = 'negative', LABEL_2 = 'good'}\n",
            "option label_map: expected a table of model label = negative / neutral / positive",
        ),
    ],
)
def test_invalid_configs_say_what_was_expected_and_found(tmp_path, toml, message):
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        AnalysisConfig.from_toml(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_recorded_topic_definitions_do_not_break_reloading(tmp_path):
    text = AnalysisConfig().to_toml() + '\n[topic_definitions.x]\nlabel = "X"\n'
    path = tmp_path / "run.toml"
    path.write_text(text)
    assert AnalysisConfig.from_toml(path).models.stance == "stance.minilm.v2"


def test_every_relative_path_in_a_toml_file_is_read_from_its_folder(tmp_path, monkeypatch):
    exp = tmp_path / "exp"
    (exp / "models" / "local-nli").mkdir(parents=True)
    _hf_folder(tmp_path / "shared-model", ["negative", "neutral", "positive"])
    (exp / "x.toml").write_text(
        """
[corpus]
paths = ["../seeds"]
[models]
stance = "stance.nli.v1"
tone = "../shared-model"
cache = "cache/p.sqlite"
[models.stance_options]
model = "models/local-nli"
[models.tone_options]
model = "org/some-hub-model"
[run]
runs_dir = "out/runs"
"""
    )
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = AnalysisConfig.from_toml("../exp/x.toml")
    base = exp.resolve()
    assert config.corpus.paths == (str(base.parent / "seeds"),)  # normalised
    assert config.models.stance == "stance.nli.v1"  # registered names stay names
    assert config.models.tone == str(base.parent / "shared-model")
    assert config.models.stance_options["model"] == str(base / "models/local-nli")
    assert config.models.tone_options["model"] == "org/some-hub-model"  # a hub id
    assert config.models.cache == str(base / "cache/p.sqlite")
    assert config.run.runs_dir == str(base / "out/runs")


def test_defaults_a_toml_file_does_not_set_stay_relative_to_the_working_folder(tmp_path):
    (tmp_path / "x.toml").write_text('[models]\nstance = "stance.minilm.v2"\n')
    config = AnalysisConfig.from_toml(tmp_path / "x.toml")
    assert config.run.runs_dir == "runs"
    assert config.models.cache == AnalysisConfig().models.cache


def test_a_config_is_frozen_and_changed_only_through_validated_copies():
    config = AnalysisConfig()
    with pytest.raises(AttributeError):
        config.run.name = "x"  # type: ignore[misc]
    renamed = config.with_values(run={"name": "x"}, aggregate={"seed": 3})
    assert (renamed.run.name, renamed.aggregate.seed) == ("x", 3)
    assert (config.run.name, config.aggregate.seed) == ("", 0)  # the original is untouched
    with pytest.raises(ConfigError, match=r"command line: aggregate\.seed: expected an integer"):
        config.with_values(aggregate={"seed": -2})
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['sead'\] in \[aggregate\]"):
        config.with_values(aggregate={"sead": 1})


def test_a_passage_gate_above_the_gate_reads_as_the_gate(tmp_path):
    """Lowering only the gate makes one gate again; a passage gate under it is kept."""
    path = tmp_path / "c.toml"
    path.write_text("[topics]\ngate = 0.5\n")
    assert AnalysisConfig.from_toml(path).topics.passage_gate == 0.5
    path.write_text("[topics]\ngate = 0.95\npassage_gate = 0.6\n")
    topics = AnalysisConfig.from_toml(path).topics
    assert (topics.gate, topics.passage_gate) == (0.95, 0.6)


def test_counter_examples_veto_alias_hits_by_default_only_without_a_topic_head(tmp_path):
    path = tmp_path / "c.toml"
    chosen = {}
    for value in ("auto", "always", "never"):
        path.write_text(f'[topics]\ncounter_examples = "{value}"\n')
        topics = AnalysisConfig.from_toml(path).topics
        chosen[value] = (topics.uses_counter_examples(True), topics.uses_counter_examples(False))
    assert chosen == {"auto": (False, True), "always": (True, True), "never": (False, False)}
    assert AnalysisConfig().topics.counter_examples == "auto"


def test_auto_counter_examples_veto_for_the_topics_a_topic_head_never_judged(tmp_path):
    auto = AnalysisConfig().topics
    assert auto.counter_example_topics(True, ["ukraine"]) == frozenset({"ukraine"})
    assert auto.counter_example_topics(True, []) is False  # the head judges every topic here
    assert auto.counter_example_topics(True, None) is False  # every target trusted
    assert auto.counter_example_topics(False, ["ukraine"]) is True  # no head at all
    path = tmp_path / "c.toml"
    for value, expected in (("always", True), ("never", False)):
        path.write_text(f'[topics]\ncounter_examples = "{value}"\n')
        section = AnalysisConfig.from_toml(path).topics
        assert section.counter_example_topics(True, ["ukraine"]) is expected


def test_the_threshold_has_no_sentinel_value(tmp_path):
    """Left out, the threshold is None (the model's default) and stays out of the written file;
    0 is a real threshold, not "the default"."""
    config = AnalysisConfig()
    assert config.topics.threshold is None
    assert "threshold" not in config.to_toml()
    path = tmp_path / "c.toml"
    path.write_text(config.to_toml())
    assert AnalysisConfig.from_toml(path).topics.threshold is None
    path.write_text("[topics]\nthreshold = 0\n")
    assert AnalysisConfig.from_toml(path).topics.threshold == 0.0


def test_a_bad_experiment_file_fails_before_torch_is_imported(tmp_path):
    """`viewpoints run` on a bad file stops in the config, before anything heavy loads."""
    import subprocess
    import sys

    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[models]\nstance = 'stance.nli.v1'\n[models.stance_options]\nmodel = 'm'\nx = 1\n"
    )
    probe = (
        "import sys\n"
        "from analysis.cli import main\n"
        "code = main(['run', sys.argv[1]])\n"
        "assert 'torch' not in sys.modules, 'torch was imported before the config failed'\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(bad)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "does not take option(s) ['x']" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_model_folder_beside_the_file_loads_from_any_working_folder(tmp_path, monkeypatch):
    """A folder named like a registered name (stance.mine.v1) beside the experiment is that
    folder, wherever the command runs; paths resolve before names are checked."""
    exp = tmp_path / "exp"
    exp.mkdir()
    _hf_folder(exp / "stance.mine.v1", ["favor", "against", "none"])
    (exp / "x.toml").write_text('[models]\nstance = "stance.mine.v1"\n')
    monkeypatch.chdir(tmp_path)
    config = AnalysisConfig.from_toml(exp / "x.toml")
    assert config.models.stance == str(exp.resolve() / "stance.mine.v1")
    (exp / "y.toml").write_text('[models]\nstance = "stance.other.v1"\n')
    with pytest.raises(ConfigError, match=r"unknown model name 'stance\.other\.v1'"):
        AnalysisConfig.from_toml(exp / "y.toml")


def test_absolute_paths_are_read_from_the_working_folder_and_normalised(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    _hf_folder(tmp_path / "models" / "nli", ["entailment", "neutral", "contradiction"])
    monkeypatch.chdir(tmp_path)
    config = AnalysisConfig().with_values(
        corpus={"paths": ["news", "/data/x/../y.jsonl"]},
        topics={"file": "t.toml"},
        models={"stance": "models/../models/nli", "cache": "c.sqlite"},
        run={"runs_dir": "runs"},
    )
    absolute = config.with_absolute_paths()
    assert absolute.corpus.paths == (str(tmp_path / "news"), "/data/y.jsonl")
    assert absolute.topics.file == str(tmp_path / "t.toml")
    assert absolute.models.stance == str(tmp_path / "models" / "nli")
    assert absolute.models.cache == str(tmp_path / "c.sqlite")
    assert absolute.run.runs_dir == str(tmp_path / "runs")
    # names stay names, "" stays "no cache" and "built-in topics"
    plain = AnalysisConfig().with_values(models={"cache": ""}).with_absolute_paths()
    assert plain.models.stance == "stance.minilm.v2" and plain.models.cache == ""
    assert plain.topics.file == ""
    # a chat endpoint's model is the server's name for it, not a folder
    options = {"base_url": "http://localhost:11434/v1", "model": "qwen2.5:7b-instruct"}
    chat = AnalysisConfig().with_values(
        models={"stance": "stance.chat.v1", "stance_options": options}
    )
    assert chat.with_absolute_paths().models.stance_options["model"] == "qwen2.5:7b-instruct"


def test_a_topic_written_into_an_experiment_says_where_topics_go(tmp_path):
    """An audit wrote [topics.nato_expansion] into an experiment (as a topics file has it) and
    got only "unknown key(s)"."""
    from analysis.config import AnalysisConfig, ConfigError

    experiment = tmp_path / "exp.toml"
    experiment.write_text('[topics.nato_expansion]\nlabel = "NATO expansion"\n')
    with pytest.raises(ConfigError) as err:
        AnalysisConfig.from_toml(experiment)
    said = str(err.value)
    assert "[topics.nato_expansion] defines a topic" in said
    assert '[topics] file = "FILE"' in said
    experiment.write_text('[topics]\nfile = "mine.toml"\n')
    assert AnalysisConfig.from_toml(experiment).topics.file.endswith("mine.toml")


def _hf_folder(path, labels):
    """A folder with only the config.json a Hugging Face classifier's labels are read from."""
    import json

    path.mkdir()
    id2label = {str(i): label for i, label in enumerate(labels)}
    (path / "config.json").write_text(json.dumps({"id2label": id2label}))
    return path


@pytest.mark.parametrize(
    ("labels", "table", "message"),
    [
        (
            ["FAVOR", "AGAINST", "NONE"],
            "",
            "are stance labels, not tone labels: give it as the stance model",
        ),
        (
            ["LABEL_0", "LABEL_1", "LABEL_2"],
            "label_map = {LABEL_0 = 'negative', LABEL_1 = 'neutral', LABEL_3 = 'positive'}\n",
            "label map key(s) ['LABEL_3'] are not labels of tone model",
        ),
        (None, "", "has no config.json: expected a Hugging Face model folder"),
        ("viewpoints", "", "is a viewpoints model (viewpoints_model.json), not a Hugging Face"),
    ],
)
def test_a_local_classifier_folder_is_checked_at_load_naming_the_file(
    tmp_path, labels, table, message
):
    """A review's wrong-task folder, misspelt label-map key and folder holding no model failed
    only once the other models had loaded (7 s), in messages that named no file."""
    folder = tmp_path / "model"
    if labels is None:
        folder.mkdir()
        (folder / "README.md").write_text("not a model")
    elif labels == "viewpoints":  # the project's own model, to be named as the model itself
        folder.mkdir()
        (folder / "viewpoints_model.json").write_text("{}")
    else:
        _hf_folder(folder, labels)
    path = tmp_path / "exp.toml"
    path.write_text(
        f"[models]\ntone = 'tone.hf-classifier.v1'\n[models.tone_options]\nmodel = 'model'\n{table}"
    )
    with pytest.raises(ConfigError) as info:
        AnalysisConfig.from_toml(path)
    assert message in str(info.value) and str(path) in str(info.value)
    assert "models.tone" in str(info.value)


def test_a_folder_given_as_the_model_itself_is_checked_too(tmp_path):
    _hf_folder(tmp_path / "sentiment", ["negative", "neutral", "positive"])
    _hf_folder(tmp_path / "nli", ["entailment", "neutral", "contradiction"])
    path = tmp_path / "exp.toml"
    path.write_text("[models]\nstance = 'sentiment'\n")
    with pytest.raises(ConfigError, match="are tone labels, not stance labels"):
        AnalysisConfig.from_toml(path)
    path.write_text("[models]\nstance = 'nli'\n")  # an NLI folder is a stance model (NLI backend)
    assert AnalysisConfig.from_toml(path).models.stance == str(tmp_path / "nli")
    path.write_text("[models]\ntone = 'nli'\n")
    with pytest.raises(ConfigError, match=r"is an NLI model .* not tone"):
        AnalysisConfig.from_toml(path)


def test_the_record_fields_a_config_names_are_the_readers_own():
    """`[corpus.fields]` is checked without the corpus package (an import cycle): its keys
    must stay those of the readers' FieldMap."""
    from dataclasses import fields

    from analysis.config import RECORD_FIELDS
    from analysis.corpus.fields import FieldMap

    assert tuple(f.name for f in fields(FieldMap)) == RECORD_FIELDS

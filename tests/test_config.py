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
    assert again.corpus.paths == [str(tmp_path / "seeds")]
    assert again.models.cache == str(tmp_path / config.models.cache)
    assert again.run.runs_dir == str(tmp_path / "runs")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[models]\nstance = 3\n", "models.stance: expected a model name, got 3"),
        ("[aggregate]\nn_bootstrap = 0\n", "aggregate.n_bootstrap: expected an integer >= 1"),
        ("[topics]\nthreshold = 2.0\n", "topics.threshold: expected a number in [0, 1]"),
        ("[modles]\nstance = 'x'\n", "unknown section(s) ['modles']"),
        ("[models]\nstanse = 'x'\n", "unknown key(s) ['stanse'] in [models]"),
        ("[models\n", "not valid TOML"),
        ("[aggregate]\nseed = -1\n", "aggregate.seed: expected an integer >= 0, got -1"),
        ("[aggregate]\nseed = true\n", "aggregate.seed: expected an integer >= 0, got True"),
        ("[aggregate]\nn_bootstrap = true\n", "aggregate.n_bootstrap: expected an integer"),
        ("[aggregate]\nmin_stance_mass = false\n", "aggregate.min_stance_mass: expected a number"),
        ("[topics]\nthreshold = true\n", "topics.threshold: expected a number in [0, 1]"),
        ("[models]\nbatch_size = 16\n", "models.batch_size was removed"),
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
    (tmp_path / "shared-model").mkdir()
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
    assert config.corpus.paths == [str(base / "../seeds")]
    assert config.models.stance == "stance.nli.v1"  # registered names stay names
    assert config.models.tone == str(base / "../shared-model")
    assert config.models.stance_options["model"] == str(base / "models/local-nli")
    assert config.models.tone_options["model"] == "org/some-hub-model"  # a hub id
    assert config.models.cache == str(base / "cache/p.sqlite")
    assert config.run.runs_dir == str(base / "out/runs")


def test_defaults_a_toml_file_does_not_set_stay_relative_to_the_working_folder(tmp_path):
    (tmp_path / "x.toml").write_text('[models]\nstance = "stance.minilm.v2"\n')
    config = AnalysisConfig.from_toml(tmp_path / "x.toml")
    assert config.run.runs_dir == "runs"
    assert config.models.cache == AnalysisConfig().models.cache

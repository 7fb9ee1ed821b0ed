import pytest

from analysis.config import AnalysisConfig, ConfigError


def test_defaults_round_trip_through_toml(tmp_path):
    config = AnalysisConfig()
    path = tmp_path / "c.toml"
    path.write_text(config.to_toml())
    again = AnalysisConfig.from_toml(path)
    assert again.models == config.models and again.aggregate == config.aggregate
    assert again.corpus.paths == [str(tmp_path / "seeds")]  # relative to the TOML file


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[models]\nstance = 3\n", "models.stance: expected a model name, got 3"),
        ("[aggregate]\nn_bootstrap = 0\n", "aggregate.n_bootstrap: expected an integer >= 1"),
        ("[topics]\nthreshold = 2.0\n", "topics.threshold: expected a number in [0, 1]"),
        ("[modles]\nstance = 'x'\n", "unknown section(s) ['modles']"),
        ("[models]\nstanse = 'x'\n", "unknown key(s) ['stanse'] in [models]"),
        ("[models\n", "not valid TOML"),
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

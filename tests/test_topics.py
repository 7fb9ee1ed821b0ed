import numpy as np
import pytest

from analysis.topics import (
    ALIAS_WEIGHT,
    DEFAULT_THRESHOLD,
    DEFAULT_TOPICS_PATH,
    Topic,
    TopicMatcher,
    TopicsError,
    alias_pattern,
    combine,
    folded,
    load_topics,
    topics_sha256,
    unjudged_topics,
    with_previous,
)

VALID = """
[topics.fishing]
label = "Fishing"
description = "Fishing quotas in the North Sea."
target = "fishing quotas"
aliases = ["fishing quota", "trawler"]
"""


@pytest.fixture(scope="module")
def matcher():
    """The default topics with the real pinned MiniLM, loaded once for this module."""
    from analysis.embedding import Embedder

    return TopicMatcher(load_topics(), Embedder())


def write(tmp_path, text):
    path = tmp_path / "topics.toml"
    path.write_text(text)
    return path


# --- loading and validation ------------------------------------------------------------


def test_defaults_load_with_the_three_topics_and_their_targets():
    topics = load_topics()
    assert [t.key for t in topics] == ["arms_control", "sanctions", "ukraine"]
    by_key = {t.key: t for t in topics}
    assert "Russia" in by_key["sanctions"].target
    assert "Ukraine" in by_key["ukraine"].target
    for topic in topics:
        assert topic.aliases and all(isinstance(a, str) for a in topic.aliases)
        assert topic.favor_template and topic.against_template
    assert load_topics(DEFAULT_TOPICS_PATH) == topics


def test_a_valid_file_loads_and_optional_fields_default(tmp_path):
    (topic,) = load_topics(write(tmp_path, VALID))
    assert topic.key == "fishing"
    assert topic.aliases == ("fishing quota", "trawler")
    assert topic.favor_template is None and topic.examples == () and topic.counter_examples == ()


def test_to_dict_from_dict_round_trip():
    for topic in load_topics():
        data = topic.to_dict()
        assert isinstance(data["aliases"], list)
        assert Topic.from_dict(data) == topic


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('colour = "blue"\n', r"got unknown \['colour'\]"),
        ("examples = 3\n", r"'examples': expected a list of strings, got int"),
        ("counter_examples = [1]\n", r"'counter_examples': expected non-empty strings, got 1"),
        ('favor_template = "supports {side}"\n', r"'favor_template': expected a template"),
        ('favor_template = "supports {target.foo}"\n', r"\(found \{target\.foo\}\)"),
        ('against_template = "opposes {target.upper}"\n', r"\(found \{target\.upper\}\)"),
        ('favor_template = "supports {target:d} and {}"\n', r"found \{target:d\}, \{\}\)"),
        ('favor_template = "supports {target!r}"\n', r"\(found \{target!r\}\)"),
        ('favor_template = "supports {target"\n', r"expected a template whose only placeholder"),
    ],
)
def test_bad_fields_name_file_topic_and_expectation(tmp_path, extra, message):
    path = write(tmp_path, VALID + extra)
    with pytest.raises(TopicsError, match=message) as err:
        load_topics(path)
    assert str(path) in str(err.value) and "'fishing'" in str(err.value)


def test_a_label_too_long_for_the_pages_is_refused_with_its_length(tmp_path):
    long = "Fishing quotas, trawler licences and the " + "x" * 30
    path = write(tmp_path, VALID.replace('label = "Fishing"', f'label = "{long}"'))
    with pytest.raises(TopicsError, match=rf"expected at most 60 characters .* got {len(long)}"):
        load_topics(path)
    at_limit = VALID.replace('label = "Fishing"', f'label = "{"F" * 60}"')
    assert load_topics(write(tmp_path, at_limit))[0].label == "F" * 60


def test_an_alias_needs_a_letter_or_digit(tmp_path):
    path = write(tmp_path, VALID.replace('"trawler"', '"trawler", " - "'))
    with pytest.raises(TopicsError, match=r"'aliases': expected words .* got ' - '"):
        load_topics(path)


def test_missing_field_is_named(tmp_path):
    path = write(tmp_path, VALID.replace('target = "fishing quotas"\n', ""))
    needs = r"'label', 'description', 'target', 'aliases'"
    with pytest.raises(
        TopicsError, match=rf"'fishing': missing 'target' \(every topic needs {needs}"
    ):
        load_topics(path)


def test_wrong_type_says_expected_and_got(tmp_path):
    path = write(tmp_path, VALID.replace('label = "Fishing"', "label = 7"))
    with pytest.raises(TopicsError, match=r"'label': expected a string, got int"):
        load_topics(path)
    path = write(tmp_path, VALID.replace('aliases = ["fishing quota", "trawler"]', 'aliases = "x"'))
    with pytest.raises(TopicsError, match=r"'aliases': expected a list of strings, got str"):
        load_topics(path)


def test_empty_aliases_and_blank_entries_are_refused(tmp_path):
    path = write(tmp_path, VALID.replace('target = "fishing quotas"', 'target = "   "'))
    with pytest.raises(TopicsError, match=r"'target': expected a non-empty string, got '   '"):
        load_topics(path)  # what the file holds, not ''
    path = write(tmp_path, VALID.replace('["fishing quota", "trawler"]', "[]"))
    with pytest.raises(TopicsError, match=r"'aliases': expected at least one entry"):
        load_topics(path)
    path = write(tmp_path, VALID.replace('"trawler"', '" "'))
    with pytest.raises(TopicsError, match=r"expected non-empty strings, got ' ' at position 1"):
        load_topics(path)


def test_two_topics_may_not_share_a_label_or_a_target(tmp_path):
    second = VALID.replace("topics.fishing", "topics.quotas").replace("trawler", "net")
    with pytest.raises(
        TopicsError,
        match=r"'fishing' and 'quotas': expected a different label .* 'Fishing' and ' fishing'",
    ):
        load_topics(write(tmp_path, VALID + second.replace("Fishing", " fishing")))
    other_label = second.replace('label = "Fishing"', 'label = "Quotas"')
    with pytest.raises(TopicsError, match=r"expected a different target .* 'fishing quotas'"):
        load_topics(write(tmp_path, VALID + other_label))
    distinct = other_label.replace('target = "fishing quotas"', 'target = "North Sea quotas"')
    assert [t.label for t in load_topics(write(tmp_path, VALID + distinct))] == [
        "Fishing",
        "Quotas",
    ]


def test_file_level_errors(tmp_path):
    with pytest.raises(TopicsError, match="no such file"):
        load_topics(tmp_path / "absent.toml")
    with pytest.raises(TopicsError, match="expected valid TOML"):
        load_topics(write(tmp_path, "[topics.x\n"))
    with pytest.raises(TopicsError, match=r"expected \[topics.KEY\] tables"):
        load_topics(write(tmp_path, "[topics]\n"))
    with pytest.raises(TopicsError, match=r"expected \[topics.KEY\] tables, got int"):
        load_topics(write(tmp_path, "topics = 3\n"))
    with pytest.raises(TopicsError, match=r"topic 'x': expected a table, got int"):
        load_topics(write(tmp_path, "[topics]\nx = 1\n"))
    with pytest.raises(TopicsError, match=r"expected only a \[topics\] table.*\['extra'\]"):
        load_topics(write(tmp_path, "extra = 1\n" + VALID))
    with pytest.raises(TopicsError, match="expected a topic key"):
        load_topics(write(tmp_path, VALID.replace("[topics.fishing]", '[topics."Bad Key"]')))
    # a lowercase key in another script: the message says ASCII, not just "lowercase"
    with pytest.raises(TopicsError, match=r"lowercase ASCII letters a-z.*'санкции'"):
        load_topics(write(tmp_path, VALID.replace("[topics.fishing]", '[topics."санкции"]')))


def test_topics_hash_changes_with_the_definition():
    topics = load_topics()
    changed = [Topic.from_dict({**topics[0].to_dict(), "target": "something else"}), *topics[1:]]
    assert topics_sha256(topics) == topics_sha256(load_topics())
    assert topics_sha256(changed) != topics_sha256(topics)


# --- alias matching ----------------------------------------------------------------------


def test_aliases_match_whole_words_ignoring_case():
    pattern = alias_pattern(["sanctions", "arms control"])
    assert pattern.search("New SANCTIONS were announced.")
    assert pattern.search("Arms-control talks resumed.")
    assert pattern.search("talks on arms\ncontrol")
    assert not pattern.search("The sanctionsbill passed.")
    assert not pattern.search("He disarms controllers.")


def test_acronyms_must_start_with_a_capital():
    pattern = alias_pattern(["INF", "New START"])
    assert pattern.search("the INF treaty")
    assert pattern.search("the New Start treaty")
    assert not pattern.search("a new start for relations")
    assert not pattern.search("inf")
    assert not pattern.search("INFO")


def test_acronyms_match_written_with_periods():
    pattern = alias_pattern(["INF", "arms control"])
    assert pattern.search("withdrew from the I.N.F. treaty")
    assert pattern.search("the I.N.F treaty")
    assert not pattern.search("the i.n.f. treaty")  # periods keep the capitals
    assert not pattern.search("I.N.F.O.")


def test_alias_hits_per_topic(matcher):
    hits = matcher.alias_hits(
        ["The EU extended sanctions.", "Kyiv asked for help.", "The weather was fine."]
    )
    assert hits.shape == (3, 3) and hits.dtype == bool
    assert hits.tolist() == [[False, True, False], [False, False, True], [False, False, False]]


# --- relevance ---------------------------------------------------------------------------


def test_combine_orders_alias_and_similarity():
    hits = np.array([[True], [False], [True], [False]])
    sims = np.array([[0.9], [0.9], [0.0], [0.0]])
    rel = combine(hits, sims).ravel()
    assert rel[0] == pytest.approx(1.0) and rel[3] == pytest.approx(0.0)
    assert rel[0] > rel[1] > rel[3] and rel[0] > rel[2] > rel[3]


def test_an_alias_counts_only_where_the_passage_is_nearer_the_topic_than_its_counter_examples():
    hits = np.array([[True], [True]])
    sims = np.array([[0.5], [0.5]])
    counter = np.array([[0.4], [0.6]])
    rel = combine(hits, sims, counter).ravel()
    assert rel[0] > rel[1]
    assert rel[1] == pytest.approx(combine(np.array([[False]]), np.array([[0.5]]))[0, 0])


def test_a_matcher_without_counter_examples_lets_the_alias_hit_count(matcher):
    """Sanctions on Iran are nearer the sanctions topic's counter-examples than its prototypes:
    with them the alias hit is vetoed; without them (behind a topic head) it counts."""
    text = ["The United States reimposed sanctions on Iran's oil exports and its central bank."]
    without = TopicMatcher(matcher.topics, matcher.embedder_, counter_examples=False)
    sanctions = matcher.keys.index("sanctions")
    vetoed, counted = matcher.relevance(text)[0, sanctions], without.relevance(text)[0, sanctions]
    assert counted == pytest.approx(vetoed + ALIAS_WEIGHT, abs=1e-5)
    assert matcher.identity()["counter_examples"] is True
    assert without.identity()["counter_examples"] is False


def test_a_matcher_vetoes_with_the_counter_examples_of_the_topics_it_is_given(matcher):
    text = ["The United States reimposed sanctions on Iran's oil exports and its central bank."]
    sanctions = matcher.keys.index("sanctions")
    only_sanctions = TopicMatcher(matcher.topics, matcher.embedder_, counter_examples={"sanctions"})
    only_ukraine = TopicMatcher(matcher.topics, matcher.embedder_, counter_examples=["ukraine"])
    vetoed = matcher.relevance(text)[0, sanctions]
    assert only_sanctions.relevance(text)[0, sanctions] == pytest.approx(vetoed, abs=1e-5)
    assert only_ukraine.relevance(text)[0, sanctions] == pytest.approx(
        vetoed + ALIAS_WEIGHT, abs=1e-5
    )
    assert only_sanctions.identity()["counter_examples"] == ["sanctions"]
    every = TopicMatcher(matcher.topics, matcher.embedder_, counter_examples=matcher.keys)
    assert every.counter_examples is True
    with pytest.raises(TopicsError, match=r"expected counter-examples for topics among .*'iran'"):
        TopicMatcher(matcher.topics, matcher.embedder_, counter_examples={"iran"})


def test_topics_whose_target_a_topic_head_never_judged():
    topics = load_topics()
    assert unjudged_topics(topics, None) == []
    trusted = {folded(" US-russia  ARMS control"), folded("Sanctions on Russia")}
    assert [t.key for t in unjudged_topics(topics, trusted)] == ["ukraine"]


def test_relevance_shape_range_and_sanctions_passage(matcher):
    texts = [
        "Washington imposed new sanctions on Russian banks and energy companies.",
        "The committee met on Tuesday to discuss the school budget.",
        "",
    ]
    rel = matcher.relevance(texts)
    assert rel.shape == (3, 3) and rel.dtype == np.float32
    assert ((rel >= 0) & (rel <= 1)).all()
    sanctions = matcher.keys.index("sanctions")
    assert rel[0].argmax() == sanctions
    assert rel[0, sanctions] >= matcher.threshold
    assert (rel[1] < matcher.threshold).all()
    assert matcher.relevance([]).shape == (0, 3)


def test_similarity_alone_finds_a_topic_without_aliases(matcher):
    text = "Moscow and Washington agreed to cut their stockpiles of strategic nuclear warheads."
    assert not matcher.alias_hits([text]).any()
    sims = matcher.similarity(matcher.embedder_.encode([text]))
    assert sims[0].argmax() == matcher.keys.index("arms_control")


def test_sanctions_on_iran_are_not_sanctions_on_russia(matcher):
    texts = [
        "The United States reimposed sanctions on Iran's oil exports and its central bank.",
        "The United States imposed new sanctions on Russian banks and oligarchs close to Putin.",
    ]
    assert matcher.alias_hits(texts)[:, matcher.keys.index("sanctions")].all()
    rel = matcher.relevance(texts)[:, matcher.keys.index("sanctions")]
    assert rel[0] < matcher.threshold <= rel[1]


def test_the_previous_passage_lends_its_topic(matcher):
    texts = ["They were extended for another six months on Monday."]
    previous = ["The European Union's economic sanctions against Russia hit its banks."]
    j = matcher.keys.index("sanctions")
    alone = matcher.relevance(texts)[0, j]
    with_context = matcher.relevance(texts, previous=previous)[0, j]
    assert with_context > alone
    assert matcher.relevance(texts, previous=[None])[0, j] == pytest.approx(alone, abs=1e-3)


def test_with_previous_joins_and_validates():
    assert with_previous(["b", "c"], ["a", None]) == ["a b", "c"]
    with pytest.raises(ValueError, match="one previous passage per text, got 1 for 2"):
        with_previous(["b", "c"], ["a"])
    with pytest.raises(ValueError, match="previous passage 0 to be a string or None, got int"):
        with_previous(["b"], [3])


def test_threshold_decides_what_is_on_topic(matcher):
    texts = ["Congress voted to keep the sanctions against Moscow in place."]
    rel = matcher.relevance(texts, embeddings=matcher.embedder_.encode(texts))
    strict = TopicMatcher(matcher.topics, matcher.embedder_, threshold=1.0)
    lax = TopicMatcher(matcher.topics, matcher.embedder_, threshold=0.0)
    assert lax.on_topic(rel).all()
    assert strict.on_topic(rel).sum() <= matcher.on_topic(rel).sum() <= lax.on_topic(rel).sum()
    assert matcher.on_topic(rel)[0, matcher.keys.index("sanctions")]
    assert 0.0 < DEFAULT_THRESHOLD < 1.0


def test_matcher_validates_its_arguments(matcher):
    with pytest.raises(ValueError, match=r"expected threshold in \[0, 1\], got 1.5"):
        TopicMatcher(matcher.topics, threshold=1.5)
    with pytest.raises(TopicsError, match="duplicates"):
        TopicMatcher([matcher.topics[0], matcher.topics[0]])
    with pytest.raises(TopicsError, match="non-empty sequence of Topic"):
        TopicMatcher([])
    with pytest.raises(ValueError, match="single string"):
        matcher.relevance("a string, not a list")
    with pytest.raises(ValueError, match="one embedding per text"):
        matcher.relevance(["a", "b"], embeddings=np.zeros((1, 384)))


def test_identity_names_embedder_threshold_and_topics(matcher):
    ident = matcher.identity()
    assert ident["threshold"] == matcher.threshold
    assert ident["topics_sha256"] == topics_sha256(matcher.topics)
    assert ident["embedder"]["weights_sha256"] == matcher.embedder_.weights_sha256


def test_alias_hits_after_the_one_pattern_scan_are_each_topics_own():
    matcher = TopicMatcher(load_topics())
    texts = [
        "Sanctions on Moscow and aid to Ukraine were debated.",
        "The INF Treaty collapsed.",
        "Nothing here about any of it.",
        "a new start for the bakery",
        "",
    ]
    expected = np.array([[bool(p.search(t)) for p in matcher.patterns_] for t in texts])
    np.testing.assert_array_equal(matcher.alias_hits(texts), expected)
    assert expected[0, 1] and expected[0, 2] and expected[1, 0] and not expected[2:].any()

"""Sentence spans: exact character spans, abbreviations, quotes, merging and repeats."""

from __future__ import annotations

from analysis.corpus.passages import build_passages
from analysis.corpus.sentences import paragraph_spans, sentence_spans

TEXT = (
    "Mr. Smith met Sen. Jones in Washington, D.C. on Jan. 5. Inflation rose 4.5 percent in "
    "the U.S. economy. The plan came from the U.S. But it failed. John F. Kennedy said so. "
    '"Is this fun?" Trump said Saturday. It was No. 1 on the list. Wait... Then it ended!\n\n'
    "A second paragraph starts here? Yes, it does."
)


def _sentences(text):
    return [text[s:e] for spans in sentence_spans(text) for s, e in spans]


def test_sentence_spans_handle_abbreviations_initials_decimals_and_quotes():
    assert _sentences(TEXT) == [
        "Mr. Smith met Sen. Jones in Washington, D.C. on Jan. 5.",
        "Inflation rose 4.5 percent in the U.S. economy.",
        "The plan came from the U.S.",
        "But it failed.",
        "John F. Kennedy said so.",
        '"Is this fun?" Trump said Saturday.',
        "It was No. 1 on the list.",
        "Wait...",
        "Then it ended!",
        "A second paragraph starts here?",
        "Yes, it does.",
    ]


def test_an_abbreviation_after_a_hyphen_is_still_an_abbreviation():
    """An abbreviation such as "then-U.S." cut an AllSides evidence passage in two."""
    text = (
        "The INF treaty was negotiated by then-U.S. President Ronald Reagan and Mikhail "
        "Gorbachev. It was hailed by ex-Sen. Lugar. They met in the U.S. The talks failed. "
        "It was brand-new. Next."
    )
    assert _sentences(text) == [
        "The INF treaty was negotiated by then-U.S. President Ronald Reagan and Mikhail Gorbachev.",
        "It was hailed by ex-Sen. Lugar.",
        "They met in the U.S.",
        "The talks failed.",
        "It was brand-new.",
        "Next.",
    ]


def test_paragraph_spans_split_on_blank_lines_only():
    text = "  One line\nsame paragraph.\n \n\nTwo.  "
    assert [text[s:e] for s, e in paragraph_spans(text)] == ["One line\nsame paragraph.", "Two."]


def test_passage_spans_index_the_article_text():
    passages = build_passages("a", TEXT)
    assert passages and all(TEXT[p.start : p.end] == p.text for p in passages)
    assert [p.index for p in passages] == list(range(len(passages)))
    assert [p.passage_id for p in passages[:2]] == ["a:0", "a:1"]


def test_short_fragments_merge_with_a_neighbour_in_the_same_paragraph():
    text = "“Fake news. Very dishonest,” he added. The crowd cheered at length.\n\nYes. No."
    passages = build_passages("a", text)
    assert [p.text for p in passages] == [
        "“Fake news. Very dishonest,” he added.",
        "The crowd cheered at length.",
        "Yes. No.",  # a paragraph of fragments stays one passage
    ]
    assert all(text[p.start : p.end] == p.text for p in passages)


def test_short_headings_are_not_passages():
    text = "USA TODAY\n\nThe summit was postponed until next year."
    assert [p.text for p in build_passages("a", text)] == [
        "The summit was postponed until next year."
    ]


def test_repeated_sentences_count_once():
    text = (
        "The relations are at their lowest point. The damage cannot be repaired quickly. "
        "More details follow here.\n\nThe relations are at their lowest point. "
        "The damage cannot be repaired quickly. Now both sides must act."
    )
    texts = [p.text for p in build_passages("a", text)]
    assert texts == [
        "The relations are at their lowest point.",
        "The damage cannot be repaired quickly.",
        "More details follow here.",
        "Now both sides must act.",
    ]


def test_text_without_sentence_ends_is_cut_into_passages_a_model_can_read():
    from analysis.corpus.passages import MAX_PASSAGE_CHARS

    words = [f"w{i}" for i in range(4000)]
    text = "Title line.\n\n" + " ".join(words)
    passages = build_passages("a", text)
    assert len(passages) > 2
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert all(text[p.start : p.end] == p.text for p in passages)
    assert " ".join(p.text for p in passages[1:]).split() == words  # no word lost or split
    # no space at all: cut at the limit (letters that do not repeat chunk to chunk)
    unbroken = "".join(chr(97 + i % 26) for i in range(2 * MAX_PASSAGE_CHARS + 10))
    pieces = build_passages("b", "A title.\n\n" + unbroken)
    assert [len(p.text) for p in pieces[1:]] == [MAX_PASSAGE_CHARS, MAX_PASSAGE_CHARS, 10]


def test_sentences_the_scrape_ran_together_are_split_and_abbreviations_are_not():
    text = (
        "The deal was signed over the summer.Even some Obama officials agreed. Gov.Abbott "
        "spoke. See nytimes.com today. It was 4.5 percent.Then it fell."
    )
    assert [text[a:b] for a, b in sentence_spans(text)[0]] == [
        "The deal was signed over the summer.",
        "Even some Obama officials agreed.",
        "Gov.Abbott spoke.",
        "See nytimes.com today.",
        "It was 4.5 percent.",
        "Then it fell.",
    ]

"""An article's passages: sentences with spans, short fragments merged, repeats dropped.

A sentence of fewer than :data:`MIN_WORDS` words ("Yes.", the opening of a quote like
"Fake news.") joins its neighbour in the same paragraph (the previous one, else the next),
so the merged span still holds exactly the text between its ends. A paragraph that is only a
short fragment without end punctuation ("USA TODAY", a byline) is a heading, not a passage.
A passage that repeats an earlier one of the same article (same words, ignoring case and
quote style) is dropped, so an article that restates its opening is not counted twice; the
article text keeps both copies. A span longer than :data:`MAX_PASSAGE_CHARS` (text without
sentence punctuation, such as a PDF dump) is cut at spaces into passages of at most that length,
so that no passage is more than a model reads or a page can show. A first paragraph that
repeats the title (without a closing stop: a lead sentence a source also files as the title
stays) is not a passage, and a passage is cut where a transcript's turn begins inside it.
"""

from __future__ import annotations

from analysis.corpus.clean import MIN_REPEAT_KEY, repeat_key
from analysis.corpus.documents import Passage
from analysis.corpus.sentences import sentence_spans
from analysis.corpus.speech import detect_speech, split_at_turns

MIN_WORDS = 4
# Longer than any sentence of the AllSides corpus (its longest passage: 3,242 characters).
MAX_PASSAGE_CHARS = 5000


def build_passages(
    article_id: str, text: str, author: str | None = None, title: str | None = None
) -> list[Passage]:
    """The passages of one article's cleaned ``text``, numbered from 0 (``title``: the
    article's, which a text repeating it as its first paragraph does not count twice, and which
    may say the text is another's, "Transcript: ...")."""
    paragraphs = [_cut_long(text, _merge_short(text, spans)) for spans in sentence_spans(text)]
    paragraphs = [spans for spans in paragraphs if not _is_heading(text, spans)]
    if title and len(paragraphs) > 1 and _is_title(text, paragraphs[0], title):
        paragraphs = paragraphs[1:]  # the title again, scraped into the text
    paragraphs = split_at_turns(text, paragraphs)  # one speaker's turn per passage
    speech = detect_speech(text, paragraphs, author, title)
    passages: list[Passage] = []
    seen: set[str] = set()
    flat = [span for spans in paragraphs for span in spans]
    for (start, end), (reported, speaker) in zip(flat, speech, strict=True):
        passage = text[start:end]
        if not any(ch.isalnum() for ch in passage):
            continue
        if len(passage) >= MIN_REPEAT_KEY:
            key = repeat_key(passage)
            if key in seen:
                continue
            seen.add(key)
        index = len(passages)
        passages.append(
            Passage(
                f"{article_id}:{index}", article_id, index, start, end, passage, reported, speaker
            )
        )
    return passages


def _is_title(text: str, spans: list[tuple[int, int]], title: str) -> bool:
    """Whether a paragraph repeats the title; a sentence ending in a stop is the lead even
    where a source files it as the title too."""
    paragraph = text[spans[0][0] : spans[-1][1]]
    return not paragraph.endswith(".") and repeat_key(paragraph) == repeat_key(title)


def _merge_short(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    pending: int | None = None  # start of short fragments waiting for the next sentence
    for start, end in spans:
        if pending is not None:
            start, pending = pending, None
        if _words(text, start, end) >= MIN_WORDS:
            merged.append((start, end))
        elif merged:
            merged[-1] = (merged[-1][0], end)
        else:
            pending = start
    if pending is not None:
        merged.append((pending, spans[-1][1]))
    return merged


def _cut_long(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans longer than MAX_PASSAGE_CHARS cut at the last space before the limit (at the
    limit itself when there is none), the pieces' edges trimmed of spaces."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > MAX_PASSAGE_CHARS:
            limit = start + MAX_PASSAGE_CHARS
            space = text.rfind(" ", start + 1, limit + 1)
            cut = space if space > start else limit
            out.append((start, cut))
            start = cut
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            out.append((start, end))
    return out


def _is_heading(text: str, spans: list[tuple[int, int]]) -> bool:
    if len(spans) != 1:
        return False
    start, end = spans[0]
    return _words(text, start, end) < MIN_WORDS and text[end - 1] not in '.!?…"”’)'


def _words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())

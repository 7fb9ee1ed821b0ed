"""A fast rule-based sentence splitter that returns character spans.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus any closing quotes or brackets) that is
followed by white space and a character that is not lower case, and always at a paragraph
break (a blank line). A period does not end a sentence after a title ("Mr.", "Sen."), an
initial ("John F. Kennedy"), or "No." before a number; after an abbreviation that can also end
a sentence ("U.S.", "Jan.", "Inc.", "a.m.") it does only when a typical sentence opener
("The", "But", "He", ...) follows; after a hyphen ("then-U.S.", "ex-Sen.") the same rules
hold. A question or exclamation in quotes that is followed by its attribution ("Is this fun?"
Trump said) stays one sentence. Decimals ("4.5") never split because no white space follows
the point; a stop run into a capitalised word by the scrape ("the summer.Even some") does.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    """A word list written as one string, as a set."""
    return frozenset(text.split())


# Periods after these never end a sentence (lower case, without the final period).
TITLES = _words(
    "mr mrs ms messrs dr prof sen sens rep reps gov gen lt col maj sgt capt cmdr adm rev hon "
    "pres supt insp det st mt ft vs v cf fig approx dept univ esp"
)
# Periods after these end a sentence only when a sentence opener follows.
SOFT_ABBREVIATIONS = _words(
    "inc corp co ltd llc plc jr sr etc al jan feb mar apr jun jul aug sep sept oct nov dec "
    "est edt pst pdt gmt utc"
)
OPENERS = _words(
    "the a an this that these those it its he she they we i you his her their our my but and "
    "or so yet in on at for as if when while after before since although though however "
    "meanwhile still there then what why how who now also some many most one no not both "
    "such even yes to with by from"
)

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]")
_ATTRIBUTION_AFTER = re.compile(
    r"(?:[A-Z][\w.'’-]*\s+){1,5}(?:also\s+)?(?:said|says|asked|asks|added|adds|told|wrote|"
    r"writes|replied|shouted|continued|insisted|joked|quipped)\b"
)
_WORD = re.compile(r"[\w'’]+")
# A stop with no space after it, between a word in lower case and a capitalised one: sentences
# the scrape ran together ("signed over the summer.Even some Obama officials"; 248 in the
# AllSides file, most of them Newsmax's and The Hill's). Web addresses are in lower case.
_GLUED = re.compile(r"\b([A-Za-z]*[a-z]{2})([.!?])(?=[A-Z][a-z]{2,})")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs of ``text`` (separated by blank lines), without edge spaces."""
    spans, start = [], 0
    for m in _PARAGRAPH.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[0] < s[1]]


def sentence_spans(text: str) -> list[list[tuple[int, int]]]:
    """Sentence spans of ``text``, grouped by paragraph; ``text[start:end]`` is the sentence."""
    return [_split(text, start, end) for start, end in paragraph_spans(text)]


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, begin = [], start
    glued = {m.end(2) for m in _GLUED.finditer(text, start, end) if _glued(m)}
    ends = sorted(
        [(m.start(), m.end()) for m in _END.finditer(text, start, end)]
        + [(at - 1, at) for at in glued]
    )
    for punct, after in ends:
        nxt = after
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt >= end:
            break
        if after in glued or _is_boundary(text, punct, after, nxt):
            spans.append((begin, after))
            begin = nxt
    spans.append(_strip(text, begin, end))
    return [s for s in spans if s[0] < s[1]]


def _glued(m: re.Match[str]) -> bool:
    """Whether a stop run into the next sentence by the scrape ("over the summer.Even some")
    ends one: not after a title or an abbreviation ("Gov.Abbott")."""
    word = m.group(1).lower()
    return word not in TITLES and word not in SOFT_ABBREVIATIONS


def _is_boundary(text: str, punct: int, after: int, nxt: int) -> bool:
    first = text[nxt]
    if first.islower():
        return False
    marks = text[punct:after]
    if marks[0] in "?!" and marks[-1] in "\"'”’" and _ATTRIBUTION_AFTER.match(text, nxt):
        return False
    if marks[0] != "." or marks.startswith(".."):
        return True
    word_start = punct
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:punct].lstrip("\"'“‘([")
    # "then-U.S. President", "ex-Sen. Lugar": the abbreviation is the part after the hyphen
    word = word.rsplit("-", 1)[-1] if "-" in word[:-1] else word
    lowered = word.lower()
    if lowered in TITLES or (len(word) == 1 and word.isupper()):
        return False
    if lowered in ("no", "nos") and first.isdigit():
        return False
    if lowered in SOFT_ABBREVIATIONS or _DOTTED.fullmatch(lowered):
        following = _WORD.match(text, nxt)
        return following is not None and following.group().lower() in OPENERS
    return True


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

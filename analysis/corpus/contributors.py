"""The writer an unsigned article names in its contributor note: the short paragraph that ends
an op-ed ("Jonathan Turley is the chair of public interest law at George Washington
University ...") or a column's tag line ("The Memo is a reported column by Niall Stanage").

An article without a byline is grouped under its outlet, so a guest op-ed would otherwise be
read as the outlet's own voice. The rule is strict, since a wrong author is worse than none:
the note is the article's last paragraph, at most :data:`MAX_NOTE_CHARS` long; a sentence of it
begins with a full name (a title such as "Rep." and a "Jr." allowed, and up to two asides between
commas: "Rep. Eric Swalwell, D-Calif., a former prosecutor, serves on ...") and "is", "was",
"serves", "has been", "writes", "worked" or "represents", and names a role (professor, fellow,
editor, former ...); the surname appears nowhere earlier in the article but in a first paragraph
that is only a name (a byline header), else the sentence is about someone the article discusses.
A note presenting two writers gives both ("Ro Khanna, Matt Gaetz"); a dash before the note
("— Rich Lowry is the editor of National Review.") is the column's, not part of the name, and
a columnist's address stands for a bio ("— Charles Krauthammer's email address is ...").
On the 6,121 AllSides articles it names the writers of 71 unsigned articles, every one of them
right on reading (The Memo's Niall Stanage 32 times, Patrick Buchanan 12, op-eds by Joe Biden,
Adam Schiff, Eric Swalwell, Jonathan Turley ...), and agrees with the byline of 56 of the 58
signed articles it matches (the other two: a byline scraped as page furniture, and a
co-author's note).
"""

from __future__ import annotations

import re

from analysis.corpus.sentences import sentence_spans

MAX_NOTE_CHARS = 500
_TITLE = r"(?:(?:Rep|Sen|Dr|Gov|Gen|Adm|Amb|Lt|Col|Maj|Prof)\.\s)"
_NAME = (
    r"([A-Z][a-z'’]+(?:\s(?:[A-Z]\.|[A-Z][a-z'’]+))?"
    r"(?:\s(?:Mc|Mac|O'|De|Di|La|Van|Von)?[A-Z][a-zA-Z'’-]+))"
)
_BIO = re.compile(
    rf"{_TITLE}?{_NAME}(?:,?\s(?:Jr|Sr)\.)?(?:(?:,\s[^,]{{1,40}}){{1,2}},)?\s"
    r"(?:is|serves|served|was|has been|writes|worked|represents)\s"
)
_COLUMN = re.compile(
    rf"\b(?:column|newsletter|feature|roundup)\b[^.]{{0,30}}?\b(?:by|compiled by|written by)\s"
    rf"(?:[A-Z][\w.]*(?:'s?|’s?)\s)*?{_NAME}"
)
_ROLE = re.compile(
    r"\b(?:professor|fellow|director|president|editor|columnist|contributor|contributing|member"
    r"|author|former|writer|chair|chairman|analyst|correspondent|founder|partner|represents"
    r"|serves|retired|CEO|executive|lecturer|scholar|researcher|attorney|lawyer|ambassador"
    r"|journalist|commentator|host|adviser|advisor|prosecutor|consultant|veteran)\b",
    re.IGNORECASE,
)
# Capitalised words that begin sentences about others, not a contributor's name.
_NOT_FIRST_NAMES = frozenset(
    re.findall(
        r"\S+",
        "The This That These Those While When After Before If As In On At For From With Mr Mrs "
        "Ms President Vice Secretary Senator General House Senate White Russia Russian America "
        "American United China Chinese",
    )
)


# The dash some syndicated columns set before their note.
_DASH = re.compile(r"^[—–-]+\s*")
# A columnist's address in place of a bio: "Charles Krauthammer's email address is ...".
_ADDRESS = re.compile(rf"{_NAME}['’]s\s+[Ee]-?mail\s+address\s+is\s")


def contributor_named(text: str) -> str | None:
    """The writer (or writers, "A, B") the cleaned ``text``'s contributor note names, or None."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    if len(paragraphs) < 2 or len(paragraphs[-1]) > MAX_NOTE_CHARS:
        return None
    note = _DASH.sub("", paragraphs[-1])  # "— Rich Lowry is the editor of National Review."
    column = _COLUMN.search(note)
    if column:
        return column.group(1)
    names = []
    sentences = [note[a:b] for a, b in sentence_spans(note)[0]]
    for sentence in sentences:  # a note may present two writers, one each
        bio = _BIO.match(sentence)
        if bio is None or _ROLE.search(sentence) is None:
            bio = _ADDRESS.match(sentence)  # an address says whose column it is as a bio does
            if bio is None:
                continue
        name = bio.group(1).removesuffix(" PhD")
        if name.split()[0] in _NOT_FIRST_NAMES:
            continue
        # the text before the note, but a first paragraph that is the name alone: the byline
        # header some outlets print ("Eric Swalwell", then the op-ed)
        body = paragraphs[1:-1] if paragraphs[0] == name else paragraphs[:-1]
        surname = re.compile(rf"\b{re.escape(name.split()[-1])}\b")
        if not any(surname.search(p) for p in body):  # not someone the article discusses
            names.append(name)
    return ", ".join(dict.fromkeys(names)) or None

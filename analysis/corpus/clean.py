"""Text cleaning: Unicode and white space, stray HTML, boilerplate and credit lines, links to
other stories and headlines (in capitals, in title case, or alone in a paragraph without a
stop), captions and photo galleries, repeated lines, scraped widgets and hover cards; and a
title's trailing link.

Cleaning works line by line, so it never cuts into the middle of an author's paragraph: a
line is dropped whole when it matches a pattern below (and is short enough to be what the
pattern describes), or when it repeats an earlier line of the same article. Paragraphs stay
separated by a blank line; lines inside a paragraph keep their single line break.

The patterns are matched case-insensitively at the start of a line (credits at its end).
Extend these lists, rather than adding patterns elsewhere, when a new outlet brings new
boilerplate.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata

# Outlet boilerplate: disclaimers, newsletter and app promotions, page furniture.
BOILERPLATE: tuple[str, ...] = (
    r"views expressed are of individual members and contributors",  # Valdai Club disclaimer
    r"(?:the )?(?:views|opinions)(?: and opinions)? expressed (?:in|here|by|are|on)\b",
    r"advertisement\W*(?:continue reading the main story)?$",
    r"story continued below$",
    r"(?:copyright )?(?:©|\(c\)) ?\d{4}",
    r"copyright ©",
    r"sign up for\b.*\bnewsletters?\b",
    r"click here (?:to|for)\b",
    r"follow (?:us|[\w.]+(?: [\w.]+)?) on (?:twitter|facebook|instagram)\b",
    r"share this article\b",
    r"this article is more than \w+ (?:years?|months?) old$",
    r"(?:the )?associated press contributed to this report\.?$",
    r"contributing\s*:\s*\S",  # USA TODAY's credit line: "Contributing: Bart Jansen"
    r"content created by the daily caller news foundation\b",
    r"media playback is unsupported on your device\b",
    r"slideshow \(\d+ images?\)$",
    r"(?:next|prev(?:ious)?) image \d+ of \d+$",  # gallery buttons
    r"(?:read more|more|watch|related|more on this\.*)\s*:?$",
    # ABC News's follow button: "Interested in Russia? Add Russia as an interest to stay up to
    # date on the latest Russia news, video, and analysis from ABC News. Add Interest" (32
    # AllSides articles; scored as a sanctions passage in its own voice until 2026-12-07)
    r"interested in [^?]{1,80}\? add .{1,80} as an interest to stay up to date\b",
    # CNN Opinion's footer: "Read CNNOpinion's new Flipboard magazine." "Join us on
    # Facebook.com/CNNOpinion." (6 and 7 lines of non-reserved AllSides articles)
    r"read cnnopinion's new flipboard magazine",
    r"join us on (?:twitter|facebook)\b",
)
# The Guardian's "Read more" button, scraped onto the end of a line: after a headline (a link
# to a related story, "Putin says Russian role in election hacking 'theoretically possible'
# Read more": 226 lines of non-reserved AllSides articles, read as the author's words until
# 2026-12-07) the line goes; after a sentence (the end of a Q&A box, "... about 2,100 miles
# away. Read more") only the button. Case-sensitive, as the button is printed.
READ_MORE_BUTTON = re.compile(r"\s+Read more$")
READ_MORE_MAX_CHARS = 200
# Phrases that mark a short line as boilerplate wherever they occur in it (lower case).
BOILERPLATE_PHRASES: tuple[str, ...] = ("by signing up you agree", "by signing up, you agree")
BOILERPLATE_MAX_CHARS = 600

# Links to other stories and notes set in the text ("More: Trump will meet Putin at the G-20",
# "SEE ALSO: ...", "FILE PHOTO: ...", "Editor's note: ..."): dropped as whole lines when short
# enough to be a headline or a note, since a linked headline on a topic is not the author's
# voice. A longer line that starts so is the scrape running a link into the next paragraph,
# and is kept.
LINK_LINES: tuple[str, ...] = (
    r"(?:see also|related|read(?: more)?|also read|watch|listen|more|story|photos?|file photo"
    r"|editor'?s note)\s*:\s*\S",
)
LINK_MAX_CHARS = 300
# A line of at least this many words all in capitals, and no longer than CAPITALS_MAX_CHARS, is
# a link to another story (Fox News sets them so: "TRUMP RIPS CLAIM OF RUSSIA INTERFERENCE") or
# a section heading: never the author's sentence.
CAPITALS_MIN_WORDS = 4
CAPITALS_MAX_CHARS = 250
# So is a line set in title case, every word capitalised but the small ones, with no closing
# punctuation: a headline ("Flynn Denies Discussing Sanctions with Russia"), a byline or a
# credit ("Jim Geraghty, National Review"). A sentence ends with a stop; these do not.
TITLE_MAX_CHARS = 200
TITLE_SMALL_WORDS = frozenset(
    re.findall(
        r"\S+",
        "a an the of in on at to for and or but nor with by from as vs via is are be over into "
        "about after before up out off not its",
    )
)

# So is a paragraph of one short line in sentence case without closing punctuation: a linked
# headline ("Obama sanctions Russian officials over election hacking"), a subheading, a caption
# without its credit. A sentence ends with a stop or a quotation mark; a paragraph the scrape cut
# short, with a comma, a dash or a word no headline ends on ("would", "the"); a transcript's
# turn opens with its speaker's label, a list's item with its bullet; and a text's only
# paragraph is its text (:func:`clean_text`).
HEADLINE_MIN_WORDS = 3
HEADLINE_MAX_WORDS = 16
HEADLINE_ENDS = frozenset(".!?:;,\"”’')]…—–-")
_SENTENCE_STOP = re.compile(r"[a-z0-9][.!?][\"”’']?\s")
# A line that ends on one of these was cut short ("the talks would"): no headline ends so.
HEADLINE_CUT_WORDS = frozenset(
    re.findall(
        r"\S+",
        "a an the of to and or but that which who would will could should can may might must "
        "is are was were be been has have had with from for by in on at as than if",
    )
)
# A speaker's label opening a line: "RUBIO:", "AMY GOODMAN:", "Q:" (a transcript's turn).
_SPEAKER_LABEL = re.compile(r"[A-Z][A-Z.'’ -]{0,40}:\s")

# Photo captions and credits, dropped as whole lines: patterns for the start of the line ...
CAPTIONS: tuple[str, ...] = (
    r"photo(?:graph|s)?\s*(?:[:|]|by\b|credit\b|courtesy\b|illustration\b)",
    r"photo$",
    r"image (?:copyright|caption|credit|source)\b",
    r"(?:enlarge this image|toggle caption|media caption)\b",
    # The New York Times: "Image President Vladimir V. Putin ... Credit... Pool photo by ..."
    r"image\s.{0,380}?\bcredit(?:(?:\.\.\.|…|:)\s*|\s+(?-i:[A-Z]))[^.!?]{0,80}$",
)
# ... and for a credit in brackets that ends it: "... in Helsinki on July 16, 2018. (Reuters)".
_AGENCIES = r"(?:reuters|ap|afp|epa|getty images|tass|sputnik|xinhua|ria novosti)"
CAPTION_CREDITS: tuple[str, ...] = (
    rf"\({_AGENCIES}(?:\s*/[^()]*)?\)$",
    # the photographer, then the agency: "... February 7, 2017. (Ints Kalnins/Reuters)"
    rf"\([^()/]{{2,60}}/{_AGENCIES}(?:\s*/[^()]*)?\)$",
    r"\((?:(?:ap|afp|reuters|getty|epa) )?(?:photo|image|picture)s?\b[^()]*\)$",
)
CAPTION_MAX_CHARS = 400

# Credits inside a line of text, removed while the rest of the line stays.
INLINE_CREDITS: tuple[str, ...] = (
    r"\((?:photo|image|picture)s?(?: by|:| credit:?| courtesy)[^()]{0,160}\)",
    r"\((?:AP|AFP|Reuters|EPA) (?:Photo|Image)/[^()]{0,120}\)",
)

# A character of a video widget's title: no sentence stop, except the stops of abbreviations
# ("U.S.", "N. Korea", "Sen. Graham", "State Dept.") and of stops inside a word ("U.S.-Israel").
_WIDGET_TITLE_CHAR = (
    r"(?:\b(?:Secy|Cmdr|Gov|Sen|Sens|Rep|Reps|Fmr|Gen|Amb|amb|Adm|Jr|Sr|Dr|Mr|Mrs|Ms|Lt|Col"
    r"|Maj|Capt|Pres|Sec|Govt|Dept|vs|St)\.|\b[A-Z]\.|\.(?=\S)|[^.!?\n])"
)

# Video and photo-gallery widgets scraped with the text (CNN's among them), removed inside a line.
# Case-sensitive: they are interface labels, and "must watch" also occurs in prose.
WIDGETS: tuple[str, ...] = (
    r"JUST WATCHED\b.{0,200}?\bReplay More Videos\s*(?:\.\.\.|…)?",
    # title (a question mark only right before the duration), then its duration
    rf"MUST WATCH\b{_WIDGET_TITLE_CHAR}{{0,150}}?(?:\?\s*)?\b\d{{1,2}}:\d{{2}}\b",
    r"Hide Caption \d+ of \d+\s*(?:Photos:\s*)*",
    r"#share#",  # National Review's share-button placeholder
)

# A photo gallery scraped into the text (CNN's): every caption line carries the widget's
# "Hide Caption 3 of 19" label, and its photos rarely belong to the story ("Photos: Crisis in
# Ukraine" under a story on Syria); the whole line goes. Case-sensitive, as WIDGETS.
GALLERY_LINE = re.compile(r"\bHide Caption \d+ of \d+\b")

# The Hill's hover cards, scraped into the sentence after a person's name: the name again in
# full, run into the person's latest headlines, then "MORE" ("President Trump Donald John
# TrumpTrump faces high stakes ... MORE on Sunday said"). The card goes, the name stays. Names
# have lower-case letters, so all-capital headlines ("NO MORE DACA DEAL") are left alone.
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|de|da|del|van|von|bin|al|la|le)"
_CARD_WORD = r"(?:[(\"“]?[A-Z][\w'’.()\"”-]*|de|da|del|van|von|bin|al|la|le)"
_LAST_NAME = r"[A-Z][a-z][\w'’-]*"
_CARD_END = r"[^\n]{0,700}?(?<!READ)(?<!\bAND)\sMORE\b"
HOVER_CARDS: tuple[re.Pattern[str], ...] = (
    # "Paul Manafort Paul John ManafortManafort sought ... MORE": full name run into a headline
    re.compile(
        rf"(?<![\w'’.-])(?P<name>(?:{_NAME_WORD}\s){{0,4}}(?P<last>{_LAST_NAME}))\s?"
        rf"(?:{_CARD_WORD}\s){{1,5}}?(?P=last)(?=[A-Z\d'‘“\"]){_CARD_END}"
    ),
    # "Joe Biden Joe Biden Parnas: ... MORE": the same first name, a space before the headline
    re.compile(
        rf"(?<![\w'’.-])(?P<name>(?:{_NAME_WORD}\s){{0,3}}(?P<first>[A-Z][\w'’.-]*)\s"
        rf"(?P<last>{_LAST_NAME}))\s(?P=first)\s(?:{_CARD_WORD}\s){{0,3}}?(?P=last)\s"
        rf"(?=[A-Z\d'‘“\"]){_CARD_END}"
    ),
)

_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE), re.IGNORECASE)
_TITLE_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_DROP_LOWER = str.maketrans("", "", string.ascii_lowercase)
_DROP_UPPER = str.maketrans("", "", string.ascii_uppercase)
_LINK = re.compile("|".join(f"(?:{p})" for p in LINK_LINES), re.IGNORECASE)
_CAPTION = re.compile("|".join(f"(?:{p})" for p in CAPTIONS), re.IGNORECASE)
_CREDIT = re.compile("|".join(f"(?:{p})" for p in CAPTION_CREDITS), re.IGNORECASE)
_INLINE = re.compile("|".join(INLINE_CREDITS), re.IGNORECASE)
_WIDGETS = re.compile("|".join(WIDGETS))
_BLOCKS = re.compile(r"\n[ \t]*\n\s*")
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_KEY_FOLD = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("—", "-"), ("–", "-"))
MIN_REPEAT_KEY = 20  # shorter lines and passages may legitimately repeat ("Q:", "Yes.")


def repeat_key(text: str) -> str:
    """Lower case with one kind of quote and dash: equal keys mean the same (cleaned) text."""
    key = text.lower()
    for a, b in _KEY_FOLD:
        if a in key:
            key = key.replace(a, b)
    return key


def normalise(text: str) -> str:
    """NFKC, one kind of line break, no invisible characters or HTML tags, single spaces."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    if "<" in text:  # stray markup in extracted text: keep the words, drop the tags
        text = _TAG.sub("", text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def without_read_more(line: str) -> str:
    """A line without the "Read more" button scraped onto its end: nothing where the rest is a
    headline (a link to another story), the sentence where it ends one; the line as it is
    where no such button ends it or it is too long to be a link."""
    button = READ_MORE_BUTTON.search(line)
    if button is None or len(line) > READ_MORE_MAX_CHARS + len(button.group()):
        return line
    rest = line[: button.start()]
    return rest if rest.endswith((".", ".”", '."', ".’")) else ""


def is_boilerplate(line: str) -> bool:
    """Whether a (normalised) line is outlet boilerplate."""
    if len(line) > BOILERPLATE_MAX_CHARS:
        return False
    if _BOILERPLATE.match(line):
        return True
    lowered = line.lower()
    return any(phrase in lowered for phrase in BOILERPLATE_PHRASES)


def is_link_line(line: str) -> bool:
    """Whether a (normalised) line is a link to another story or an editor's note."""
    return len(line) <= LINK_MAX_CHARS and _LINK.match(line) is not None


def is_capitals_line(line: str) -> bool:
    """Whether a (normalised) line is a headline or heading set all in capitals (letters of a
    script without capitals, Arabic or Chinese, are not capitals: such a line is prose)."""
    if len(line) > CAPITALS_MAX_CHARS or line.upper() != line:  # a lower-case letter
        return False
    words = line.split()
    return len(words) >= CAPITALS_MIN_WORDS and sum(map(str.isupper, line)) >= 3 * len(words)


def is_title_case_line(line: str) -> bool:
    """Whether a (normalised) line is a headline, byline or credit set in title case."""
    if len(line) > TITLE_MAX_CHARS or line[-1:] in ".!?\"”:;,)’'":
        return False
    words = _TITLE_WORD.findall(line)
    content = [w for w in words if w.lower() not in TITLE_SMALL_WORDS]
    return (
        len(words) >= CAPITALS_MIN_WORDS
        and len(content) >= 3
        and all(w[0].isupper() for w in content)
    )


def is_unpunctuated_headline(line: str) -> bool:
    """Whether a (normalised) line that makes a paragraph alone is a headline in sentence case:
    a few words from a capital letter, without the stop, comma or dash a sentence (or a
    paragraph cut short) ends with ("Obama sanctions Russian officials over election hacking",
    a link USA TODAY sets between paragraphs)."""
    words = line.split()
    return (
        HEADLINE_MIN_WORDS <= len(words) <= HEADLINE_MAX_WORDS
        and line[:1].isupper()
        and line[-1:] not in HEADLINE_ENDS
        and _SENTENCE_STOP.search(line) is None  # one sentence, not a paragraph missing its stop
        and words[-1].lower() not in HEADLINE_CUT_WORDS  # a scrape cut mid-sentence
        and _SPEAKER_LABEL.match(line) is None  # a transcript's turn: "RUBIO: Thank you"
        and line[:1] not in "•*-–—"  # an item of a list
    )


def _mostly_lower_case(text: str) -> bool:
    """More lower-case than capital Latin letters (other scripts: False, nothing is dropped)."""
    lower = len(text) - len(text.translate(_DROP_LOWER))
    upper = len(text) - len(text.translate(_DROP_UPPER))
    return lower > upper


def is_caption(line: str) -> bool:
    """Whether a (normalised) line is a photo caption or credit."""
    if len(line) > CAPTION_MAX_CHARS:
        return False
    if _CAPTION.match(line):
        return True
    return line.endswith(")") and _CREDIT.search(line, line.rfind("(")) is not None


def drop_hover_cards(line: str) -> str:
    """The line without The Hill's hover cards (``HOVER_CARDS``), each person's name kept."""
    for card in HOVER_CARDS:
        line = card.sub(lambda m: m["name"], line)
    return line


# Hard-wrapped text (a PDF dump, an e-mail, a .txt saved at 72 columns) breaks each paragraph
# into lines of about one width: the lines of a block are joined back into one when all but
# its last fill at least this share of its longest line, which is at most WRAP_MAX_WIDTH
# characters, and it has three lines or more or one runs on into a next one that starts in
# lower case (a headline over a byline does neither). Checked line by line, a wrapped line in
# title case ("Iranian Supreme Leader Ayatollah Ali Khamenei, Kim Jong Un in North") read as a
# headline and was dropped mid-sentence: 134 of the first 300 AllSides articles wrapped at 72
# columns lost words, 17 since (mostly two-line captions); unwrapped texts are read as before.
WRAP_FILL = 0.6
# A headline over a wrapped paragraph in the same block is left out of it where it is shorter
# than this share of the block's widest line: a wrapped paragraph's first line fills about
# the whole width, a headline rarely does.
WRAP_HEAD_FILL = 0.85
WRAP_MIN_WIDTH = 40
WRAP_MAX_WIDTH = 120


_BYLINE_LINE = re.compile(r"\s*by\s+[A-Z]", re.IGNORECASE)


def _heads_a_block(line: str, widest: int) -> bool:
    """A line that stands alone above a paragraph in the same block (a headline shorter than
    the paragraph's lines, a byline, a credit), left out of the paragraph it heads so that the
    line filters still judge it; a line in title case as wide as the paragraph's is as likely
    its first line, wrapped ("Chinese President Xi Jinping and President Donald Trump in")."""
    line = line.strip()
    short = len(line) < WRAP_HEAD_FILL * widest
    return (
        (short and (is_title_case_line(line) or is_capitals_line(line)))
        or is_boilerplate(line)
        or bool(_BYLINE_LINE.match(line) and len(line.split()) <= 8 and line[-1:] != ".")
    )


def _ends_a_block(line: str) -> bool:
    """A line that stands alone below a paragraph in the same block ("Advertisement", "Read
    more: ...", a caption), left out of it for the same reason."""
    line = line.strip()
    return is_boilerplate(line) or is_link_line(line) or is_caption(line)


def unwrapped(block: str) -> str:
    """A block's lines joined into one paragraph where they are a hard-wrapped paragraph's
    (see :data:`WRAP_FILL`), else the block as it is; lines above or below it that stand alone
    (a headline and byline over it, "Advertisement" under it) stay lines of their own."""
    lines = block.split("\n")
    head, tail = 0, len(lines)
    widest_of_all = max(len(line) for line in lines)
    while head < tail - 1 and _heads_a_block(lines[head], widest_of_all):
        head += 1
    while tail > head + 1 and _ends_a_block(lines[tail - 1]):
        tail -= 1
    body = lines[head:tail]
    if len(body) < 2:
        return block
    widest = max(len(line) for line in body)
    if not WRAP_MIN_WIDTH <= widest <= WRAP_MAX_WIDTH:
        return block
    if any(len(line) < WRAP_FILL * widest for line in body[:-1]):
        return block
    if len(body) < 3 and not any(nxt[:1].islower() for nxt in body[1:]):
        return block
    joined = body[0].strip()
    for line in body[1:]:  # a word broken at a hyphen ("co-\nfounder") stays one word
        line = line.strip()
        joined += line if joined.endswith("-") and line[:1].isalpha() else " " + line
    return "\n".join([*lines[:head], joined, *lines[tail:]])


def clean_text(text: str) -> str:
    """The article text without boilerplate, captions, repeated lines or symbol-only lines
    (hard-wrapped paragraphs joined first: :func:`unwrapped`)."""
    seen: set[str] = set()
    blocks = []
    text = normalise(text)
    # headlines in capitals or title case stand out only in a text written in lower case: a
    # text set all in capitals (an old wire bulletin) keeps its lines; asked only once such a
    # line is met
    capitals_stand_out: bool | None = None
    for block in _BLOCKS.split(text):
        lines = []
        for line in unwrapped(block).split("\n"):
            if "Hide Caption" in line and GALLERY_LINE.search(line):
                continue
            if "(" in line:
                line = " ".join(_INLINE.sub("", line).split())
            if "WATCH" in line or "Hide Caption" in line or "#share#" in line:
                line = " ".join(_WIDGETS.sub(" ", line).split())
            if " MORE" in line:
                line = drop_hover_cards(line)
            if line.endswith("Read more"):
                line = without_read_more(line)
            if (
                not any(ch.isalnum() for ch in line)
                or is_boilerplate(line)
                or is_caption(line)
                or is_link_line(line)
            ):
                continue
            if is_capitals_line(line) or is_title_case_line(line):
                if capitals_stand_out is None:
                    capitals_stand_out = _mostly_lower_case(text)
                if capitals_stand_out:
                    continue
            if len(line) >= MIN_REPEAT_KEY:
                key = repeat_key(line)
                if key in seen:
                    continue
                seen.add(key)
            lines.append(line)
        if lines:
            blocks.append("\n".join(lines))
    headlines = [len(b.split("\n")) == 1 and is_unpunctuated_headline(b) for b in blocks]
    # dropped where they stand out from prose in lower case, and never all of a text (a
    # one-line article is its own paragraph, not a headline)
    if any(headlines) and not all(headlines) and _mostly_lower_case(text):
        blocks = [b for b, headline in zip(blocks, headlines, strict=True) if not headline]
    return "\n\n".join(blocks)


# A title's tail that links to the article: "Rex Tillerson: A Worthy Choice   Read more at:
# http://www.nationalreview.com/article/..."
_TITLE_LINK = re.compile(
    r"\s*(?:read more at:?\s*(?:https?://|www\.)|[-–—|]\s*(?:https?://|www\.)|(?<!\S)https?://)\S*$",
    re.IGNORECASE,
)


def clean_title(title: str) -> str:
    """The title normalised, without a trailing "Read more at: URL", "- www.site.com" or
    "http://..." (a title that ends naming a site, "The case for Russia.com", keeps it)."""
    cleaned = _TITLE_LINK.sub("", normalise(title))
    return cleaned or normalise(title)

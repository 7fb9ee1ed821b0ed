"""Reported speech: passages that quote or attribute words to someone, and who that is.

A passage is reported when

- at least half of it lies inside quotation marks (straight or curly double quotes, curly
  single quotes; a quotation left open at the end of a paragraph runs to its end, as
  multi-paragraph quotes do), or it contains a quotation of five words or more (shorter
  ones are usually scare quotes: the author's own voice, like "operative pause"); or
- it attributes words to a named speaker ("Lavrov said", "said Peskov", "according to
  Peskov", "X told reporters", "X cited Y as saying", "X argued/warned/claimed/stated/noted/
  added ...", a stated position: "X urged/accused/denied/condemned/opposed/threatened/
  supported/proposed ...", the plural
  present: "critics say", a participle after a comma: "The Kremlin rejected the claims,
  saying ...", whose speaker is the sentence's subject), to a pronoun ("he said", "he's
  insisted"), to a role after an article ("the president said", "a former ambassador
  warned": someone unnamed, or the speaker its quotation's other passages name) or to a
  generic source ("officials said", "the source said", "the office says", "some White House
  officials ..., saying", "His lawyers argued", "Meanwhile, ..., saying": someone unnamed).

Not reported: the author's own yes-no questions ("Did Papadopoulos tell anyone?"), "you"
(an interviewer's or reviewer's "You say that ..."), a speech verb used as a noun ("Danger
signals are flashing", "Democratic demands for witnesses"), a passive ("a plan supported by
Democrats", "she's opposed by the Left").

Also reported: the turns of a transcript ("AMY GOODMAN: ...", a capital label given to two
turns or more, a turn beginning a paragraph or following a finished sentence inside one); a
block quote set with one opening mark at the start of its first paragraph and one closing mark
at the end of its last (its source named by a line above it, "From McClatchy:"); and an
article that is another's words printed whole ("Transcript: ..." as its title, or a first line
"Below is ... address as prepared for delivery"; its speaker the one a title names,
"Transcript: President Obama's ..." -> "Obama"; the editor's line is the author's); and an
embedded tweet, a paragraph that ends with the signature scraped pages print ("— Donald J.
Trump (@realDonaldTrump) July 26, 2016"), its speaker the name (else the handle); and an excerpt
credited after its closing mark, as roundups print them ('"...." Edward B. Foley, Politico'),
its passages the writer's where the rules name no one else in them. A speech
verb inside a hyphenated word ("Russian-supported") is none.

A wire story's dateline ("WASHINGTON (AP) — ") is not the subject of the sentence after it;
someone of a named owner speaks unnamed ("Hunter Biden's lawyer said").

Speakers are capitalised names with titles and descriptors removed ("Russian Foreign Minister
Sergey Lavrov" -> "Sergey Lavrov", "Russian news agency Sputnik" -> "Sputnik"); a person
without the state or organisation a title or first name places them in ("Rep. Michael T.
McCaul of Texas" -> "Michael T. McCaul", "Ms. Stark of Accenture" -> "Stark"; "Ministry of
Defense" stays whole), nor whose they are ("MSNBC's Chris Hayes" -> "Chris Hayes"; "China's
Foreign Ministry" stays whole); a name between commas before the verb rather than the office
before it ("the deputy minister of ..., Fyodor Berezin, admitted", "His Holiness, Pope
Francis, told"), party and state labels never ("Rep. Devin Nunes, California Republican,
said", "Sen. Richard Burr, R-N.C., chairman of ..., said"); initials, hyphens and capitalised
particles kept ("H.R. McMaster", "Jean-Yves Le Drian", "Chris Van Hollen"); the speaker
outside a quotation (named, a pronoun, a generic source) rather than one it quotes ('"...
Sondland replied ...," Holmes said' -> "Holmes"); after a
quotation's closing mark, the name after the verb ('...," said Gen. Vladimir Dzhabarov'),
past lower-case words that describe them ('...," tweeted Trump campaign communications
director Tim Murtaugh'), and where the verb opens the sentence ("Said Mr. O'Connell, ...");
a one-word name that ends like an English word ("Kelly", "Downing") where the article writes it
in mid-sentence and never in lower case (a "Shortly" or "During" that opens a sentence is no
speaker); a titled name and a colon before a quotation ("Mr. Schiff: "...") as a turn; never
an opening phrase with a preposition ("At Exxon, Tillerson ...") or a place after a role ("the
ambassador to Berlin said").
A reported passage without a named speaker of its own takes one from its context: another
passage of the same quotation; for "he said", the nearest speaker in the three passages before
it; for a quotation that continues after its attribution in the same paragraph ('"...," he
said. "More words."'), the previous passage's speaker. A short name takes the one fuller name
the article's speakers give it ("Lavrov" -> "Sergey Lavrov"), unless two people share it.

The author's own voice is never reported: first-person attributions ("I said earlier", "as
we noted", "I've argued", "I'd say") are ignored, and words attributed to the article's
author (the interview-style "says Ivan Timofeev" in an article by Ivan Timofeev) count as the
author's. Known limits:
verbs with other senses need "that" or a quote to count ("claimed responsibility" is not
speech, so neither is "Trump claimed officials had..."), and a speaker joined by "and"
keeps only the last name ("Barr and Rosenstein said" -> "Rosenstein").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    """A word list written as one string, as a set."""
    return frozenset(text.split())


SPEECH_VERBS = _words(
    "said says told tells added adds argued argues warned warns claimed claims stated "
    # "Hagel described the exercises as 'dangerously destabilising'"; chosen on the train
    # passages (experiments.speech_detection), as each verb here
    "described describes blamed blames "
    "noted notes explained explains insisted insists stressed stresses emphasized emphasizes "
    "emphasised emphasises asserted asserts declared declares wrote writes tweeted tweets "
    "replied replies responded responds acknowledged acknowledges admitted admits conceded "
    "concedes contended contends reiterated reiterates testified testifies asked asks quipped "
    "cautioned cautions countered counters complained complains recalled recalls expressed "
    "underlined underscored urged urges demanded demands accused accuses criticized criticizes "
    "criticised criticises condemned condemns praised praises denied denies vowed vows pledged "
    "pledges opposed opposes endorsed endorses threatened threatens supported supports proposed "
    "proposes defended defends signaled signalled signals "
    # the plural present ("critics say", "officials warn")
    "say tell argue warn insist stress emphasize emphasise assert declare contend reiterate "
    "testify caution complain urge demand accuse criticize criticise condemn deny vow pledge "
    "oppose endorse acknowledge concede explain"
)
# These attribute speech only before "that" ("announced that ...", not "announced sanctions";
# "states that ...", not "the Baltic states and Romania").
THAT_VERBS = _words(
    "announced announces suggested suggests predicted predicts confirmed confirms believes "
    "believed thinks hinted indicated indicates maintained maintains states"
)
# After a comma, these attribute the clause to the sentence's subject: "The Kremlin rejected
# the claims, saying Moscow had complied"; those with other senses ("adding to tensions",
# "claiming 30 lives") only before "that".
PARTICIPLES = _words("saying stating arguing warning noting insisting declaring calling")
THAT_PARTICIPLES = _words("adding claiming explaining suggesting")
# the subject is looked for this many words into the sentence, past one opening phrase
SUBJECT_WORDS = 12
# These are passive before "of" ("officials accused of corruption"), active before an object.
PASSIVE_BEFORE_OF = _words("accused accuses accuse")
# These are passive before "by" ("a plan supported by Democrats", "Ukraine, threatened by ...").
PASSIVE_BEFORE_BY = _words(
    "threatened supported proposed defended signaled signalled opposed criticized criticised "
    "condemned praised endorsed described blamed"
)
# These also have other senses ("added five companies", "claimed responsibility"): they
# attribute speech only before "that", a quote or punctuation, or after a quote or comma.
AMBIGUOUS_VERBS = _words(
    "added adds asked asks claimed claims recalled recalls admitted admits responded responds "
    "replied replies countered counters"
)
# These may come before their speaker after a quote or clause: '..., said Peskov'.
INVERSION_VERBS = _words(
    "said says added adds wrote writes asked asks noted notes argued argues warned warns "
    "explained explains replied insisted insists stated tweeted tweets responded declared "
    "acknowledged admitted conceded quipped cautioned countered recalled stressed emphasized "
    "reiterated complained testified"
)
PERSON_TITLES = _words(
    "president minister secretary senator sen rep representative gov governor gen general "
    "ambassador spokesman spokeswoman spokesperson director chairman chairwoman chair "
    "chancellor premier mr mrs ms dr prof professor adviser advisor leader king queen prince "
    "pope judge attorney speaker commander admiral adm col colonel lt sgt capt captain mayor "
    "cmdr maj brig "
    "deputy vice chief ceo envoy lawmaker rev analyst expert correspondent editor founder "
    "co-founder head officer commissioner nominee candidate hopeful aide strategist"
)
OFFICE_WORDS = _words(
    "state defense defence foreign national security treasury homeland press kremlin white "
    "house russian american us u.s u.s. uk ukrainian chinese british french german european "
    "nato un former presidential executive senior top majority minority senate intelligence "
    "affairs news agency programme program"
)
# Words in lower case that describe the speaker named after them ("Russian news agency
# Sputnik", "state broadcaster RT"): the name is what follows.
DESCRIPTORS = _words("agency broadcaster newspaper channel executive")
# Lower-case words that start a phrase, not a description of the speaker ("said Trump in a
# speech", "said Putin and his ministers"), or a name's particle ("Ruud van Dijk")
NOT_DESCRIPTORS = _words(
    "in at on to of for with from by during after before about or but as when while who "
    "which that than this these those the a an his her their its van von de la der del da di le"
)
# Lower-case nouns for a person that end a description before their name ("Trump ally Newt
# Gingrich", "Democratic pollster Celinda Lake"), besides the titles
PERSON_NOUNS = _words(
    "ally allies lawyer historian economist pollster consultant operative columnist "
    "commentator host anchor scholar fellow researcher veteran activist official negotiator "
    "critic writer reporter journalist author backer supporter"
)
CONNECTORS = _words("of de da del van von bin al la le der den")
# An opening phrase that starts with one of these is no subject: "At Exxon, Tillerson ..."
OPENING_PREPOSITIONS = _words(
    "at in on for after before since during despite unlike like as with without under from "
    "following amid over through within"
)
PRONOUNS = frozenset({"he", "she", "they"})
_CONTRACTION = re.compile(r"([a-z]+)['’](?:s|ve|d|ll|m|re)")  # "he's", "I've", "it's"
NOBODY = _words("it here there that this what who")  # "It's said", "Here's": no speaker
# A wire story's dateline before its first sentence: "WASHINGTON (AP) — ", "BEIJING/SEOUL
# (Reuters) - "; not the subject of the sentence after it.
_DATELINE = re.compile(  # "WASHINGTON (AP) — ", "HERSHEY, Pa. (AP) — "
    r"[A-Z][A-Z.,/' -]*[A-Z.](?:, [A-Z][a-z]+\.?)?(?: \([^)]{1,40}\))?\s+[—–-]+\s+"
)
# Kinds of attribution, the one a passage is given first where its words make several: a
# name; a pronoun, named by the speakers before it ("The president said he ..."); a role for
# a name ("the president"); someone unnamed.
ATTRIBUTION_KINDS = ("named", "pronoun", "titled", "generic")
FIRST_PERSON = frozenset({"i", "we", "you"})  # the author's own voice, or the reader
GENERIC_SUBJECTS = _words(
    "officials official analysts experts sources spokesman spokeswoman spokesperson ministry "
    "department statement report reports agency critics observers diplomats lawmakers side "
    "government administration authorities police prosecutors investigators aides source "
    "office groups crowds protesters demonstrators"
)
GENERIC_SOURCES = GENERIC_SUBJECTS | _words(
    "data documents poll polls survey study estimates figures media records reporting"
)
_DAYS_MONTHS = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december"
)
_MONTHS = frozenset(_DAYS_MONTHS.split()[7:])
# An embedded tweet as scraped pages print it: its text, then "— Name (@handle) Month d, yyyy"
# ending its paragraph. The whole paragraph is the tweeter's words (a review found 95 such
# passages read as the author's own).
_TWEET_SIGNATURE = re.compile(
    r"[—–-]\s*(?P<name>[^()\n—–]{0,60}?)\s*\(@(?P<handle>\w{1,20})\)\s*"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{1,2},\s*\d{4}(?:\s+Report)?\s*$"  # BBC pages print a Report button after
)
# An excerpt credited after its closing mark, as roundups print them ('"...." Edward B. Foley,
# Politico'): the paragraph is the named writer's words (The Flip Side's 67 AllSides articles
# left 89% of their quoted passages without a speaker).
_CLOSING_CREDIT = re.compile(
    r"[”\"]\s*(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}),\s+"
    r"(?P<outlet>[A-Z][\w&.'’-]*(?:\s+[\w&.'’-]+){0,5})\s*$"
)
_LY_NOUNS = _words("family ally assembly rally supply reply monopoly anomaly")  # not adverbs
SKIP_BEFORE_VERB = _words(
    "also has have had recently later previously repeatedly then once reportedly publicly "
    "earlier further again never often ultimately flatly bluntly just already simply last "
    "week month year night on this morning afternoon evening today yesterday tonight "
    f"privately openly separately subsequently {_DAYS_MONTHS}"
)
# Words that open a sentence without being its subject: "Meanwhile, officials said ..."
SENTENCE_ADVERBS = _words("however nonetheless nevertheless meanwhile moreover instead indeed")
POSSESSIVE_PRONOUNS = _words("his her their its")
# Words that open a sentence, capitalised there, before a name: not part of it
_OPENERS = SENTENCE_ADVERBS | _words("but and so yet still now then also")
# Cues that are as often nouns or adjectives: "his own notes", "his proposed bills"
NOUN_LIKE_CUES = _words(
    "notes tweets signals signaled pledges claims demands vows counters supports praises "
    "proposed stated opposed demand claim pledge vow tweet note signal support counter"
)
# ... and are nouns before these: "Danger signals are flashing", "his claims of fraud"
_AFTER_A_NOUN = _words("are were is was have had of for from")
# A sentence that opens with one of these and ends with "?" asks rather than reports
_AUXILIARIES = _words("did do does will would can could should has have is are was were")
# Words before the noun that says who speaks: "some White House officials"
DETERMINERS = _words("the a an some many several other two three four few most")
NOT_NAMES = _words(
    "the a an as so if when but and or then also yet while although though because whereas "
    "it its this that these those "
    "there here what which who one everyone nobody someone some many others both all most only "
    f"his her their our your my {' '.join(sorted(SENTENCE_ADVERBS))} "
    f"few several having needless in on at for after before since up {_DAYS_MONTHS}"
)
US_STATES = frozenset(
    re.findall(
        r"[^,]+",
        "Alabama,Alaska,Arizona,Arkansas,California,Colorado,Connecticut,Delaware,Florida,Georgia,"
        "Hawaii,Idaho,Illinois,Indiana,Iowa,Kansas,Kentucky,Louisiana,Maine,Maryland,"
        "Massachusetts,Michigan,Minnesota,Mississippi,Missouri,Montana,Nebraska,Nevada,"
        "New Hampshire,New Jersey,New Mexico,New York,North Carolina,North Dakota,Ohio,Oklahoma,"
        "Oregon,Pennsylvania,Rhode Island,South Carolina,South Dakota,Tennessee,Texas,Utah,"
        "Vermont,Virginia,Washington,West Virginia,Wisconsin,Wyoming",
    )
)
US_STATE_WORDS = frozenset(w for state in US_STATES for w in state.split())
PARTY_WORDS = _words("Republican Democrat Democratic Independent GOP")
_PARTY_LABEL = re.compile(r"[RDI]-")  # "R-N.C.", "D-Calif.", "R- Missouri"
# Nouns that end an organisation's name before "of" ("Royal Bank of Scotland", "Ministry of
# Defense"): the words before them are no person.
ORGANISATION_NOUNS = _words(
    "bank ministry department republic university college school institute institution "
    "council court house committee commission agency office bureau board chamber centre "
    "center foundation association federation union organization organisation party "
    "government kingdom state states embassy church museum academy corporation company "
    "group fund reserve service services force forces army navy people fleet "
    "command daily times post journal network television tv radio administration chiefs "
    "code reunification authority coalition alliance front movement staff police guard corps "
    "unit division directorate assembly hospital inc corp ltd co campaign investors "
    "representatives parliament congress senate"
)
MIN_QUOTE_WORDS = 5
# A block quote set with one opening mark in its first paragraph and one closing mark in its
# last runs over at most this many paragraphs without marks between them.
MAX_QUOTED_PARAGRAPHS = 12
_DOUBLE_QUOTES = re.compile('["“”]')
# An article that is another's words printed whole says so in its title or first line.
_PRINTED_WHOLE_TITLE = re.compile(r"\s*(?:full\s+)?(?:transcript|text)\s*:", re.IGNORECASE)
_PRINTED_WHOLE_LEAD = re.compile(
    r"\s*(?:below is|here is|the following is)\b[^.\n]{0,160}\b(?:address|remarks|speech|"
    r"statement|letter|testimony)\b[^.\n]{0,80}\bas (?:prepared for delivery|delivered|released)",
    re.IGNORECASE,
)
# Whose words a title or a lead of a text printed whole names: a possessive before the kind of
# text ("Transcript: President Obama's Final State Of The Union Address"; not "NPR's Interview
# With Vladimir Putin", whose words are the interviewee's as much as NPR's).
_POSSESSIVE = re.compile(
    r"(?::|\b(?i:below is|here is|the following is))\s*((?:[A-Z][\w.-]*\s){0,3}[A-Z][\w-]*)"
    r"['’]s\s+(?:[\w-]+\s+){0,6}?(?i:address|remarks|speech|statement|letter|testimony|op-ed)\b"
)
_NOT_IN_NAME = _words("read watch see full text")
# The line that introduces a block quote and names its source: "From McClatchy:", "Via the
# Washington Post:", "Per Politico:", "As CNN reported:".
_BLOCK_INTRO = re.compile(
    r"(?:From|Via|Per|As)\s+(?:the\s+)?([A-Z][\w.&'’ -]{1,60}?)(?:\s+(?:reports?|reported|"
    r"writes|wrote|notes|noted|explains|explained|put it))?:"
)
# Transcripts: a paragraph that starts with a speaker's name in capitals and a colon ("AMY
# GOODMAN: ...", "INSKEEP: ...") is that speaker's, when the article gives the same label to
# two turns or more (a label used once is more often a heading, "UPDATE: ..."). A turn can also
# begin inside such a paragraph, after a sentence ends ('... in response to — TILLERSON: I
# would have ...'): the passage is cut there (:func:`split_at_turns`), the passages from there
# on are the new speaker's, and those turns count toward the two. Labels that name no speaker
# are listed here.
_TRANSCRIPT_LABEL = re.compile(r"([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}):\s+\S")
_TRANSCRIPT_LABEL_INSIDE = re.compile(
    r"(?<=[.?!…—–])\s+([A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}):\s+\S"
)
NOT_SPEAKER_LABELS = _words(
    "UPDATE CORRECTION VERDICT CLAIM FACT TARGET ATTACKER ATTACKERS ATTAKER ATTAKERS NOTE "
    "BREAKING WATCH READ RELATED PHOTOS PHOTO MORE STORY WHAT WHO WHEN WHERE WHY HOW "
    "BACKGROUND U.S. US UK"
) | {"SEE ALSO", "FILE PHOTO", "EDITOR'S NOTE", "THE FACTS", "BOTTOM LINE", "THE BOTTOM LINE"}
MIN_TRANSCRIPT_TURNS = 2

_CUE = re.compile(  # not inside a hyphenated word: "Russian-supported" is no speech
    r"(?<![-‐])\b(?:"
    + "|".join(sorted(SPEECH_VERBS | THAT_VERBS))
    + r"|[Aa]ccording to|as saying|pointed out)\b"
)
_INITIAL = re.compile(r"[A-Z]\.(?:[A-Z]\.)*")
_CUE_WORDS = SPEECH_VERBS | THAT_VERBS | PARTICIPLES | THAT_PARTICIPLES | {"saying", "pointed"}
_LOWER_WORDS = re.compile(r"[a-z]+")
# a sentence that opens with its speech verb: 'Said one young man in Kiev: "...'
_VERB_FIRST = re.compile(r"\s*(?:Said|Says|Asked|Added|Wrote)\s+")
# a titled name and a colon before a quotation: a speaker's turn inside a news story
_TURN_LABEL = re.compile(
    r"\s*((?:Mr|Mrs|Ms|Dr|Sen|Rep|Gen)\.\s+[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?):\s*[“\"]"
)
# A wire video's shot list: "(SOUNDBITE) (Russian) RUSSIAN PRESIDENT VLADIMIR PUTIN, SAYING: “...":
# the words after it are the named speaker's, whichever quotation mark follows
_SOUNDBITE = re.compile(r"\(SOUNDBITE\)\s*(?:\([^)]*\)\s*)*([A-Z][A-Z.'’, -]*?[A-Z.]),?\s+SAYING:")
_LY_ING = re.compile(r"\b[A-Z][A-Za-z]*(?:ly|ing)\b")  # "Kelly", "McSally", "Downing"
_PARTICIPLE = re.compile(
    r",\s+(?:(?:"
    + "|".join(sorted(PARTICIPLES))
    + r")\b|(?:"
    + "|".join(sorted(THAT_PARTICIPLES))
    + r")\s+that\b)"
)
_CITED = re.compile(r"\b(?:cited|quoted)\s+(.{1,100}?)\s+as saying\b")
_OPEN_SINGLE_BEFORE = set(' \t\n(“"—-[')
_QUOTE_CHARS = re.compile('["“”‘’]')
_WORDS = re.compile(r"\w+")
_CLAUSE_MARKS = set('.,:;“"‘—-')
_SEGMENT_END = re.compile(r"[,;:()]|(?<![A-Z])\.(?:\s|$)")


@dataclass(frozen=True)
class Attribution:
    """What a passage's own words say about who speaks: kind and, when named, the speaker."""

    # "named"; "titled", a role for a name ("the president said"); "pronoun"; or "generic"
    kind: str
    speaker: str | None = None


def quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of quotations in ``text[start:end]`` (one paragraph), merged where they nest."""
    spans: list[tuple[int, int]] = []
    double = single = None
    for m in _QUOTE_CHARS.finditer(text, start, end):
        ch, i = m.group(), m.start()
        if ch == "“" or (ch == '"' and double is None):
            double = i if double is None else double
        elif ch in '”"':
            if double is not None:
                spans.append((double, i + 1))
                double = None
        elif ch == "‘":
            if single is None and (i == start or text[i - 1] in _OPEN_SINGLE_BEFORE):
                single = i
        elif single is not None and (i + 1 >= end or not text[i + 1].isalnum()):
            spans.append((single, i + 1))
            single = None
    for opened in (double, single):
        if opened is not None:
            spans.append((opened, end))
    return _union(spans)


def find_attribution(sentence: str, names: Collection[str] = ()) -> Attribution | None:
    """The attribution a passage makes by its own words, or None (the author's voice).

    ``names``: one-word names that look like English words ("Kelly", "Downing"), which a
    speaker may be called by here (:func:`names_like_words` of the article); any other word
    ending in "-ly" or "-ing" at a sentence's head ("Shortly", "During") names nobody."""
    soundbite = _SOUNDBITE.search(sentence)
    if soundbite:
        return Attribution("named", _speaker_of_label(" ".join(soundbite.group(1).split(","))))
    label = _TURN_LABEL.match(sentence)  # 'Mr. Schiff: "I think that's a yes or no question.'
    if label and (name := _person(label.group(1).split(), names)):
        return Attribution("named", name)
    opening = _VERB_FIRST.match(sentence)  # 'Said Mr. O'Connell, "The fact ..."'
    if opening:
        words = sentence[opening.end() :].split()[:8]
        run = _run_forward(words)
        if run and _run_end(words, run)[-1:] in ",:":  # the name closes the clause
            attribution = _named_or_titled(run, names)
            if attribution is not None:
                return attribution
    if _CUE_WORDS.isdisjoint(_LOWER_WORDS.findall(sentence)) and "ccording to" not in sentence:
        return None  # a quick test: most passages name no speech verb
    if _asks(sentence):  # "Did your boss, Ambassador Bolton, tell you ...?" reports nothing
        return None
    found: list[Attribution] = []
    cues = list(_CUE.finditer(sentence))
    quoted = _quotations_in(sentence)
    outside = [m for m in cues if not any(a <= m.start() < b for a, b in quoted)]
    if len(outside) < len(cues):  # '"... Sondland replied ...," Holmes said': the speaker
        # outside the quotation (named, "he", "a source"), not one the quotation quotes
        around = [
            a for a in (_attribution_at(sentence, m, names) for m in outside) if a is not None
        ]
        for kind in ATTRIBUTION_KINDS:
            for attribution in around:
                if attribution.kind == kind:
                    return attribution
    for m in cues:
        attribution = _attribution_at(sentence, m, names)
        if attribution is None:
            continue
        if attribution.speaker:
            return attribution
        found.append(attribution)
    participle = _PARTICIPLE.search(sentence)
    if participle:
        attribution = _subject_at_start(sentence[: participle.start()], names)
        if attribution is not None:
            if attribution.speaker:
                return attribution
            found.append(attribution)
    for kind in ATTRIBUTION_KINDS:
        for attribution in found:
            if attribution.kind == kind:
                return attribution
    return None


def names_like_words(text: str) -> frozenset[str]:
    """The one-word names in ``text`` that end like English words at a sentence's head
    ("Kelly", "Downing", "Beijing", not "Shortly", "During", "Speaking"): words ending in "-ly"
    or "-ing" that ``text`` writes capitalised in mid-sentence and never in lower case."""
    lower = set(_LOWER_WORDS.findall(text))
    found = set()
    for m in _LY_ING.finditer(text):
        word = m.group()
        if word not in found and word.lower() not in lower and _mid_sentence(text, m.start()):
            found.add(word)
    return frozenset(found)


def _mid_sentence(text: str, i: int) -> bool:
    """Whether position ``i`` of ``text`` is inside a sentence, not at its head (after a
    paragraph break, a sentence's end, a dash or an opening quotation mark); a title's stop
    ("Mr.") and an initial ("John F.") end nothing."""
    before = text[max(0, i - 200) : i].rstrip(" \t")  # the words just before are enough
    if not before or before.endswith("\n") or before[-1] in "“‘(—–":  # "MOSCOW (AP) — Nearly"
        return False
    if before[-1] in "\"'" and (len(before) == 1 or before[-2].isspace()):
        return False  # a straight mark opening a quotation
    end = before.rstrip("\"”’')]")
    if end.endswith(("!", "?")):
        return False
    return not (end.endswith(".") and _ends_sentence(end.split()[-1]))


def _quotations_in(sentence: str) -> list[tuple[int, int]]:
    """Quotation spans of one passage; a passage that begins inside a quotation (its first
    mark closes one: 'I believe him," Trump told reporters') has it from its start."""
    marks = [m.start() for m in _DOUBLE_QUOTES.finditer(sentence)]
    if len(marks) % 2 and marks[0] > 0 and sentence[marks[0] - 1] in ",.!?":
        return [(0, marks[0] + 1), *quote_spans(sentence, marks[0] + 1, len(sentence))]
    return quote_spans(sentence, 0, len(sentence))


def _asks(sentence: str) -> bool:
    """Whether ``sentence`` is the author's yes-no question: an auxiliary first, a question
    mark last, no quotation marks (a quoted question is someone's)."""
    words = sentence.lstrip("( ").split(maxsplit=1)
    return (
        bool(words)
        and words[0].lower() in _AUXILIARIES
        and sentence.rstrip().rstrip(")").endswith("?")
        and not _DOUBLE_QUOTES.search(sentence)
    )


def _subject_at_start(head: str, names: Collection[str] = ()) -> Attribution | None:
    """Who a sentence's main clause is about, read from its start ("Russian news agency
    Sputnik launched ...", "Officials said ..."), past one opening phrase ("On Monday, ...").
    Someone unnamed where a sentence adverb or a possessive opens it ("Meanwhile, ...", "His
    lawyers ..."): the participle still reports them."""
    dateline = _DATELINE.match(head)
    tokens = head[dateline.end() if dateline else 0 :].split()
    window = tokens[:SUBJECT_WORDS]  # where the subject may start; its name may run past it
    starts = [0, *[i + 1 for i, t in enumerate(window[:-1]) if t.endswith(",")][:1]]
    unnamed = False
    for start in starts:
        words = tokens[start:]
        if not words:
            continue
        first = _uncontracted(words[0].strip("\"'“”‘’()[],").lower())
        if first in FIRST_PERSON:
            return None
        if first in NOBODY:  # "That said, the Democrats ..., saying": read on past it
            continue
        if first in OPENING_PREPOSITIONS and start == 0:  # "At Exxon, Tillerson has been ..."
            unnamed = True  # the subject may lie past the window: someone speaks, unnamed
            continue
        if first in PRONOUNS:
            return Attribution("pronoun")
        if first in SENTENCE_ADVERBS:
            unnamed = True
            continue
        if first in POSSESSIVE_PRONOUNS:
            return Attribution("generic")
        if first in GENERIC_SUBJECTS or _generic_subject(words):
            return Attribution("generic")  # "Officials ...", "some White House officials ..."
        attribution = _named_or_titled(_run_forward(words), names)
        if attribution is not None:
            return attribution
    return Attribution("generic") if unnamed else None


def _generic_subject(words: list[str]) -> bool:
    """Whether ``words`` open with an unnamed speaker in lower case, past determiners and
    capitalised modifiers: "officials", "some White House officials", "rights groups" (not
    "Russian news agency Sputnik", whose name follows)."""
    bare = [w.strip("\"'“”‘’()[],") for w in words[:6]]
    j = 0
    while j < len(bare) and bare[j].lower() in DETERMINERS:
        j += 1
    for k in range(j, min(j + 3, len(bare))):
        if bare[k].lower() in GENERIC_SUBJECTS and bare[k].islower():
            before = bare[j:k]
            after = bare[k + 1 : k + 2]
            modifiers = all(w[:1].isupper() for w in before) or len(before) == 1
            return modifiers and not (after and after[0][:1].isupper())
        if bare[k][:1].islower() and k > j:
            break
    return False


def _attribution_at(
    sentence: str, m: re.Match[str], names: Collection[str] = ()
) -> Attribution | None:
    cue = m.group().lower()
    if cue.startswith("according"):
        return _according(sentence[m.end() :], names)
    if cue == "as saying":
        cited = _CITED.search(sentence, max(0, m.start() - 120), m.end())
        name = _name_at_end(cited.group(1), names) if cited else None
        return Attribution("named", name) if name else Attribution("generic")
    rest = sentence[m.end() :].lstrip()
    before = sentence[: m.start()].rstrip()
    if cue in THAT_VERBS and not rest.startswith("that"):
        return None
    next_word = (rest.split(maxsplit=1) or [""])[0].lower()
    if cue in NOUN_LIKE_CUES and next_word in _AFTER_A_NOUN:  # a noun: "Danger signals are"
        return None
    if cue in PASSIVE_BEFORE_OF and rest.startswith("of "):  # "officials accused of corruption"
        return None
    if cue in PASSIVE_BEFORE_BY and rest.startswith("by "):  # "a plan supported by Democrats"
        return None
    if cue in AMBIGUOUS_VERBS and not (
        not rest or rest[0] in _CLAUSE_MARKS or rest.startswith("that ") or before[-1:] in ',”"’'
    ):
        return None
    if cue in INVERSION_VERBS and before[-1:] in '”"' and before[-2:-1] in ",?!":
        # '"... from the side of the Americans," said Gen. Vladimir Dzhabarov': the words
        # before the verb end a quotation, whose speaker follows the verb
        after = _speaker_after(sentence, m.start(), m.end(), names)
        if after is not None:
            return after
    attribution = _subject_before(sentence, m.start(), names)
    if attribution is None and cue in INVERSION_VERBS:
        attribution = _speaker_after(sentence, m.start(), m.end(), names)
    return attribution


def detect_speech(
    text: str,
    paragraphs: Sequence[Sequence[tuple[int, int]]],
    author: str | None = None,
    title: str | None = None,
) -> list[tuple[bool, str | None]]:
    """``(reported, speaker)`` for every passage span, in order, paragraphs flattened."""
    authors = _author_names(author)
    turns = _transcript_turns(text, paragraphs)
    results: list[tuple[bool, str | None]] = []
    kinds: list[str | None] = []  # the passage's own attribution kind, if any
    groups: list[tuple[int, int] | None] = []  # the quotation a passage is mostly part of
    paragraph_of: list[int] = []
    carried, sources = _quotations_across_paragraphs(text, paragraphs)
    names = names_like_words(text)  # "Kelly said": a name, though it ends like "Shortly"
    for number, spans in enumerate(paragraphs):
        if not spans:
            continue
        quotes = quote_spans(text, spans[0][0], spans[-1][1])
        if number in carried:  # inside a quotation opened in an earlier paragraph
            quotes = _union([*quotes, carried[number]])
        if number in turns:  # a transcript's turns: every passage is its turn's speaker's
            for start, _ in spans:
                results.append((True, _turn_speaker(turns[number], start)))
                kinds.append("named")
                groups.append(None)
                paragraph_of.append(number)
            continue
        for start, end in spans:
            attribution = find_attribution(text[start:end], names)
            inside, longest, group = _quoted(text, start, end, quotes)
            quoted = inside * 2 >= end - start or longest >= MIN_QUOTE_WORDS
            speaker = attribution.speaker if attribution else None
            if quoted and speaker is None and number in sources:  # "From McClatchy:" above
                speaker, kind = sources[number], "named"
            else:
                kind = attribution.kind if attribution else None
            results.append((quoted or attribution is not None, speaker))
            # a quotation whose speaker is called by a role ('"...," the president said') is
            # named as one without an attribution is: by its quotation's other passages, or
            # else the passage before it in its paragraph
            kinds.append(None if quoted and kind == "titled" else kind)
            groups.append(group)
            paragraph_of.append(number)
    for number, tweeter in _embedded_tweets(text, paragraphs).items():
        for i in (i for i, n in enumerate(paragraph_of) if n == number):
            results[i], kinds[i], groups[i] = (True, tweeter), "named", None
    _share_within_quotes(results, groups)
    for i, (reported, speaker) in enumerate(results):
        if reported and speaker is None and kinds[i] == "pronoun":  # "he said"
            earlier = (results[j][1] for j in range(i - 1, max(-1, i - 4), -1))
            results[i] = (True, next((s for s in earlier if s is not None), None))
    _share_within_quotes(results, groups)
    for i, (reported, speaker) in enumerate(results):
        # a quotation that goes on after its attribution: "...," he said. "More words."
        same_paragraph = i > 0 and paragraph_of[i - 1] == paragraph_of[i]
        if reported and speaker is None and kinds[i] is None and same_paragraph:
            results[i] = (True, results[i - 1][1])
    _share_within_quotes(results, groups)
    for number, writer in _credited_excerpts(text, paragraphs).items():
        for i in (i for i, n in enumerate(paragraph_of) if n == number):
            # the excerpt's writer, unless the rules found whom the writer quotes
            results[i] = (True, results[i][1] or writer)
    full = _full_names({speaker for _, speaker in results if speaker}, text)
    whole = printed_whole(text, title)  # a speech or statement printed whole: none of it own
    first = text.lstrip().split("\n", 1)[0]
    lead = first if whole and _PRINTED_WHOLE_LEAD.match(first) else ""
    orator = _whose(title, lead) if whole else None  # "Transcript: President Obama's ..."
    first_paragraph = paragraph_of[0] if paragraph_of else None
    return [
        (False, None)
        if (speaker is not None and _is_author(speaker, authors) and not whole)
        or (lead and paragraph_of[i] == first_paragraph)  # "Below is ...": the editor's line
        else (rep or whole, full.get(speaker, speaker) if speaker else orator)
        for i, (rep, speaker) in enumerate(results)
    ]


def _credited_excerpts(
    text: str, paragraphs: Sequence[Sequence[tuple[int, int]]]
) -> dict[int, str]:
    """Paragraph number -> the writer, for paragraphs that open with a quotation mark and end
    with its closing mark and a credit ('"...." Edward B. Foley, Politico'): an excerpt of
    another's writing, as news roundups print them."""
    found: dict[int, str] = {}
    for number, spans in enumerate(paragraphs):
        if not spans:
            continue
        paragraph = text[spans[0][0] : spans[-1][1]]
        if paragraph[:1] not in '“"':
            continue
        credit = _CLOSING_CREDIT.search(paragraph[-160:])
        if credit is not None and credit.group("name").split()[0] not in NOT_NAMES:
            found[number] = credit.group("name")
    return found


def _embedded_tweets(text: str, paragraphs: Sequence[Sequence[tuple[int, int]]]) -> dict[int, str]:
    """Paragraph number -> the tweeter, for paragraphs that end with an embedded tweet's
    signature ("— Donald J. Trump (@realDonaldTrump) July 4, 2017"): the name, else the
    handle."""
    found: dict[int, str] = {}
    if "(@" not in text:  # most articles embed no tweet: no paragraph searched
        return found
    for number, spans in enumerate(paragraphs):
        if spans:
            signed = _TWEET_SIGNATURE.search(text[spans[0][0] : spans[-1][1]])
            if signed:
                found[number] = signed.group("name").strip() or f"@{signed.group('handle')}"
    return found


def printed_whole(text: str, title: str | None = None) -> bool:
    """Whether the article is another's words printed whole: a title that says so
    ("Transcript: President Obama's Final State Of The Union Address", "Full text: ...") or a
    first line that does ("Below is President Obama's final State of the Union address as
    prepared for delivery.")."""
    first = text.lstrip().split("\n", 1)[0]
    return any(_PRINTED_WHOLE_TITLE.match(line) for line in (title or "", first)) or bool(
        _PRINTED_WHOLE_LEAD.match(first)
    )


def _whose(title: str | None, lead: str = "") -> str | None:
    """The speaker that a title or lead line of a text printed whole names by a possessive:
    "Transcript: President Obama's Final State Of The Union Address" -> "Obama"; "Full text:
    Read Mueller's statement" -> "Mueller"."""
    for line in (title or "", lead):
        m = _POSSESSIVE.search(line)
        if m:
            words = [w for w in m.group(1).split() if w.lower() not in _NOT_IN_NAME]
            if words and words[0][:1].isupper():
                return _person(words)
    return None


def _quotations_across_paragraphs(
    text: str, paragraphs: Sequence[Sequence[tuple[int, int]]]
) -> tuple[dict[int, tuple[int, int]], dict[int, str]]:
    """Block quotes that open in one paragraph and close in a later one, with no marks between
    but quotations inside them (an excerpt set with one opening and one closing mark, as
    scraped pages often give them): paragraph number -> its span inside the block quote, and
    paragraph number -> the source an introduction names ("From McClatchy:" before it) for
    every paragraph of the quote. Without a closing mark nothing is carried: each paragraph's
    own marks decide."""
    carried: dict[int, tuple[int, int]] = {}
    sources: dict[int, str] = {}
    opened: int | None = None  # the paragraph whose quotation is left open
    between: list[int] = []
    intro: dict[int, str] = {}  # an opening paragraph -> the source its introduction names
    for number, spans in enumerate(paragraphs):
        if not spans:
            continue
        start, end = spans[0][0], spans[-1][1]
        marks = [m.start() for m in _DOUBLE_QUOTES.finditer(text, start, end)]
        if opened is not None:
            closing, depth = None, 0  # quotations inside the excerpt open and close in turn
            for at in marks:
                if not _closes(text, at, start, end):
                    depth += 1
                elif depth:
                    depth -= 1
                else:
                    closing = at
                    break
            if closing is not None and text[closing + 1 : end].strip():
                opened, between = None, []  # the excerpt ends where its paragraph does
            elif closing is not None:
                for inside in between:
                    carried[inside] = (paragraphs[inside][0][0], paragraphs[inside][-1][1])
                carried[number] = (start, closing + 1)
                if opened in intro:
                    for n in (opened, *between, number):
                        sources[n] = intro[opened]
                opened, between = None, []
            elif depth or len(between) >= MAX_QUOTED_PARAGRAPHS:
                opened, between = None, []  # a new quotation left open, or no end in sight
            else:
                between.append(number)
        # an excerpt begins its paragraph with the one mark in it: '"Confirmation of the trip
        # would ...' (a paragraph with more marks may be a quotation mis-scraped)
        elif len(marks) == 1 and marks[0] == start and not _closes(text, start, start, end):
            opened, between = number, []
            # the line above, a heading or not: "From McClatchy:"
            lead = _BLOCK_INTRO.fullmatch(text[:start].rstrip().rsplit("\n", 1)[-1].strip())
            if lead:
                intro[number] = lead.group(1)
    return carried, sources


def _closes(text: str, at: int, start: int, end: int) -> bool:
    """Whether the double quotation mark at ``at`` closes a quotation (rather than opens one)."""
    if text[at] == "”":
        return True
    if text[at] == "“":
        return False
    before = text[at - 1] if at > start else " "
    after = text[at + 1] if at + 1 < end else " "
    return not before.isspace() and (after.isspace() or after in ".,;:!?)—-")


def _transcript_turns(
    text: str, paragraphs: Sequence[Sequence[tuple[int, int]]]
) -> dict[int, list[tuple[int, str]]]:
    """Paragraph number -> its turns (where each starts in ``text``, its speaker), for the
    paragraphs that are a transcript's turns."""
    turns: dict[int, list[tuple[int, str]]] = {}
    for number, spans in enumerate(paragraphs):
        if not spans:
            continue
        start, end = spans[0][0], spans[-1][1]
        m = _TRANSCRIPT_LABEL.match(text, start, end)
        if m and _names_a_speaker(m.group(1)):
            turns[number] = [(start, m.group(1))] + [
                (inside.start(1), inside.group(1))
                for inside in _TRANSCRIPT_LABEL_INSIDE.finditer(text, m.end(1), end)
                if _names_a_speaker(inside.group(1))
            ]
    uses = Counter(label for labelled in turns.values() for _, label in labelled)
    return {
        number: [
            (at, _speaker_of_label(label))
            for at, label in labelled
            if uses[label] >= MIN_TRANSCRIPT_TURNS
        ]
        for number, labelled in turns.items()
        if uses[labelled[0][1]] >= MIN_TRANSCRIPT_TURNS
    }


def split_at_turns(
    text: str, paragraphs: Sequence[Sequence[tuple[int, int]]]
) -> list[list[tuple[int, int]]]:
    """``paragraphs`` with each passage cut where a transcript's turn begins inside it ("What
    should we have done — TILLERSON: I would have ..."), so that each passage is one speaker's."""
    turns = _transcript_turns(text, paragraphs)
    split: list[list[tuple[int, int]]] = []
    for number, spans in enumerate(paragraphs):
        starts = [at for at, _ in turns.get(number, [])]
        pieces: list[tuple[int, int]] = []
        for start, end in spans:
            for at in (a for a in starts if start < a < end):
                head_end = len(text[start:at].rstrip()) + start
                if head_end > start:
                    pieces.append((start, head_end))
                start = at
            pieces.append((start, end))
        split.append(pieces)
    return split


def _names_a_speaker(label: str) -> bool:
    return len(label) > 1 and label not in NOT_SPEAKER_LABELS


def _turn_speaker(turns: list[tuple[int, str]], start: int) -> str:
    """The speaker of the turn a passage starting at ``start`` belongs to."""
    return [speaker for at, speaker in turns if at <= start + 1][-1]


def _speaker_of_label(label: str) -> str:
    """The speaker a label names: "PRESIDENT DONALD TRUMP" -> "Donald Trump"; initials
    ("HH") stay as they are."""
    if len(label) <= 3:
        return label
    words = [_name_case(w) if w.isupper() else w for w in label.split()]
    return _person(words) or " ".join(words)


# After these, a name's next letter is a capital too ("McCain", "O'Neill")
_INNER_CAPITAL = re.compile(r"\b(Mc|O['’])([a-z])")


def _name_case(word: str) -> str:
    """A word of a name written in capitals, cased as a name: "MCCAIN" -> "McCain",
    "O'NEILL" -> "O'Neill", "JEAN-CLAUDE" -> "Jean-Claude" (a review saw "John Mccain")."""
    cased = "-".join(part.capitalize() for part in word.split("-"))
    return _INNER_CAPITAL.sub(lambda m: m.group(1) + m.group(2).upper(), cased)


def _full_names(speakers: set[str], text: str = "") -> dict[str, str]:
    """Within one article, a short name ("Lavrov") -> the one fuller name it ends ("Sergey
    Lavrov"), so that one person is one speaker; a surname two full names share stays as is,
    also where ``text`` names the other one only outside speech ("President Donald Trump"
    beside a quoted "Eric Trump")."""
    out: dict[str, str] = {}
    lower: set[str] = set()  # the text's lower-case words, read once and only if needed

    def lower_words() -> set[str]:
        if not lower:
            lower.update(_LOWER_WORDS.findall(text) or [""])
        return lower

    for short in speakers:
        words = short.split()
        if len(words) == 1 and len(_first_names(text, short, lower_words)) > 1:
            continue
        longer = {
            name
            for name in speakers
            if len(name.split()) > len(words) and name.split()[-len(words) :] == words
        }
        if len(longer) == 1:
            out[short] = longer.pop()
    return out


# A capitalised word that ends where the search ends (the word before a surname)
_WORD_BEFORE = re.compile(r"\b([A-Z][a-z]+)\Z")
_LONGEST_FIRST_NAME = 64  # characters looked back from a surname for the word before it


def _first_names(text: str, surname: str, lower_words: Callable[[], set[str]]) -> set[str]:
    """The first names ``text`` writes right before ``surname`` at least twice: capitalised
    words it never writes in lower case (``lower_words``: the text's, read once per article)
    ("Donald" and "Eric" before "Trump"; not "When Comey", "Director Comey", "President
    Trump", as the text has "when" and "director" too). The matches of
    ``\b([A-Z][a-z]+) SURNAME\b``, found with ``str.find``: a regular expression over the
    whole text per speaker took minutes on a 5 MB article."""
    ends_name = re.compile(rf"{re.escape(surname)}\b")
    needle = f" {surname}"
    before: Counter[str] = Counter()
    last_end = 0  # matches do not overlap, as findall's do not
    at = text.find(needle)
    while at != -1:
        if ends_name.match(text, at + 1):
            word = _WORD_BEFORE.search(text, max(last_end, at - _LONGEST_FIRST_NAME), at)
            if word:
                before[word.group(1)] += 1
                last_end = at + len(needle)
        at = text.find(needle, at + 1)
    repeated = {w for w, n in before.items() if n >= 2}
    if len(repeated) < 2:
        return repeated
    lower = lower_words()
    return {
        w
        for w in repeated
        if w.lower() not in lower and w.lower() not in PERSON_TITLES | NOT_NAMES | OFFICE_WORDS
    }


def _quoted(
    text: str, start: int, end: int, quotes: list[tuple[int, int]]
) -> tuple[int, int, tuple[int, int] | None]:
    """Characters inside quotes, words of the longest quote part, and that quote's span."""
    inside, longest, group = 0, 0, None
    for qs, qe in quotes:
        lo, hi = max(start, qs), min(end, qe)
        if lo >= hi:
            continue
        inside += hi - lo
        words = len(_WORDS.findall(text, lo, hi))
        if words > longest:
            longest, group = words, (qs, qe)
    return inside, longest, group


def _share_within_quotes(
    results: list[tuple[bool, str | None]], groups: list[tuple[int, int] | None]
) -> None:
    """Reported passages of one quotation take the speaker that one of its passages names."""
    speakers: dict[tuple[int, int], str] = {}
    for (_, speaker), group in zip(results, groups, strict=True):
        if group is not None and speaker is not None:
            speakers.setdefault(group, speaker)
    for i, ((reported, speaker), group) in enumerate(zip(results, groups, strict=True)):
        if reported and speaker is None and group in speakers:
            results[i] = (True, speakers[group])


def _according(rest: str, names: Collection[str] = ()) -> Attribution | None:
    cut = next(
        (  # a title's stop ends nothing: "according to Marine Brig. Gen. Paul Kennedy"
            m
            for m in _SEGMENT_END.finditer(rest, 0, 120)
            if not (
                m.group().startswith(".")
                and rest[m.start() - 1 : m.start()].isalpha()
                and rest[: m.start()].split()[-1].lower() in PERSON_TITLES
            )
        ),
        None,
    )
    segment = rest[: cut.start()] if cut else rest[:120]
    name = _name_at_end(segment, names)
    if name:
        return Attribution("named", name)
    if any(w.lower() in GENERIC_SOURCES for w in _WORDS.findall(segment)):
        return Attribution("generic")
    return None


def _subject_before(
    sentence: str, verb_start: int, names: Collection[str] = ()
) -> Attribution | None:
    tokens = sentence[:verb_start].split()[-16:]
    i, skipped = len(tokens) - 1, 0
    while i >= 0 and skipped < 4 and _skippable(tokens[i], tokens[i - 1] if i else ""):
        i, skipped = i - 1, skipped + 1
    if i < 0:
        return None
    if tokens[i].endswith(","):  # "Dmitry Peskov, the Kremlin spokesman, said"
        back = range(i - 1, max(-1, i - 9), -1)
        opening = next((j for j in back if tokens[j].endswith(",")), None)
        if opening is None:
            return None
        between = [*tokens[opening + 1 : i], tokens[i][:-1]]
        adverb = tokens[opening].rstrip(",").lower() in SENTENCE_ADVERBS
        if not _is_name(between) and not _is_titled_name(between) and not adverb:
            i = opening  # else "Meanwhile, Brig. Gen. Khattab Omer of the Kirkuk police, said"
        # else "the deputy minister of the Donetsk People's Republic, Fyodor Berezin, said",
        # "His Holiness, Pope Francis, told"
        tokens = [*tokens[:i], tokens[i][:-1]]
    if i > 0 and _is_label(tokens[i]) and tokens[i - 1].endswith(","):
        # a party label between the name and the verb or another aside: "Sen. Richard Burr,
        # R-N.C., chairman of the committee, said", "Sen. John McCain, R-Ariz. said"
        i -= 1
        tokens = [*tokens[:i], tokens[i][:-1]]
    word = tokens[i].strip("\"'“”‘’()[]").lower()
    place_of = next((j for j in (i - 1, i - 2) if j >= 2 and tokens[j] == "of"), None)
    if place_of is None or not _is_person_before(tokens[:place_of], tokens[place_of + 1 : i + 1]):
        place_of = _person_of_institution(tokens, i)  # or None: no person "of" a place here
    if place_of is not None:
        # "Rep. Michael T. McCaul of Texas", "Lindsey Graham of South Carolina": the person,
        # not the place ("The Ministry of Foreign Affairs", "Bank of America" stay whole)
        i = place_of - 1
        tokens = tokens[: i + 1]
        word = tokens[i].strip("\"'“”‘’()[]").lower()
    word = _uncontracted(word)
    if word in FIRST_PERSON or word in NOBODY:  # "I've said", "I'd say", "It's said"
        return None
    if word in PRONOUNS:  # "he said", "he's argued"
        return Attribution("pronoun")
    if tokens[i].islower() and word in PERSON_TITLES and _after_determiner(tokens, i):
        return Attribution("titled")  # "the president said", "a former ambassador warned"
    cue = sentence[verb_start:].split(maxsplit=1)[0] if sentence[verb_start:] else ""
    cue = cue.strip(".,;:!?\"'“”‘’()").lower()  # "his previous claims." is a noun too
    if (
        i > 0
        and tokens[i].islower()
        and (tokens[i - 1].lower() in POSSESSIVE_PRONOUNS or tokens[i - 1].endswith(("'s", "’s")))
        and cue not in NOUN_LIKE_CUES
    ):
        return Attribution("generic")  # "His family has said", "Hunter Biden's lawyer said"
    if tokens[i].endswith(("'s", "’s")):  # "Trump's claims": a possessive, not a subject
        return None
    run = _run_backwards(tokens, i)
    if word in GENERIC_SUBJECTS and (tokens[i][:1].islower() or len(run) == 1):
        return Attribution("generic")
    # "The Saudi ambassador to Berlin said": the place is no speaker; "US envoy to Ukraine
    # Kurt Volker said": the name after it is
    to = i - len(run)
    to -= 1 if to >= 1 and tokens[to].lower() == "the" else 0  # "to the United Nations"
    if run and to >= 1 and tokens[to] == "to" and tokens[to - 1].lower() in PERSON_TITLES:
        if len(run) >= 3 and _is_name(run[-2:]):
            return Attribution("named", " ".join(run[-2:]))
        return Attribution("titled" if _after_determiner(tokens, to - 1) else "generic")
    return _named_or_titled(run, names)


def _uncontracted(word: str) -> str:
    """A lower-case pronoun without the contraction it ends with ("he's" -> "he", "i've" ->
    "i"); any other word as it is ("president's" stays a possessive)."""
    m = _CONTRACTION.fullmatch(word)
    pronoun = m is not None and m.group(1) in FIRST_PERSON | PRONOUNS | NOBODY
    return m.group(1) if pronoun else word


def _after_determiner(tokens: list[str], i: int) -> bool:
    """Whether the word at ``i`` ends a noun phrase opened by a determiner within three words,
    past modifiers alone ("the president", "the Russian foreign minister")."""
    for j in range(i - 1, max(-1, i - 4), -1):
        token = tokens[j].lstrip('"“‘(')
        if token.lower() in DETERMINERS:
            return True
        if not token.replace("-", "").isalpha():
            return False
    return False


def _is_name(tokens: list[str]) -> bool:
    """Whether ``tokens`` are a person's name alone: two or three capitalised words (initials
    and hyphenated names too: "H.R. McMaster", "Jean-Yves Le Drian"), not a title, a party or
    a state ("California Republican", "R- Missouri", "New York" are labels after a name)."""
    return (
        2 <= len(tokens) <= 3
        and " ".join(tokens) not in US_STATES
        and all(
            t[:1].isupper()
            and t.lower().strip(".") not in NOT_NAMES
            and not _is_title(t)
            and not _is_label(t)
            and t not in PARTY_WORDS
            for t in tokens
        )
    )


def _is_titled_name(tokens: list[str]) -> bool:
    """Whether ``tokens`` are a title and a name, capitalised: "Pope Francis", "Sen. Chris
    Coons" (not "the Kremlin spokesman")."""
    return (
        2 <= len(tokens) <= 4
        and _is_title(tokens[0])
        and all(t[:1].isupper() and t.lower().strip(".") not in NOT_NAMES for t in tokens)
        and not _is_title(tokens[-1])
    )


def _is_organisation(word: str) -> bool:
    return word.lower().rstrip(".,") in ORGANISATION_NOUNS


def _is_label(token: str) -> bool:
    """A party and state label or an abbreviation after a name ("R-N.C.", "D-Del.", "Calif."),
    not an initial ("S.", "H.R.")."""
    bare = token.rstrip(",")
    return bool(_PARTY_LABEL.match(bare)) or (
        bare.endswith(".") and _INITIAL.fullmatch(bare) is None
    )


# Small words inside an institution's name and where it is: "Institute of International
# Studies at Monterey", "Center for Strategic and International Studies"
_INSTITUTION_LINKS = frozenset({"of", "at", "for", "and", "on", "in", "the", "&"})


def _person_of_institution(tokens: list[str], i: int) -> int | None:
    """The "of" after a person named before a longer institution ending at ``tokens[i]``
    ("Jeffrey Lewis of the Middlebury Institute of International Studies at Monterey
    says"): its index where what follows it is a capitalised name ("the" first allowed)
    joined only by small words, else None. The speaker is the person, not "Monterey"."""
    for j in range(max(2, i - 10), i - 1):
        if tokens[j] != "of":
            continue
        place = tokens[j + 1 : i + 1]
        if place[:1] == ["the"]:
            place = place[1:]
        if (
            len(place) >= 2
            and place[0][:1].isupper()
            and all(t[:1].isupper() or t.lower() in _INSTITUTION_LINKS for t in place)
            and _is_person_before(tokens[:j], place)
        ):
            return j
    return None


def _is_person_before(before: list[str], place: list[str]) -> bool:
    """Whether ``before`` ends with a person and ``place``, the words after "of", is where they
    belong, not the rest of an organisation's name: a member of Congress and their state
    ("Rep. Michael T. McCaul of Texas", "Sen. Angus King of Maine"), or a title or a first name
    before a surname ("Ms. Stark of Accenture", "Claus Vistesen of Pantheon Macroeconomics").
    "Ministry of Defense", "Civil Aviation Administration of China" and "Secretary of State"
    stay whole."""
    if len(before) < 2 or not place or not place[0][:1].isupper():
        return False
    if any(c in t for t in place for c in ',;:"“”’'):  # '... Putin of Russia," Trump wrote'
        return False
    first, last = before[-2], before[-1]
    if not last[:1].isupper() or last.lower() in NOT_NAMES or _is_organisation(last):
        return False
    if _is_title(last):  # a surname that is also a title: "Sen. Angus King of Maine"
        return " ".join(place) in US_STATES and _surname_after_title(before[:-1])
    if first.lower().rstrip(".") in PERSON_TITLES:  # "Ms. Stark", "Sen. Graham"
        return True
    if " ".join(place) in US_STATES:  # "Rep. Adam B. Schiff of California"
        return first[:1].isupper() and first.lower() not in NOT_NAMES
    before_first = before[-3] if len(before) >= 3 else ""
    return (  # "Claus Vistesen": a first name, not "Royal Bank" or "Civil Aviation Administration"
        first[:1].isupper()
        and first.lower() not in NOT_NAMES
        and not _is_title(first)
        and not _is_organisation(first)
        and (
            not before_first[:1].isupper()
            or before_first.lower().rstrip(".") in PERSON_TITLES
            or before_first.lower().rstrip(",") in _OPENERS  # "But Jeffrey Lewis of ..."
            or _INITIAL.fullmatch(before_first) is not None
        )
    )


def _speaker_after(
    sentence: str, verb_start: int, verb_end: int, names: Collection[str] = ()
) -> Attribution | None:
    before = sentence[:verb_start].rstrip()
    if not before or before[-1] not in ',”"’—-:':
        return None
    words = sentence[verb_end:].split()[:10]
    run = _run_forward(words)
    if run and run[-1].endswith(("'s", "’s")):  # "said Mr. Reid's girlfriend": someone else
        return Attribution("generic")
    described = _described_name(_after_run(words, run), names)
    if run and described:  # "tweeted Trump campaign communications director Tim Murtaugh"
        return Attribution("named", described)
    return _named_or_titled(run, names)


def _described_name(words: list[str], names: Collection[str] = ()) -> str | None:
    """The name after a run of lower-case words that describes a person ("[Trump] campaign
    communications director Tim Murtaugh", "[Trump] ally Newt Gingrich"): the run ends in a
    title or a word like "ally"; None for any other run ("[Trump] should not fire Sessions",
    "[Trump] in a speech")."""
    lower = 0
    while lower < len(words) and words[lower].isalpha() and words[lower].islower():
        if words[lower] in NOT_DESCRIPTORS:
            return None
        lower += 1
    if lower == 0 or words[lower - 1] not in PERSON_TITLES | PERSON_NOUNS:
        return None
    run = _run_forward(words[lower:])
    return _person(run, names) if run else None


def _named_or_titled(run: list[str], names: Collection[str] = ()) -> Attribution | None:
    """The speaker a capitalised run names; a run of titles alone ("the president", "Putin's
    spokesperson") is a generic speaker; None when it is neither."""
    if run and run[-1].endswith(("'s", "’s")):  # "Hunter Biden's lawyer": someone of theirs
        return Attribution("generic")
    name = _person(run, names)
    if name:
        return Attribution("named", name)
    owned = any(w.endswith(("'s", "’s")) for w in run[:-1])  # "CNN's senior analyst"
    return Attribution("generic") if run and (_has_title(run) or owned) else None


def _run_forward(tokens: list[str]) -> list[str]:
    """The capitalised run (titles and office words inside) that ``tokens`` start with, past
    a leading "the"; punctuation ends it."""
    run: list[str] = []
    for token in tokens:
        initial = _INITIAL.fullmatch(token) is not None  # "S." in "Martin S. Indyk"
        bare = token if initial else token.rstrip('.,;:!?”"’)')
        lowered = bare.lower()
        if not run and lowered == "the":
            continue
        titled = lowered in PERSON_TITLES or lowered in OFFICE_WORDS
        titles_only = all(_is_title(w) for w in run)  # "Secretary of State Mike Pompeo"
        if bare[:1].isupper() or titled or (run and titles_only and lowered in CONNECTORS):
            run.append(bare)
        else:
            break
        if bare != token and not (token.endswith(".") and titled):  # "Gen." goes on
            break
    return run


def _after_run(tokens: list[str], run: list[str]) -> list[str]:
    """The tokens after the run :func:`_run_forward` read from them (past its leading "the")."""
    return tokens[len(run) + (1 if tokens and tokens[0].lower() == "the" else 0) :]


def _run_end(tokens: list[str], run: list[str]) -> str:
    """The token, as written, that ends the run :func:`_run_forward` read from ``tokens``."""
    return tokens[len(tokens) - len(_after_run(tokens, run)) - 1] if run else ""


def _run_backwards(tokens: list[str], i: int) -> list[str]:
    """The capitalised run (with lower-case titles and connectors inside) ending at ``i``."""
    run: list[str] = []
    for j in range(i, -1, -1):
        token = tokens[j]
        if j < i and (token[-1] in ',;:!?”"’)' or token[0] in '“"‘(' or _ends_sentence(token)):
            break
        initial = j < i and _INITIAL.fullmatch(token) is not None  # "T." in "Peter T. King"
        bare = token.rstrip(".") if token.count(".") == 1 and not initial else token
        lowered = bare.lower()
        inner = lowered in PERSON_TITLES or lowered in OFFICE_WORDS or lowered in CONNECTORS
        if bare[:1].isupper() or (run and inner):
            run.append(bare)
        else:
            break
    run.reverse()
    while run and run[0].lower() in CONNECTORS:
        run.pop(0)
    return run


def _ends_sentence(token: str) -> bool:
    """A token with a final period that is not an initial, a title or a dotted abbreviation."""
    if not token.endswith(".") or _INITIAL.fullmatch(token) or token.count(".") > 1:
        return False
    return token[:-1].lower() not in PERSON_TITLES


def _name_at_end(segment: str, names: Collection[str] = ()) -> str | None:
    """The name that ends ``segment`` ("Russian presidential spokesman Dmitry Peskov")."""
    tokens = segment.split()
    if not tokens or not tokens[-1][:1].isupper():
        return None
    return _person(_run_backwards(tokens, len(tokens) - 1), names)


def _person(run: list[str], names: Collection[str] = ()) -> str | None:
    """A speaker label from a run: the name after any title, else the whole run (a word ending
    in "-ly" or "-ing" alone only where ``names`` has it: see :func:`find_attribution`)."""
    words = [w.strip("\"'“”‘’()[],;:") for w in run]
    words = [w for w in words if w]
    lowered = [w.lower().rstrip(".") for w in words]
    # a title, or a descriptor in lower case ("Russian news agency Sputnik"), ends what goes
    # before the name
    described = any(w in DESCRIPTORS for w in words[:-1])
    if described or any(w in PERSON_TITLES for w in lowered):
        keep: list[str] = []
        for j in range(len(words) - 1, -1, -1):
            word, low = words[j], lowered[j]
            if not keep and low in PERSON_TITLES and _surname_after_title(words[:j]):
                keep.insert(0, word)  # "Sen. Angus King": a surname that is also a title
                continue
            if (
                low in PERSON_TITLES
                or low in OFFICE_WORDS
                or low in DESCRIPTORS
                or word in CONNECTORS  # in lower case: "Chris Van Hollen", "Al Green" keep theirs
            ):
                break
            keep.insert(0, word)
        words = keep
    owned = [j for j, w in enumerate(words[:-1]) if w.endswith(("'s", "’s"))]
    rest = words[owned[-1] + 1 :] if owned else []
    if rest and not any(w[:1].isupper() for w in rest):  # "CNN's senior": someone unnamed
        return None
    surname = len(rest) == 1 and _is_name([rest[0], rest[0]])  # "China's Xi", "Poland's Sikorski"
    if (_is_name(rest) or surname) and not any(_is_organisation(w) for w in rest):
        # "MSNBC's Chris Hayes", "Iran's Hassan Rouhani": the person, not whose ("China's
        # Foreign Ministry", "People's Daily" stay whole)
        words = rest
    while words and words[0].lower() in NOT_NAMES:
        words.pop(0)
    while len(words) > 1 and _PARTY_LABEL.match(words[-1]):  # "Dianne Feinstein D-Calif."
        words.pop()
    if len(words) > 2 and re.fullmatch(r"[RDI]-", words[-2]):  # "Roy Blunt R- Missouri"
        words = words[:-2]
    if not words or all(w.lower() in NOT_NAMES for w in words):
        return None
    if not any(w[:1].isupper() for w in words):
        return None
    if len(words) == 1 and words[0].lower().endswith(("ing", "ly")) and words[0] not in names:
        return None
    name = " ".join(words)
    return name[:-1] if name.endswith(".") and name.count(".") == 1 else name


def _surname_after_title(before: list[str]) -> bool:
    """Whether the words before a title word are a title and a first name (or initial), so
    that the title word is a surname: "Sen. Angus" + "King", "Rep. Peter T." + "King"."""
    names: list[str] = []
    for word in reversed(before):
        if word.lower().rstrip(".") in PERSON_TITLES:
            return bool(names)
        if not word[:1].isupper() or _is_title(word):
            return False
        names.append(word)
    return False


def _is_title(word: str) -> bool:
    lowered = word.lower().rstrip(".")
    return lowered in PERSON_TITLES or lowered in OFFICE_WORDS


def _has_title(run: list[str]) -> bool:
    return any(w.lower().rstrip(".") in PERSON_TITLES for w in run)


def _skippable(token: str, before: str) -> bool:
    """A word between the subject and its verb ("Trump on Tuesday said", "Putin repeatedly
    warned"); a month after a capitalised word is a name's ("Theresa May said")."""
    lowered = token.lower()
    if lowered in _MONTHS and token[:1].isupper() and before[:1].isupper():
        return False
    return token.isalpha() and (
        lowered in SKIP_BEFORE_VERB
        or (token.islower() and lowered.endswith("ly") and lowered not in _LY_NOUNS)
    )


def _author_names(author: str | None) -> set[str]:
    names: set[str] = set()
    for name in (author or "").split(","):
        name = " ".join(name.split()).lower()
        if name:
            names.add(name)
            if " " in name:
                names.add(name.rsplit(" ", 1)[1])
    return names


def _is_author(speaker: str, authors: set[str]) -> bool:
    return " ".join(speaker.split()).lower() in authors


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged

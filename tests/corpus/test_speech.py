"""Reported speech: quotations and attributions are flagged, the author's voice is not."""

from __future__ import annotations

import pytest

from analysis.corpus.passages import build_passages
from analysis.corpus.speech import find_attribution


def _flags(text, author=None):
    return [(p.text, p.reported, p.speaker) for p in build_passages("a", text, author)]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("Lavrov said the talks were useful.", "Lavrov"),
        ("The talks were useful, said Peskov.", "Peskov"),
        ("According to Russian presidential spokesman Dmitry Peskov, security was discussed.",
         "Dmitry Peskov"),
        ("Foreign Minister Sergei Lavrov told reporters the deal was dead.", "Sergei Lavrov"),
        ("Kremlin spokesman Dmitry Peskov warned that the treaty would collapse.", "Dmitry Peskov"),
        ("Secretary of State Mike Pompeo argued that Russia had violated the pact.", "Mike Pompeo"),
        ("Dmitry Peskov, the Kremlin spokesman, claimed that the US erred.", "Dmitry Peskov"),
        ("Sen. John McCain, R-Ariz., stated that sanctions must stay.", "John McCain"),
        ("Trump on Tuesday noted that the summit went well.", "Trump"),
        ("“We are done,” said Martin S. Indyk, a former ambassador.", "Martin S. Indyk"),
        ("TASS cited the Russian Foreign Ministry as saying that talks were held.",
         "Russian Foreign Ministry"),
        ("US National Security Adviser John Bolton announced that an invitation was sent.",
         "John Bolton"),
        ("Russia has denied violating the 1987 INF treaty.", "Russia"),
        ("Russia has criticised the new US sanctions as draconian.", "Russia"),
        ("President Obama urged the Western leaders to stand up to Russia.", "Obama"),
        ("The United States has accused Russia of violating the treaty.", "United States"),
        ("Although Trump has pledged cooperation with the probe, he attacked it.", "Trump"),
        ("Russia threatened to retaliate for the new sanctions.", "Russia"),
        ("Pelosi supports new sanctions on Russia.", "Pelosi"),
        ("Officials said the talks failed.", None),
        # a participle after a comma: the words are the subject's
        ("The Kremlin rejected the claims on Monday, saying Moscow had complied.", "Kremlin"),
        ("On Monday, Secretary of State Mike Pompeo announced the withdrawal, saying Russia had "
         "cheated.", "Mike Pompeo"),
        ("Russian news agency Sputnik attacked the INF withdrawal, stating that the US had "
         "dropped its mask.", "Sputnik"),
        ("Russian state news agency TASS said the talks were useful.", "TASS"),
        ("Officials rejected the plan, warning it would fail.", None),
        ("During the summit, the president criticized the pipeline, saying it would hurt Europe.",
         None),
        ("He added that Moscow had asked Washington to act.", None),
        ("Lavrov states that the US must clarify its plans.", "Lavrov"),
        # a review of the Article page: positions reported without "said"
        ("Chuck Hagel described the exercises as “dangerously destabilising”.", "Chuck Hagel"),
        ("Trump blamed the poor relationship on past U.S. governments.", "Trump"),
    ],
)  # fmt: skip
def test_attributions_are_found_with_their_speaker(sentence, speaker):
    attribution = find_attribution(sentence)
    assert attribution is not None
    assert attribution.speaker == speaker


@pytest.mark.parametrize(
    "sentence",
    [
        "I said earlier that sanctions do not work.",
        "And the legislation that I've supported calls for a long process.",
        "It’s very possible — I’d say likely — that the motive was vindictive.",
        "As I have argued, sanctions do not work.",
        "As we noted last year, the treaty is weak.",
        "That said, the treaty is weak.",
        "Having said that, the treaty is weak.",
        "Russia added five companies to the list.",
        "Israel responded with strikes on the targets.",
        "Trump's claims about the summit were false.",
        "Washington announced new sanctions on Moscow.",
        "If everyone repeats that Russia is bad, he would say no.",
        "The plan went according to plan.",
        "Analysts hailed the sanctions as a success.",
        "The US sanctioned top Russian officials accused of corruption.",
        "The bill, supported by Democrats, passed.",
        "What happens to Pelosi when she’s opposed by the Left?",
        "The pipeline, condemned by Kyiv, was finished.",
        "The plan, described by officials as final, was dropped.",
        "The proposed sanctions would hit banks.",
        "Markets sent mixed signals on Monday.",
        "The storm hit the coast, claiming 30 lives.",
        "The sanctions hit the ruble, adding to tensions.",
        "I disagree with the plan, saying so openly.",
        "The war in Ukraine, now in its third year, is costly, warning signs show.",
        "NATO troops were sent to the Baltic states last year.",
        "The alliance brought Poland, the Baltic states and Romania into NATO.",
    ],
)
def test_the_authors_own_voice_is_not_an_attribution(sentence):
    assert find_attribution(sentence) is None


def test_quotes_make_passages_reported_but_scare_quotes_do_not():
    text = (
        "This is a kind of “operative pause” in the relations. "
        "Sputnik said on Monday that “the US has put off their mask” at last. "
        "Both leaders want to “sit down together” to talk about it. "
        '"We will never accept these sanctions and we will respond," the statement read.'
    )
    assert [(r, s) for _, r, s in _flags(text)] == [
        (False, None),
        (True, "Sputnik"),
        (False, None),
        (True, None),
    ]


def test_an_embedded_tweet_is_its_tweeter_s_words_not_the_author_s():
    text = (
        "Then the nominee spent his week live-tweeting the convention, with commentary like:\n\n"
        "The invention of email has proven to be a very bad thing for Crooked Hillary. Build "
        "the WALL! — Donald J. Trump (@realDonaldTrump) July 26, 2016\n\n"
        "Sanctions will stay in place until Russia leaves Ukraine. — (@StateDept) May 1, 2019 "
        "Report"
        "\n\nThe dispute - over (@ mentions) in May 2019 - went on for weeks."
    )
    assert [(r, s) for _, r, s in _flags(text)] == [
        (False, None),  # the author's line above the tweet
        (True, "Donald J. Trump"),  # the tweet's text
        (True, "Donald J. Trump"),  # its signature
        (True, "@StateDept"),  # no name printed: the handle
        (True, "@StateDept"),
        (False, None),  # a dash, a parenthesis and a date are no signature
    ]


def test_an_excerpt_credited_after_its_closing_mark_is_its_writer_s():
    """Roundups print excerpts as '"...." Edward B. Foley, Politico': the paragraph is the
    writer's, but a speaker the rules find inside it (the writer quoting someone) stays."""
    text = (
        "Here is what the columnists said this week.\n\n"
        "“Removing Trump from office would protect the electoral process. Some say the "
        "stakes are lower than they look.” Edward B. Foley, Politico\n\n"
        "“The Army is too small, Barndollar said. It would need the Guard too.” D. Parvaz, "
        "ThinkProgress\n\n"
        "“A quotation with no credit at all.” And the author goes on."
    )
    assert [(r, s) for _, r, s in _flags(text)] == [
        (False, None),  # the author's line
        (True, "Edward B. Foley"),  # the excerpt, no speaker of its own: its writer's
        (True, "Edward B. Foley"),
        (True, "Edward B. Foley"),  # the credit
        (True, "Barndollar"),  # whom the writer quotes, named inside, stays
        (True, "Barndollar"),
        (True, None),  # a quotation with no credit after its mark: no writer to give it
        (False, None),
    ]


def test_a_multi_sentence_quote_shares_its_speaker():
    text = (
        "“These are very dishonest people, many of them. They are very, very dishonest "
        "people,” Trump said at the rally. The crowd cheered loudly for a long time."
    )
    assert _flags(text) == [
        ("“These are very dishonest people, many of them.", True, "Trump"),
        ("They are very, very dishonest people,” Trump said at the rally.", True, "Trump"),
        ("The crowd cheered loudly for a long time.", False, None),
    ]


def test_an_open_quote_runs_to_the_end_of_its_paragraph_only():
    text = (
        "Peskov said: “The treaty is dead. Nobody can revive it now, not even the two "
        "presidents.\n\nThe summit was cancelled a week later by both sides."
    )
    flags = _flags(text)
    assert [(r, s) for _, r, s in flags] == [(True, "Peskov"), (True, "Peskov"), (False, None)]


def test_he_said_takes_the_previous_speaker():
    text = (
        "Russian Foreign Minister Sergey Lavrov stated that the US must explain its plans. "
        "He added that “the ball is now on the US side” after the talks. "
        "The ruble fell sharply on the news that week."
    )
    assert [(r, s) for _, r, s in _flags(text)] == [
        (True, "Sergey Lavrov"),
        (True, "Sergey Lavrov"),
        (False, None),
    ]


def test_a_surname_is_the_same_speaker_as_the_full_name_in_the_article():
    text = (
        "Russian Foreign Minister Sergey Lavrov said the talks were useful. "
        "The ruble fell sharply on the news that week. "
        "Lavrov said later that sanctions would not change Moscow's course. "
        "Mike Pompeo said the treaty was dead. Tom Pompeo said it was alive. "
        "Pompeo said nothing more about it."
    )
    speakers = [s for _, r, s in _flags(text) if r]
    assert speakers[:2] == ["Sergey Lavrov", "Sergey Lavrov"]
    assert speakers[-1] == "Pompeo"  # two full names share the surname: left as is


def test_words_attributed_to_the_author_are_the_authors_voice():
    text = (
        "The summit can be different from the earlier meetings, says Ivan Timofeev, "
        "Programme director of the Club. Lavrov said that the talks went well."
    )
    assert [(r, s) for _, r, s in _flags(text, author="Ivan Timofeev")] == [
        (False, None),
        (True, "Lavrov"),
    ]
    assert _flags(text)[0][1:] == (True, "Ivan Timofeev")  # no author known: reported


def test_a_quote_that_goes_on_after_its_attribution_keeps_the_speaker():
    text = (
        "“Fake news. Very dishonest,” Trump added. “They don't have sources. The sources "
        "don't exist, in many cases.”\n\n“A new paragraph with a new quote in it.”"
    )
    assert [s for _, _, s in _flags(text)] == ["Trump", "Trump", "Trump", None]


def test_a_sentence_before_the_name_is_not_part_of_it():
    attribution = find_attribution("No. Barr told members of Congress that he redacted it.")
    assert attribution is not None and attribution.speaker == "Barr"


def test_a_transcripts_turns_are_their_speakers():
    text = (
        "The senator spoke to us about sanctions on Russia.\n\n"
        "AMY GOODMAN: Should the sanctions stay? Many think so.\n\n"
        "SEN. CHRIS MURPHY: They must stay. Lifting them would reward Putin.\n\n"
        "AMY GOODMAN: Thank you for joining us.\n\n"
        "SEN. CHRIS MURPHY: Thank you.\n\n"
        "UPDATE: This interview was edited for length."
    )
    flags = _flags(text)
    assert flags[0] == ("The senator spoke to us about sanctions on Russia.", False, None)
    spoken = {t: (reported, speaker) for t, reported, speaker in flags[1:]}
    assert spoken["SEN. CHRIS MURPHY: They must stay."] == (True, "Chris Murphy")
    assert spoken["Lifting them would reward Putin."] == (True, "Chris Murphy")  # the same turn
    assert spoken["AMY GOODMAN: Should the sanctions stay? Many think so."] == (True, "Amy Goodman")
    assert not spoken["UPDATE: This interview was edited for length."][0]  # a heading
    # the host who wrote the article speaks in the author's own voice
    hosted = {t: r for t, r, _ in _flags(text, author="Amy Goodman")}
    assert not hosted["AMY GOODMAN: Thank you for joining us."]
    assert hosted["Lifting them would reward Putin."]


def test_a_turn_can_begin_inside_a_paragraph_and_counts_toward_a_transcript():
    # A hearing excerpt: each label opens one paragraph only, the other turns run on inside them.
    text = (
        "The exchange with the senator was telling.\n\n"
        "TILLERSON: The taking of Crimea was illegal. The response was weak.\n\n"
        "CARDIN: What should we have done in response to the taking of Crimea — TILLERSON: I "
        "would have armed Ukraine along its whole eastern border. CARDIN: So your recommendation "
        "is more weapons for Ukraine? TILLERSON: Yes, sir. Russia expects a show of force from "
        "us and understands nothing else.\n\n"
        "The exchange shows a willingness to counter Russia."
    )
    flags = {t: (reported, speaker) for t, reported, speaker in _flags(text)}
    assert flags["The response was weak."] == (True, "Tillerson")
    # a turn begun inside a paragraph
    expects = [v for t, v in flags.items() if t.startswith("Russia expects")]
    assert expects == [(True, "Tillerson")]
    # each turn its own passage, the speaker's: the words after "— TILLERSON:" are not Cardin's
    speakers = {t.split(":")[0]: [] for t in flags if t[:1].isupper() and ":" in t[:12]}
    for t, (_, speaker) in flags.items():
        if t.split(":")[0] in speakers:
            speakers[t.split(":")[0]].append(speaker)
    assert speakers == {"TILLERSON": ["Tillerson"] * 3, "CARDIN": ["Cardin"] * 2}
    assert "TILLERSON: I would have armed Ukraine along its whole eastern border." in flags
    assert flags["The exchange shows a willingness to counter Russia."] == (False, None)


def test_a_wire_videos_soundbite_is_its_speakers_words():
    # Reuters shot lists name the speaker in capitals before his words; a reviewer found
    # Putin's "punitive operation ... Kiev authorities" counted as the reporter's own
    text = (
        "Putin spoke at his annual news conference.\n\n"
        "6. (SOUNDBITE) (Russian) RUSSIAN PRESIDENT, VLADIMIR PUTIN, SAYING: ”(STARTS OVER "
        "SHOT OF REPORTERS) The Kiev authorities have started a punitive operation.\n\n"
        "(SOUNDBITE) (English) ARIZONA REPUBLICAN SENATOR JOHN MCCAIN SAYING: \u201cWe should "
        "arm Ukraine now.\u201d"
    )
    flags = {t: (reported, speaker) for t, reported, speaker in _flags(text)}
    assert flags["Putin spoke at his annual news conference."] == (False, None)
    said = [(r, s) for t, (r, s) in flags.items() if "Kiev authorities" in t]
    assert said == [(True, "Vladimir Putin")]
    assert [(r, s) for t, (r, s) in flags.items() if "arm Ukraine" in t] == [(True, "John McCain")]


def test_a_name_in_capitals_is_cased_as_a_name():
    from analysis.corpus.speech import _speaker_of_label

    assert _speaker_of_label("SENATOR JOHN MCCAIN") == "John McCain"
    assert _speaker_of_label("TIP O'NEILL") == "Tip O'Neill"
    assert _speaker_of_label("JEAN-CLAUDE JUNCKER") == "Jean-Claude Juncker"
    assert _speaker_of_label("MACY GRAY") == "Macy Gray"  # "Mac" is no prefix: Macy, Mack


def test_a_label_used_once_is_a_heading_not_a_transcript():
    flags = _flags("BOTTOM LINE: Sanctions work.\n\nSTEVE SMITH: Sanctions work.")
    assert [reported for _, reported, _ in flags] == [False, False]


EXCERPT = (
    "Reporters at McClatchy say investigators have new evidence about the trip to Prague.\n\n"
    "From McClatchy:\n\n"
    '"Confirmation of the trip would lend credence to the report about the Kremlin meeting.\n\n'
    "It would also be one of the most significant developments in the investigation so far. "
    "It undercuts the claim that “there is no evidence of collusion,” the report notes.\n\n"
    'Kosachev was among the Russians hit with stiff U.S. sanctions earlier this month."\n\n'
    "Whatever the truth, the sanctions on Russia are working as intended."
)


def test_a_block_quote_set_with_one_opening_and_one_closing_mark_is_the_sources():
    flags = {t.strip('"'): (reported, speaker) for t, reported, speaker in _flags(EXCERPT)}
    quoted = [v for t, v in flags.items() if t.startswith(("Confirmation", "It would", "Kosachev"))]
    assert quoted == [(True, "McClatchy")] * 3  # its source, named by the line above it
    middle = [v for t, v in flags.items() if t.startswith("It undercuts")]
    assert middle == [(True, "McClatchy")]  # a quotation inside the excerpt does not end it
    after = flags["Whatever the truth, the sanctions on Russia are working as intended."]
    assert after == (False, None)  # the author's own words again


@pytest.mark.parametrize(
    "changed",
    [
        # no closing mark: each paragraph's own marks decide
        EXCERPT.replace('this month."', "this month."),
        # a closing mark before the paragraph ends closes something else
        EXCERPT.replace('this month."', 'this month," he added, and left.'),
        # the opening paragraph closes its own quotation
        EXCERPT.replace("Kremlin meeting.\n\n", 'Kremlin meeting."\n\n'),
    ],
)
def test_a_block_quote_needs_its_closing_mark_at_a_paragraphs_end(changed):
    flags = {t: reported for t, reported, _ in _flags(changed)}
    assert not flags["It would also be one of the most significant developments in the "
                     "investigation so far."]  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("The strike was meant as a warning, the source said.", None),
        ("Civilians died in the shelling, the UN human rights office says.", None),
        ("The groups say President Trump has been tougher on Russia than any president.", None),
    ],
)  # fmt: skip
def test_more_generic_sources_attribute_speech(sentence, speaker):
    attribution = find_attribution(sentence)
    assert attribution is not None and attribution.speaker == speaker


def test_a_relative_clause_does_not_make_the_authors_main_clause_reported():
    # tried and dropped: ", who said" as an attribution misread about a quarter of the passages
    # it changed on the AllSides corpus, the author's own main clause among them
    sentence = (
        "Ivanka Trump, who just this week formally said she would step back, has yet to file "
        "her own disclosure forms."
    )
    assert find_attribution(sentence) is None


def test_a_speech_printed_whole_is_none_of_it_the_authors():
    text = (
        "Below is President Obama's final State of the Union address as prepared for delivery."
        "\n\nWhen we help Ukraine defend its democracy, that strengthens the international "
        "order.\n\nThank you, God bless you, and God bless the United States of America."
    )
    flags = _flags(text)
    assert not flags[0][1]  # the editor's line that says so is the author's
    assert all(reported and speaker == "Obama" for _, reported, speaker in flags[1:])
    titled = [
        (p.reported, p.speaker)
        for p in build_passages("a", "When we help Ukraine defend its democracy, it helps us.",
                                title="Transcript: President Obama's Final Address")
    ]  # fmt: skip
    assert titled == [(True, "Obama")]  # the speaker the title names
    for title, speaker in [
        ("Full text: Read Mueller's statement", "Mueller"),
        ("Transcript: NPR's Interview With Vladimir Putin", None),  # whose words? not NPR's
    ]:
        (passage,) = build_passages("a", "We will not let Ukraine fall today.", title=title)
        assert (passage.reported, passage.speaker) == (True, speaker)
    assert not any(r for _, r, _ in _flags("When we help Ukraine defend its democracy, it helps."))


def test_the_title_again_as_the_first_paragraph_is_not_a_passage():
    title = "Putin's gambit in Ukraine"
    text = f"{title}\n\nSanctions on Russia were tightened again this spring by the Treasury."
    assert [p.text for p in build_passages("a", text, title=title)] == [
        "Sanctions on Russia were tightened again this spring by the Treasury."
    ]
    assert len(build_passages("a", text)) == 2  # without the title, nothing to tell it by


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # the speaker after the verb, where the words before it end a quotation
        ('"We see lawlessness from the side of the Americans," said Vladimir Dzhabarov.',
         "Vladimir Dzhabarov"),
        # the person, not their state
        ('"The accord is being violated," Sen. Lindsey Graham of South Carolina told reporters.',
         "Lindsey Graham"),
        # the name between commas, not the office before it
        ("The deputy minister of the Donetsk People's Republic, Fyodor Berezin, admitted to "
         "problems among the fighters.", "Fyodor Berezin"),
        ("Only Poland has explicitly stated that it might arm Ukraine.", "Poland"),
        ("The Bank of America said that profits fell.", "Bank of America"),
        # a title's stop does not end the name after the verb
        ('"It is over," said Gen. Vladimir Dzhabarov, deputy head of the committee.',
         "Vladimir Dzhabarov"),
        # a party and state label between commas is no name; an organisation keeps its place
        ("Rep. Devin Nunes, California Republican, said the memo was true.", "Devin Nunes"),
        ("Sen. Roy Blunt, R- Missouri, said the talks failed.", "Roy Blunt"),
        ("The Russian Ministry of Defense said the drills had ended.",
         "Russian Ministry of Defense"),
        ('"The sanctions will stay on the Islamic Republic of Iran," Pompeo said.', "Pompeo"),
        # initials and hyphenated names are names; a label after another aside is not
        ("Trump's national security adviser, H.R. McMaster, said the talks failed.",
         "H.R. McMaster"),
        ("The French foreign minister, Jean-Yves Le Drian, said the deal was dead.",
         "Jean-Yves Le Drian"),
        ("Sen. Richard Burr, R-N.C., chairman of the Senate intelligence committee, said the "
         "report was done.", "Richard Burr"),
        ("Sen. Chris Coons, D-Del., a member of the committee, said the talks failed.",
         "Chris Coons"),
        ("Sen. John McCain, R-Ariz. said the sanctions must stay.", "John McCain"),
        ("The top Democrat, Sen. Dianne Feinstein D-Calif., said the report was clear.",
         "Dianne Feinstein"),
        ("His Holiness, Pope Francis, told the crowd that peace was possible.", "Francis"),
        # a capitalised particle is part of the name; a rank with a stop is a title
        ('"We must act," argued Sen. Chris Van Hollen.', "Chris Van Hollen"),
        ('"We must act," said Rep. Al Green.', "Al Green"),
        ('"The drills are over," said Lt. Cmdr. Cate Cook.', "Cate Cook"),
        # a person "of" an organisation or a country, where a title or two names say so
        ("Ms. Stark of Accenture said the market would recover.", "Stark"),
        ("Mr. Friedman of Defense Priorities says the war will drag on.", "Friedman"),
        ("Claus Vistesen of Pantheon Macroeconomics said growth would slow.", "Claus Vistesen"),
        # ... of a longer institution, and after a word that opens the sentence
        ("But Jeffrey Lewis of the Middlebury Institute of International Studies at Monterey "
         "says the treaty is dead.", "Jeffrey Lewis"),
        ("Anthony Cordesman of the Center for Strategic and International Studies said the "
         "war would last.", "Anthony Cordesman"),
        ("Foreign Minister Sergei Lavrov of Russia said the talks failed.", "Sergei Lavrov"),
        ('"I had a better meeting with Vladimir Putin of Russia," Trump wrote.', "Trump"),
        # the person, not whose they are; an organisation keeps its owner
        ('"The thing I keep coming back to is the ban," says MSNBC\'s Chris Hayes.',
         "Chris Hayes"),
        ("China's Foreign Ministry said the talks were useful.", "China's Foreign Ministry"),
        # an organisation whose name holds a possessive stays whole
        ("Ethiopia's House of People's Representatives said the vote was valid.",
         "Ethiopia's House of People's Representatives"),
        ("Time's Up said the ruling was a setback.", "Time's Up"),
        ("Moody's Investors Service said the debt was safe.", "Moody's Investors Service"),
        ("King's College London said the study was sound.", "King's College London"),
        ("North Korea's Supreme People's Assembly said the law was passed.",
         "North Korea's Supreme People's Assembly"),
        # organisations "of" a place, and a surname that is also a title
        ("South Korea's Office of the Joint Chiefs of Staff said the missile fell.",
         "Joint Chiefs of Staff"),
        ("The Civil Aviation Administration of China said the flights were halted.",
         "Civil Aviation Administration of China"),
        ("Sen. Angus King of Maine said the deal was sound.", "Angus King"),
        ("Rep. Peter T. King of New York said the threat was real.", "Peter T. King"),
        ("Rep. Adam B. Schiff of California said the memo was false.", "Adam B. Schiff"),
        ("Democratic Rep. Chris Van Hollen of Maryland said he was working on it.",
         "Chris Van Hollen"),
        # a stop after a space ends an "according to"; an office word's stop does too
        ("The base was closed, according to the Department of Defense . It reopened.",
         "Department of Defense"),
        ("The sites were assessed, according to Marine Brig. Gen. Paul Kennedy.",
         "Paul Kennedy"),
        # a month after a first name is a surname; a day after a name is not part of it
        ("Theresa May said the talks failed.", "Theresa May"),
        ("In May Putin said the talks failed.", "Putin"),
        ("Sen. Jeff Flake Wednesday said the deal was dead.", "Jeff Flake"),
        ("Trump may argue that the trial was unfair.", "Trump"),
        # the speaker outside the quotation, not one the quotation quotes
        ('"I heard the president ask about it, and Ambassador Sondland replied that he would," '
         "Holmes said.", "Holmes"),
        ('"We knew Lavrov said it," one official said.', None),
        ('And I really believe that when he tells me that," Trump told reporters.', "Trump"),
        ("Lavrov said the talks failed,” Peskov said.", "Peskov"),
        ("Sen. Roy Blunt R- Missouri said the talks failed.", "Roy Blunt"),
    ],
)  # fmt: skip
def test_the_speaker_is_the_person_who_speaks(sentence, speaker):
    attribution = find_attribution(sentence)
    assert attribution is not None and attribution.speaker == speaker


@pytest.mark.parametrize(
    "sentence",
    [
        "His proposed cuts would gut the program.",
        "You insist that Russia is a friend, but it is not.",
    ],
)
def test_pronouns_name_nobody(sentence):
    attribution = find_attribution(sentence)
    assert attribution is None or attribution.speaker is None
    # someone of theirs still speaks, unnamed
    for sentence in (
        "His family has said his health is poor.",
        "Her lawyers argued that she was innocent.",
        "His lawyers went further, arguing that he had immunity.",
    ):
        attribution = find_attribution(sentence)
        assert attribution is not None and attribution.speaker is None


def test_a_sentence_adverb_is_not_part_of_the_name():
    for adverb in ("Meanwhile", "Nonetheless", "However"):
        attribution = find_attribution(f"{adverb} The Boston Globe said the talks failed.")
        assert attribution is not None and attribution.speaker == "Boston Globe"


def test_a_titled_name_inside_a_question_is_not_its_speaker():
    attribution = find_attribution(
        "Did your boss — Doctor, I mean, Ambassador Bolton, tell you that it was a grenade?"
    )
    assert attribution is None or attribution.speaker != "Bolton"


def test_a_possessive_after_the_verb_is_not_the_speaker():
    attribution = find_attribution(
        '"I want to see Kim Jong-un," said Mr. Reid\'s girlfriend, Kailyn Leckie.'
    )
    assert attribution is not None and attribution.speaker is None  # someone, not "Reid's"
    attribution = find_attribution(
        "CNN's senior legal analyst Jeffrey Toobin was not buying it, saying it was absurd."
    )
    assert attribution is not None and attribution.speaker is None


@pytest.mark.parametrize(
    "sentence",
    ["Danger signals are flashing across Europe.", "Trump's claims of fraud were rejected."],
)
def test_a_speech_verb_that_is_a_noun_here_is_no_speech(sentence):
    assert find_attribution(sentence) is None


def test_a_verb_inside_a_hyphenated_word_is_no_speech():
    assert find_attribution("The House acted against Russian-supported disinformation.") is None


@pytest.mark.parametrize(
    "sentence",
    [
        "The president said that he would talk to Putin about Ukraine.",
        "The president said at the news conference that he would talk to Putin.",
        "The Russian foreign minister warned that the treaty was dead.",
        "A former ambassador argued that sanctions had failed.",
        "The president has denied that the call was improper.",
    ],
)
def test_a_role_with_an_article_is_someone_speaking_unnamed(sentence):
    attribution = find_attribution(sentence)
    assert attribution is not None
    assert (attribution.kind, attribution.speaker) == ("titled", None)


def test_a_pronoun_with_a_contraction_speaks_as_the_pronoun_does():
    for sentence in (
        "He’s insisted there is no proof of collusion.",
        "She's argued that sanctions must stay.",
        "They’ve said repeatedly they will not use the full time.",
        "Earlier he'd said the aid was released.",
    ):
        attribution = find_attribution(sentence)
        assert attribution is not None and attribution.kind == "pronoun", sentence
        assert attribution.speaker is None  # never "He’s" or "They’ve" as a name
    text = "Senator Rand Paul said the deal was bad. He's endorsed the Obama approach to Russia."
    assert [(r, s) for _, r, s in _flags(text)][1] == (True, "Rand Paul")


def test_a_quotation_whose_speaker_is_called_by_a_role_keeps_the_quotations_speaker():
    text = (
        "Trump said on Monday that the talks went well. “The meeting was great,” the president "
        "said. “We will meet again.”\n\nThe president said there were no casualties."
    )
    assert [(r, s) for _, r, s in _flags(text)] == [
        (True, "Trump"),
        (True, "Trump"),
        (True, "Trump"),
        (True, None),  # a new paragraph, not a quotation: someone unnamed, not guessed
    ]


def test_an_opening_that_names_nobody_is_read_past():
    attribution = find_attribution(
        "That said, the Democrats are focusing on who was behind it, saying that it matters."
    )
    assert attribution is not None and attribution.speaker == "Democrats"


def test_a_dateline_is_not_the_subject_of_the_sentence_after_it():
    for sentence, speaker in (
        ("WASHINGTON (AP) — Attorney General William Barr swiped at Trump, declaring the tweets "
         "harmful.", "William Barr"),
        ("MILWAUKEE — Republican presidential hopeful Ben Carson lashed out at the press, "
         "saying it lied.", "Ben Carson"),
    ):  # fmt: skip
        attribution = find_attribution(sentence)
        assert attribution is not None and attribution.speaker == speaker


def test_someone_of_a_named_owner_speaks_unnamed():
    for sentence in (
        "Hunter Biden's lawyer said the deal was legal.",
        "A lawyer for Hunter Biden's firm denied it, adding that the deal was legal.",
        "Hunter Biden's lawyer denied it, adding that the deal was legal.",
    ):
        attribution = find_attribution(sentence)
        assert attribution is not None, sentence
        assert (attribution.kind, attribution.speaker) == ("generic", None), sentence
    # a possessive that is not a pronoun's contraction is never a role speaking
    assert find_attribution("The president’s tweets hit back hard amid the danger.") is None
    for noun in (
        "plus hundreds of Trump's own tweets, speeches and interviews.",
        "It emerged that the panel met him, contrary to Schiff's previous claims.",
    ):
        assert find_attribution(noun) is None, noun  # fmt: skip


def test_a_one_word_name_ending_like_an_english_word_is_a_name_where_the_article_says_so():
    from analysis.corpus.speech import names_like_words

    text = (
        "White House chief of staff John Kelly met the caucus on Tuesday.\n\n"
        "“He has changed his attitudes,” Kelly said.\n\n"
        "Kelly said he told the lawmakers that the wall would be built.\n\n"
        "Shortly after, the senator said it was wrong.\n\n"
        "MOSCOW (AP) — Nearly 1,400 people were detained, a monitoring group said."
    )
    assert names_like_words(text) == {"Kelly"}  # "Shortly", "Nearly" open their sentences
    speakers = [speaker for _, _, speaker in _flags(text)]
    assert speakers[1:3] == ["Kelly", "Kelly"]
    assert speakers[3] != "Shortly" and speakers[4] != "Nearly"
    # read alone, "Kelly" might be "Shortly": it names nobody
    assert find_attribution("Kelly said he was not worried.") is None
    assert find_attribution("Kelly said he was not worried.", {"Kelly"}).speaker == "Kelly"


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        (
            "“He disagreed,” tweeted Trump campaign communications director Tim Murtaugh.",
            "Tim Murtaugh",
        ),
        ("“No,” said Trump campaign spokesman Tim Murtaugh in a statement.", "Tim Murtaugh"),
        (
            "“They moved to us,” said Trump ally Newt Gingrich, who served as speaker.",
            "Newt Gingrich",
        ),
        ("“We will win,” said Trump in a speech to the Heritage Foundation.", "Trump"),
        ("A larger portion, 64 percent, said Trump should not fire Sessions.", "Trump"),
        ("“She doesn’t quit,” responded Trump.", "Trump"),
        ("Said Mr. O’Connell, “The fact that he’s an incumbent gives him advantages.", "O’Connell"),
        ("Said Trump: “No.”", "Trump"),
        ("Trump weighed in on Twitter with praise for Putin, calling him “very smart!”", "Trump"),
        ("Mr. Schiff: “I think that’s a yes or no question.", "Schiff"),
        (
            "At Exxon, Tillerson has been critical of sanctions, saying they are hard to impose.",
            "Tillerson",
        ),
        (
            "On Putin, Schiff downplayed his abilities, saying he is no master chess player.",
            "Schiff",
        ),
        ("US envoy to Ukraine Kurt Volker said the talks failed.", "Kurt Volker"),
        ("US ambassador to the United Nations Nikki Haley said no.", "Nikki Haley"),
        (
            "Sen. Kamala Harris: “I think it is fair to say that we are looking at a crisis.”",
            "Kamala Harris",
        ),
    ],
)
def test_a_speaker_named_after_the_verb_is_read_past_what_describes_them(sentence, speaker):
    attribution = find_attribution(sentence)
    assert attribution is not None and attribution.speaker == speaker


def test_a_label_before_a_quotation_is_a_speaker_only_with_a_title():
    assert find_attribution("Update: “The talks failed.”") is None
    assert find_attribution("Russia: “The talks failed.”") is None


def test_a_place_after_a_role_is_not_the_speaker():
    embassy = find_attribution('The Saudi ambassador to Berlin said "everything is on the table."')
    assert embassy is not None and (embassy.kind, embassy.speaker) == ("titled", None)
    # a role before a verb in the infinitive speaks of nobody
    assert find_attribution("We asked a law professor to explain.") is None


def test_an_opening_phrase_whose_subject_lies_past_it_reports_someone_unnamed():
    # the subject is past the window read for it: someone speaks, not "During"
    attribution = find_attribution(
        "During a Thursday afternoon tour of an aircraft carrier in Newport News, Virginia, "
        "Trump responded to a reporter's shouted question, saying that he had total confidence."
    )
    assert attribution is not None and attribution.speaker != "During"


def test_a_surname_two_people_share_in_the_article_is_not_given_one_of_their_first_names():
    text = (
        "President Donald Trump met Eric Trump on Monday. Donald Trump spoke first.\n\n"
        "“We will win,” Eric Trump told reporters. Eric Trump then left.\n\n"
        "“It is a hoax,” Trump said."
    )
    assert _flags(text)[-1][2] == "Trump"  # not "Eric Trump": which Trump is not certain
    alone = "“We will win,” Eric Trump told reporters.\n\n“It is a hoax,” Trump said."
    assert _flags(alone)[-1][2] == "Eric Trump"


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        (
            "HERSHEY, Pa. (AP) — President Donald Trump mocked the effort, calling it a hoax.",
            "Donald Trump",
        ),
        (
            "Speaking on CBS' “Face the Nation” on Sunday, Secretary of State John Kerry disputed "
            "both claims, calling them “not accurate.”",
            "John Kerry",
        ),
        ("Crowds of students protested, calling for resignations.", None),
    ],
)
def test_the_subject_before_a_participle_is_read_whole(sentence, speaker):
    attribution = find_attribution(sentence)
    assert attribution is not None and attribution.speaker == speaker

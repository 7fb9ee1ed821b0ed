"""Cleaning: normalisation, boilerplate, captions and repeats, line by line."""

from __future__ import annotations

from analysis.corpus.clean import (
    clean_text,
    clean_title,
    is_boilerplate,
    is_caption,
    is_title_case_line,
)

VALDAI = (
    "Views expressed are of individual Members and Contributors, rather than the Club's, "
    "unless explicitly stated otherwise."
)
CAPTION = (
    "US President Donald Trump and Russia's President Vladimir Putin shake hands during a "
    "joint news conference in Helsinki, Finland on July 16, 2018. (Reuters)"
)


def test_unicode_and_white_space_are_normalised():
    raw = "ﬁrst\u00a0line  with\ttabs\u200b \r\nsecond line\r\n\r\n\r\n\n third  paragraph "
    assert clean_text(raw) == "first line with tabs\nsecond line\n\nthird paragraph"


def test_repeated_paragraph_is_dropped_and_short_repeats_kept():
    para = "The relations are at the lowest point in the past quarter-century."
    raw = f"{para}\n\nQ: Why?\n\nBecause.\n\nQ: Why?\n\n{para}\n\nEnd of the piece here."
    assert clean_text(raw) == (
        f"{para}\n\nQ: Why?\n\nBecause.\n\nQ: Why?\n\nEnd of the piece here."
    )


def test_repeat_detection_ignores_case_and_quote_style():
    raw = 'Trump’s “deal” was signed in June.\n\nTRUMP\'S "DEAL" WAS SIGNED IN JUNE.'
    assert clean_text(raw) == "Trump’s “deal” was signed in June."


def test_outlet_boilerplate_lines_are_dropped():
    body = "Sanctions were extended on Monday."
    raw = (
        f"{body}\n\nStory Continued Below\n\nADVERTISEMENT\n\n"
        "The views expressed in this article are the author's own.\n\n"
        "Get the Monitor Stories you care about delivered to your inbox. By signing up, you "
        f"agree to our Privacy Policy\n\n{VALDAI}\n\nContributing: Bart Jansen, David Jackson"
    )
    assert clean_text(raw) == body
    assert is_boilerplate(VALDAI)
    abc = (  # ABC News's follow button, scored as a sanctions passage before
        "Interested in Russia? Add Russia as an interest to stay up to date on the latest "
        "Russia news, video, and analysis from ABC News. Add Interest"
    )
    assert clean_text(f"{body}\n\n{abc}") == body
    assert not is_boilerplate("Interested in Russia? Many voters are, polls show.")
    footer = "Read CNNOpinion's new Flipboard magazine.\n\nJoin us on Facebook.com/CNNOpinion."
    related = "Putin says Russian role in election hacking 'theoretically possible' Read more"
    assert clean_text(f"{body}\n\n{related}\n\n{footer}") == body
    # after a sentence only the button goes; "read more" in a sentence or a long line stays
    qa = "Two US bombers flew from Guam, about 2,100 miles away."
    assert clean_text(f"{body}\n\n{qa} Read more") == f"{body}\n\n{qa}"
    kept = [
        "Voters read more news about Russia than before.",
        "Analysts urged readers to read more.",
    ]
    long = "Sanctions bite. " * 20 + "Read more"
    for line in [*kept, long]:
        assert clean_text(f"{body}\n\n{line}") == f"{body}\n\n{line}"


def test_boilerplate_patterns_never_drop_a_long_paragraph():
    long_para = "The views expressed by Moscow " + "were debated at length. " * 40
    assert not is_boilerplate(long_para.strip())
    assert clean_text(long_para) == long_para.strip()


def test_photo_captions_and_credits_are_dropped():
    body = "Officials prepared for the summit in Paris."
    raw = (
        f"{body}\n{CAPTION}\n{CAPTION}\n\nPhoto: Getty Images\n\n(Photo by Jane Doe/AFP)\n\n"
        "Image credit: Reuters\n\nEnlarge this image toggle caption Alex Wong/Getty Images\n\n"
        "The talks began (Photo by John Roe/Getty Images) on Tuesday."
    )
    assert clean_text(raw) == f"{body}\n\nThe talks began on Tuesday."
    assert is_caption(CAPTION)
    assert not is_caption("Putin said the talks went well (Reuters reported) and ended.")


def test_new_york_times_image_captions_are_dropped_and_prose_about_images_kept():
    caption = (
        "Image President Vladimir V. Putin of Russia on Sunday aboard a ship in Severomorsk, "
        "Russia. Credit... Pool photo by Mikhail Klimentyev"
    )
    body = "Administration officials declined to say whether sanctions would follow."
    assert clean_text(f"{caption}\n\n{body}") == body
    assert is_caption("Image Gen. Clapper at Fordham. Credit... Mark Lennihan/Associated Press")
    assert is_caption("Image The F.B.I. released this image of the suspect. Credit Reuters")
    assert not is_caption("Image is everything in politics, and the credit for that goes to TV.")
    assert not is_caption("Image matters, and Credit Suisse said the sanctions would bite.")


def test_html_tags_and_entities_in_text_are_removed():
    raw = 'Prince <a href="https://x.org" id="a">Charles</a> &amp; Camilla arrived.'
    assert clean_text(raw) == "Prince Charles & Camilla arrived."


def test_symbol_only_lines_are_dropped():
    assert clean_text("First part.\n\n***\n\n___\n\nSecond part.") == "First part.\n\nSecond part."


def test_video_and_gallery_widgets_are_removed_and_the_prose_kept():
    text = (
        "NATO leaders met in Wales. JUST WATCHED NATO to pressure Russia over Ukraine Replay More "
        "Videos ... MUST WATCH NATO increases presence in Ukraine 04:41 The summit ended.\n"
        "Critics say voters must watch the debate at 9:00 tonight."
    )
    cleaned = clean_text(text)
    assert "WATCH" not in cleaned and "Replay" not in cleaned
    assert "NATO leaders met in Wales. The summit ended." in cleaned
    assert "voters must watch the debate at 9:00 tonight" in cleaned  # prose, lower case
    # A widget title without a duration is left alone rather than eating the next sentence.
    kept = clean_text("Read more. MUST WATCH Putin speaks. The vote is at 9:00 on Monday.")
    assert "The vote is at 9:00 on Monday." in kept
    # a title that is a question, its mark right before the duration, goes too
    asked = clean_text("Talks resumed. MUST WATCH Civil war looming in Ukraine? 02:02 They ended.")
    assert asked == "Talks resumed. They ended."
    kept = clean_text("Read more. MUST WATCH Putin speaks? The vote is at 9:00 on Monday.")
    assert "The vote is at 9:00 on Monday." in kept
    # abbreviations in a title are not sentence stops
    for title in ("U.S.: Around 6 months to lift Iran sanctions", "Sen. Graham: AQAP most lethal"):
        cleaned = clean_text(f"Talks resumed. MUST WATCH {title} 02:33 They ended.")
        assert cleaned == "Talks resumed. They ended."


def test_photo_galleries_are_dropped_whole_and_the_story_kept():
    gallery = (
        "Photos: Crisis in Ukraine Photos: Crisis in Ukraine Crisis in Ukraine - A Russian sailor "
        "holds the flag of the Russian Navy. Hide Caption 1 of 24 Photos: Crisis in Ukraine "
        "Ukrainian soldiers stand guard in Mariupol. Hide Caption 2 of 24"
    )
    text = f"Talks on Syria resumed in Geneva.\n\n{gallery}\n\nnext Image 1 of 2\n\nThey ended."
    assert clean_text(text) == "Talks on Syria resumed in Geneva.\n\nThey ended."
    # The label is the widget's, in its capitals: prose that mentions a caption stays.
    prose = "The editors hide caption 3 of the photo essay until the families agree."
    assert clean_text(prose) == prose


def test_the_hills_hover_cards_are_removed_and_the_name_kept():
    raw = (
        "Special counsel Robert Mueller Robert (Bob) Swan MuellerSpeier says impeachment inquiry "
        "shows 'very strong case of bribery' by Trump Comey: Mueller 'didn't succeed in his "
        "mission' MORE’s Russia investigation went on. House Speaker Paul Ryan Paul Davis Ryan "
        "Retirees should say 'no thanks' to Romney's plan DC's liaison to rock 'n' roll MORE "
        "(R-Wis.) defended Trump, as did Rep. Jason CrowJason CrowHouse delivers impeachment "
        "articles to Senate MORE (Colo.) and Mayor Bill de Blasio Bill de BlasioDNC raises "
        "thresholds for fifth debate MORE."
    )
    assert clean_text(raw) == (
        "Special counsel Robert Mueller’s Russia investigation went on. House Speaker Paul Ryan "
        "(R-Wis.) defended Trump, as did Rep. Jason Crow (Colo.) and Mayor Bill de Blasio."
    )


def test_prose_that_says_more_in_capitals_is_kept():
    for line in (
        'He blames Democrats and declares: "NO MORE DACA DEAL!" Oliver Laughland said.',
        "President Trump wrote: “NATO countries must pay MORE, the United States must pay LESS.”",
        "Reminder: LOTS of people are there but even MORE wanted to be there.",
    ):
        assert clean_text(line) == line


def test_links_to_other_stories_and_editors_notes_are_dropped():
    links = [
        "More:Republicans blast Trump meeting with Putin as 'shameful' and 'sign of weakness'",
        "SEE ALSO: Video shows bomb suspect dodging blast",
        "FILE PHOTO: U.S. President Donald Trump speaks during a swearing-in ceremony",
        "Editor's note: Sen. Kelly Ayotte is a member of the Senate Armed Services Committee.",
        "READ: TRANSCRIPTS OF FLYNN-KISLYAK CONVERSATIONS DURING TRUMP TRANSITION",
    ]
    prose = "Sanctions on Russia were tightened on Friday."
    assert clean_text("\n\n".join([*links, prose])) == prose
    # a link the scrape ran into the next paragraph is too long to be a headline: kept
    long_line = "Read: The age of reverse censorship " + "The campaign runs many ads. " * 12
    assert clean_text(long_line) == long_line.strip()
    # prose that merely begins with one of the words is kept
    assert (
        clean_text("More than 50 sources were interviewed.")
        == "More than 50 sources were interviewed."
    )


def test_headlines_in_capitals_are_dropped_from_a_text_in_lower_case():
    prose = (
        "Sanctions on Russia were tightened on Friday after weeks of talks in Brussels.\n\n"
        "The Kremlin said it would respond, and European officials expected more measures soon."
    )
    linked = "TRUMP DEMANDS RUSSIA PROVIDE 'UNAMBIGUOUS ANSWERS' ON NERVE AGENT ATTACK IN UK"
    assert clean_text(f"{prose}\n\n{linked}\n\nCLICK TO GET THE FOX NEWS APP") == prose
    # short shouts stay (fewer than four words), and so does a text set all in capitals
    assert clean_text(f"{prose}\n\nNO COLLUSION!") == f"{prose}\n\nNO COLLUSION!"
    bulletin = "MOSCOW, MAY 5 (TASS). THE TALKS ON STRATEGIC STABILITY WILL RESUME IN GENEVA."
    assert clean_text(bulletin) == bulletin
    # a script without capitals is not "all in capitals": an Arabic paragraph stays
    arabic = "العقوبات على روسيا تضر بالاقتصاد العالمي. يجب على أوكرانيا وروسيا التفاوض."
    assert clean_text(f"{arabic}\n\n{prose}") == f"{arabic}\n\n{prose}"


def test_headlines_bylines_and_credits_in_title_case_are_dropped():
    prose = (
        "Sanctions on Russia were tightened on Friday after weeks of talks in Brussels.\n\n"
        "The Kremlin said it would respond, and European officials expected more measures soon."
    )
    for line in (
        "Flynn Denies Discussing Sanctions with Russia",  # a linked headline
        "In Crimea, Many Signs Of Russia, Few Of Resistance",
        "Jim Geraghty, National Review",  # a credit
        "By Jamie Crawford and Ryan Browne, CNN",  # a byline
    ):
        assert clean_text(f"{prose}\n\n{line}") == prose, line
    # a sentence ends with a stop or a question mark, a heading does not: both kept
    for kept in ("Russia Denies Everything.", "Has Russia Breached The Treaty?"):
        assert clean_text(f"{prose}\n\n{kept}") == f"{prose}\n\n{kept}"
    # a line with words in lower case is prose, and three words are too few to tell
    assert is_title_case_line("New Sanctions Hit Russian Banks")
    assert not is_title_case_line("New sanctions hit Russian banks")
    assert not is_title_case_line("Putin Meets Trump")


def test_a_credit_naming_the_photographer_before_the_agency_ends_a_caption():
    caption = (
        "A German soldier holds the NATO flag during a welcoming ceremony in Rukla, Lithuania, "
        "February 7, 2017. (Ints Kalnins/Reuters)"
    )
    body = "It is long past time for the alliance to reckon with its own weaknesses."
    assert clean_text(f"{caption}\n\n{body}") == body
    assert is_caption("Trump and Putin in Buenos Aires. (Marcos Brindicci/Reuters/File Photo)")
    # a slash inside prose in brackets is no credit
    assert not is_caption("The vote split the party (yes/no) and ended the talks early.")


def test_a_share_button_placeholder_goes_and_the_sentence_after_it_stays():
    raw = "The reset failed.\n\n#share#Almost every initiative Obama pushed has largely failed."
    assert clean_text(raw) == (
        "The reset failed.\n\nAlmost every initiative Obama pushed has largely failed."
    )


def test_a_headline_standing_alone_without_a_stop_is_dropped():
    prose = (
        "Lavrov called for the expulsion of 35 American diplomats, but Putin declined.\n\n"
        "The Kremlin said it would wait for the new administration."
    )
    for headline in (
        "Obama sanctions Russian officials over election hacking",  # a linked headline
        "Economic sanctions standoff",  # a subheading
        "Jill Harth speaks out about alleged groping by Donald Trump Read more",
    ):
        assert clean_text(f"{prose}\n\n{headline}") == prose, headline
    # kept: a paragraph cut short (a comma, a dash, a word no headline ends on), several
    # sentences without the last stop, two words too few to tell, a transcript's short turn,
    # a list's item
    for kept in (
        "Arab Emirates, Saudi, Jordanian and Iraqi forces to forge a strategy,",
        "The talks resumed in Geneva on Monday —",
        "The Kremlin said on Tuesday that the talks would",
        "Sanctions were tightened. Russia says it will respond in kind",
        "Putin declined",
        "RUBIO: Thank you, Senator",
        "Q: What about sanctions on Russia",
        "• The US will expel 35 Russian diplomats",
    ):
        assert clean_text(f"{prose}\n\n{kept}") == f"{prose}\n\n{kept}", kept
    # and a line inside a paragraph
    in_paragraph = f"{prose}\nObama sanctions Russian officials over election hacking"
    assert clean_text(in_paragraph) == in_paragraph
    # and an article of one such line is that line, not a headline with nothing under it
    alone = "Russia and the United States agree to extend the New START arms control treaty"
    assert clean_text(alone) == alone


def test_a_titles_link_to_the_article_is_removed():
    title = (
        "Rex Tillerson: A Worthy Choice   Read more at: "
        "http://www.nationalreview.com/article/443827/rex-tillerson-good-choice"
    )
    assert clean_title(title) == "Rex Tillerson: A Worthy Choice"
    assert clean_title("Sanctions bite - www.example.com/x") == "Sanctions bite"
    assert clean_title("The case for www.example.com") == "The case for www.example.com"
    assert clean_title("Why Russia.com domains matter") == "Why Russia.com domains matter"
    assert clean_title("Sanctions bite http://example.com/x") == "Sanctions bite"
    # a link inside the title's words is part of them, not a tail to cut at
    quoted = '=HYPERLINK("http://example.com","Санкции")'
    assert clean_title(quoted) == quoted


def test_a_hard_wrapped_text_keeps_every_line_of_its_paragraphs():
    """A text wrapped at 72 columns (a PDF dump, an e-mail) reads as its paragraphs: a wrapped
    line in title case is the middle of a sentence, not a headline to drop."""
    import textwrap

    from analysis.corpus.clean import is_title_case_line

    paragraphs = [
        "The decision was announced by Iranian Supreme Leader Ayatollah Ali Khamenei, Kim Jong "
        "Un in North Korea, the Taliban in Afghanistan, and Putin in Russia are watching closely "
        "how the alliance responds to this escalation.",
        "Sen. Kelly Ayotte, a Republican representing New Hampshire, is a member of the Senate "
        "Armed Services Committee. The opinions expressed in this commentary are hers, and the "
        "co-founder of the group agreed.",
    ]
    plain = clean_text("\n\n".join(paragraphs))
    wrapped = "\n\n".join(textwrap.fill(p, 72) for p in paragraphs)
    # the wrapped text has a line that, alone, reads as a headline in title case
    assert any(is_title_case_line(line) for line in wrapped.split("\n"))
    assert clean_text(wrapped) == plain
    # a headline over a byline is not a paragraph: its lines are still judged one by one
    assert (
        clean_text(
            "Trump Vilifies Dishonest Press At Michigan Rally\nBy John Smith\n\n" + paragraphs[0]
        )
        == paragraphs[0]
    )


def test_lines_that_stand_alone_around_a_wrapped_paragraph_are_still_judged_alone():
    """A review: joined into the paragraph, "Advertisement" under it and a headline and byline
    over it (one block of a JSON text field) were kept as prose. They stay lines of their own,
    and the filters judge them as before."""
    import textwrap

    prose = (
        "President Trump vilified the press at a rally in Michigan on Saturday night, while "
        "the White House press corps held its annual dinner in Washington, and the crowd "
        "cheered him on for a long time, as it has at every rally since."
    )
    block = "\n".join(
        [
            "Trump Vilifies Dishonest Press At Michigan Rally",
            "By John Smith",
            *textwrap.wrap(prose, 72),
            "Advertisement",
        ]
    )
    # the headline and "Advertisement" dropped as lines of their own; a short byline is kept
    # as a line of its own, as it always was (the loader reads bylines, not the cleaner)
    assert clean_text(block) == f"By John Smith\n{prose}"

"""The note "how far to trust these stances": the run's stance model's measured figures on
labelled news (``analysis.news_accuracy``), shown where the stance numbers are, and a caveat
on tone numbers from a model that reads them differently (a lexicon)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from analysis.news_accuracy import (
    FAVOR_BASELINE,
    NewsAccuracy,
    accuracy_for_run,
    accuracy_sentences,
    covered_topics,
    failed_topics,
    finds_no_against,
    gate_note,
    given_words,
    no_against_lead,
    pct,
    reversal_words,
    run_settings,
    settings_note,
    tone_caveat,
    unmeasured_note,
    unmeasured_topics,
)
from analysis.speech_accuracy import read_speech_accuracy, speech_sentence
from dashboard.style import md_escape


def trust_label(
    accuracy: NewsAccuracy | None,
    unmeasured: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    covered: Sequence[str] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> str:
    """The expander's title: the figures an analyst should see without opening it
    (``unmeasured``: the labels of the run's topics the figures do not cover; ``labels``: the
    run's names of its topics; ``settings``: the run's, said where they are not those the
    figures were measured with)."""
    if accuracy is None:
        return "How far to trust these stances: not measured on news for this stance model"
    shown = given_words(accuracy)
    if finds_no_against(accuracy):
        return (
            f"How far to trust these stances: {no_against_lead(accuracy)}. "
            + (
                f"{shown[0].upper()}{shown[1:]}, and "
                if shown
                else f"Of the stances it gives, {pct(accuracy.sign_accuracy_called)} have the "
                f"right sign, all of them favor ({FAVOR_BASELINE}), and "
            )
            + f"{accuracy.n_leaning - accuracy.n_called} of "
            f"{accuracy.n_leaning} article × topic pairs a reader found leaning get none"
            + failed_topics(accuracy, labels, covered)
            + unmeasured_note(unmeasured)
            + settings_note(accuracy, settings)
        )
    return (
        "How far to trust these stances: on labelled news, "
        + (
            f"{shown}, and "
            if shown
            else f"{pct(accuracy.sign_accuracy_called)} of the stances {accuracy.model} gives "
            "have the right sign, and "
        )
        + f"{accuracy.n_leaning - accuracy.n_called} of {accuracy.n_leaning} article × topic "
        "pairs a reader found leaning get none; it finds "
        f"{accuracy.against_found} of {accuracy.n_against} that lean against"
        + failed_topics(accuracy, labels, covered)
        + unmeasured_note(unmeasured)
        + settings_note(accuracy, settings)
    )


def trust_summary(
    models: Mapping[str, Any] | None,
    gate: float | None = None,
    settings: Mapping[str, Any] | None = None,
) -> str:
    """One line for a run's card where runs are compared: its stance model's figures on
    labelled news, or that there are none (``gate``: the run's coverage gate, said where the
    figures were measured with another; ``settings``: all the run's settings the figures
    depend on, said likewise, the gate among them, where the figures record theirs)."""
    accuracy = accuracy_for_run(models)
    if accuracy is None:
        return "Stance model: not measured on labelled news."
    if other := settings_note(accuracy, settings):
        gate = None  # the settings' note names the gate too
    other = other.replace("; measured", " Measured", 1)
    # what a shown stance is worth first, where the file records it
    shown = (
        f"of {accuracy.n_given} stances given, {accuracy.given_right} the side a reader finds, "
        f"{accuracy.given_no_side} where a reader finds none or no topic; "
        if given_words(accuracy)
        else ""
    )
    if finds_no_against(accuracy):
        return (
            f"Stance model on labelled news: finds no opposition (against found 0 of "
            f"{accuracy.n_against}: a score above 0 may be an author who opposes the topic); "
            + shown
            + f"{accuracy.n_called} of {accuracy.n_leaning} leaning pairs given a stance, "
            f"{pct(accuracy.sign_accuracy_called)} of those the right sign ({FAVOR_BASELINE})"
            + failed_topics(accuracy)
            + f"; coverage F1 {accuracy.coverage_f1:.2f}{gate_note(accuracy, gate)}.{other}"
            + ("." if other else "")
        )
    return (
        "Stance model on labelled news: "
        + shown
        + f"{accuracy.n_called} of {accuracy.n_leaning} leaning "
        f"pairs given a stance, {pct(accuracy.sign_accuracy_called)} of those the right sign"
        + f"; against found {accuracy.against_found} of {accuracy.n_against}"
        + "; coverage F1 "
        f"{accuracy.coverage_f1:.2f}{gate_note(accuracy, gate)}.{other}" + ("." if other else "")
    )


def against_sort_note(models: Mapping[str, Any] | None) -> str | None:
    """Said above a table sorted "clearest against first" when the run's stance model finds no
    opposition on labelled news: the authors it lists last may be the ones who oppose."""
    accuracy = accuracy_for_run(models)
    if accuracy is None or not finds_no_against(accuracy):
        return None
    return (
        f"{accuracy.model} read none of the {accuracy.n_against} labelled article × topic "
        "pairs that lean against as against: an author who opposes the topic may be scored in "
        "favor of it or as taking no side, so this order shows who the model reads as least in "
        "favor, not who opposes. Read the evidence."
    )


def render_run_trust(ctx: Any) -> None:
    """:func:`render_trust` for a page's run (``dashboard.context.RunContext``)."""
    from analysis.aggregate import position_rules_note

    cuts = ctx.meta.get("relevance_thresholds")
    cuts = cuts if isinstance(cuts, Mapping) else {}
    render_trust(
        ctx.meta.get("models"),
        ctx.info.topics,
        ctx.info.aggregation.include_reported,
        ctx.meta.get("model_warnings"),
        gate=ctx.info.gate,
        position_note=position_rules_note(ctx.meta),
        settings=run_settings(ctx.info),
        ungated={
            key: float(cuts[key])
            for key in ctx.meta.get("topic_head_untrained") or ()
            if isinstance(cuts.get(key), int | float)
        },
    )


def _unmeasured_bullet(
    accuracy: NewsAccuracy,
    topics: Sequence[Any],
    unmeasured: Sequence[str],
    ungated: Mapping[str, float],
) -> str:
    """What the figures do not say of the run's topics they do not cover, in markdown: how
    their passages were found, and whether "favor" there follows the target."""
    text = (
        f"**Not measured on {md_escape(', '.join(unmeasured))}.** The labelled articles were "
        "read for the built-in topics only; on other topics the model can do worse"
    )
    unchecked = [t for t in topics if t.label in unmeasured and t.key in ungated]
    if unchecked:
        cuts = sorted({ungated[t.key] for t in unchecked})
        names = md_escape(", ".join(t.label for t in unchecked))
        text += (
            f". The topic check was not trained on {names}"
            ", so their passages were found by relevance alone (at least "
            f"{' or '.join(f'{c:g}' for c in cuts)}), with no topic check: some are about "
            "something near the topic"
        )
    else:
        text += ", and its topic check may call look-alikes on topic"
    if (words := reversal_words(accuracy)) is not None:  # it ends "read the evidence ..."
        return text + f". Nor need its 'favor' there mean the target you wrote: {md_escape(words)}."
    return text + ". Read the evidence."


# After the trust note's headline: its info icon stands where an expander's arrow would, so a
# closed box read as a notice with nothing behind it (a review).
OPEN_FOR_DETAILS = " (open for the figures behind this)"


def render_trust(
    models: Mapping[str, Any] | None,
    topics: Sequence[Any],
    counts_reported: bool = False,
    model_warnings: Sequence[str] | None = None,
    gate: float | None = None,
    position_note: str | None = None,
    ungated: Mapping[str, float] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> None:
    """A collapsed expander with the measured figures (the run's ``topics``, with key and
    label, name them; those whose key the labels lack are named as not measured), or with how
    to measure them; ``counts_reported``: the run counts quotes as the author's words too.
    ``model_warnings`` (the run's ``run.json``: a model that gave every passage the same
    answer) come first, in view: that measure's numbers say nothing. ``gate``: the run's coverage
    gate, said where the figures were measured with another. ``position_note``: what the run's
    stored positions miss of today's rules (:func:`analysis.aggregate.position_rules_note`),
    said first: the page's captions describe today's. ``ungated``: the topics the topic check
    did not judge (its head was not trained on them), key -> the relevance they needed.
    ``settings``: the run's (:func:`analysis.news_accuracy.run_settings`), said in the title
    where they are not those the figures were measured with."""
    for warning in model_warnings or ():
        st.warning(f"This run: {md_escape(warning)}", icon=":material/warning:")
    if position_note:
        st.caption(md_escape(position_note[:1].upper() + position_note[1:]) + ".")
    accuracy = accuracy_for_run(models)
    unmeasured = unmeasured_topics(accuracy, topics)
    labels = {t.key: t.label for t in topics}
    caveat = tone_caveat(models)
    if caveat:
        st.caption(caveat)
    covered = covered_topics(accuracy, topics) if accuracy is not None else None
    # whichever stance model (the figures are of today's speech rules); not said where the run
    # counts quotes as the author's words too, as a missed quote then changes nothing
    speech = None if counts_reported else read_speech_accuracy()
    title = trust_label(accuracy, unmeasured, labels, covered, settings) + OPEN_FOR_DETAILS
    with st.expander(title, icon=":material/info:"):
        if accuracy is None:
            stance = models.get("stance") if isinstance(models, Mapping) else None
            name = stance.get("name") if isinstance(stance, Mapping) else None
            st.markdown(
                f"No figures on labelled news are recorded for this run's stance model "
                f"({md_escape(name or 'unknown')}, these weights). Measure them on articles "
                "labelled by reading: `viewpoints evaluate --level article --data LABELS.jsonl "
                "--run RUN` (docs/models.md). Until then, read the "
                "evidence behind each number before trusting it."
            )
            if speech is not None:
                st.markdown(f"- {speech_sentence(speech)}")
            return
        # the run's names only for the topics the figures measure: a built-in key given another
        # target ("sanctions" on Iran) keeps the figures' own key, not the run's label
        lines = accuracy_sentences(accuracy, {k: labels[k] for k in covered or []}, gate)
        if unmeasured:
            lines.insert(0, _unmeasured_bullet(accuracy, topics, unmeasured, ungated or {}))
        if speech is not None:
            lines.insert(-1, speech_sentence(speech))  # before the line saying how measured
        st.markdown("\n".join(f"- {line}" for line in lines))

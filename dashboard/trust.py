"""The note "how far to trust these stances": the run's stance model's measured figures on
labelled news (``analysis.news_accuracy``), shown where the stance numbers are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from analysis.news_accuracy import accuracy_for_run, accuracy_sentences
from dashboard.style import md_escape


def trust_label(models: Mapping[str, Any] | None) -> str:
    """The expander's title: the one figure an analyst should see without opening it."""
    accuracy = accuracy_for_run(models)
    if accuracy is None:
        return "How far to trust these stances: not measured on news for this stance model"
    called = accuracy.sign_accuracy_called
    share = "n/a" if called is None else f"{called:.0%}"
    return (
        f"How far to trust these stances: on labelled news, {share} of the stances "
        f"{accuracy.model} gives have the right sign, and {accuracy.n_leaning - accuracy.n_called}"
        f" of {accuracy.n_leaning} article × topic pairs a reader found leaning get none"
    )


def trust_summary(models: Mapping[str, Any] | None) -> str:
    """One line for a run's card where runs are compared: its stance model's figures on
    labelled news, or that there are none."""
    accuracy = accuracy_for_run(models)
    if accuracy is None:
        return "Stance model: not measured on labelled news."
    called = accuracy.sign_accuracy_called
    share = "n/a" if called is None else f"{called:.0%}"
    return (
        f"Stance model on labelled news: {accuracy.n_called} of {accuracy.n_leaning} leaning "
        f"pairs given a stance, {share} of those the right sign; against found "
        f"{accuracy.against_found} of {accuracy.n_against}; coverage F1 "
        f"{accuracy.coverage_f1:.2f}."
    )


def render_trust(models: Mapping[str, Any] | None, labels: Mapping[str, str]) -> None:
    """A collapsed expander with the measured figures (topics named by the run's ``labels``),
    or with how to measure them."""
    accuracy = accuracy_for_run(models)
    with st.expander(trust_label(models), icon=":material/verified:"):
        if accuracy is None:
            stance = models.get("stance") if isinstance(models, Mapping) else None
            name = stance.get("name") if isinstance(stance, Mapping) else None
            st.markdown(
                f"No figures on labelled news are recorded for this run's stance model "
                f"({md_escape(name or 'unknown')}, these weights). Measure them on articles "
                "labelled by reading: `viewpoints evaluate --level article --data LABELS.jsonl "
                "--run RUN` (README, *Models*). Until then, read the "
                "evidence behind each number before trusting it."
            )
            return
        st.markdown("\n".join(f"- {line}" for line in accuracy_sentences(accuracy, labels)))

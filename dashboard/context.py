"""The run every page is looking at, chosen in the app's sidebar."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import streamlit as st

from analysis.run_info import RunInfo, TopicInfo

_CONTEXT_KEY = "_vp_context"


@dataclass(frozen=True)
class RunContext:
    """The chosen run: where it is, its metadata and config, and its topics in words."""

    runs_dir: Path
    path: str
    stamp: float
    meta: dict[str, Any]
    config: dict[str, Any]
    info: RunInfo  # topics, models, threshold, aggregation: typed (analysis.run_info)

    @property
    def topics(self) -> tuple[TopicInfo, ...]:
        return self.info.topics

    @property
    def labels(self) -> dict[str, str]:
        return self.info.topic_labels()

    @property
    def run_id(self) -> str:
        return str(self.meta.get("run_id", Path(self.path).name))

    @property
    def provenance(self) -> dict[str, Any]:
        """Run id, models with hashes, topics hash and command, for every download."""
        from analysis.provenance import run_provenance

        return run_provenance({"run_id": self.run_id, **self.meta}, self.config)

    def label(self, topic: str) -> str:
        """A topic's label in words (its key when the run does not know it)."""
        return self.labels.get(topic, topic)

    @cached_property
    def marked_labels(self) -> dict[str, str]:
        """Topic key -> :meth:`label`, with "(not measured)" after a topic the stance model's
        figures on labelled news do not cover: for tables and charts, where the numbers are
        read. Found once per context (the figures are files beside the models)."""
        from analysis.news_accuracy import accuracy_for_run, unmeasured_topics

        unmeasured = unmeasured_topics(accuracy_for_run(self.meta.get("models")), self.topics)
        return {
            key: f"{label} (not measured)" if label in unmeasured else label
            for key, label in self.labels.items()
        }

    def marked_label(self, topic: str) -> str:
        """A topic's :attr:`marked_labels` entry (its key when the run does not know it)."""
        return self.marked_labels.get(topic, topic)


def set_active(context: RunContext) -> None:
    """Called by the app before it runs a page."""
    st.session_state[_CONTEXT_KEY] = context


def active() -> RunContext:
    """The run chosen in the sidebar (the app stops before any page when there is none)."""
    context = st.session_state.get(_CONTEXT_KEY)
    if context is None:
        st.error("No run is selected. Open the dashboard through dashboard/streamlit_app.py.")
        st.stop()
    return context

"""Analyst corrections: labelled data the user owns, and runs recomputed with them.

An analyst reading a passage can confirm or correct what the model said about it on one topic:
whether it is about the topic (task ``topic``: ``relevant`` / ``not relevant``), its author's
stance toward the topic's target (``stance``: ``favor`` / ``against`` / ``none``), its tone
(``negative`` / ``neutral`` / ``positive``) and, for reported speech, the stance of the voice it
quotes (``speaker``, the same labels as ``stance``). Each answer is one :class:`Correction`.

**Storage.** Plain JSON Lines in a folder the user owns (default ``./corrections/``, or
``$VIEWPOINTS_CORRECTIONS_DIR``), one file per UTC day (``corrections-YYYY-MM-DD.jsonl``), one
object per line with the fields of :class:`Correction`. Files are only ever appended to: each
batch is one ``write`` on a file opened for appending, under an exclusive ``flock`` where the
platform has one, then ``flush`` + ``fsync``. Nothing is rewritten: a new answer on the same
passage, topic and task *supersedes* the earlier one when read (the later ``time`` wins; on equal
times, the later line); one labelled ``withdrawn`` (:data:`WITHDRAWN`, ``correct --withdraw``,
the dashboard's Withdraw) supersedes it too and leaves no correction in force, so the model's
reading counts again. A line that is not JSON can only be a write cut short (a crash, a full
disk): it is skipped with a warning naming file and line, and the next append starts on a fresh
line. A JSON line that is not a valid correction (edited by hand) is skipped the same way in
the corrections folder, so that one bad line stops neither the dashboard nor saving; read as
one file (`evaluate --format corrections FILE`) it is an error naming file and line.

**Keys.** A correction is keyed by (sha256 of the passage text, topic, task), not by run or
passage id: a rerun of the same articles gets a new run id, but the same passage texts, so every
correction still applies ("never lost on rerun"). A correction therefore applies to every passage
with that exact text (boilerplate repeated across articles included): the label is a property of
the text and the topic's target, not of where the text was found.

**Applying** (:func:`apply_corrections`), per (passage, topic) of a run:

- ``topic = not relevant`` removes the passage from that topic (its score row is dropped), whatever
  its stance and tone corrections say. The topic gates are the model's and are not applied
  again: an article whose only passage over ``topics.gate`` the analyst removes keeps its
  other topic passages (those from ``topics.passage_gate`` on), and stays discussed while any
  is left;
- a stance or tone correction replaces the model's probabilities by a one-hot vector on the
  corrected label (``stance`` = favor − against and ``tone`` = positive − negative follow);
  a ``speaker`` correction does the same to the ``speaker_*`` columns of a reported passage
  (the speaker head's reading, or the stance model's where it has none; ``speaker_stance``
  follows), which the quoted-voices measure counts. It has no effect on the author's own
  words; nor has a ``stance`` correction on reported speech, which no position counts as the
  author's (unless ``aggregate.include_reported``);
- ``topic = relevant`` on a passage the model did not score on that topic adds it only when the
  analyst also gave *both* the stance it counts toward (the author's for own words; for
  reported speech the quoted voice's, or the author's where the run counts reported speech as
  the author's) and its tone (with relevance 1): a position needs both
  numbers and the product never invents one. Such a relevance correction without both labels
  is counted as ``pending`` and changes nothing. ``relevant`` on a passage already scored is a
  confirmation and changes nothing either.

Positions are then recomputed with :func:`analysis.aggregate.positions` and the run's own
aggregate settings. :func:`recompute` writes the result as a new run whose ``run.json`` names
the source run, the corrections applied and, with calibration, the fitted temperatures.
"""

from analysis.corrections.apply import (
    AppliedCorrections,
    SameRecomputation,
    apply_corrections,
    model_run,
    recompute,
    source_run_if_kept,
    source_run_path,
)
from analysis.corrections.examples import (
    examples_from_corrections,
    passage_hashes,
    predicted_label,
    predictions_for,
    probabilities_of,
    summary,
    topic_agreement,
)
from analysis.corrections.records import (
    CORRECTION_LABELS,
    DEFAULT_CORRECTIONS_DIR,
    ENV_CORRECTIONS_DIR,
    FILE_PREFIX,
    NOT_RELEVANT,
    RECORD_VERSION,
    RELEVANT,
    SCORED_BY,
    SPEAKER,
    TASKS,
    TOPIC_LABELS,
    WITHDRAWN,
    Correction,
    corrections_dir,
    is_corrections_record,
    labels_of,
    latest,
    now_iso,
    scoring_model,
)
from analysis.corrections.store import CorrectionStore, read_corrections

__all__ = [
    "CORRECTION_LABELS",
    "DEFAULT_CORRECTIONS_DIR",
    "ENV_CORRECTIONS_DIR",
    "FILE_PREFIX",
    "NOT_RELEVANT",
    "RECORD_VERSION",
    "RELEVANT",
    "SCORED_BY",
    "SPEAKER",
    "TASKS",
    "TOPIC_LABELS",
    "WITHDRAWN",
    "AppliedCorrections",
    "Correction",
    "CorrectionStore",
    "SameRecomputation",
    "apply_corrections",
    "corrections_dir",
    "examples_from_corrections",
    "is_corrections_record",
    "labels_of",
    "latest",
    "model_run",
    "now_iso",
    "passage_hashes",
    "predicted_label",
    "predictions_for",
    "probabilities_of",
    "read_corrections",
    "recompute",
    "scoring_model",
    "source_run_if_kept",
    "source_run_path",
    "summary",
    "topic_agreement",
]

"""How far a stance model's numbers hold on news: measured figures kept beside the model.

A model folder may hold ``news_accuracy.json``: what ``viewpoints evaluate --level article``
measured for a run made with that model on labelled news articles (coverage, sign accuracy,
AUC), the passage-level dev macro-F1 of its author and speaker heads, the data and the command,
and the SHA-256 of the weights it was measured on. The dashboard shows these figures beside the
stance numbers of every run whose stance model has those weights: an analyst reads how far to
trust a number where the number is, and a run with other weights (retrained, another model)
shows none, never another model's. ``experiments/news_accuracy.py`` writes the file.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any

FILE_NAME = "news_accuracy.json"
SHIPPED_ROOT = Path(__file__).resolve().parent / "shipped_models"


@dataclass(frozen=True)
class NewsAccuracy:
    """A stance model's dev figures on labelled news articles and passages."""

    model: str  # the name the figures were measured under
    weights_sha256: str  # the weights they hold for (as a run's models.stance records them)
    data: str  # what was labelled, by whom, which split
    command: str  # how the article figures were measured
    run_id: str  # the run they were measured on
    pairs: int  # labelled article × topic pairs
    articles: int  # labelled articles
    coverage_precision: float
    coverage_recall: float
    coverage_f1: float
    n_leaning: int  # pairs a reader found leaning (favor or against)
    n_called: int  # of those, how many the run gave a stance
    sign_accuracy: float  # right sign among all leaning pairs
    sign_accuracy_called: float | None  # right sign among those given a stance
    n_against: int
    against_found: int  # against pairs the run read as against
    auc_favor_vs_none: float | None
    passage_author_f1: float | None  # macro-F1, on-topic passages of the dev articles
    passage_speaker_f1: float | None
    passages: int | None
    # topic key -> n_leaning, n_called, n_right (right sign among the leaning), coverage_f1
    per_topic: dict[str, dict[str, Any]]
    # the run's topics.gate (None: not recorded, files from before): coverage moves with it
    coverage_gate: float | None = None
    # does "favor" follow the target? the author head on the on-topic dev passages read
    # against each topic's target and its reverse (experiments/negated_targets.py): how many
    # it called favor of either, and how many readers found on either side (labelled_favor,
    # labelled_against); None: not measured
    reversed_target: dict[str, int] | None = None
    # the settings of the run they were measured on (run_settings): a run made with others
    # finds other passages or reads them otherwise; None: not recorded, files from before
    settings: dict[str, Any] | None = None
    # every labelled pair the run gave a stance number, how many of those are the side a
    # reader finds, and how many a reader finds take no side or not discussed: what a shown
    # stance is worth (sign accuracy counts only the pairs readers found leaning); None: not
    # recorded, files from before
    n_given: int | None = None
    given_right: int | None = None
    given_no_side: int | None = None
    speaker_passages: int | None = None  # the passages passage_speaker_f1 is over


class NewsAccuracyError(ValueError):
    """A ``news_accuracy.json`` that is not what :class:`NewsAccuracy` expects."""


def read_news_accuracy(path: Path) -> NewsAccuracy:
    """The figures in ``path``; :class:`NewsAccuracyError` says what was expected."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise NewsAccuracyError(f"{path}: expected a readable JSON file, got: {err}") from None
    if not isinstance(raw, dict):
        raise NewsAccuracyError(f"{path}: expected a JSON object, got {type(raw).__name__}")
    names = [f.name for f in fields(NewsAccuracy)]
    required = [f.name for f in fields(NewsAccuracy) if f.default is MISSING]
    missing = [n for n in required if n not in raw]
    if missing:
        raise NewsAccuracyError(f"{path}: expected the fields {required}, missing {missing}")
    names = [n for n in names if n in raw]
    for name in names:
        value, kind = raw[name], _KINDS[name]
        if not _fits(value, kind):
            expected = {
                "reversal?": f"null or an object of the counts {list(_REVERSAL_COUNTS)}",
                "settings?": f"null or an object of the settings {list(SETTING_WORDS)}",
            }.get(kind, kind.rstrip("?"))
            raise NewsAccuracyError(f"{path}: expected {expected} for {name}, got {value!r}")
    return NewsAccuracy(**{n: raw[n] for n in names})


def _fits(value: object, kind: str) -> bool:
    """Whether ``value`` is of ``kind`` (:data:`_KINDS`)."""
    if kind == "text":
        return isinstance(value, str)
    if kind == "table":
        return _is_topic_table(value)
    if kind == "settings?":
        return value is None or (
            isinstance(value, dict)
            and set(value) <= set(SETTING_WORDS)
            and all(v is None or isinstance(v, bool | str | int | float) for v in value.values())
        )
    if kind == "reversal?":
        return value is None or (
            isinstance(value, dict)
            and set(value) == set(_REVERSAL_COUNTS)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values())
        )
    if value is None:
        return kind.endswith("?")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return kind.startswith("rate") or isinstance(value, int)


# What each field holds ("?": may be null): checked on reading, so that a hand-edited file
# cannot break the pages that show it.
_KINDS = {
    **dict.fromkeys(("model", "weights_sha256", "data", "command", "run_id"), "text"),
    **dict.fromkeys(
        ("pairs", "articles", "n_leaning", "n_called", "n_against", "against_found"), "count"
    ),
    **dict.fromkeys(
        ("coverage_precision", "coverage_recall", "coverage_f1", "sign_accuracy"), "rate"
    ),
    **dict.fromkeys(
        ("sign_accuracy_called", "auc_favor_vs_none", "passage_author_f1", "passage_speaker_f1"),
        "rate?",
    ),
    "passages": "count?",
    **dict.fromkeys(("n_given", "given_right", "given_no_side", "speaker_passages"), "count?"),
    "per_topic": "table",
    "coverage_gate": "rate?",
    "reversed_target": "reversal?",
    "settings": "settings?",
}
_REVERSAL_COUNTS = (
    "passages",
    "favor_of_target",
    "favor_of_reverse",
    "labelled_favor",
    "labelled_against",
)
_TOPIC_COUNTS = ("n_leaning", "n_called", "n_right")


def _is_topic_table(value: object) -> bool:
    """``{topic: {n_leaning, n_called, n_right: int, coverage_f1: number or null}}``."""
    return isinstance(value, dict) and all(
        isinstance(row, dict)
        and all(
            isinstance(row.get(k), int) and not isinstance(row.get(k), bool) for k in _TOPIC_COUNTS
        )
        and (row.get("coverage_f1") is None or isinstance(row.get("coverage_f1"), int | float))
        for row in value.values()
    )


def write_news_accuracy(path: Path, accuracy: NewsAccuracy) -> None:
    path.write_text(json.dumps(asdict(accuracy), indent=1) + "\n", encoding="utf-8")


def accuracy_for_run(models: Mapping[str, Any] | None) -> NewsAccuracy | None:
    """The figures measured for a run's stance model (``run.json``'s ``models``): looked for
    beside the model the run recorded, then among the shipped models; only figures recorded
    for the same weights count. None where no such figures exist or a file is unreadable."""
    stance = models.get("stance") if isinstance(models, Mapping) else None
    if not isinstance(stance, Mapping) or not stance.get("weights_sha256"):
        return None
    candidates = []
    if isinstance(stance.get("path"), str):
        candidates.append(Path(stance["path"]) / FILE_NAME)
    candidates += sorted(SHIPPED_ROOT.glob(f"*/{FILE_NAME}"))
    for path in candidates:
        if not path.is_file():
            continue
        try:
            accuracy = read_news_accuracy(path)
        except NewsAccuracyError:
            continue
        if accuracy.weights_sha256 == stance["weights_sha256"]:
            return accuracy
    return None


# The run settings the figures hold for, in words: a run made with another relevance threshold
# or gate finds other passages, with another stance mass or rule reads them otherwise, and one
# that counts quotes as the author's words reads other passages as the author's.
SETTING_WORDS = {
    "threshold": "relevance threshold",
    "gate": "topic gate",
    "passage_gate": "passage gate",
    "min_stance_mass": "min_stance_mass",
    "stance_rule": "stance rule",
    "include_reported": "quotes counted as the author's words",
}


def run_settings(info: Any) -> dict[str, Any]:
    """The settings of a run (``analysis.run_info.RunInfo``) its figures depend on."""
    aggregation = info.aggregation
    return {
        "threshold": info.threshold,
        "gate": info.gate,
        "passage_gate": info.passage_gate,
        "min_stance_mass": aggregation.min_stance_mass,
        "stance_rule": aggregation.stance_rule,
        "include_reported": aggregation.include_reported,
    }


def _setting(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def run_settings_unlike_measured(
    meta: Mapping[str, Any] | None, config: Mapping[str, Any] | None
) -> list[str]:
    """:func:`settings_differ` of a run given its ``run.json`` and ``config.toml`` (as dicts):
    the settings it was made with that its stance model's figures were not measured with."""
    from analysis.run_info import run_info

    models = meta.get("models") if isinstance(meta, Mapping) else None
    return settings_differ(accuracy_for_run(models), run_settings(run_info(meta, config)))


def settings_differ(accuracy: NewsAccuracy | None, settings: Mapping[str, Any] | None) -> list[str]:
    """Where a run's ``settings`` (:func:`run_settings`) are not those the figures were
    measured with, each in words ("relevance threshold 0.3 (measured at 0.55)"); [] where they
    are, or either is not recorded."""
    measured = accuracy.settings if accuracy is not None else None
    if not measured or not settings:
        return []
    out = []
    for name, words in SETTING_WORDS.items():
        then, now = measured.get(name), settings.get(name)
        if then is None or now is None:
            continue
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (then, now))
        if (abs(float(then) - float(now)) > 1e-9) if numbers else then != now:
            if isinstance(now, bool):  # "quotes counted as the author's words (measured not)"
                out.append(f"{words if now else 'quotes not counted'} (measured otherwise)")
            else:
                out.append(f"{words} {_setting(now)} (measured at {_setting(then)})")
    return out


def settings_note(accuracy: NewsAccuracy | None, settings: Mapping[str, Any] | None) -> str:
    """A clause saying that the run was made with other settings than the figures were
    measured with, and which ("" where it was not, or it is not known)."""
    differ = settings_differ(accuracy, settings)
    if not differ:
        return ""
    return (
        f"; measured with other settings than this run's ({'; '.join(differ)}): the figures "
        "may not hold for it"
    )


def gate_note(accuracy: NewsAccuracy | None, gate: float | None) -> str:
    """Where a run's coverage gate is not the one its model's figures were measured with, what
    that means for their coverage F1 (the other figures do not move with it); else ""."""
    if accuracy is None or accuracy.coverage_gate is None or gate is None:
        return ""
    if abs(float(gate) - float(accuracy.coverage_gate)) < 1e-9:
        return ""
    return (
        f" (coverage measured with the topic gate at {accuracy.coverage_gate:g}; this run's is "
        f"{float(gate):g}, so its coverage differs)"
    )


def unmeasured_topics(accuracy: NewsAccuracy | None, topics: Sequence[Any]) -> list[str]:
    """The labels of a run's ``topics`` (with ``key``, ``label`` and ``target``) the figures
    do not cover (none without figures at all). A topic is covered when its target is the
    target of a built-in topic the labelled articles have, whatever its key (a topic keyed
    ``sanctions`` about Iran is another topic; Ukraine under a key of the user's is Ukraine);
    a run that recorded no target goes by key."""
    if accuracy is None:
        return []
    from analysis.topics import folded, load_topics

    measured = accuracy.per_topic or {}
    targets = {folded(t.target) for t in load_topics(None) if t.key in measured}

    def covered(topic: Any) -> bool:
        target = getattr(topic, "target", None)
        return folded(target) in targets if target else topic.key in measured

    return [t.label for t in topics if not covered(t)]


def trust_record(
    meta: Mapping[str, Any], topics: Sequence[Any], settings: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What a run's numbers' trust rests on, for the data that leaves the tool (exports,
    ``show --json``, ``compare-authors --json``): whether its stance model was measured on
    labelled news, and with other settings than the run's (``settings``: :func:`run_settings`),
    the labels of ``topics`` those figures do not cover (all of them for a model never
    measured), the topic keys its topic head did not judge, and any warnings about a model
    that gave every passage the same answer."""
    accuracy = accuracy_for_run(meta.get("models"))
    return {
        "stance_model_measured_on_news": accuracy is not None,
        # the run's settings that are not those the figures were measured with, in words
        "measured_with_other_settings": settings_differ(accuracy, settings),
        "topics_not_measured": [t.label for t in topics]
        if accuracy is None
        else unmeasured_topics(accuracy, topics),
        "topic_head_untrained": list(meta.get("topic_head_untrained") or []),
        "model_warnings": list(meta.get("model_warnings") or []),
    }


def unmeasured_note(labels: Sequence[str], accuracy: NewsAccuracy | None = None) -> str:
    """A clause saying which topics the figures do not cover ("" when they cover them all),
    and, where it was measured, how little the model's "favor" follows the target it is given:
    on a topic of the user's only the target says which side "favor" is."""
    if not labels:
        return ""
    note = (
        f"; not measured on {', '.join(labels)}: the labels cover the built-in topics only, "
        "and a stance model can do worse on others"
    )
    if (words := reversal_words(accuracy)) is not None:
        note += f"; nor need its 'favor' there mean the target you wrote: {words}"
    return note


def reversal_words(accuracy: NewsAccuracy | None) -> str | None:
    """Where the model's "favor" was measured not to follow its target, the figures in words
    (None where it was not measured or follows it): on a user's topic only the target says
    which side "favor" is, so an analyst must then read the evidence for it."""
    reversal = accuracy.reversed_target if accuracy is not None else None
    # a model that read the target would call favor of the reverse about as often as readers
    # found passages against the target; one that calls it twice as often reads "takes a
    # side" as favor of whatever it is given
    if not reversal or reversal["favor_of_reverse"] <= 2 * reversal["labelled_against"]:
        return None
    return (
        "read against the reverse of each built-in topic's target ('lifting sanctions on "
        f"Russia'), it called {reversal['favor_of_reverse']} of {reversal['passages']} dev news "
        f"passages favor of the reverse, where readers found {reversal['labelled_against']} on "
        f"that side ({reversal['favor_of_target']} favor of the target, readers "
        f"{reversal['labelled_favor']}); read the evidence for the side a score takes"
    )


def pct(value: float | None) -> str:
    """A rate as a whole percentage ("90%"), "n/a" where not measured."""
    return "n/a" if value is None else f"{value:.0%}"


def given_words(accuracy: NewsAccuracy, times: str = "\u00d7") -> str | None:
    """What a shown stance is worth, in words: of the stance numbers the run gave labelled
    pairs, how many are the side a reader finds and how many sit on pairs a reader finds take
    no side (None where the file does not record them)."""
    given, right, no_side = accuracy.n_given, accuracy.given_right, accuracy.given_no_side
    if given is None or right is None or no_side is None or not given:
        return None
    return (
        f"of the {given} stances {accuracy.model} gives labelled article {times} topic pairs, "
        f"{right} ({right / given:.0%}) are the side a reader finds and {no_side} are on pairs a "
        "reader finds take no side or do not discuss the topic"
    )


def finds_no_against(accuracy: NewsAccuracy) -> bool:
    """Whether the model read none of the labelled against pairs as against: then every right
    sign it gave is a favor, and answering favor every time would have scored at least as well,
    so its sign accuracy is no evidence that it tells the sides apart."""
    return accuracy.n_against > 0 and accuracy.against_found == 0


# Said wherever the sign figure is, when finds_no_against holds.
FAVOR_BASELINE = "answering favor every time would score at least as well"


# A topic whose leaning pairs are at least this many and none read right is named in the
# one-line figures (arms control: 0 of 5 on the shipped model's dev articles).
MIN_LEANING_NAMED = 3


def failed_topics(
    accuracy: NewsAccuracy,
    labels: Mapping[str, str] | None = None,
    covered: Collection[str] | None = None,
) -> str:
    """ "; on arms control it read 0 of 5 leaning pairs right" for each topic the figures cover
    with at least :data:`MIN_LEANING_NAMED` leaning pairs and none right; "" where there are
    none (``labels``: topic key -> the run's name for it; ``covered``: the keys of the run's
    topics the figures measure, by target as :func:`unmeasured_topics` reads them: only those
    are named; None: every topic of the figures)."""
    labels = labels or {}
    return "".join(
        f"; on {labels.get(key, key.replace('_', ' '))} it read {row.get('n_right', 0)} of "
        f"{row['n_leaning']} leaning pairs right"
        for key, row in (accuracy.per_topic or {}).items()
        if int(row.get("n_leaning") or 0) >= MIN_LEANING_NAMED
        and not row.get("n_right")
        and (covered is None or key in covered)
    )


def covered_topics(accuracy: NewsAccuracy, topics: Sequence[Any]) -> list[str]:
    """The keys of the run's ``topics`` (with key, label and target) that the figures measure:
    the same key and not among :func:`unmeasured_topics` (matched by target)."""
    unmeasured = set(unmeasured_topics(accuracy, topics))
    return [
        t.key for t in topics if t.key in (accuracy.per_topic or {}) and t.label not in unmeasured
    ]


def no_against_lead(accuracy: NewsAccuracy, times: str = "\u00d7") -> str:
    """What an analyst must know first when :func:`finds_no_against` holds: the model does not
    find opposition, so a score above 0 can be an author who opposes the topic (an audit
    found hawks against arms control scored in favor of it)."""
    return (
        f"{accuracy.model} finds no opposition (none of the {accuracy.n_against} labelled "
        f"article {times} topic pairs that lean against read as against), so a score above 0 "
        "may be an author who opposes the topic"
    )


def accuracy_sentences(
    accuracy: NewsAccuracy, labels: Mapping[str, str] | None = None, gate: float | None = None
) -> list[str]:
    """The figures as plain sentences for an analyst (Markdown); ``labels`` names the topics
    (key -> label) where the run has the same keys; ``gate``: the run's coverage gate, said
    where the figures were measured with another (:func:`gate_note`)."""
    shown = given_words(accuracy)
    lines = [
        *(
            [f"**Stances shown.** {shown[0].upper()}{shown[1:]}, the rest the other side."]
            if shown
            else []
        ),
        f"**Sign.** Of {accuracy.n_leaning} article × topic pairs a careful reader found "
        f"leaning, {accuracy.n_called} get a stance, and {pct(accuracy.sign_accuracy_called)} "
        f"of those have the right sign ({pct(accuracy.sign_accuracy)} of all leaning pairs); "
        "the others read *no stance expressed* or *not discussed*.",
        f"**Against.** {accuracy.against_found} of {accuracy.n_against} pairs leaning against "
        "the target were read as against: a missing *against* is weak evidence that nobody "
        "argues against."
        + (
            f" Every right sign above is a *favor*: on these labels {FAVOR_BASELINE}, so the "
            "sign figure does not show that the model tells the two sides apart."
            if finds_no_against(accuracy)
            else ""
        ),
        f"**Coverage.** {pct(accuracy.coverage_recall)} of discussed article × topic pairs are "
        f"found, and {pct(accuracy.coverage_precision)} of those found are really discussed"
        f"{gate_note(accuracy, gate)}.",
    ]
    if accuracy.auc_favor_vs_none is not None:
        lines.append(
            f"**Ranking.** A favoring article scores above one that takes no side "
            f"{pct(accuracy.auc_favor_vs_none)} of the time (AUC, ties counting half: many of "
            "both get no stance number, and tie at 0)."
        )
    if accuracy.passage_author_f1 is not None:
        speaker = (
            f", the quoted speakers' {accuracy.passage_speaker_f1:.2f}"
            + (
                f" (over the {accuracy.speaker_passages} of them readers found quoting someone)"
                if accuracy.speaker_passages
                else ""
            )
            if accuracy.passage_speaker_f1 is not None
            else ""
        )
        lines.append(
            f"**Single passages.** Macro-F1 of the author's stance {accuracy.passage_author_f1:.2f}"
            f"{speaker} (favor / against / none, {accuracy.passages} dev passages): one "
            "passage's label is often wrong; read the evidence."
        )
    if accuracy.per_topic:
        parts = []
        for key, row in accuracy.per_topic.items():
            coverage = row.get("coverage_f1")
            parts.append(
                f"{(labels or {}).get(key, key)}: {row['n_right']} of {row['n_leaning']} leaning "
                f"pairs right ({row['n_called']} given a stance)"
                + ("" if coverage is None else f", coverage F1 {coverage:.2f}")
            )
        lines.append(
            "**By topic** (the topics of the labels, by key; few pairs each): "
            + "; ".join(parts)
            + "."
        )
    lines.append(
        f"*Measured on {accuracy.data} ({accuracy.pairs} pairs, {accuracy.articles} articles), "
        f"run `{accuracy.run_id}`: `{accuracy.command}`.*"
    )
    return lines


def accuracy_line(
    accuracy: NewsAccuracy | None,
    unmeasured: Sequence[str] = (),
    covered: Collection[str] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> str:
    """The figures in one plain line for a terminal (None: not measured); ``unmeasured``: the
    labels of the run's topics they do not cover (:func:`unmeasured_topics`); ``settings``:
    the run's (:func:`run_settings`), said where they are not those measured."""
    if accuracy is None:
        return (
            "how far to trust S: not measured on news for this stance model "
            "(viewpoints evaluate --level article --data LABELS --run RUN measures it)"
        )
    quoted = (
        ""
        if accuracy.passage_speaker_f1 is None
        else "; Q, less: the side of single quoted passages has macro-F1 "
        f"{accuracy.passage_speaker_f1:.2f} on dev (favor/against/none), no article figure"
    )
    shown = given_words(accuracy, "x")
    if finds_no_against(accuracy):
        return (
            f"how far to trust S: {no_against_lead(accuracy, 'x')}; on labelled news, "
            + (
                f"{shown}; "
                if shown
                else f"{pct(accuracy.sign_accuracy_called)} of the stances it gives have the "
                f"right sign (all of them favor: {FAVOR_BASELINE}); "
            )
            + f"{accuracy.n_leaning - accuracy.n_called} of {accuracy.n_leaning} leaning article "
            "x topic pairs get none"
            + failed_topics(accuracy, covered=covered)
            + unmeasured_note(unmeasured, accuracy)
            + quoted
            + settings_note(accuracy, settings)
        )
    return (
        "how far to trust S: on labelled news, "
        + (
            f"{shown}; "
            if shown
            else f"{pct(accuracy.sign_accuracy_called)} of the stances {accuracy.model} gives "
            "have the right sign; "
        )
        + f"{accuracy.n_leaning - accuracy.n_called} of {accuracy.n_leaning} leaning article x "
        f"topic pairs get none; against found {accuracy.against_found} of {accuracy.n_against}"
        + failed_topics(accuracy, covered=covered)
        + unmeasured_note(unmeasured, accuracy)
        + quoted
        + settings_note(accuracy, settings)
    )


# Tone models whose numbers read differently from a trained model's, and what to say of them.
TONE_CAVEATS = {
    "tone.vader.v1": (
        "Tone in this run is the VADER lexicon's: it scores each passage as a whole, whatever "
        "the topic, and its numbers jump (under 0.05 or at least 0.525 in size, never "
        "between), so compare the sign of a tone with another run's, not its size."
    ),
}


def tone_caveat(models: Mapping[str, Any] | None) -> str | None:
    """What to keep in mind reading a run's tone numbers (``models``: its run.json ``models``),
    where its tone model needs it."""
    tone = models.get("tone") if isinstance(models, Mapping) else None
    name = tone.get("name") if isinstance(tone, Mapping) else None
    return TONE_CAVEATS.get(str(name)) if name else None

"""What an export's provenance says about the trust its numbers rest on."""

from __future__ import annotations

from analysis.news_accuracy import SHIPPED_ROOT, read_news_accuracy
from analysis.provenance import run_provenance

V2 = read_news_accuracy(SHIPPED_ROOT / "minilm_v2" / "news_accuracy.json")


def test_the_topics_the_figures_do_not_cover_travel_with_the_data():
    meta = {
        "run_id": "r1",
        "models": {"stance": {"name": "stance.minilm.v2", "weights_sha256": V2.weights_sha256}},
        "topics": [
            {"key": "arms_control", "label": "Arms control", "target": "US-Russia arms control"},
            {"key": "nato", "label": "NATO expansion", "target": "NATO expansion"},
        ],
        "topic_head_untrained": ["nato"],
        "model_warnings": ["the tone model gives every one of 30 pairs the same"],
    }
    provenance = run_provenance(meta)
    assert provenance["topics_not_measured"] == ["NATO expansion"]
    assert provenance["topic_head_untrained"] == ["nato"]
    # what "favor" means for each topic travels too: the topics file may be gone
    assert {t["key"]: t["target"] for t in provenance["topics"]}["nato"] == "NATO expansion"
    assert provenance["model_warnings"] == meta["model_warnings"]
    assert provenance["stance_model_measured_on_news"] is True
    # a model never measured on news: none of its topics is covered, and it says so
    plain = run_provenance({**meta, "models": {"stance": {"name": "stance.other.v1"}}})
    assert plain["stance_model_measured_on_news"] is False
    assert plain["topics_not_measured"] == ["Arms control", "NATO expansion"]
    quiet = {k: v for k, v in meta.items() if k not in ("topic_head_untrained", "model_warnings")}
    assert run_provenance(quiet)["topic_head_untrained"] == []


def test_how_the_intervals_were_made_travels_with_the_data():
    from analysis.intervals import INTERVAL_METHOD, PLAIN_PERCENTILE

    assert run_provenance({"run_id": "old"})["interval_method"] == PLAIN_PERCENTILE
    made = run_provenance({"run_id": "new", "interval_method": INTERVAL_METHOD})
    assert made["interval_method"] == INTERVAL_METHOD

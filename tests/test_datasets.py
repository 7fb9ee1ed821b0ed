import csv
import json

import pytest

from analysis.datasets import DataError, load_examples
from tests.conftest import write_jsonl


def test_jsonl_reads_text_target_label_and_ignores_other_fields(tmp_path):
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [
            {"text": "Sanctions work.", "target": "sanctions", "label": "favor", "extra": 1},
            {"text": "They do not.", "target": "sanctions", "label": "AGAINST"},
        ],
    )
    examples = load_examples(path, "stance")
    assert [(e.text, e.target, e.label) for e in examples] == [
        ("Sanctions work.", "sanctions", "favor"),
        ("They do not.", "sanctions", "against"),
    ]


@pytest.mark.parametrize(
    ("records", "line", "problem"),
    [
        (
            [{"text": "a", "label": "favor"}, {"text": "b", "label": "pro"}],
            2,
            "unknown stance label",
        ),
        ([{"text": "a", "label": "favor"}, {"label": "favor"}], 2, "missing field 'text'"),
        ([{"text": "a", "target": "t"}], 1, "missing field 'label'"),
        ([{"text": "a", "label": "positive"}], 1, "unknown stance label"),
    ],
)
def test_jsonl_errors_name_file_line_and_problem(tmp_path, records, line, problem):
    path = write_jsonl(tmp_path / "bad.jsonl", records)
    with pytest.raises(DataError) as info:
        load_examples(path, "stance", "jsonl")
    assert f"bad.jsonl:{line}" in str(info.value)
    assert problem in str(info.value)


def test_empty_and_broken_files_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(DataError, match="empty"):
        load_examples(empty, "tone")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "a", "label": "neutral"}\n{not json\n')
    with pytest.raises(DataError, match=r"broken.jsonl:2: not valid JSON"):
        load_examples(broken, "tone", "jsonl")
    with pytest.raises(DataError, match="no such file"):
        load_examples(tmp_path / "missing.jsonl", "tone")
    with pytest.raises(DataError, match="no corrections saved yet"):
        load_examples(tmp_path / "corrections", "stance")


def test_vast_csv_maps_labels_and_skips_empty_posts(tmp_path):
    path = tmp_path / "vast.csv"
    path.write_text(
        "post,new_topic,label,ori_topic\n"
        '"I back it.",taxes,1,taxes\n'
        '"I oppose it.",taxes,0,taxes\n'
        ",taxes,2,taxes\n"
        '"Unrelated.",taxes,2,taxes\n'
    )
    examples = load_examples(path, "stance")
    assert [e.label for e in examples] == ["favor", "against", "none"]
    path.write_text('post,new_topic,label\n"x",t,7\n')
    with pytest.raises(DataError, match=r"vast.csv:2: unknown VAST label"):
        load_examples(path, "stance", "vast")


def test_newsmtsc_gives_one_example_per_target_with_spans(tmp_path):
    record = {
        "primary_gid": "g1",
        "sentence_normalized": "Trump praised Putin but attacked Biden.",
        "targets": [
            {"from": 14, "to": 19, "mention": "Putin", "polarity": 6.0},
            {"from": 33, "to": 38, "mention": "Biden", "polarity": 2.0},
        ],
    }
    path = tmp_path / "n.jsonl"
    path.write_text(json.dumps(record) + "\n")
    examples = load_examples(path, "tone")  # format detected from the first record
    assert [(e.target, e.label, e.span) for e in examples] == [
        ("Putin", "positive", (14, 19)),
        ("Biden", "negative", (33, 38)),
    ]
    record["targets"][0]["to"] = 999
    path.write_text(json.dumps(record) + "\n")
    with pytest.raises(DataError, match="outside sentence"):
        load_examples(path, "tone", "newsmtsc")


def test_a_bom_a_long_vast_post_and_newsmtsc_targets_that_are_no_list(tmp_path):
    from analysis.datasets import load_examples

    row = {"text": "Sanctions work.", "target": "sanctions", "label": "favor"}
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(row).encode() + b"\n")
    assert [e.label for e in load_examples(bom, "stance")] == ["favor"]
    vast = tmp_path / "long.csv"
    with vast.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["post", "new_topic", "label"])
        writer.writerow(["Sanctions are good. " * 10_000, "sanctions", "1"])
    (example,) = load_examples(vast, "stance", "vast")
    assert len(example.text) > 131_072 and example.label == "favor"
    bad = tmp_path / "nm.jsonl"
    bad.write_text(json.dumps({"sentence_normalized": "Putin praised.", "targets": 5}) + "\n")
    with pytest.raises(DataError, match=r"nm.jsonl:1: 'targets' must be a list"):
        load_examples(bad, "tone", "newsmtsc")


def test_a_labelled_news_file_gets_a_note_before_its_score_is_read(tmp_path):
    from analysis.datasets import news_file_note

    row = {"text": "Sanctions work.", "target": "sanctions on Russia", "label": "favor"}
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps(row) + "\n")
    assert news_file_note(plain) is None
    marked = tmp_path / "marked.jsonl"
    off = {**row, "label": "none", "on_topic": False}
    marked.write_text("".join(json.dumps(r) + "\n" for r in ({**row, "on_topic": True}, off)))
    note = news_file_note(marked)
    assert note.startswith("note: 1 of its 2 passages are marked off topic")
    assert "trained on" not in note
    trained = tmp_path / "news_stance" / "passages.jsonl"  # the shipped model's training file
    trained.parent.mkdir()
    trained.write_text(json.dumps({**row, "on_topic": True}) + "\n")
    assert "the shipped stance model trained on the passages of its train articles" in (
        news_file_note(trained)
    )


def test_a_file_of_another_kind_is_named_as_such_in_its_error(tmp_path):
    """Tone labels read for stance suggest --task tone; article labels (by article and topic,
    no text) read as passages suggest --level article, in the passage and topic readers."""
    tone = tmp_path / "tone.jsonl"
    write_jsonl(tone, [{"text": "Prices rose.", "label": "neutral"}])
    with pytest.raises(DataError, match=r"'neutral' is a tone label: --task tone\?"):
        load_examples(tone, "stance")
    articles = tmp_path / "articles.jsonl"
    write_jsonl(articles, [{"article_id": "a1", "topic": "sanctions", "label": "favor"}])
    hint = r"missing field 'text' \(article labels, by article and topic\? --level article"
    with pytest.raises(DataError, match=hint):
        load_examples(articles, "stance", "jsonl")
    from analysis.corrections import read_corrections

    with pytest.raises(DataError, match=hint):
        read_corrections(articles)


def test_a_folder_given_with_a_file_format_is_told_so(tmp_path):
    """A review: a folder with --format jsonl was told it is "not a regular file or folder"."""
    with pytest.raises(DataError, match="a folder, read only as corrections: give a file"):
        load_examples(tmp_path, "stance", "jsonl")

"""Text that is not all UTF-8 is read (its bad bytes as Windows-1252) and warned about."""

from __future__ import annotations

from analysis.corpus import load_corpus
from analysis.corpus.encoding import decode_lenient
from tests.corpus.conftest import BODY, write

WINDOWS_BODY = BODY.replace("Kremlin's", "Kremlin\u2019s").replace("\n", " ")
WINDOWS_BODY += " Caf\u00e9 talks \u2013 no deal."


def test_utf8_is_read_as_it_is_with_no_note():
    got = decode_lenient("\ufeffCaf\u00e9 \u201cquoted\u201d".encode())
    assert got.text == "Caf\u00e9 \u201cquoted\u201d"
    assert got.note is None


def test_a_stray_windows_byte_in_utf8_keeps_the_utf8_around_it():
    data = "na\u00efve \u201cquote\u201d".encode() + b"\x92s"
    got = decode_lenient(data)
    assert got.text == "na\u00efve \u201cquote\u201d\u2019s"
    where = len(data) - 2
    assert got.note == f"not UTF-8: 1 byte read as Windows-1252 (the first at offset {where})"


def test_a_windows_1252_file_reads_whole_and_undefined_bytes_become_replacement_marks():
    got = decode_lenient("Caf\u00e9 \u2013 d\u00e9j\u00e0".encode("cp1252") + b"\x81")
    assert got.text == "Caf\u00e9 \u2013 d\u00e9j\u00e0\ufffd"
    assert got.note.startswith("not UTF-8: 5 bytes read as Windows-1252 (the first at offset 3)")


def test_files_and_records_in_windows_1252_are_kept_with_a_warning(tmp_path, capsys):
    write(tmp_path / "a.txt", f"Title \u2013 one\n\n{WINDOWS_BODY} One.".encode("cp1252"))
    write(tmp_path / "b.jsonl", f'{{"id": "b", "text": "{WINDOWS_BODY} Two."}}\n'.encode("cp1252"))
    write(
        tmp_path / "c.csv", f'id,title,text\nc,Caf\u00e9,"{WINDOWS_BODY} Three."\n'.encode("cp1252")
    )
    write(tmp_path / "d.json", f'{{"id": "d", "text": "{WINDOWS_BODY} Four."}}'.encode("cp1252"))
    corpus = load_corpus([tmp_path])
    assert corpus.skipped == []
    by_id = {a.article_id: a for a in corpus.articles}
    assert sorted(by_id) == ["a", "b", "c", "d"]
    assert by_id["a"].title == "Title \u2013 one"
    assert by_id["c"].title == "Caf\u00e9"
    for article in corpus.articles:
        assert "Kremlin\u2019s" in article.text and "Caf\u00e9 talks \u2013" in article.text
    err = capsys.readouterr().err
    for name in ("a.txt", "b.jsonl:1", "c.csv:2", "d.json"):
        assert f"{tmp_path / name}: not UTF-8:" in err
    assert err.count("read as Windows-1252") == 4


def test_clean_utf8_files_give_no_encoding_warning(tmp_path, capsys):
    write(tmp_path / "a.txt", f"Title \u2013 one\n\n{WINDOWS_BODY} One.")
    write(tmp_path / "c.csv", f'id,title,text\nc,Caf\u00e9,"{WINDOWS_BODY} Three."\n')
    corpus = load_corpus([tmp_path])
    assert len(corpus.articles) == 2
    assert "not UTF-8" not in capsys.readouterr().err


def test_utf16_with_its_mark_reads_whole_and_streamed_formats_say_to_save_it_as_utf8(tmp_path):
    write(tmp_path / "a.txt", f"Title one\n\n{WINDOWS_BODY}".encode("utf-16"))
    write(tmp_path / "b.jsonl", f'{{"id": "b", "text": "{WINDOWS_BODY}"}}\n'.encode("utf-16"))
    write(tmp_path / "c.csv", f'id,text\nc,"{WINDOWS_BODY}"\n'.encode("utf-16"))
    corpus = load_corpus([tmp_path])
    (article,) = corpus.articles
    assert article.title == "Title one" and "Kremlin\u2019s" in article.text
    reasons = {s.source.rsplit("/", 1)[1]: s.reason for s in corpus.skipped}
    expected = "UTF-16 text: save it as UTF-8 to read it in this format"
    assert reasons == {"b.jsonl": expected, "c.csv": expected}


def test_files_without_records_are_named_not_passed_over(tmp_path):
    write(tmp_path / "header.csv", "id,title,text\n")
    write(tmp_path / "empty_list.json", "[]")
    write(tmp_path / "good.txt", f"Title\n\n{BODY}")
    corpus = load_corpus([tmp_path])
    reasons = {s.source.rsplit("/", 1)[1]: s.reason for s in corpus.skipped}
    assert reasons == {
        "header.csv": "no records: a header row only",
        "empty_list.json": "no records: an empty JSON list",
    }

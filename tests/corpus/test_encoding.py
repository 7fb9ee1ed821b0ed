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


def test_a_file_with_nothing_but_a_mark_or_no_break_spaces_is_empty_not_a_crash(tmp_path):
    from analysis.corpus.uploads import UploadLimits, file_problem

    write(tmp_path / "bom.txt", b"\xef\xbb\xbf\r\n")
    write(tmp_path / "nbsp.md", b"\xa0\xa0\n")
    write(tmp_path / "good.txt", f"Title\n\n{BODY}")
    corpus = load_corpus([tmp_path])
    assert [a.article_id for a in corpus.articles] == ["good"]
    reasons = {s.source.rsplit("/", 1)[1]: s.reason for s in corpus.skipped}
    assert reasons == {"bom.txt": "empty file", "nbsp.md": "empty file"}
    limits = UploadLimits()
    assert file_problem("bom.txt", b"\xef\xbb\xbf\r\n", limits) == "empty file"
    assert file_problem("nbsp.md", b"\xa0\xa0\n", limits) == "empty file"


def test_a_json_list_with_a_bad_byte_is_noted_once(tmp_path, capsys):
    items = [f'{{"id": "i{n}", "text": "{WINDOWS_BODY} Item {n}."}}' for n in range(3)]
    write(tmp_path / "list.json", ("[" + ", ".join(items) + "]").encode("cp1252"))
    corpus = load_corpus([tmp_path])
    assert len(corpus.articles) == 3
    assert capsys.readouterr().err.count("read as Windows-1252") == 1


def test_a_utf16_upload_is_saved_without_a_windows_note(tmp_path):
    from analysis.corpus.uploads import save_uploads

    data = f"Title one\n\n{WINDOWS_BODY}".encode("utf-16")
    batch = save_uploads([("a.txt", data)], tmp_path)
    assert [f.name for f in batch.files] == ["a.txt"]
    assert not any("Windows-1252" in note for note in batch.notes)


def test_a_csv_whose_header_alone_is_not_utf8_is_noted_once(tmp_path, capsys):
    data = "id,r\u00e9sum\u00e9,text\n".encode("cp1252")
    data += f'c1,x,"{WINDOWS_BODY} One."\nc2,y,"{WINDOWS_BODY} Two."\n'.encode()
    write(tmp_path / "h.csv", data)
    corpus = load_corpus([tmp_path])
    assert len(corpus.articles) == 2
    err = capsys.readouterr().err
    assert err.count("read as Windows-1252") == 1 and "h.csv:2: not UTF-8: 2 bytes" in err

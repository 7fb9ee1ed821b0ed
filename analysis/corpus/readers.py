"""File readers: each turns one file into raw documents, or says why it was skipped.

- ``.txt``/``.md``: the first non-empty line is the title (Markdown ``#`` marks removed) when
  more text follows it, it is at most :data:`MAX_TITLE_CHARS` long and it does not read as a
  sentence of the text (more than :data:`SENTENCE_WORDS` words ending in a full stop: a lede
  pasted without its headline); otherwise the title is the file name and the whole file is the
  text (a Markdown heading alone is skipped). A file whose manifest entry gives a title keeps
  its first line as text. A byline under the title ("By Michael R. Gordon") is the author.
- ``.html``/``.htm``: the main text, title, author, site name and date extracted with
  trafilatura (imported only when an HTML file is read).
- ``.json`` (an object, a list of objects, or an object whose one list holds the objects:
  ``{"articles": [...]}``), ``.jsonl``/``.ndjson`` (one object a line) and
  ``.csv`` (a header row): fields through a :class:`~analysis.corpus.fields.FieldMap`.

``max_bytes`` caps what is read into memory at once: a whole txt/md/html/json file, or one
JSON Lines line or CSV row. JSON Lines and CSV files are streamed, so they may be any size.
Problems never raise: they come back as :class:`~analysis.corpus.documents.Skipped` with the
file (``"path"``) or the record (``"path:line"``; for a JSON list, ``"path:n"`` is its n-th
object) and a reason.
"""

from __future__ import annotations

import csv
import json
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analysis.corpus.dates import is_ambiguous_date, normalise_date
from analysis.corpus.documents import NO_PASSAGE, Skipped
from analysis.corpus.encoding import (
    FALLBACK_NAME,
    Decoded,
    decode_lenient,
    escaped_bytes,
    from_escaped,
)
from analysis.corpus.fields import FieldMap

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".json", ".jsonl", ".ndjson", ".csv")
MAX_TITLE_CHARS = 300
# A first line of more words than this that ends in a full stop is the text's first sentence,
# not a headline (headlines end without one): a lede pasted without its title lost it.
SENTENCE_WORDS = 12
# What a file of a type that is not read is likely for, said where it is skipped
UNSUPPORTED_HINTS = {
    ".toml": "; an experiment file (other models or settings) runs with `viewpoints run FILE.toml`",
    **dict.fromkeys((".pdf", ".docx", ".doc", ".rtf", ".odt"), "; save its text as .txt first"),
}
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
# A byline under a text file's title: "By Michael R. Gordon", "By Eric Tucker and Deb
# Riechmann, Associated Press" (the names before a comma, bar or dash). Cleaning drops such a
# line as a credit, and the article was grouped under its title with no word why.
_BYLINE = re.compile(r"^\s*by\s+(.{3,120}?)\s*(?:[,|]|\s[-–—]\s|$)", re.IGNORECASE)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w.'’-]*|and|&)$")
_NOT_BYLINE_STARTS = frozenset(
    [
        "the",
        "a",
        "an",
        "any",
        "all",
        "this",
        "that",
        "these",
        "those",
        "our",
        "your",
        "its",
        "his",
        "her",
        "their",
        "every",
        "no",
        "some",
        "one",
        "way",
        "far",
        "now",
        "then",
    ]
)


@dataclass(frozen=True)
class RawDocument:
    """One article as read, before metadata overrides and cleaning."""

    source: str  # "path" or "path:line"
    path: Path  # the file it came from (for its folder's manifest)
    record_id: str | None  # the record's own id, when it has one
    fallback_id: str  # derived from the file name (and line) otherwise
    title: str | None
    author: str | None
    outlet: str | None
    date: str | None
    url: str | None
    text: str
    unread_date: str | None = None  # a date given in a form that could not be read
    ambiguous_date: str | None = None  # a date given as 03/04/2018: read month first
    encoding_note: str | None = None  # what was not UTF-8 and how it was read instead


def read_file(
    path: Path, fields: FieldMap, max_bytes: int, titled: bool = False
) -> Iterator[RawDocument | Skipped]:
    """The documents in one file, and a Skipped for each file or record that is unusable.
    ``titled``: a title is given for the file (its manifest entry), so a text file's first line
    is read as text, not taken for the title."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = UNSUPPORTED_HINTS.get(suffix, "")
        yield Skipped(str(path), f"unsupported file type {suffix or '(none)'!r}{hint}")
    elif suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, fields, max_bytes)
    elif suffix == ".csv":
        yield from _read_csv(path, fields, max_bytes)
    else:
        content = _read_text(path, max_bytes)
        if isinstance(content, Skipped):
            yield content
            return
        if suffix in TEXT_SUFFIXES:
            items: Iterator[RawDocument | Skipped] = iter(
                [_text_document(path, content.text, titled)]
            )
        elif suffix in HTML_SUFFIXES:
            items = iter([_html_document(path, content.text)])
        else:
            items = _json_documents(path, content.text, fields)
        note = content.note
        for item in items:  # the file's note once, on its first document (a JSON list's)
            yield _noted(item, note)
            note = None if isinstance(item, RawDocument) else note


def _noted(item: RawDocument | Skipped, note: str | None) -> RawDocument | Skipped:
    """``item`` with the note on how its bytes were decoded, when it is a document."""
    return replace(item, encoding_note=note) if note and isinstance(item, RawDocument) else item


def _read_text(path: Path, max_bytes: int) -> Decoded | Skipped:
    """The whole file as text, or why it cannot be used."""
    where = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(where, f"file is {size:,} bytes, over max_bytes={max_bytes:,}")
        data = path.read_bytes()
    except OSError as e:
        return Skipped(where, f"unreadable: {e.strerror or e}")
    if data.startswith(UTF16_BOMS):  # read whole here; streamed formats refuse it below
        text = data.decode("utf-16", errors="replace")
        return Decoded(text) if text.strip() else Skipped(where, "empty file")
    problem = _bytes_problem(data)
    if problem:
        return Skipped(where, problem)
    decoded = decode_lenient(data)
    # a byte-order mark or Windows-1252 no-break spaces alone: nothing to read
    return decoded if decoded.text.strip() else Skipped(where, "empty file")


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF16_STREAMED = "UTF-16 text: save it as UTF-8 to read it in this format"


def _bytes_problem(data: bytes) -> str | None:
    if not data.strip():
        return "empty file"
    if data.startswith(UTF16_BOMS):
        return UTF16_STREAMED
    if b"\x00" in data:
        return "binary file (contains NUL bytes)"
    return None


def _reads_as_a_sentence(line: str) -> bool:
    """Whether a first line is the text's first sentence rather than a headline."""
    return line.endswith(".") and not line.endswith("..") and len(line.split()) > SENTENCE_WORDS


def text_byline(line: str) -> str | None:
    """The names of a byline line ("By Michael R. Gordon" -> "Michael R. Gordon"), else None:
    the words after "By" must be capitalised names joined by "and" (not "By the way, ...")."""
    found = _BYLINE.match(line)
    if found is None or len(line) > 160:
        return None
    names = found.group(1).split()
    if not 1 < len(names) <= 10 or not all(_NAME_WORD.match(w) for w in names):
        return None
    if names[0].lower() in _NOT_BYLINE_STARTS:  # "By The Numbers", "By Any Means Necessary"
        return None
    return " ".join(names) if names[0][:1].isupper() and names[-1][:1].isupper() else None


def _text_document(path: Path, content: str, titled: bool = False) -> RawDocument | Skipped:
    lines = content.strip().splitlines()
    first = _MD_HEADING.sub("", lines[0]).strip()
    rest = "\n".join(lines[1:]).strip()
    if titled and rest and not _MD_HEADING.match(lines[0]):
        title, text = None, content  # the manifest's title stands; nothing is cut
    elif (
        rest
        and len(first) <= MAX_TITLE_CHARS
        and (_MD_HEADING.match(lines[0]) or not _reads_as_a_sentence(first))
    ):
        title, text = first, rest
    elif not rest and _MD_HEADING.match(lines[0]):  # a Markdown heading and nothing under it
        return Skipped(str(path), NO_PASSAGE)
    else:
        title, text = None, content
    if path.suffix.lower() != ".txt":
        text = "\n".join(_MD_HEADING.sub("", line) for line in text.splitlines())
    author = None
    if title is not None:  # a byline under the title names the author
        head, _, body = text.strip().partition("\n")
        if (author := text_byline(head)) is not None:
            text = body
    return _document(
        path, str(path), None, path.stem, {"title": title, "text": text, "author": author}
    )


def _html_document(path: Path, content: str) -> RawDocument | Skipped:
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            doc = trafilatura.bare_extraction(
                content,
                with_metadata=True,
                include_comments=False,
                # Dates from metadata and article markup only: the extensive search reads
                # footers ("Copyright 2020") and sidebars as publication dates.
                date_extraction_params={"extensive_search": False, "original_date": True},
            )
        except Exception as e:  # trafilatura raises many kinds on broken markup
            return Skipped(str(path), f"HTML could not be parsed: {type(e).__name__}: {e}")
    if doc is None or not (doc.text or "").strip():
        return Skipped(str(path), "no main text found in the HTML")
    lines = [line.strip() for line in doc.text.splitlines() if line.strip()]
    if lines and doc.title and lines[0] == doc.title.strip():
        lines = lines[1:]
    values = {
        "title": doc.title,
        "author": doc.author,
        "outlet": doc.sitename,
        "date": normalise_date(doc.date),
        "url": doc.url,
        "text": "\n\n".join(lines),
    }
    unread = doc.date if doc.date and values["date"] is None else None
    return _document(path, str(path), None, path.stem, values, unread)


def _one_list_of_records(data: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """The key and list of an object that wraps its records in one list of objects
    (``{"articles": [...]}``, as APIs return them), else None."""
    lists = [
        (key, value)
        for key, value in data.items()
        if isinstance(value, list) and any(isinstance(v, dict) for v in value)
    ]
    return lists[0] if len(lists) == 1 else None


def _json_documents(path: Path, content: str, fields: FieldMap) -> Iterator[RawDocument | Skipped]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as e:
        yield Skipped(str(path), f"malformed JSON: {e.msg} (line {e.lineno}, column {e.colno})")
        return
    within = ""
    if isinstance(data, dict):
        record = _record(path, str(path), path.stem, data, fields)
        wrapped = _one_list_of_records(data)
        if wrapped is None or not isinstance(record, Skipped):
            yield record
            return
        within, data = f" {wrapped[0]!r}", wrapped[1]  # {"articles": [...]}: its records
    if isinstance(data, list):
        if not data:
            yield Skipped(str(path), "no records: an empty JSON list")
        for n, item in enumerate(data, start=1):
            where = f"{path}{within} item {n}"  # the list's n-th object, not a line number
            if isinstance(item, dict):
                yield _record(path, where, f"{path.stem}-{n}", item, fields)
            else:
                yield Skipped(where, f"expected a JSON object, got {type(item).__name__}")
    else:
        kind = type(data).__name__
        yield Skipped(str(path), f"expected a JSON object or a list of objects, got {kind}")


def _read_jsonl(path: Path, fields: FieldMap, max_bytes: int) -> Iterator[RawDocument | Skipped]:
    try:
        handle = path.open("rb")
    except OSError as e:
        yield Skipped(str(path), f"unreadable: {e.strerror or e}")
        return
    records = 0
    if handle.peek(2)[:2] in UTF16_BOMS:
        handle.close()
        yield Skipped(str(path), UTF16_STREAMED)
        return
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                records += 1
                where = f"{path}:{number}"
                if len(line) > max_bytes:
                    yield Skipped(
                        where, f"line is {len(line):,} bytes, over max_bytes={max_bytes:,}"
                    )
                    continue
                if b"\x00" in line:
                    yield Skipped(where, "binary data (contains NUL bytes)")
                    continue
                decoded = decode_lenient(line)
                try:
                    record = json.loads(decoded.text)
                except json.JSONDecodeError as e:
                    # a line that ends inside its record: "Invalid control character" (the line
                    # break within a string) or "Unterminated string" read as what it is
                    ends = len(decoded.text.rstrip("\r\n"))
                    cut = e.pos >= ends or e.msg.startswith("Unterminated string")
                    hint = "; the line ends before its record does: cut short?" if cut else ""
                    yield Skipped(where, f"malformed JSON: {e.msg} (column {e.colno}){hint}")
                    continue
                if not isinstance(record, dict):
                    kind = type(record).__name__
                    yield Skipped(where, f"expected a JSON object, got {kind}")
                    continue
                item = _record(path, where, f"{path.stem}-{number}", record, fields)
                yield _noted(item, decoded.note)
        except OSError as e:
            yield Skipped(str(path), f"unreadable: {e.strerror or e}")
            return
    if records == 0:
        yield Skipped(str(path), "empty file")


def _read_csv(path: Path, fields: FieldMap, max_bytes: int) -> Iterator[RawDocument | Skipped]:
    try:
        with path.open("rb") as probe:
            head = probe.read(8192)
        # Bytes that are not UTF-8 come through escaped, and each row's are read by
        # from_escaped as decode_lenient reads a whole file's.
        handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as e:
        yield Skipped(str(path), f"unreadable: {e.strerror or e}")
        return
    problem = _bytes_problem(head)
    if problem:
        handle.close()
        yield Skipped(str(path), problem)
        return
    line = 1
    with handle, _csv_field_limit(max_bytes):
        reader = csv.DictReader(handle, delimiter=csv_delimiter(head))
        try:
            if not reader.fieldnames:
                yield Skipped(str(path), "empty file")
                return
            line = reader.line_num + 1
            rows = 0
            # bytes of the header that are not UTF-8 are said once, with the first record
            header = sum(escaped_bytes(n) for n in reader.fieldnames if isinstance(n, str))
            for escaped in reader:
                rows += 1
                where = f"{path}:{line}"
                line = reader.line_num + 1
                row, bad = _csv_decoded(escaped)
                bad, header = bad + header, 0
                noun = "byte" if bad == 1 else "bytes"
                note = f"not UTF-8: {bad} {noun} read as {FALLBACK_NAME}" if bad else None
                item = _record(path, where, f"{path.stem}-{where.rsplit(':', 1)[1]}", row, fields)
                yield _noted(item, note)
            if not rows:
                yield Skipped(str(path), "no records: a header row only")
        except (csv.Error, UnicodeDecodeError) as e:
            yield Skipped(f"{path}:{line}", f"malformed CSV, rest of the file skipped: {e}")


def csv_delimiter(head: bytes) -> str:
    """The delimiter of a CSV file from its first bytes: a comma, unless its header row has
    none but semicolons or tabs (a spreadsheet saved in a locale that writes decimal commas)."""
    first = head.decode("utf-8", errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    first = re.sub(r'"[^"]*"', "", first)  # a quoted name may hold any of them
    if "," in first:
        return ","
    return max((";", "\t"), key=first.count) if (";" in first or "\t" in first) else ","


def _csv_decoded(row: dict) -> tuple[dict, int]:
    """A CSV row read with escaped bytes, its names and cells read by ``from_escaped``, and
    how many bytes of its cells were not UTF-8."""
    bad = 0

    def read(value: object) -> object:
        nonlocal bad
        if isinstance(value, list):  # cells beyond the header, under the key None
            return [read(v) for v in value]
        if not isinstance(value, str):
            return value
        bad += escaped_bytes(value)
        return from_escaped(value).text

    names = {key: from_escaped(key).text if isinstance(key, str) else key for key in row}
    return {names[key]: read(value) for key, value in row.items()}, bad


@contextmanager
def _csv_field_limit(max_bytes: int) -> Iterator[None]:
    """Let one CSV field be as large as max_bytes (the csv module's limit is process-wide)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, max_bytes))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _record(
    path: Path, where: str, fallback_id: str, record: dict, fields: FieldMap
) -> RawDocument | Skipped:
    values = fields.extract(record)
    raw_text = fields.lookup(record, "text")
    if raw_text is not None and not isinstance(raw_text, str | list):
        # the record's own key: lookup also reads a field named in another case ("Text")
        key = next((str(k) for k, v in record.items() if v is raw_text), "text")
        shown = repr(raw_text)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        return Skipped(
            where, f"no text: expected a string in {key}, found {type(raw_text).__name__} {shown}"
        )
    if values["text"] is None:
        tried = ", ".join(fields.candidates("text"))
        # what the record does have, so that the column to rename is in the message
        has = [str(k) for k in record][:12]
        return Skipped(
            where,
            f"no text: none of the fields {tried} holds non-empty text"
            + (
                f" (this record has {', '.join(has)}{', ...' if len(record) > 12 else ''}: "
                "rename the one that holds the article's text to text, or name it in a "
                'config\'s [corpus.fields] as text = "COLUMN")'
                if has
                else ""
            ),
        )
    given = fields.given_date(record)
    unread = given if given and values["date"] is None else None
    document = _document(path, where, values.pop("id"), fallback_id, values, unread)
    if isinstance(document, RawDocument) and is_ambiguous_date(given):
        return replace(document, ambiguous_date=given)
    return document


def _document(
    path: Path,
    where: str,
    record_id: str | None,
    fallback_id: str,
    values: dict,
    unread_date: str | None = None,
) -> RawDocument | Skipped:
    text = values.get("text")
    if not text or not text.strip():
        return Skipped(where, "no text")
    return RawDocument(
        source=where,
        path=path,
        record_id=record_id,
        fallback_id=fallback_id,
        title=values.get("title"),
        author=values.get("author"),
        outlet=values.get("outlet"),
        date=values.get("date"),
        url=values.get("url"),
        text=text,
        unread_date=unread_date,
    )

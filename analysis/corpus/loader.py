"""``load_corpus``: files and folders in, a cleaned, deduplicated :class:`Corpus` out.

Folders are read recursively in sorted order (hidden files and folders are ignored), so the
same inputs always give the same corpus and :meth:`Corpus.hash`. In each folder:

- ``articles.toml`` / ``articles.csv`` is the folder's metadata manifest
  (:mod:`analysis.corpus.manifest`), never an article;
- files the manifest lists under ``exclude`` are skipped;
- documentation files (README, SOURCES, LICENSE, CHANGELOG, NOTICE, CONTRIBUTING, AUTHORS,
  any extension) are skipped unless the manifest has an entry for them.

Every skipped file or record is listed in ``Corpus.skipped`` with its reason and announced
on stderr (files a manifest excludes are listed without a warning); loading goes on. Only
a path that does not exist, a broken manifest or a bad argument raises ``ValueError``:
those are usage errors.

Article ids are the record's own id (AllSides ``ID``) or the file name stem (with the line
or record number for files holding many records); characters that would break passage ids
(white space, ``:``, ``/``) become ``_``, and a clash gets a ``-2``, ``-3``... suffix. An
article whose cleaned text equals an earlier one's (ignoring case, quote style and where lines
break) is a duplicate: it goes to ``Corpus.duplicates`` with ``duplicate_of`` set and to
``Corpus.skipped`` with reason ``"duplicate of <id>"``, never to ``Corpus.articles``. So
does an article whose text leaves no passage to score (:data:`NO_PASSAGE`: a title alone,
which reads as a heading, or text without a word).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path

from tqdm.auto import tqdm

from analysis.bylines import MAX_BYLINE_NAMES, byline_names
from analysis.corpus.clean import clean_text, clean_title, repeat_key
from analysis.corpus.contributors import contributor_named
from analysis.corpus.dates import implausible_date
from analysis.corpus.documents import EXCLUDED, NO_PASSAGE, Article, Corpus, Passage, Skipped
from analysis.corpus.encoding import FALLBACK_NAME
from analysis.corpus.fields import FieldMap
from analysis.corpus.language import looks_english
from analysis.corpus.manifest import MANIFEST_NAMES, Manifest, find_manifest
from analysis.corpus.passages import build_passages
from analysis.corpus.readers import RawDocument, read_file
from analysis.progress import stage_bar

DOC_NAMES = re.compile(
    r"^(?:readme|sources|license|licence|changelog|notice|contributing|authors)(?:\.[\w.]+)?$",
    re.IGNORECASE,
)
_UNSAFE_ID = re.compile(r"[\s:/\\]+")
# Articles whose unreadable date is named one by one; the rest are counted at the end.
UNREAD_DATES_SHOWN = 5  # articles named per kind of note; the rest are counted
# The end of the count of each kind of note: "12 articles in all ..."
NOTED_IN_ALL = {
    "undated": "had a date that could not be read",
    "misencoded": f"had bytes that are not UTF-8, read as {FALLBACK_NAME}",
    "not_english": "do not look like English (the models read English)",
    "renamed": "were given another id (unsafe characters, or an id already taken)",
    "odd_date": "had a date in the future or before 1900, kept as written",
    "ambiguous_date": "had a date like 03/04/2018, read month first (US order)",
}
# Skipped inputs named one by one on stderr (all are recorded in the run); the rest counted.
SKIPS_SHOWN = 20


def load_corpus(
    paths: Sequence[str | Path],
    fields: FieldMap | None = None,
    max_bytes: int = 20_000_000,
    progress: bool = False,
) -> Corpus:
    """Read articles from files and folders (see the module doc for formats and rules)."""
    corpus = Corpus(articles=[], passages=[], skipped=[])
    for item in iter_corpus(paths, fields, max_bytes, progress):
        if isinstance(item, Skipped):
            corpus.skipped.append(item)
        elif item.article.duplicate_of is not None:
            corpus.duplicates.append(item.article)
        else:
            corpus.articles.append(item.article)
            corpus.passages.extend(item.passages)
    return corpus


def _writer(byline: str | None, text: str) -> str | None:
    """The article's author: its byline, or the writer its contributor note names where it has
    none (an unsigned op-ed) or where the byline is a scraped list of the site's writers that
    does not name them (AllSides files George Will's and Rich Lowry's columns with National
    Review's list as their byline, which credited them to the list's first name)."""
    if not byline:
        return contributor_named(text)
    names = byline_names(byline)
    if len(names) <= MAX_BYLINE_NAMES:
        return byline
    noted = contributor_named(text)
    if noted is None:
        return byline
    surnames = {n.split()[-1].casefold() for n in names if n.split()}
    if any(n.split()[-1].casefold() in surnames for n in noted.split(", ")):
        return byline  # the note presents one of the byline's writers: the byline stands
    return noted


@dataclasses.dataclass(frozen=True)
class LoadedArticle:
    """One article as read, with its passages (none for a duplicate: ``duplicate_of`` is set
    and a :class:`Skipped` saying so follows it)."""

    article: Article
    passages: list[Passage]
    english: bool = True  # its text reads as English (:func:`looks_english`), checked once here


def iter_corpus(
    paths: Sequence[str | Path],
    fields: FieldMap | None = None,
    max_bytes: int = 20_000_000,
    progress: bool = False,
) -> Iterator[LoadedArticle | Skipped]:
    """:func:`load_corpus` one article (or skipped input) at a time, in the same order, so that
    a reader holds one article's text at a time (and a hash and id per article, to find
    duplicates). Bad arguments raise here, not on first use."""
    if isinstance(paths, str | Path):
        paths = [paths]
    if not isinstance(paths, Sequence) or not paths:
        raise ValueError(f"expected a non-empty list of files or folders, got {paths!r}")
    roots = [Path(p) for p in paths]
    missing = [str(p) for p in roots if not p.exists()]
    if missing:
        raise ValueError(f"expected existing files or folders, got missing: {', '.join(missing)}")
    fields = FieldMap() if fields is None else fields
    if not isinstance(fields, FieldMap):
        raise ValueError(f"expected fields to be a FieldMap or None, got {type(fields).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"expected max_bytes to be a positive int, got {max_bytes!r}")
    return _Loader(fields, max_bytes, progress).items(roots)


class _Loader:
    """The state of one load: ids taken, texts seen (hashes), manifests read."""

    def __init__(self, fields: FieldMap, max_bytes: int, progress: bool) -> None:
        self.fields = fields
        self.max_bytes = max_bytes
        self.progress = progress
        self.ids: set[str] = set()
        # hash of the normalised text -> the article id and source of its first copy
        self.texts: dict[str, tuple[str, str]] = {}
        self.manifests: dict[Path, Manifest | None] = {}
        # articles noted per kind (each named up to UNREAD_DATES_SHOWN, then counted): kept
        # undated, bytes read as Windows-1252, text not in English, id changed to be unique
        self.noted: Counter[str] = Counter()
        self.skips = 0  # inputs skipped (each is announced up to SKIPS_SHOWN)

    def items(self, roots: list[Path]) -> Iterator[LoadedArticle | Skipped]:
        # a bar on a terminal; in a log a line every 30 s (a 10x corpus reads for minutes)
        bar = stage_bar(None, "loading", " docs", self.progress)
        unreadable: list[Skipped] = []  # folders os.walk could not read, reported in order
        with bar:
            for path in _files(roots, unreadable.append):
                yield from self._flush(unreadable)
                manifest = self._manifest(path.parent)
                if manifest is not None and path.name in MANIFEST_NAMES:
                    continue  # metadata, read by _manifest
                if manifest is not None and manifest.excluded(path.name):
                    # listed on purpose: recorded, but not worth a warning
                    yield Skipped(str(path), f"{EXCLUDED}{manifest.path.name}")
                    continue
                reason = _not_an_article(path, manifest)
                if reason:
                    yield self._skip(Skipped(str(path), reason))
                    continue
                titled = manifest is not None and bool(manifest.overrides(path.name).get("title"))
                for item in read_file(path, self.fields, self.max_bytes, titled):
                    bar.update()
                    if isinstance(item, Skipped):
                        yield self._skip(item)
                    else:
                        yield from self._add(item, manifest)
            yield from self._flush(unreadable)
        for kind, count in self.noted.items():
            if count > UNREAD_DATES_SHOWN:
                _warn(f"{count} articles in all {NOTED_IN_ALL[kind]}")
        if self.skips > SKIPS_SHOWN:
            _warn(
                f"{self.skips} inputs skipped in all ({self.skips - SKIPS_SHOWN} not shown above); "
                "a run made from them lists each with its reason in its run.json"
            )

    def _flush(self, pending: list[Skipped]) -> Iterator[Skipped]:
        while pending:
            yield self._skip(pending.pop(0))

    def _manifest(self, folder: Path) -> Manifest | None:
        if folder not in self.manifests:
            manifest = find_manifest(folder)
            self.manifests[folder] = manifest
            if manifest is not None:
                for name in manifest.entries:
                    if not (folder / name).is_file():
                        _warn(f"{manifest.path} lists {name!r}, but there is no such file")
        return self.manifests[folder]

    def _add(
        self, raw: RawDocument, manifest: Manifest | None
    ) -> Iterator[LoadedArticle | Skipped]:
        meta = {
            "title": raw.title,
            "author": raw.author,
            "outlet": raw.outlet,
            "date": raw.date,
            "url": raw.url,
        }
        if manifest is not None:
            meta.update(manifest.overrides(raw.path.name))
        if raw.unread_date and meta["date"] is None:
            self._note(
                "undated",
                f"{raw.source}: date {raw.unread_date!r} could not be read as a day "
                "(expected e.g. 2018-06-28 or June 28, 2018); the article is kept undated",
            )
        if meta["date"] is not None and (odd := implausible_date(meta["date"])):
            self._note(
                "odd_date",
                f"{raw.source}: date {meta['date']} is {odd}; kept as written (the dashboard's "
                "Over time names it and leaves it out unless kept: check the source)",
            )
        if raw.ambiguous_date and meta["date"] == raw.date:  # not one a manifest gave
            self._note(
                "ambiguous_date",
                f"{raw.source}: date {raw.ambiguous_date!r} reads either way round; read as "
                f"{raw.date} (month first, as US sources write it): if the source writes the "
                "day first, give the date as YYYY-MM-DD",
            )
        if raw.encoding_note:
            self._note(
                "misencoded", f"{raw.source}: {raw.encoding_note}; check its special characters"
            )
        text = clean_text(raw.text)
        if not text:
            yield self._skip(
                Skipped(raw.source, "no text left after removing boilerplate and captions")
            )
            return
        article = Article(
            article_id=_UNSAFE_ID.sub("_", (raw.record_id or raw.fallback_id).strip()) or "article",
            title=clean_title(meta["title"] or ""),
            author=_writer(meta["author"], text),
            outlet=meta["outlet"],
            date=meta["date"],
            url=meta["url"],
            source=raw.source,
            text=text,
        )
        # line breaks aside: a hard-wrapped copy whose paragraphs cleaning cannot rebuild
        key = hashlib.sha256(" ".join(repeat_key(text).split()).encode("utf-8")).hexdigest()
        if (first := self.texts.get(key)) is not None:
            original, where = first
            yield LoadedArticle(dataclasses.replace(article, duplicate_of=original), [])
            # the id, and where it was read: a user knows their files, not the ids made of them
            yield self._skip(Skipped(raw.source, f"duplicate of {original} ({where})"))
            return
        passages = build_passages(article.article_id, text, article.author, article.title)
        if not passages:  # only a heading (a title alone): nothing to read a side in
            yield self._skip(Skipped(raw.source, NO_PASSAGE))
            return
        english = looks_english(text)
        if not english:
            self._note(
                "not_english",
                f"{raw.source}: the text does not look like English; the models read English, "
                "so its topics will likely read not discussed",
            )
        unique = self._unique(article.article_id)
        given = (raw.record_id or "").strip()
        if given and given != unique:  # one note per article, with the id it ends up with
            self._note(
                "renamed",
                f"{raw.source}: id {given!r} is kept as {unique!r} ("
                + (
                    "an earlier article has it"
                    if given == article.article_id
                    else "ids name files and links: '/' and such characters become '_'"
                    + ("; that id was taken" if unique != article.article_id else "")
                )
                + ")",
            )
        if unique != article.article_id:  # the passages carry the article's id in theirs
            passages = [
                dataclasses.replace(p, passage_id=f"{unique}:{p.index}", article_id=unique)
                for p in passages
            ]
        article = dataclasses.replace(article, article_id=unique)
        self.texts[key] = (article.article_id, raw.source)
        yield LoadedArticle(article, passages, english)

    def _note(self, kind: str, message: str) -> None:
        """Warn of one article's ``kind`` of note, the first :data:`UNREAD_DATES_SHOWN` of each
        kind by name; the rest are counted at the end of the load."""
        self.noted[kind] += 1
        count = self.noted[kind]
        if count <= UNREAD_DATES_SHOWN:
            last = count == UNREAD_DATES_SHOWN
            _warn(
                message
                + (f" (the first {count} are named; more are counted at the end)" if last else "")
            )

    def _unique(self, article_id: str) -> str:
        candidate, n = article_id, 2
        while candidate in self.ids:
            candidate, n = f"{article_id}-{n}", n + 1
        self.ids.add(candidate)
        return candidate

    def _skip(self, skipped: Skipped) -> Skipped:
        """Announce ``skipped`` on stderr (the first :data:`SKIPS_SHOWN`; a count of the rest
        at the end) and hand it back to be yielded."""
        self.skips += 1
        if self.skips <= SKIPS_SHOWN:
            _warn(f"skipped {skipped.source}: {skipped.reason}")
        return skipped


def _files(roots: list[Path], on_error: Callable[[Skipped], None]) -> Iterator[Path]:
    """Files under ``roots`` in order (folders recursively, sorted), each once."""
    seen: set[Path] = set()
    for root in roots:
        found = [root] if not root.is_dir() else _walk(root, on_error)
        for path in found:
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield path


def _walk(root: Path, on_error: Callable[[Skipped], None]) -> list[Path]:
    def report(error: OSError) -> None:
        on_error(Skipped(str(error.filename), f"unreadable folder: {error.strerror or error}"))

    files = []
    visited = {os.path.realpath(root)}  # a linked folder is read once, a link loop not at all
    for folder, dirs, names in os.walk(root, onerror=report, followlinks=True):
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            if _saved_page_parts(name, names):
                continue  # a browser's "Save Page As, complete": scripts, images, ad frames
            real = os.path.realpath(os.path.join(folder, name))
            if real not in visited:
                visited.add(real)
                kept.append(name)
        dirs[:] = kept
        files.extend(Path(folder) / n for n in names if not n.startswith("."))
    return sorted(files, key=lambda p: p.relative_to(root).parts)


def _saved_page_parts(folder: str, files: Sequence[str]) -> bool:
    """Whether ``folder`` holds the parts of a page a browser saved beside it ("Page_files"
    beside "Page.html"): its scripts, style sheets and images are no articles, and its
    framed ads and promos would read as articles of their own."""
    stem = folder.removesuffix("_files")
    return stem != folder and any(f"{stem}{ext}" in files for ext in (".html", ".htm"))


def _not_an_article(path: Path, manifest: Manifest | None) -> str | None:
    """Why a file is not read as an article, or None when it is one."""
    listed = manifest is not None and path.name in manifest.entries
    if DOC_NAMES.match(path.name) and not listed:
        return "documentation file, not an article (give it a manifest entry to load it)"
    return None


# Where the loader's warnings go in this thread: stderr (None), or a caller's own sink, such as
# an upload's job, whose page shows them (a context variable: each thread starts at None).
WARNINGS_TO: ContextVar[Callable[[str], None] | None] = ContextVar(
    "viewpoints_loader_warnings", default=None
)


def _warn(message: str) -> None:
    sink = WARNINGS_TO.get()
    if sink is not None:
        sink(f"warning: {message}")
    else:
        tqdm.write(f"warning: {message}", file=sys.stderr)

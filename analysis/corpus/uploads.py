"""Uploaded article files: checked, given safe unique names, saved into a fresh folder, analyzed.

No Streamlit here: the Add articles page hands over ``(name, bytes)`` pairs and shows what comes
back, so every rule below is testable without a browser.

Where uploads go: ``<runs_dir>/.uploads/<YYYYmmdd-HHMMSS>/`` (``-2``, ``-3``... when that folder
exists). The leading dot hides the folder from run listings (:func:`analysis.runs.list_runs` skips
dot-names), and keeping it beside the runs keeps it with the runs that read it: a run records these
paths as its ``corpus_paths`` and as its articles' ``source``, so the folder is not deleted after
the analysis.

What is refused, with the reason shown to the user (the other files are still saved):

- a type other than :data:`SUPPORTED_SUFFIXES` (plus the manifest names ``articles.toml`` and
  ``articles.csv``);
- a file over :attr:`UploadLimits.max_file_bytes`, or one that would bring the batch over
  :attr:`UploadLimits.max_total_bytes` (files count in upload order);
- an empty file or a binary one (NUL bytes) — the same rules the corpus loader applies, checked
  before anything is written — and a manifest that is not UTF-8 text (an article file that is
  not is saved, and read as the loader reads it: its bad bytes as Windows-1252, with a note);
- a second manifest, or a manifest the corpus loader would refuse.

Names are sanitised (:func:`sanitize_name`): only the last path component is kept, only letters,
digits, ``.``, ``-`` and ``_`` remain, no leading dots or dashes, no ``..``, at most
:data:`MAX_NAME_CHARS` characters; a clash (ignoring case) gets ``-2``, ``-3``..., and so does a
name the loader takes for documentation (``sources.jsonl``, ``README.txt``: an upload is
articles; the loader would skip such a file).

Metadata: the batch's author, outlet and date (and a title, when the batch holds one single-article
file) are written as an ``articles.toml`` manifest (:mod:`analysis.corpus.manifest`) entry for every
uploaded article file. They override what the files say; an uploaded manifest's own entries
override the batch values in turn, and its keys are renamed along with sanitised file names.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis.config import AnalysisConfig
from analysis.corpus.dates import normalise_date
from analysis.corpus.encoding import decode_lenient
from analysis.corpus.loader import DOC_NAMES
from analysis.corpus.manifest import (
    MANIFEST_NAMES,
    Manifest,
    ManifestError,
    find_manifest,
    write_manifest,
)
from analysis.corpus.readers import UNSUPPORTED_HINTS, UTF16_BOMS, UTF16_STREAMED

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv")
SINGLE_ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")  # files that hold one article
MAX_FILE_BYTES = 20_000_000  # the corpus loader's own default max_bytes
MAX_TOTAL_BYTES = 100_000_000
MAX_NAME_CHARS = 120
UPLOADS_DIR = ".uploads"
FALLBACK_STEM = "upload"

_UNSAFE_CHARS = re.compile(r"[^\w.-]+")  # \w is Unicode: letters and digits of any script
_REPEATS = re.compile(r"([._-])[._-]*")  # "..", "._", "__" ... collapse to their first char


@dataclass(frozen=True)
class UploadLimits:
    """Size limits on one upload batch, in bytes; enforced here, whatever Streamlit allows."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES

    def __post_init__(self) -> None:
        for key in ("max_file_bytes", "max_total_bytes"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{key}: expected a positive number of bytes, got {value!r}")
        if self.max_total_bytes < self.max_file_bytes:
            raise ValueError(
                f"max_total_bytes: expected at least max_file_bytes ({self.max_file_bytes}), "
                f"got {self.max_total_bytes}"
            )

    @property
    def max_file_mib(self) -> int:
        """The per-file limit rounded up to whole MiB, the unit Streamlit's uploader takes."""
        return max(1, math.ceil(self.max_file_bytes / 2**20))

    def describe(self) -> str:
        return (
            f"at most {format_bytes(self.max_file_bytes)} per file and "
            f"{format_bytes(self.max_total_bytes)} in all"
        )


def format_bytes(n: int) -> str:
    """``20000000`` -> ``20 MB`` (decimal units, as the limits are set)."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


def sanitize_name(name: str) -> str:
    """A safe file name for an upload called ``name`` (see the module docstring for the rules).

    The extension keeps only letters and digits, lower-cased, and survives when a long stem is
    cut; a name with nothing safe left becomes ``upload`` plus its extension.
    """
    if not isinstance(name, str):
        raise TypeError(f"expected a file name string, got {type(name).__name__}")
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")  # control chars
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    ext = re.sub(r"[^A-Za-z0-9]", "", suffix).lower()[:16]
    ext = f".{ext}" if ext else ""
    stem = _REPEATS.sub(r"\1", _UNSAFE_CHARS.sub("_", stem)).strip("._-")
    stem = stem[: MAX_NAME_CHARS - len(ext)].rstrip("._-") or FALLBACK_STEM
    return f"{stem}{ext}"


def unique_name(name: str, taken: Collection[str]) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``... when a name in ``taken`` equals it
    ignoring case (the folder may sit on a case-insensitive file system)."""
    lowered = {t.lower() for t in taken}
    if name.lower() not in lowered:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    ext = f".{suffix}" if suffix else ""
    n = 2
    while f"{stem}-{n}{ext}".lower() in lowered:
        n += 1
    return f"{stem}-{n}{ext}"


# Formats the loader streams, record by record (it reads the others whole).
STREAMED_SUFFIXES = (".jsonl", ".ndjson", ".csv")


def file_problem(name: str, data: bytes, limits: UploadLimits) -> str | None:
    """Why the upload ``name`` with content ``data`` cannot be used, or None when it can."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES and name not in MANIFEST_NAMES:
        allowed = ", ".join(SUPPORTED_SUFFIXES)
        hint = UNSUPPORTED_HINTS.get(suffix, "")
        return (
            f"unsupported file type {suffix or '(none)'!r} (expected one of {allowed}, "
            f"or a manifest named {' or '.join(MANIFEST_NAMES)}){hint}"
        )
    if len(data) > limits.max_file_bytes:
        return (
            f"file is {format_bytes(len(data))}, over the limit of "
            f"{format_bytes(limits.max_file_bytes)} per file"
        )
    if not data.strip():
        return "empty file"
    if data.startswith(UTF16_BOMS):  # read whole by the loader; streamed formats refuse it
        if suffix in STREAMED_SUFFIXES or name in MANIFEST_NAMES:
            return UTF16_STREAMED
        return None if data.decode("utf-16", errors="replace").strip() else "empty file"
    if b"\x00" in data:
        return "binary file (contains NUL bytes)"
    if name not in MANIFEST_NAMES and not decode_lenient(data).text.strip():
        return "empty file"  # a byte-order mark or no-break spaces alone
    if name in MANIFEST_NAMES:  # TOML must be UTF-8; article files are read leniently
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            return f"not UTF-8 text (undecodable byte at offset {err.start})"
    return None


@dataclass(frozen=True)
class BatchMetadata:
    """Metadata typed in for a whole upload batch; empty strings mean "not given"."""

    author: str = ""
    outlet: str = ""
    date: str = ""
    title: str = ""

    def __post_init__(self) -> None:
        for key in ("author", "outlet", "date", "title"):
            value = getattr(self, key)
            if not isinstance(value, str):
                raise ValueError(f"{key}: expected a string, got {value!r}")
            object.__setattr__(self, key, " ".join(value.split()))
        if self.date:
            iso = normalise_date(self.date)
            if iso is None:
                raise ValueError(f"date: expected a date like 2018-06-29, got {self.date!r}")
            object.__setattr__(self, "date", iso)

    def fields(self, with_title: bool) -> dict[str, str]:
        """The values given, as manifest fields (the title only when ``with_title``)."""
        keys = ("author", "outlet", "date", *(("title",) if with_title else ()))
        return {k: getattr(self, k) for k in keys if getattr(self, k)}


@dataclass(frozen=True)
class SavedFile:
    """An upload that was written: its name as uploaded, its name on disk, its size."""

    original: str
    name: str
    size: int


@dataclass(frozen=True)
class Rejected:
    """An upload that was not written, and why."""

    name: str
    reason: str


@dataclass
class SavedBatch:
    """One upload batch on disk (``folder`` is None when nothing could be used)."""

    folder: Path | None
    files: list[SavedFile] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    manifest: Path | None = None

    @property
    def articles(self) -> list[SavedFile]:
        """The saved files that hold articles (not the manifest)."""
        return [f for f in self.files if f.name not in MANIFEST_NAMES]

    @property
    def usable(self) -> bool:
        return self.folder is not None and bool(self.articles)


def new_upload_folder(runs_dir: str | Path, now: datetime | None = None) -> Path:
    """Create and return a fresh ``<runs_dir>/.uploads/<YYYYmmdd-HHMMSS>[-n]`` folder."""
    parent = Path(runs_dir) / UPLOADS_DIR
    parent.mkdir(parents=True, exist_ok=True)
    stamp = f"{(now or datetime.now()):%Y%m%d-%H%M%S}"
    n = 1
    while True:
        folder = parent / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            n += 1


@dataclass(frozen=True)
class Checked:
    """One upload after the checks: its safe unique name, its content, and why it is refused
    (None when it is usable)."""

    original: str
    name: str
    data: bytes = field(repr=False)
    problem: str | None = None

    @property
    def is_manifest(self) -> bool:
        return self.name in MANIFEST_NAMES


def _names_files(data: bytes) -> bool:
    """Whether a CSV's header has the ``file`` column a manifest keys its rows by (an
    ``articles.csv`` without one is a table of articles, read as any CSV of articles)."""
    first = decode_lenient(data[:4096]).text.lstrip("\ufeff").splitlines()[:1]
    if not first:
        return False
    names = re.split(r"[,;\t]", first[0])
    return "file" in {n.strip().strip('"').strip().lower() for n in names}


def manifest_problem(name: str, data: bytes) -> str | None:
    """Why an uploaded manifest cannot be used (as the corpus loader would refuse it), or
    None. Its file names are checked against the upload when it is saved."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            find_manifest(Path(tmp))
        except ManifestError as err:
            return f"unusable manifest: {str(err).replace(str(path), name)}"
    return None


def check_uploads(
    uploads: Iterable[tuple[str, bytes]], limits: UploadLimits | None = None
) -> list[Checked]:
    """Check the ``(name, content)`` uploads in order: type, size, text, the batch total, one
    manifest; give the usable ones safe names that do not clash. Writes nothing."""
    limits = UploadLimits() if limits is None else limits
    if not isinstance(limits, UploadLimits):
        raise TypeError(f"expected limits to be UploadLimits, got {type(limits).__name__}")
    checked: list[Checked] = []
    total = 0
    manifest: str | None = None
    for original, data in uploads:
        if not isinstance(original, str) or not isinstance(data, bytes | bytearray):
            raise TypeError(
                f"expected (name, bytes) pairs, got ({original!r}, {type(data).__name__})"
            )
        data = bytes(data)
        safe = sanitize_name(original)
        if safe == "articles.csv" and not _names_files(data):  # a table of articles so named
            safe = unique_name(safe, [*MANIFEST_NAMES, *(c.name for c in checked)])
        if DOC_NAMES.match(safe):  # uploaded to be read: "sources.jsonl" is articles, not docs
            safe = unique_name(safe, [safe, *MANIFEST_NAMES, *(c.name for c in checked)])
        problem = file_problem(safe, data, limits)
        if problem is None and safe in MANIFEST_NAMES:  # refused now, not after the run
            problem = manifest_problem(safe, data)
        if problem is None and safe in MANIFEST_NAMES and manifest is not None:
            problem = f"a second manifest: only the first one ({manifest}) is used"
        if problem is None and total + len(data) > limits.max_total_bytes:
            problem = (
                f"would bring the upload to {format_bytes(total + len(data))}, over the limit "
                f"of {format_bytes(limits.max_total_bytes)} in all"
            )
        if problem is None:
            total += len(data)
            if safe in MANIFEST_NAMES:
                manifest = safe
            else:  # article files never take a manifest's name, nor each other's
                taken = [*MANIFEST_NAMES, *(c.name for c in checked if c.problem is None)]
                safe = unique_name(safe, taken)
        checked.append(Checked(original, safe, data, problem))
    return checked


def save_uploads(
    uploads: Iterable[tuple[str, bytes]],
    runs_dir: str | Path,
    limits: UploadLimits | None = None,
    metadata: BatchMetadata | None = None,
    now: datetime | None = None,
) -> SavedBatch:
    """Check the ``(name, content)`` uploads (:func:`check_uploads`), save the usable ones into
    a new upload folder and write the batch's manifest; return what was saved, refused, noted.

    When no article file is usable nothing stays on disk (``folder`` is None).
    """
    metadata = BatchMetadata() if metadata is None else metadata
    if not isinstance(metadata, BatchMetadata):
        raise TypeError(f"expected metadata to be BatchMetadata, got {type(metadata).__name__}")
    checked = check_uploads(uploads, limits)
    accepted = [c for c in checked if c.problem is None]
    batch = SavedBatch(
        folder=None, rejected=[Rejected(c.original, c.problem) for c in checked if c.problem]
    )
    if all(c.is_manifest for c in accepted):
        batch.notes += [f"{c.name} was not used: no article file came with it" for c in accepted]
        return batch
    folder = new_upload_folder(runs_dir, now)
    batch.folder = folder
    try:
        for c in accepted:
            (folder / c.name).write_bytes(c.data)
            batch.files.append(SavedFile(c.original, c.name, len(c.data)))
            utf16 = c.data.startswith(UTF16_BOMS)  # read as UTF-16 by the loader: no note
            note = None if c.is_manifest or utf16 else decode_lenient(c.data).note
            if note:
                batch.notes.append(f"{c.name}: {note}; check its special characters")
        _write_batch_manifest(batch, metadata)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return batch


def _write_batch_manifest(batch: SavedBatch, metadata: BatchMetadata) -> None:
    """Merge the uploaded manifest (if any, re-keyed to the saved names) with the batch's
    metadata into the folder's one ``articles.toml``; drop a manifest the loader would refuse."""
    folder = batch.folder
    assert folder is not None
    uploaded: Manifest | None = None
    try:
        uploaded = find_manifest(folder)
    except ManifestError as err:
        bad = next(f for f in batch.files if f.name in MANIFEST_NAMES)
        (folder / bad.name).unlink()
        batch.files.remove(bad)
        message = str(err).replace(str(folder / bad.name), bad.name)
        batch.rejected.append(Rejected(bad.original, f"unusable manifest: {message}"))
    articles = batch.articles
    renamed = {Path(f.original.replace("\\", "/")).name: f.name for f in articles}
    singles = [f for f in articles if Path(f.name).suffix in SINGLE_ARTICLE_SUFFIXES]
    with_title = len(articles) == 1 and len(singles) == 1
    if metadata.title and not with_title:
        batch.notes.append(
            "the title was not used: it applies only when the batch is a single article file "
            f"({', '.join(SINGLE_ARTICLE_SUFFIXES)})"
        )
    given = metadata.fields(with_title)
    if uploaded is None and not given:
        return
    entries: dict[str, dict[str, Any]] = {}
    exclude: list[str] = []
    if uploaded is not None:
        saved = {f.name for f in articles}
        for key, values in uploaded.entries.items():
            name = renamed.get(key, key)
            if name not in saved:
                batch.notes.append(f"{uploaded.path.name} lists {key!r}, which was not uploaded")
                continue
            entries[name] = dict(values)
        exclude = [renamed.get(p, p) for p in uploaded.exclude]
        uploaded.path.unlink()
        batch.files = [f for f in batch.files if f.name != uploaded.path.name]
    if given:
        for f in articles:
            entries[f.name] = {**given, **entries.get(f.name, {})}
    written = write_manifest(
        folder, entries, exclude, "Written by the dashboard's Add articles page for this batch."
    )
    batch.manifest = written.path


def upload_config(
    folder: str | Path,
    runs_dir: str | Path,
    name: str = "",
    base: AnalysisConfig | None = None,
) -> AnalysisConfig:
    """The analysis config for one upload folder: ``base`` (default: the package defaults, the
    shipped models) reading only ``folder`` and writing into ``runs_dir``."""
    return (base or AnalysisConfig()).with_values(
        source="upload",
        corpus={"paths": [str(folder)]},
        run={"runs_dir": str(runs_dir), "name": name.strip() or f"upload {Path(folder).name}"},
    )


def analyze_upload(
    batch: SavedBatch,
    runs_dir: str | Path,
    name: str = "",
    base: AnalysisConfig | None = None,
    on_stage: Callable[[str, float], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> Any:
    """Analyze the saved files of ``batch`` (and nothing else) into a new run in ``runs_dir``;
    return :class:`analysis.pipeline.AnalysisResult`. Refuses a batch with no usable file."""
    if not isinstance(batch, SavedBatch):
        raise TypeError(f"expected a SavedBatch, got {type(batch).__name__}")
    if not batch.usable:
        raise ValueError("expected at least one usable uploaded article file, got none")
    from analysis.pipeline import analyze

    config = upload_config(batch.folder, runs_dir, name, base)
    return analyze(config, progress=False, log=log or (lambda _message: None), on_stage=on_stage)

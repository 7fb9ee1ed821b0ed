"""Metadata manifests: ``articles.toml`` or ``articles.csv`` beside the article files.

A manifest adds or overrides title, author, outlet, date and url per file (keyed by file
name) and says which files of its folder are not articles. TOML form::

    exclude = ["SOURCES.md"]          # file names or glob patterns that are not articles

    [articles."000_75f37cc66b80f13e.txt"]
    title = "Washington-Moscow: Repairing the Relations Incrementally"
    outlet = "Valdai Discussion Club"
    author = ""                       # an empty string clears a value read from the file
    note = "free text for people; the loader ignores it"

CSV form: a ``file`` column, any of ``title, author, outlet, date, url, note`` and an optional
``exclude`` column (``true``/``yes``/``1`` marks a file that is not an article); an empty cell
leaves the value from the file alone.

A manifest entry applies to every article read from that file (for a JSON Lines file, to
each record). Problems raise :class:`ManifestError` naming the file and the entry: a broken
manifest is a usage error, unlike a bad article file, which is skipped.
"""

from __future__ import annotations

import csv
import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from analysis.config import dumps_toml
from analysis.corpus.dates import normalise_date
from analysis.toml_file import TomlFileError, read_toml

MANIFEST_NAMES = ("articles.toml", "articles.csv")
FIELDS = ("title", "author", "outlet", "date", "url")
_TOP_KEYS = ("exclude", "articles")
_ENTRY_KEYS = (*FIELDS, "note")
_TRUE = {"true", "yes", "1", "x", "y"}
_FALSE = {"", "false", "no", "0", "n"}


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file and what was wrong."""


@dataclass(frozen=True)
class Manifest:
    """Per-file metadata overrides (None clears a value) and the exclude patterns."""

    path: Path
    entries: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()

    def excluded(self, name: str) -> bool:
        """Whether the file ``name`` is listed as not an article."""
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.exclude)

    def overrides(self, name: str) -> Mapping[str, str | None]:
        """The fields this manifest sets for file ``name`` (empty when it has no entry)."""
        return self.entries.get(name, {})


def find_manifest(folder: Path) -> Manifest | None:
    """The manifest in ``folder``, or None; two manifests in one folder is an error."""
    present = [folder / name for name in MANIFEST_NAMES if (folder / name).is_file()]
    if len(present) > 1:
        raise ManifestError(
            f"{folder}: expected one manifest, got both {MANIFEST_NAMES[0]} and "
            f"{MANIFEST_NAMES[1]}; merge them into one"
        )
    if not present:
        return None
    path = present[0]
    return _read_toml(path) if path.suffix == ".toml" else _read_csv(path)


def write_manifest(
    folder: Path,
    entries: Mapping[str, Mapping[str, Any]],
    exclude: Sequence[str] = (),
    comment: str = "",
) -> Manifest:
    """Write ``folder``'s ``articles.toml`` and read it back: what was written is exactly what
    the corpus loader will read, or this raises :class:`ManifestError` (never a silent bad file).
    """
    text = "".join(f"# {line}\n" for line in comment.splitlines())
    text += dumps_toml(
        {"exclude": list(exclude), "articles": {k: dict(v) for k, v in entries.items()}}
    )
    path = folder / MANIFEST_NAMES[0]
    path.write_text(text, encoding="utf-8")
    written = find_manifest(folder)
    if written is None:  # another manifest name shadows it, or the file vanished
        raise ManifestError(f"{path}: written but not read back")
    return written


def _read_toml(path: Path) -> Manifest:
    try:
        data = read_toml(path, "a corpus manifest TOML file")
    except TomlFileError as err:
        raise ManifestError(str(err)) from None
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        raise ManifestError(
            f"{path}: expected top-level keys among {', '.join(_TOP_KEYS)}, got {unknown}"
        )
    exclude = data.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(p, str) and p for p in exclude):
        raise ManifestError(
            f"{path}: expected 'exclude' to be a list of file names, got {exclude!r}"
        )
    articles = data.get("articles", {})
    if not isinstance(articles, dict):
        raise ManifestError(
            f'{path}: expected [articles."<file name>"] tables, got {type(articles).__name__}'
        )
    entries = {}
    for name, entry in articles.items():
        where = f'{path}: articles."{name}"'
        _check_file_name(where, name)
        if not isinstance(entry, dict):
            raise ManifestError(f"{where}: expected a table of fields, got {entry!r}")
        entries[name] = _validate_entry(where, entry, empty_clears=True)
    return Manifest(path, MappingProxyType(entries), tuple(exclude))


def _read_csv(path: Path) -> Manifest:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            rows = [({k.strip(): v for k, v in r.items() if k}, reader.line_num) for r in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ManifestError(f"{path}: expected a readable CSV file, got: {e}") from None
    if "file" not in columns:
        raise ManifestError(
            f"{path}: expected a 'file' column, got columns {columns} (an articles.csv is read "
            "as its folder's manifest: give a table of articles another name)"
        )
    unknown = sorted(set(columns) - {"file", "exclude", *_ENTRY_KEYS})
    if unknown:
        allowed = ", ".join(("file", "exclude", *_ENTRY_KEYS))
        raise ManifestError(f"{path}: expected columns among {allowed}; got {unknown}")
    entries, exclude = {}, []
    for row, line in rows:
        where = f"{path}:{line}"
        name = (row.get("file") or "").strip()
        if not name:
            raise ManifestError(f"{where}: expected a file name in column 'file', got nothing")
        _check_file_name(where, name)
        if name in entries or name in exclude:
            raise ManifestError(f"{where}: expected each file once, got {name!r} again")
        flag = (row.pop("exclude", "") or "").strip().lower()
        if flag not in _TRUE | _FALSE:
            raise ManifestError(f"{where}: expected exclude to be true or false, got {flag!r}")
        if flag in _TRUE:
            exclude.append(name)
            continue
        values = {k: v for k, v in row.items() if k != "file" and v is not None and v.strip()}
        entries[name] = _validate_entry(where, values, empty_clears=False)
    return Manifest(path, MappingProxyType(entries), tuple(exclude))


def _check_file_name(where: str, name: str) -> None:
    """A manifest covers the files of its own folder: a key with a folder in it is refused
    rather than silently matching nothing."""
    if "/" in name or "\\" in name:
        sub = name.replace("\\", "/").rsplit("/", 1)[0]
        raise ManifestError(
            f"{where}: expected a file name in the manifest's own folder, got {name!r}; "
            f"a manifest covers only its folder: put one in {sub}/ for its files"
        )


def _validate_entry(
    where: str, entry: Mapping[str, object], empty_clears: bool
) -> Mapping[str, str | None]:
    unknown = sorted(set(entry) - set(_ENTRY_KEYS))
    if unknown:
        allowed = ", ".join(_ENTRY_KEYS)
        raise ManifestError(f"{where}: expected fields among {allowed}, got {unknown}")
    out: dict[str, str | None] = {}
    for key, value in entry.items():
        if key == "note":
            continue
        if key == "date" and isinstance(value, date):
            out[key] = normalise_date(value)
            continue
        if not isinstance(value, str):
            raise ManifestError(f"{where}: expected a string for {key}, got {value!r}")
        text = " ".join(value.split())
        if not text:
            if empty_clears:
                out[key] = None
            continue
        if key == "date":
            iso = normalise_date(text)
            if iso is None:
                raise ManifestError(
                    f"{where}: expected a date like 2018-06-29, got {value!r} "
                    "(leave it out when the day is not known)"
                )
            text = iso
        out[key] = text
    return MappingProxyType(out)

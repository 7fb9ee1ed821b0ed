"""Corrections on disk: append-only JSON Lines per UTC day, read back with the latest in force."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from analysis.corrections.records import (
    FILE_PREFIX,
    Correction,
    latest,
)
from analysis.records import DataError


def read_corrections(path: str | Path, strict: bool = True) -> list[Correction]:
    """Every correction in a file or in a folder's ``*.jsonl`` files (history, not superseded).

    Raises DataError naming the file and line of a malformed record (``strict``; else such a
    line is skipped with a warning, as the corrections folder reads it); a missing folder or
    file is an error too (a store that was never written to reads as empty through
    :class:`CorrectionStore`).
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise DataError(path, None, "no such file or folder")
    found: list[Correction] = []
    for file in files:
        found.extend(_read_file(file, strict))
    return found


# Skipped lines warned of one by one, per file; the rest are counted in one warning (a file
# that is no corrections file at all, named as the folder, warned once per line).
SKIPPED_SHOWN = 5


def _read_file(path: Path, strict: bool) -> list[Correction]:
    found, skipped = _parse_file(path, strict)
    for where, reason in skipped[:SKIPPED_SHOWN]:
        warnings.warn(f"{where}: skipped a line that is {reason}", stacklevel=3)
    if len(skipped) > SKIPPED_SHOWN:
        warnings.warn(
            f"{path}: skipped {len(skipped) - SKIPPED_SHOWN:,} more lines"
            + (" (it holds no correction at all: is it a corrections file?)" if not found else ""),
            stacklevel=3,
        )
    return found


def _parse_file(path: Path, strict: bool = True) -> tuple[list[Correction], list[tuple[str, str]]]:
    """The file's corrections, and the ("file:line", reason) of each line skipped: one that is
    not JSON (only whole lines are ever appended, so a write cut short by a crash or a full
    disk, never reported saved; the next append starts on a fresh line) and, unless
    ``strict``, one that is JSON but no correction (a line edited by hand: one such line must
    not stop the analyst from saving or reading every other correction)."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError:
        raise DataError(path, None, "not UTF-8 text") from None
    found, skipped = [], []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            skipped.append(
                (
                    f"{path}:{i + 1}",
                    f"not valid JSON ({err.msg}, column {err.colno}): probably a write cut short",
                )
            )
            continue
        try:
            if not isinstance(record, dict):
                raise ValueError("expected a JSON object")
            found.append(Correction.from_dict(record))
        except (TypeError, ValueError) as err:
            if strict:
                labels = isinstance(record, dict) and "label" in record and "topic" in record
                hint = (
                    " (article labels, by article and topic? --level article reads them)"
                    if labels and {"article_id", "title"} & set(record) and "text" not in record
                    else ""
                )
                raise DataError(path, i + 1, f"{err}{hint}") from None
            skipped.append((f"{path}:{i + 1}", f"not a correction ({err}): edited by hand?"))
    return found, skipped


class CorrectionStore:
    """The corrections folder: append-only JSONL files, one per UTC day."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"CorrectionStore({str(self.folder)!r})"

    def files(self) -> list[Path]:
        """The folder's correction files, oldest day first."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.glob("*.jsonl") if p.is_file())

    def stamp(self) -> tuple[tuple[str, int, float], ...]:
        """Names, sizes and modification times of the files: changes whenever one is appended."""
        out = []
        for path in self.files():
            try:
                info = path.stat()
            except OSError:
                continue
            out.append((path.name, info.st_size, info.st_mtime))
        return tuple(out)

    def history(self) -> list[Correction]:
        """Every correction ever saved (superseded ones included), in file order."""
        return read_corrections(self.folder, strict=False) if self.folder.is_dir() else []

    def skipped_lines(self) -> list[str]:
        """ "file:line" of each line reading skips: not JSON (a write cut short), or JSON that
        is no correction (edited by hand)."""
        return [where for path in self.files() for where, _ in _parse_file(path, False)[1]]

    def latest(self) -> list[Correction]:
        """The corrections in force (see :func:`latest`)."""
        return latest(self.history())

    def append(self, corrections: Sequence[Correction]) -> Path | None:
        """Append ``corrections`` durably to today's file; returns it (None when nothing to do).

        One ``write`` of all lines on a file opened with ``O_APPEND``, under an exclusive lock
        where available, then ``fsync`` of the file (and of the folder when the file is new).
        """
        if isinstance(corrections, Correction):
            corrections = [corrections]
        for item in corrections:
            if not isinstance(item, Correction):
                raise ValueError(f"expected Correction objects, got {type(item).__name__}")
        if not corrections:
            return None
        try:
            return self._write(corrections)
        except OSError as err:  # a read-only or full disk: said in words, nothing half-kept
            raise OSError(
                f"cannot save corrections in {self.folder}: "
                f"{err.strerror or err} (nothing was saved; choose a folder you can write, "
                "--corrections-dir or VIEWPOINTS_CORRECTIONS_DIR)"
            ) from None

    def _write(self, corrections: Sequence[Correction]) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        path = self.folder / f"{FILE_PREFIX}{day}.jsonl"
        payload = "".join(
            json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True) + "\n" for c in corrections
        ).encode("utf-8")
        created = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            _lock(fd)
            size = os.fstat(fd).st_size
            if size and _last_byte(path, size) != b"\n":
                payload = b"\n" + payload  # never continue a line cut short by a crash
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)  # closing releases the lock
        if created:
            _fsync_dir(self.folder)
        return path


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # not on POSIX: O_APPEND alone keeps each write whole
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _last_byte(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        return handle.read(1)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

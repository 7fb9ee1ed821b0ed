"""Reading a user's TOML file with errors that say what was expected and what was found."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any


class TomlFileError(ValueError):
    """A TOML file that is missing, a folder, unreadable, not UTF-8 or not valid TOML."""


def read_toml(path: Path, what: str = "a TOML file") -> dict[str, Any]:
    """The tables of the TOML file at ``path``; ``what`` names the file in error messages."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TomlFileError(f"{path}: expected {what}, found no such file") from None
    except IsADirectoryError:
        raise TomlFileError(f"{path}: expected {what}, found a folder") from None
    except UnicodeDecodeError as err:
        raise TomlFileError(
            f"{path}: expected UTF-8 text, found byte 0x{err.object[err.start]:02x} "
            f"at position {err.start}"
        ) from None
    except OSError as err:
        raise TomlFileError(
            f"{path}: expected {what}, could not read it ({err.strerror})"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TomlFileError(
            f"{path}: expected valid TOML, found: {_explained(err, text)}"
        ) from None


def _explained(err: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message, with the key named where it says only "Cannot overwrite a value" (a
    key written twice in one table): tomllib points at the end of the second value, so the
    key is the nearest line above that starts with one."""
    message = str(err)
    if message.startswith("Invalid initial character for a key part"):
        return message + (
            "; a bare key holds only ASCII letters, digits, '_' and '-' (a topic's key: "
            "lower-case a-z, digits and '_'; its label can be in any script)"
        )
    where = re.search(r"\(at line (\d+), column \d+\)", message)
    if not message.startswith("Cannot overwrite a value") or where is None:
        return message
    lines = text.splitlines()[: int(where.group(1))]
    for line in reversed(lines):
        found = _KEY_LINE.match(line)
        if found:
            return f"key {found.group(1).strip()!r} written twice in one table {where.group(0)}"
    return message


# A line that sets a key: a bare, quoted or dotted key, then "=" ('"a = b",' inside a list is
# a string, not a key).
_KEY_LINE = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)

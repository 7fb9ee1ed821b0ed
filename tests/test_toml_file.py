"""Reading a user's TOML file: each way it can be wrong gives one message saying what."""

from __future__ import annotations

import pytest

from analysis.toml_file import TomlFileError, read_toml


def test_reads_tables(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('[run]\nname = "x"\n', encoding="utf-8")
    assert read_toml(path) == {"run": {"name": "x"}}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "expected a config file, found no such file"),
        (lambda p: p.mkdir(), "expected a config file, found a folder"),
        (lambda p: p.write_bytes(b'name = "\xff"\n'), "expected UTF-8 text, found byte 0xff at"),
        (lambda p: p.write_text("[run\n"), "expected valid TOML, found: "),
        (
            lambda p: p.write_text('[run]\nname = "x"\n  name = "y"\n'),
            r"found: key 'name' written twice in one table \(at line 3, column",
        ),
        (  # a key in another script, unquoted: tomllib says only "invalid character"
            lambda p: p.write_text("[topics.расширение]\nlabel = 'x'\n"),
            r"\(at line 1, column 9\); a bare key holds only ASCII letters, digits",
        ),
        (  # the second value spans lines, one of them with "=" inside a string
            lambda p: p.write_text('[t]\nex = ["x"]\nex = [\n  "a = b",\n  "c = d"]\n'),
            r"found: key 'ex' written twice in one table \(at line 5, column",
        ),
    ],
)
def test_each_bad_file_says_what_was_expected(tmp_path, make, message):
    path = tmp_path / "c.toml"
    make(path)
    with pytest.raises(TomlFileError, match=message) as info:
        read_toml(path, "a config file")
    assert str(info.value).startswith(str(path))


def test_cli_reports_a_folder_given_as_a_config_in_one_line(tmp_path, capsys):
    from analysis.cli import main

    assert main(["run", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"viewpoints: error: {tmp_path}: expected a config TOML file, found a folder"

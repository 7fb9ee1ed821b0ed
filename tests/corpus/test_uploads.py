"""Uploads: safe names, limits, what is refused and why, the batch manifest, the analysis step."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from analysis.config import AnalysisConfig
from analysis.corpus import load_corpus
from analysis.corpus.manifest import find_manifest
from analysis.corpus.uploads import (
    MAX_NAME_CHARS,
    UPLOADS_DIR,
    BatchMetadata,
    SavedBatch,
    UploadLimits,
    analyze_upload,
    check_uploads,
    file_problem,
    format_bytes,
    sanitize_name,
    save_uploads,
    unique_name,
    upload_config,
)
from analysis.pipeline import STAGES
from analysis.runs import list_runs, load_run

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NOW = datetime(2024, 5, 1, 12, 30, 0)
TEXT = b"A title\n\nSanctions against Russia were extended again this week.\n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.txt", "win.txt"),
        ("C:\\Users\\me\\report.md", "report.md"),
        (".hidden.txt", "hidden.txt"),
        (".txt", "upload.txt"),
        ("...", "upload"),
        ("", "upload"),
        ("a..b.txt", "a.b.txt"),
        ("a b?c*.TXT", "a_b_c.txt"),
        ("$(rm -rf).txt", "rm_rf.txt"),
        ("-rf.txt", "rf.txt"),
        ("con\x00trol\n.txt", "control.txt"),
        ("статья.txt", "статья.txt"),
        ("articles.TOML", "articles.toml"),
    ],
)
def test_sanitize_name(name, expected):
    assert sanitize_name(name) == expected


def test_sanitized_names_are_always_safe():
    for name in ("../" * 50 + "x" * 400 + ".html", "..\\..\\..", "/", "\u202etxt.exe", ". . ."):
        safe = sanitize_name(name)
        assert safe and len(safe) <= MAX_NAME_CHARS
        assert "/" not in safe and "\\" not in safe and ".." not in safe
        assert not safe.startswith((".", "-"))
    assert sanitize_name("x" * 400 + ".html").endswith(".html")


def test_unique_name_ignores_case_and_counts_up():
    assert unique_name("a.txt", []) == "a.txt"
    assert unique_name("a.txt", ["A.TXT"]) == "a-2.txt"
    assert unique_name("a.txt", ["a.txt", "a-2.txt"]) == "a-3.txt"
    assert unique_name("notes", ["notes"]) == "notes-2"


def test_limits_validate_and_describe_themselves():
    limits = UploadLimits()
    assert limits.describe() == "at most 20 MB per file and 100 MB in all"
    assert limits.max_file_mib == 20  # 20 MB rounded up to Streamlit's MiB
    with pytest.raises(ValueError, match="max_file_bytes: expected a positive"):
        UploadLimits(max_file_bytes=0)
    with pytest.raises(ValueError, match="max_total_bytes: expected at least"):
        UploadLimits(max_file_bytes=10, max_total_bytes=5)
    assert format_bytes(1_500) == "1.5 kB"
    assert format_bytes(12) == "12 bytes"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.pdf", TEXT, "unsupported file type '.pdf'"),
        ("a.pdf", TEXT, "; save its text as .txt first"),
        ("vader_tone.toml", TEXT, "an experiment file (other models or settings) runs with `v"),
        ("noext", TEXT, "unsupported file type '(none)'"),
        ("a.txt", b"", "empty file"),
        ("a.txt", b" \n\t\n", "empty file"),
        ("a.txt", b"PK\x03\x04\x00\x00binary", "binary file (contains NUL bytes)"),
        ("articles.toml", "x = 'caf\u00e9'".encode("latin-1"), "not UTF-8 text"),
        ("a.csv", "id,text\na,x\n".encode("utf-16"), "UTF-16 text: save it as UTF-8"),
        ("a.txt", b"x" * 101, "file is 101 bytes, over the limit of 100 bytes per file"),
    ],
)
def test_file_problem_says_why(name, data, reason):
    problem = file_problem(name, data, UploadLimits(max_file_bytes=100, max_total_bytes=1000))
    assert problem is not None and reason in problem


def test_usable_files_and_manifests_pass():
    limits = UploadLimits()
    assert file_problem("a.txt", TEXT, limits) is None
    assert file_problem("a.jsonl", b'{"text": "x"}\n', limits) is None
    assert file_problem("a.txt", "T\n\nSanctions.".encode("utf-16"), limits) is None
    assert file_problem("articles.toml", b"exclude = []\n", limits) is None
    assert file_problem("other.toml", b"exclude = []\n", limits) is not None


def test_an_article_file_not_in_utf8_is_saved_with_a_note_and_loads(tmp_path):
    text = "Caf\u00e9 talks\n\nSanctions on Russia were extended \u2013 again.\n"
    windows = text.encode("cp1252")
    batch = save_uploads([("a.txt", windows), ("b.txt", TEXT)], tmp_path, now=NOW)
    assert [f.name for f in batch.files] == ["a.txt", "b.txt"] and batch.rejected == []
    assert batch.notes == [
        "a.txt: not UTF-8: 2 bytes read as Windows-1252 (the first at offset 3); "
        "check its special characters"
    ]
    titles = {a.title for a in load_corpus([batch.folder]).articles}
    assert titles == {"Caf\u00e9 talks", "A title"}


def test_check_uploads_enforces_the_total_and_renames_clashes():
    limits = UploadLimits(max_file_bytes=100, max_total_bytes=150)
    body = b"x" * 60 + b"\n"
    checked = check_uploads(
        [
            ("dir/a.txt", body),
            ("a.txt", body),  # same safe name: renamed
            ("b.txt", body),  # would bring the total to 183 bytes: refused
            ("small.txt", b"tiny\n"),  # still fits
            ("articles.toml", b"exclude = []\n"),
            ("articles.csv", b"file,title\n"),  # a second manifest
        ],
        limits,
    )
    assert [(c.name, c.problem is None) for c in checked] == [
        ("a.txt", True),
        ("a-2.txt", True),
        ("b.txt", False),
        ("small.txt", True),
        ("articles.toml", True),
        ("articles.csv", False),
    ]
    assert "over the limit of 150 bytes in all" in checked[2].problem
    assert "second manifest" in checked[5].problem


def test_save_uploads_writes_good_files_into_a_fresh_hidden_folder(tmp_path):
    runs = tmp_path / "runs"
    uploads = [("one.txt", TEXT), ("bad.txt", b"\x00\x01\x02"), ("../two.md", b"# T\n\nBody.\n")]
    batch = save_uploads(uploads, runs, now=NOW)
    assert batch.usable
    assert batch.folder == runs / UPLOADS_DIR / "20240501-123000"
    assert sorted(p.name for p in batch.folder.iterdir()) == ["one.txt", "two.md"]
    assert (batch.folder / "one.txt").read_bytes() == TEXT
    assert [(r.name, r.reason) for r in batch.rejected] == [
        ("bad.txt", "binary file (contains NUL bytes)")
    ]
    assert batch.manifest is None  # no metadata given, no manifest uploaded
    again = save_uploads(uploads, runs, now=NOW)
    assert again.folder == runs / UPLOADS_DIR / "20240501-123000-2"
    assert list_runs(runs) == []  # the uploads folder is never listed as a run


def test_nothing_usable_leaves_nothing_on_disk(tmp_path):
    batch = save_uploads(
        [("a.txt", b""), ("b.bin", TEXT), ("articles.toml", b"exclude = []\n")], tmp_path
    )
    assert not batch.usable and batch.folder is None
    assert batch.rejected[0].reason == "empty file"
    assert any("no article file came with it" in n for n in batch.notes)
    assert not (tmp_path / UPLOADS_DIR).exists() or not any((tmp_path / UPLOADS_DIR).iterdir())


def test_batch_metadata_reaches_the_loaded_articles(tmp_path):
    metadata = BatchMetadata(author=" Ivan   Timofeev ", outlet="Valdai", date="June 29, 2018")
    batch = save_uploads(
        [("one.txt", TEXT), ("two.txt", b"T2\n\nOther text.\n")], tmp_path, metadata=metadata
    )
    corpus = load_corpus([batch.folder])
    assert [(a.author, a.outlet, a.date) for a in corpus.articles] == [
        ("Ivan Timofeev", "Valdai", "2018-06-29")
    ] * 2
    assert batch.manifest == batch.folder / "articles.toml"
    with pytest.raises(ValueError, match="date: expected a date like 2018-06-29"):
        BatchMetadata(date="sometime in June")


def test_title_only_for_a_single_article_file(tmp_path):
    single = save_uploads([("one.txt", TEXT)], tmp_path, metadata=BatchMetadata(title="Mine"))
    assert [a.title for a in load_corpus([single.folder]).articles] == ["Mine"]
    two = save_uploads(
        [("one.txt", TEXT), ("two.txt", b"T2\n\nOther.\n")],
        tmp_path,
        metadata=BatchMetadata(title="Mine"),
    )
    assert [a.title for a in load_corpus([two.folder]).articles] == ["A title", "T2"]
    assert any("title was not used" in n for n in two.notes)


def test_uploaded_manifest_follows_renamed_files_and_beats_batch_values(tmp_path):
    manifest = (
        b'[articles."my report.txt"]\nauthor = "From manifest"\n'
        b'[articles."missing.txt"]\nauthor = "Nobody"\n'
    )
    batch = save_uploads(
        [("my report.txt", TEXT), ("other.txt", b"T2\n\nOther.\n"), ("articles.toml", manifest)],
        tmp_path,
        metadata=BatchMetadata(author="Batch author", outlet="Batch outlet"),
    )
    assert {f.name for f in batch.files} == {"my_report.txt", "other.txt"}
    assert find_manifest(batch.folder).overrides("my_report.txt") == {
        "author": "From manifest",
        "outlet": "Batch outlet",
    }
    by_source = {Path(a.source).name: a for a in load_corpus([batch.folder]).articles}
    assert by_source["my_report.txt"].author == "From manifest"
    assert by_source["other.txt"].author == "Batch author"
    assert any("'missing.txt', which was not uploaded" in n for n in batch.notes)


def test_a_broken_manifest_is_refused_and_the_articles_still_saved(tmp_path):
    batch = save_uploads([("one.txt", TEXT), ("articles.toml", b"[articles.x\nbroken")], tmp_path)
    assert batch.usable and [f.name for f in batch.files] == ["one.txt"]
    assert batch.rejected[0].name == "articles.toml"
    assert batch.rejected[0].reason.startswith("unusable manifest: articles.toml: expected")
    assert sorted(p.name for p in batch.folder.iterdir()) == ["one.txt"]


def test_upload_config_reads_only_the_folder():
    config = upload_config("/x/.uploads/20240501-123000", "/x", "")
    assert config.corpus.paths == ("/x/.uploads/20240501-123000",)
    assert config.run.runs_dir == "/x" and config.run.name == "upload 20240501-123000"
    assert config.models.stance == AnalysisConfig().models.stance  # the defaults
    assert upload_config("/f", "/x", " mine ").run.name == "mine"


def test_analyze_upload_refuses_an_unusable_batch(tmp_path):
    with pytest.raises(ValueError, match="expected at least one usable uploaded article"):
        analyze_upload(SavedBatch(folder=None), tmp_path)


@pytest.mark.slow
def test_analyze_upload_makes_a_run_of_just_the_uploads(tmp_path, tiny_pair_model_dir):
    runs = tmp_path / "runs"
    seed = (SEEDS / "001_6c28832786d132a7.txt").read_bytes()
    batch = save_uploads(
        [("bolton.txt", seed), ("notes.md", b"# Notes\n"), ("x.txt", b"")],
        runs,
        metadata=BatchMetadata(author="Ivan Timofeev"),
    )
    model = str(tiny_pair_model_dir)
    base = AnalysisConfig().with_values(models={"stance": model, "tone": model, "cache": ""})
    stages: list[tuple[str, float]] = []
    logged: list[str] = []
    result = analyze_upload(
        batch,
        runs,
        "my upload",
        base,
        on_stage=lambda s, f: stages.append((s, f)),
        log=logged.append,
    )
    assert [s for s, _ in stages] == list(STAGES)
    shares = [f for _, f in stages]
    assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0
    assert [m["run_id"] for m in list_runs(runs)] == [result.meta["run_id"]]
    run = load_run(result.path)
    assert run.meta["name"] == "my upload"
    assert run.meta["corpus_paths"] == [str(batch.folder)]
    assert list(run.articles["author"]) == ["Ivan Timofeev"]
    # The loader's own skips (a heading with no text under it) are in the run's skipped list.
    assert [Path(s["source"]).name for s in run.meta["skipped"]] == ["notes.md"]
    # one article: the run reads every passage as soon as a warm-up would, so no estimate
    assert any(line.startswith("no cost estimate") for line in logged)


def test_an_articles_csv_without_a_file_column_is_articles_not_a_manifest():
    from analysis.corpus.uploads import check_uploads

    table = b"ID,title,content_original\n1,Sanctions,Sanctions on Russia were tightened.\n"
    manifest = b"file;author\nx.txt;Ann\n"
    (articles, kept) = check_uploads([("articles.csv", table), ("x/articles.csv", manifest)])
    assert not articles.is_manifest and articles.problem is None
    assert articles.name != "articles.csv" and articles.name.endswith(".csv")
    assert kept.is_manifest and kept.name == "articles.csv"  # a 'file' column: the manifest


def test_uploads_named_like_documentation_are_read_as_articles(tmp_path):
    """A review: sources.jsonl and authors.csv were 'ready', then skipped by the loader as
    documentation files, 33 articles lost under a green result."""
    from analysis.corpus.loader import DOC_NAMES
    from analysis.corpus.uploads import check_uploads

    line = b'{"title": "Sanctions", "content": "Sanctions on Russia were tightened today."}\n'
    table = b"title,text\nTreaty,The treaty talks resumed in Geneva this week.\n"
    checked = check_uploads([("sources.jsonl", line), ("AUTHORS.csv", table)])
    assert [c.problem for c in checked] == [None, None]
    assert not any(DOC_NAMES.match(c.name) for c in checked)
    batch = save_uploads([("sources.jsonl", line), ("AUTHORS.csv", table)], tmp_path)
    corpus = load_corpus([batch.folder])
    assert sorted(a.title for a in corpus.articles) == ["Sanctions", "Treaty"]


def test_a_broken_uploaded_manifest_is_refused_before_the_analysis():
    from analysis.corpus.uploads import check_uploads

    broken, article = check_uploads(
        [("articles.toml", b'[articles."x.txt"\nauthor = "Ann"\n'), ("x.txt", b"Title\n\nText.")]
    )
    assert broken.problem is not None and broken.problem.startswith("unusable manifest: ")
    assert "articles.toml" in broken.problem and "/tmp" not in broken.problem
    assert article.problem is None
    fine, _ = check_uploads(
        [("articles.toml", b'[articles."x.txt"]\nauthor = "Ann"\n'), ("x.txt", b"T\n\nText.")]
    )
    assert fine.problem is None

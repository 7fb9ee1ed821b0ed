"""The Add articles page, driven through Streamlit's AppTest."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from analysis.corpus.upload_jobs import STATUS_FILE, read_job, upload_jobs
from analysis.corpus.uploads import UPLOADS_DIR
from analysis.runs import list_runs
from tests.dashboard.conftest import make_small_run

PAGE = "app_pages/add_articles.py"
PAGE_PATH = Path(__file__).resolve().parents[2] / "dashboard" / PAGE
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_A = SEEDS / "000_75f37cc66b80f13e.txt"
SEED_B = SEEDS / "001_6c28832786d132a7.txt"


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    )


@pytest.fixture
def page(app, small_runs_dir):
    """The page inside the app, with the small run selected in the sidebar."""
    at = _ok(app(small_runs_dir).run())
    return _ok(at.switch_page(PAGE).run())


def _upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, "text/plain") for name, data in files])
    return _ok(at.run())


def _frame(at: AppTest, column: str):
    """The (first) table with ``column``: tables without selections carry no key in AppTest."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _analyze_button(at: AppTest):
    return at.button(key="up_go")


def test_page_states_its_limits_and_types(page, small_runs_dir):
    text = _text(page)
    assert "at most 20 MB per file and 100 MB in all" in text
    assert "`.jsonl`" in text and "`articles.toml`" in text
    assert f"{small_runs_dir / UPLOADS_DIR}/<time>/" in text
    uploader = page.file_uploader[0]
    assert uploader.accept_multiple_files
    assert uploader.proto.max_upload_size_mb == 20  # also enforced by Streamlit's uploader
    assert ".html" in uploader.allowed_type and ".pdf" not in uploader.allowed_type
    assert _analyze_button(page).disabled  # nothing uploaded yet


def test_page_works_without_any_run(monkeypatch, tmp_path):
    """Opened on its own, with an empty runs folder and no run chosen in a sidebar."""
    monkeypatch.setenv("VIEWPOINTS_RUNS_DIR", str(tmp_path / "no-runs-yet"))
    at = _ok(AppTest.from_file(str(PAGE_PATH), default_timeout=60).run())
    assert "Add articles" in _text(at)
    assert str(tmp_path / "no-runs-yet") in _text(at)
    _upload(at, ("a.txt", SEED_A.read_bytes()))
    assert not _analyze_button(at).disabled


def test_bad_files_are_listed_with_reasons_before_anything_runs(page, small_runs_dir):
    _upload(
        page,
        ("../a.txt", SEED_A.read_bytes()),
        ("b.txt", SEED_B.read_bytes()),
        ("broken.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("empty.md", b""),
    )
    table = _frame(page, "Status")
    assert list(table["Status"]) == ["ready", "ready", "refused", "refused"]
    assert list(table["Saved as"])[:2] == ["a.txt", "b.txt"]
    assert list(table["Reason"])[2:] == ["binary file (contains NUL bytes)", "empty file"]
    assert "2 file(s) cannot be used" in page.warning[0].value
    button = _analyze_button(page)
    assert not button.disabled and button.label == "Analyze 2 file(s) into a new run"
    assert page.text_input(key="up_title_0").disabled  # a title needs a single article file
    assert not (small_runs_dir / UPLOADS_DIR).exists()  # checking writes nothing


def test_no_usable_file_means_no_run(page, small_runs_dir):
    _upload(page, ("broken.txt", b"\x00\x01\x02"), ("blank.txt", b" \n\n"))
    assert "No usable article file" in page.error[0].value
    assert _analyze_button(page).disabled
    assert [m["run_id"] for m in list_runs(small_runs_dir)] == ["20181110-120000-seeds000"]


def test_a_single_file_may_get_a_title_and_a_bad_date_blocks_the_run(page):
    _upload(page, ("a.txt", SEED_A.read_bytes()))
    assert not page.text_input(key="up_title_0").disabled
    page.text_input(key="up_date_0").input("next Tuesday")
    _ok(page.run())
    assert "date: expected a date like 2018-06-29" in page.error[0].value
    assert _analyze_button(page).disabled


def _ended_upload(runs_dir: Path, run_id: str | None, **status) -> Path:
    """An upload folder whose job has ended as ``status`` says (``done`` unless told)."""
    folder = runs_dir / UPLOADS_DIR / "20240501-120000"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("An article.")
    record = {
        "state": "done",
        "pid": os.getpid(),
        "started": "2024-05-01T12:00:00",
        "run_id": run_id,
        "path": str(runs_dir / run_id) if run_id else None,
        "counts": {"articles_read": 1, "passages": 5, "scored_pairs": 2},
        "skipped": [{"source": f"{folder}/README.md", "reason": "documentation file"}],
        "files": [
            {"File": "a.txt", "Saved as": "a.txt", "Size": "1 kB", "Status": "saved", "Reason": ""}
        ],
        "log": ["read 1 article (5 passages), skipped 1", "warning: the text looks French"],
        **status,
    }
    (folder / STATUS_FILE).write_text(json.dumps(record))
    return folder


def test_result_shows_the_skipped_list_and_opens_the_run(app, tmp_path):
    make_small_run(tmp_path, "20180101-000000-older000", created="2018-01-01T00:00:00")
    make_small_run(tmp_path, "20190101-000000-newer000", created="2019-01-01T00:00:00")
    _ended_upload(tmp_path, "20180101-000000-older000")
    at = _ok(app(tmp_path).run())
    _ok(at.switch_page(PAGE).run())  # a fresh session: the result is read from the folder
    assert "Run `20180101-000000-older000` written: 1 article(s), 5 passages" in (
        at.success[0].value
    )
    assert [w.value for w in at.warning] == ["warning: the text looks French"]  # said on the page
    skipped = _frame(at, "Source")
    assert skipped.to_dict("records") == [{"Source": "README.md", "Reason": "documentation file"}]
    _ok(at.button(key="up_open").click().run())
    assert at.title[0].value == "Overview"
    assert at.sidebar.selectbox(key="w_run").value == "20180101-000000-older000"
    assert at.query_params["run"] == "20180101-000000-older000"


def test_open_without_an_overview_page_says_to_reload(monkeypatch, tmp_path):
    """Opened on its own (no navigation, as when the app started with no runs): the button
    cannot switch pages, so after one retry it says what to do instead of failing."""
    make_small_run(tmp_path)
    _ended_upload(tmp_path, "20181110-120000-seeds000")
    monkeypatch.setenv("VIEWPOINTS_RUNS_DIR", str(tmp_path))
    at = AppTest.from_file(str(PAGE_PATH), default_timeout=60)
    _ok(at.run())
    _ok(at.button(key="up_open").click().run())
    assert "is ready: reload the dashboard to open it" in at.info[0].value
    assert at.session_state["sel_run"] == "20181110-120000-seeds000"


def _until_ended(at: AppTest, runs: Path, timeout_s: float = 240) -> AppTest:
    """Rerun the page until no upload is running (as its progress fragment would)."""
    deadline = time.monotonic() + timeout_s
    while any(j.state == "running" for j in upload_jobs(runs)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return _ok(at.run())


@pytest.mark.slow
def test_analyze_uploads_into_a_new_run_with_the_default_models(app, tmp_path, monkeypatch):
    """The whole step on the page: two seeds and a binary file -> a run of the two seeds."""
    runs = tmp_path / "runs"
    make_small_run(runs)
    monkeypatch.chdir(tmp_path)  # the default prediction cache is relative to the cwd
    at = _ok(app(runs).run())
    _ok(at.switch_page(PAGE).run())
    _upload(
        at,
        ("valdai.txt", SEED_A.read_bytes()),
        ("bolton.txt", SEED_B.read_bytes()),
        ("broken.txt", b"\x00\x01binary"),
        ("notes.md", b"# Notes\n"),  # passes the checks; the loader finds no text under it
    )
    at.text_input(key="up_outlet_0").input("Valdai Discussion Club")
    at.text_input(key="up_name_0").input("two seeds")
    _ok(_analyze_button(at).click().run())
    assert not at.file_uploader[0].value  # a fresh uploader for the next batch at once
    (job,) = upload_jobs(runs)
    assert job.state in ("running", "done")
    at = _until_ended(at, runs)
    new = [m for m in list_runs(runs) if m["run_id"] != "20181110-120000-seeds000"]
    assert len(new) == 1 and new[0]["name"] == "two seeds"
    assert new[0]["counts"]["articles_read"] == 2
    # what the analysis skipped is counted in the result, not only listed below it
    assert "written: 2 article(s) (1 input(s) skipped: listed below)" in at.success[0].value
    files = _frame(at, "Status")
    refused = files[files["Status"] == "refused"]
    assert list(refused["File"]) == ["broken.txt"]
    assert list(refused["Reason"]) == ["binary file (contains NUL bytes)"]
    skipped = _frame(at, "Source")
    assert list(skipped["Source"]) == ["notes.md"]  # the job's own status file is not read
    assert at.sidebar.selectbox(key="w_run").options[0].endswith(new[0]["run_id"])


def test_a_failed_analysis_says_why_on_the_page_and_keeps_no_upload(app, tmp_path, monkeypatch):
    """The reason stands on the page itself, and after a reload (a new session) too."""

    def fail(batch, *args, **kwargs):
        raise ValueError(f"no articles could be read from {batch.folder} (a.txt: no text)")

    monkeypatch.setattr("analysis.corpus.uploads.analyze_upload", fail)
    runs = tmp_path / "runs"
    make_small_run(runs)
    at = _ok(app(runs).run())
    _ok(at.switch_page(PAGE).run())
    _upload(at, ("valdai.txt", SEED_A.read_bytes()))
    at = _until_ended(_ok(_analyze_button(at).click().run()), runs, timeout_s=30)
    for shown in (at, _ok(_ok(app(runs).run()).switch_page(PAGE).run())):
        (error,) = [e.value for e in shown.error]
        assert error.startswith("The analysis of `")
        assert error.endswith("failed: no articles could be read from the upload (a.txt: no text)")
        files = _frame(shown, "Status")
        assert list(files["Status"]) == ["removed"]  # not "saved": it is gone with the upload
    assert not list((runs / UPLOADS_DIR).glob("*/*.txt"))  # the saved upload was removed
    assert [m["run_id"] for m in list_runs(runs)] == ["20181110-120000-seeds000"]
    (job,) = upload_jobs(runs)
    _ok(shown.button(key=f"up_dismiss_{job.folder.name}").click().run())
    assert upload_jobs(runs) == [] and not shown.error


def test_an_upload_stopped_with_the_dashboard_is_said_and_can_be_analyzed_again(
    app, tmp_path, monkeypatch
):
    """A job left "running" by a process that is gone: stopped, its files kept; analyzed
    again it makes its run; or its files removed."""
    runs = tmp_path / "runs"
    make_small_run(runs)
    folder = _ended_upload(runs, None, state="running", pid=2**22 + 12345)
    at = _ok(app(runs).run())
    _ok(at.switch_page(PAGE).run())
    assert "stopped before its run was written" in at.error[0].value

    def done(batch, runs_dir, name, **kwargs):
        assert [f.name for f in batch.articles] == ["a.txt"] and batch.folder == folder
        return SimpleNamespace(
            meta={"run_id": "20181110-120000-seeds000", "counts": {"articles_read": 1}},
            path=runs_dir / "20181110-120000-seeds000",
        )

    monkeypatch.setattr("analysis.corpus.uploads.analyze_upload", done)
    at = _until_ended(
        _ok(at.button(key=f"up_again_{folder.name}").click().run()), runs, timeout_s=30
    )
    assert "Run `20181110-120000-seeds000` written: 1 article(s)" in at.success[0].value
    assert read_job(folder).state == "done"

    other = _ended_upload(runs / "more", None, state="running", pid=2**22 + 12345)
    at = _ok(app(runs / "more").run())
    _ok(at.switch_page(PAGE).run())
    _ok(at.button(key=f"up_remove_{other.name}").click().run())  # inside "Remove these files"
    assert not other.exists() and not at.error


def test_every_stopped_upload_stays_on_the_page_beside_the_last_result(app, tmp_path):
    runs = tmp_path / "runs"
    make_small_run(runs)
    _ended_upload(runs, "20181110-120000-seeds000")  # done, 20240501-120000
    for name in ("20240502-090000", "20240503-090000"):
        folder = runs / UPLOADS_DIR / name
        folder.mkdir(parents=True)
        (folder / "a.txt").write_text("An article.")
        status = {"state": "running", "pid": 2**22 + 7, "started": name, "name": f"batch {name}"}
        (folder / STATUS_FILE).write_text(json.dumps(status))
    at = _ok(app(runs).run())
    _ok(at.switch_page(PAGE).run())
    stopped = [e.value for e in at.error if "stopped before its run was written" in e.value]
    assert len(stopped) == 2 and "batch 20240502-090000" in stopped[1]
    assert "Run `20181110-120000-seeds000` written" in at.success[0].value
    for name in ("20240502-090000", "20240503-090000"):
        assert at.button(key=f"up_again_{name}") and at.button(key=f"up_remove_{name}")


def test_a_pasted_text_is_an_article_file_beside_the_uploads(app, tmp_path, monkeypatch):
    """Pasted text is checked and saved as pasted.txt (pasted-2.txt where an upload has that
    name), titled from the Title box as a single file is, and analyzed with the uploads."""
    runs = tmp_path / "runs"
    make_small_run(runs)
    at = _ok(app(runs).run())
    _ok(at.switch_page(PAGE).run())
    text = SEED_A.read_text(encoding="utf-8")
    at.text_area(key="up_paste_0").input(text)
    _ok(at.run())
    files = _frame(at, "Status")
    assert list(files["File"]) == ["pasted.txt"] and list(files["Status"]) == ["ready"]
    assert not at.text_input(key="up_title_0").disabled  # one article: it may get a title
    at.text_input(key="up_title_0").input("Pasted from a page")
    _ok(at.run())
    assert _analyze_button(at).label == "Analyze 1 file(s) into a new run"

    _upload(at, ("pasted.txt", SEED_B.read_bytes()))
    files = _frame(at, "Status")
    assert list(files["File"]) == ["pasted.txt", "pasted-2.txt"]
    assert at.text_input(key="up_title_0").disabled  # two articles: no one title
    saved: list[list[tuple[str, str]]] = []

    def done(batch, runs_dir, name, **kwargs):
        texts = [(batch.folder / f.name).read_text(encoding="utf-8") for f in batch.articles]
        saved.append([(f.name, text) for f, text in zip(batch.articles, texts, strict=True)])
        return SimpleNamespace(
            meta={"run_id": "20181110-120000-seeds000", "counts": {"articles_read": 2}},
            path=runs_dir / "20181110-120000-seeds000",
        )

    monkeypatch.setattr("analysis.corpus.uploads.analyze_upload", done)
    at = _until_ended(_ok(_analyze_button(at).click().run()), runs, timeout_s=30)
    assert saved == [[("pasted.txt", SEED_B.read_text(encoding="utf-8")), ("pasted-2.txt", text)]]
    assert at.text_area(key="up_paste_1").value == ""  # a fresh box for the next batch

    at.text_area(key="up_paste_1").input("   \n  ")  # only blanks: nothing to analyze
    _ok(at.run())
    assert _analyze_button(at).disabled
    assert not any("ready" in set(d.value.get("Status", [])) for d in at.dataframe)


def test_a_second_click_before_the_page_reran_does_not_start_the_batch_again(page, monkeypatch):
    """A review: two quick clicks on Analyze made two upload folders and two identical runs.
    Here the first click has started the batch (its key recorded) but the page has not yet
    reran with a fresh uploader: the second click starts nothing and finishes that rerun."""
    from analysis.corpus.uploads import BatchMetadata
    from dashboard.app_pages.add_articles import STARTING_KEY, _batch_signature

    started = []
    # the page script imports it afresh on each run: patched where it is defined
    monkeypatch.setattr("analysis.corpus.upload_jobs.start_job", lambda *a, **k: started.append(a))
    files = [("bolton.txt", SEED_B.read_bytes())]
    _upload(page, *files)
    page.session_state[STARTING_KEY] = (0, _batch_signature(files, BatchMetadata(), ""))
    _ok(_analyze_button(page).click().run())
    assert started == []
    assert not page.file_uploader[0].value  # the fresh uploader the first click was owed
    runs_dir = Path(os.environ["VIEWPOINTS_RUNS_DIR"])
    assert not (runs_dir / UPLOADS_DIR).exists() or not any((runs_dir / UPLOADS_DIR).iterdir())
    # the same files uploaded again afterwards are a new batch, and start
    _upload(page, *files)
    _ok(_analyze_button(page).click().run())
    assert len(started) == 1


def test_a_batch_that_failed_to_start_can_be_started_again(page, monkeypatch):
    """A review: the key of a batch whose start failed stayed, so the same files retried were
    taken for a second click: the uploader emptied and 'started' said, with nothing started."""
    started = []

    def fail(*args, **kwargs):
        raise RuntimeError("no thread could start")

    monkeypatch.setattr("analysis.corpus.upload_jobs.start_job", fail)
    files = [("bolton.txt", SEED_B.read_bytes())]
    _upload(page, *files)
    _analyze_button(page).click().run()
    assert page.exception  # the failure is shown
    monkeypatch.setattr("analysis.corpus.upload_jobs.start_job", lambda *a, **k: started.append(a))
    _upload(page, *files)
    _ok(_analyze_button(page).click().run())
    assert len(started) == 1


def test_an_uploads_run_removed_since_is_said_to_be_gone_not_opened(app, tmp_path):
    """A review removed an upload's run folder by hand: the page still offered to open it, and
    the Overview then showed another run with no word."""
    import shutil

    runs = tmp_path / "runs"
    make_small_run(runs)
    make_small_run(runs, "20181111-120000-other000", "2018-11-11T12:00:00")
    _ended_upload(runs, "20181110-120000-seeds000", name="my batch")
    shutil.rmtree(runs / "20181110-120000-seeds000")
    at = _ok(app(runs).run())
    _ok(at.switch_page(PAGE).run())
    (gone,) = [w.value for w in at.warning if "no longer in" in w.value]
    assert "Run `20181110-120000-seeds000` (my batch), written by this upload" in gone
    assert not any(b.label == "Open this run in the Overview" for b in at.button)
    assert not any("written:" in s.value for s in at.success)


def test_a_run_name_already_taken_is_said_before_the_run_is_made(app, tmp_path):
    """A review named an upload as an existing run: `viewpoints show NAME` then refused both.
    The page says so while the name is typed (as `viewpoints run` notes it)."""
    import json

    runs = tmp_path / "runs"
    path = make_small_run(runs)
    meta = json.loads((path / "run.json").read_text())
    (path / "run.json").write_text(json.dumps({**meta, "name": "forty"}))
    at = _ok(app(runs).run())
    _ok(at.switch_page(PAGE).run())
    _upload(at, ("a.txt", SEED_A.read_bytes()))
    at.text_input(key="up_name_0").input("forty")
    _ok(at.run())
    assert any("1 run(s) here are already named “forty”" in w.value for w in at.warning)
    at.text_input(key="up_name_0").input("forty-two")
    _ok(at.run())
    assert not any("already named" in w.value for w in at.warning)

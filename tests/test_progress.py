import io

from analysis.progress import LogProgress, stage_bar


def test_a_log_gets_a_plain_progress_line_now_and_then():
    """An audit: with stderr not a terminal, a minute of relevance printed nothing."""
    now = [0.0]
    out = io.StringIO()
    bar = LogProgress(80_000, "relevance", " passages", every=30, stream=out, clock=lambda: now[0])
    bar.update(5_000)  # at once: nothing yet (a short stage says nothing)
    now[0] = 31.0
    bar.update(7_000)
    now[0] = 40.0
    bar.update(1_000)  # under 30 s since the last line
    assert out.getvalue() == "relevance: 12,000 of 80,000 passages (15%)\n"
    unknown = LogProgress(None, "scoring", "passages", every=0, stream=out, clock=lambda: 1.0)
    unknown.update(3)
    assert out.getvalue().endswith("scoring: 3 passages\n")


def test_a_stage_bar_is_a_log_line_off_a_terminal_and_nothing_when_quiet(capsys):
    with stage_bar(10, "relevance", " passages", progress=True) as bar:  # pytest: no terminal
        assert isinstance(bar, LogProgress)
        bar.update(10)
    with stage_bar(10, "relevance", " passages", progress=False) as bar:
        assert not isinstance(bar, LogProgress) and bar.disable
        bar.update(10)
    assert capsys.readouterr().err == ""


def test_reading_a_corpus_into_a_log_is_not_silent(tmp_path, capsys, monkeypatch):
    """An audit piped a 3x corpus: 70 s of reading without a line, where every other long
    stage says how far it is every 30 s."""
    from analysis.corpus.loader import load_corpus

    monkeypatch.setattr("analysis.progress.LOG_EVERY_S", 0.0)  # a line at every document
    body = "Sanctions on Russia were extended again by the European Union this week. " * 3
    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(f"Title {i}\n\n{body} Number {i}.", encoding="utf-8")
    load_corpus([tmp_path], progress=True)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("loading:")]
    assert lines[-1] == "loading: 3 docs"
    load_corpus([tmp_path], progress=False)  # --quiet: nothing
    assert "loading:" not in capsys.readouterr().err

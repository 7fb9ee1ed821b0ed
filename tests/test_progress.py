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

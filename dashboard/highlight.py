"""An article's text as one escaped HTML block with its topic passages highlighted.

The result is a single line (newlines become ``<br>``) so that ``st.markdown(...,
unsafe_allow_html=True)`` treats it as one raw HTML block and never reads the article's own
characters as Markdown; every piece of article text and every tooltip is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from dashboard.style import diverging_color, text_color


@dataclass(frozen=True)
class Span:
    """A highlighted character range of the text.

    ``value`` colours it on the diverging scale of ``scale`` (None: outlined only);
    ``tooltip`` is plain text; ``reported`` marks quoted or attributed speech, labelled with
    ``speaker`` when known; ``place`` (such as "¶3") is shown before it, so that the text and
    the score tables, which number passages the same way, can be read side by side.
    """

    start: int
    end: int
    value: float | None
    tooltip: str
    reported: bool = False
    speaker: str | None = None
    place: str | None = None
    scale: str = "stance"  # the colour scale of ``value``: "tone" for a tone


def _escape(text: str) -> str:
    return html.escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def _span_html(text: str, span: Span) -> str:
    styles = ["border-radius:3px", "padding:1px 2px"]
    if span.value is None:
        styles.append("outline:1px solid #999")
    else:
        styles += [
            f"background:{diverging_color(span.value, span.scale)}",
            f"color:{text_color(span.value, span.scale)}",
        ]
    badge = ""
    if span.reported:
        styles += ["border:2px dashed #555", "opacity:0.85"]
        who = f"reported: {span.speaker}" if span.speaker else "reported speech"
        badge = (
            '<span style="font-size:0.75em;background:#444;color:#fff;border-radius:3px;'
            f'padding:0 4px;margin-right:4px">\u201c {html.escape(who)}</span>'
        )
    title = html.escape(span.tooltip, quote=True).replace("\n", "&#10;")
    place = (
        f'<sup class="vp-place" style="color:#666;font-size:0.7em;margin-right:2px">'
        f"{html.escape(span.place)}</sup>"
        if span.place
        else ""
    )
    return (
        f'{place}<span class="vp-passage" title="{title}" style="{";".join(styles)}">'
        f"{badge}{_escape(text)}</span>"
    )


def highlight_html(text: str, spans: Sequence[Span]) -> str:
    """``text`` with ``spans`` wrapped in coloured, titled ``<span>``s, as one HTML line.

    Spans are clipped to the text; where two overlap, the earlier one wins and the later one
    starts where it ends.
    """
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        start, end = max(span.start, cursor, 0), min(span.end, len(text))
        if end <= start:
            continue
        pieces.append(_escape(text[cursor:start]))
        pieces.append(_span_html(text[start:end], span))
        cursor = end
    pieces.append(_escape(text[cursor:]))
    return (
        '<div class="vp-article" style="line-height:1.7;font-size:1rem;max-width:60rem">'
        + "".join(pieces)
        + "</div>"
    )

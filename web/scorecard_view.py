"""Server-rendered SVG for the scorecard page: dimension scores and the phase timeline.

Every text that reaches the markup is escaped here; the charts use attributes, not scripts.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from rubrics.scorecard import Scorecard

__all__ = ["dimension_chart", "replay_link", "timeline_chart"]

_ROW = 30
_LABEL = 220
_BAR = 360
_COLOURS = {1: "#d92d20", 2: "#f79009", 3: "#2f6fed", 4: "#12b76a"}


def replay_link(session_id: str | None, turn_id: int, t: float) -> str:
    return f"/replay/{session_id}?t={int(t)}#turn-{turn_id}"


def dimension_chart(card: Scorecard) -> Markup:
    """Horizontal bars, 0-4, with the target level's expectation as a tick."""
    height = _ROW * len(card.dimensions) + 30
    width = _LABEL + _BAR + 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="dims-title dims-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="dims-title">Score per dimension</title>',
        f'<desc id="dims-desc">Scores from 1 to 4; the tick marks what the {escape(card.level)} '
        "level expects.</desc>",
    ]
    for step in range(5):
        x = _LABEL + _BAR * step / 4
        parts.append(
            f'<line x1="{x:.0f}" y1="0" x2="{x:.0f}" y2="{height - 24}" stroke="#dfe3ea"/>'
            f'<text x="{x:.0f}" y="{height - 8}" font-size="11" text-anchor="middle" '
            f'fill="#6b7385">{step}</text>'
        )
    for row, dimension in enumerate(card.dimensions):
        y = row * _ROW + 6
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + 15}" font-size="13" text-anchor="end" '
            f'fill="#1d2330">{escape(dimension.title)}</text>'
        )
        if dimension.score is None:
            parts.append(
                f'<text x="{_LABEL + 6}" y="{y + 15}" font-size="12" fill="#6b7385">unscored</text>'
            )
        else:
            length = _BAR * dimension.score / 4
            parts.append(
                f'<rect x="{_LABEL}" y="{y}" width="{length:.0f}" height="20" rx="3" '
                f'fill="{_COLOURS[dimension.score]}"><title>{escape(dimension.title)}: '
                f"{dimension.score}/4</title></rect>"
                f'<text x="{_LABEL + length + 6:.0f}" y="{y + 15}" font-size="12" '
                f'fill="#1d2330">{dimension.score}</text>'
            )
        expected_x = _LABEL + _BAR * dimension.expected / 4
        parts.append(
            f'<line x1="{expected_x:.0f}" y1="{y - 2}" x2="{expected_x:.0f}" y2="{y + 22}" '
            'stroke="#1d2330" stroke-width="2" stroke-dasharray="3 2"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline_chart(card: Scorecard) -> Markup:
    """Each phase's budget (outline) against the time actually spent (filled)."""
    longest = max([row.budget_s for row in card.time] + [row.used_s for row in card.time] + [1])
    height = _ROW * len(card.time) + 30
    width = _LABEL + _BAR + 90
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="time-title time-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="time-title">Time per phase</title>',
        '<desc id="time-desc">Outlined: the budget. Filled: the time spent.</desc>',
    ]
    for row, phase in enumerate(card.time):
        y = row * _ROW + 6
        budget = _BAR * phase.budget_s / longest
        used = _BAR * phase.used_s / longest
        over = phase.used_s > phase.budget_s * 1.3 or phase.used_s < phase.budget_s * 0.7
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + 15}" font-size="13" text-anchor="end" '
            f'fill="#1d2330">{escape(phase.title)}</text>'
            f'<rect x="{_LABEL}" y="{y + 3}" width="{used:.0f}" height="14" rx="2" '
            f'fill="{"#f79009" if over else "#2f6fed"}"/>'
            f'<rect x="{_LABEL}" y="{y}" width="{budget:.0f}" height="20" rx="3" fill="none" '
            'stroke="#1d2330" stroke-dasharray="4 2"/>'
            f'<text x="{_LABEL + max(budget, used) + 6:.0f}" y="{y + 15}" font-size="12" '
            f'fill="#1d2330">{_clock(phase.used_s)} / {_clock(phase.budget_s)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"

"""Geometry for server-rendered SVG charts; the templates draw it, so every label is escaped.

The score trend puts one graded session per step on the x axis (oldest left) and two scales on
the y axis: dimension scores 1-4 on the left and the overall score 0-100 on the right. The two
line up exactly because the overall score is the weighted mean of ``(score - 1) / 3 * 100``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["PALETTE", "Dot", "Line", "TrendChart", "trend_chart"]

# Ten colours that stay apart for the common kinds of colour blindness (Tableau 10).
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
OVERALL_COLOUR = "#1f2430"
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 596, 14, 222
MAX_X_LABELS = 8  # dates alone; half as many when times are shown too


class Point(Protocol):
    session_id: str
    at: datetime
    score: float


class Series(Protocol):
    id: str
    title: str
    points: Sequence[Point]


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str  # the hover text, e.g. "Estimation: 2/4 on 2026-11-20"


@dataclass(frozen=True)
class Line:
    id: str
    title: str
    colour: str
    points: str  # the polyline's points attribute
    dots: list[Dot]


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: list[Line]  # one per dimension
    overall: Line
    x_labels: list[tuple[float, str]]
    y_labels: list[tuple[float, str, str]]  # y, left label (1-4), right label (0-100)
    description: str


def _x(index: int, count: int) -> float:
    if count == 1:
        return (LEFT + RIGHT) / 2
    return round(LEFT + index * (RIGHT - LEFT) / (count - 1), 1)


def _y(score_1_to_4: float) -> float:
    return round(TOP + (4 - score_1_to_4) / 3 * (BOTTOM - TOP), 1)


def _line(id_, title, colour, coords: list[tuple[float, float, str]]) -> Line:
    dots = [Dot(x, y, label) for x, y, label in coords]
    return Line(id_, title, colour, " ".join(f"{d.x},{d.y}" for d in dots), dots)


def trend_chart(series: Sequence[Series], overall: Sequence[Point]) -> TrendChart | None:
    """The chart for graded sessions in date order; None when nothing is graded."""
    if not overall:
        return None
    count = len(overall)
    column = {point.session_id: index for index, point in enumerate(overall)}
    # Lines on the same integer score would hide each other: nudge each by a pixel or two.
    nudge = [(i - (len(series) - 1) / 2) * 1.2 for i in range(len(series))]
    lines = []
    for i, one in enumerate(series):
        coords = [
            (
                _x(column[p.session_id], count),
                round(_y(p.score) + nudge[i], 1),
                f"{one.title}: {p.score:.0f}/4 on {p.at:%Y-%m-%d}",
            )
            for p in one.points
            if p.session_id in column
        ]
        lines.append(_line(one.id, one.title, PALETTE[i % len(PALETTE)], coords))
    overall_line = _line(
        "overall",
        "Overall score",
        OVERALL_COLOUR,
        [
            (
                _x(i, count),
                _y(1 + p.score / 100 * 3),
                f"Overall: {p.score:.0f}/100 on {p.at:%Y-%m-%d}",
            )
            for i, p in enumerate(overall)
        ],
    )
    same_day = len({p.at.date() for p in overall}) < count
    fmt, most = ("%b %d %H:%M", MAX_X_LABELS // 2) if same_day else ("%b %d", MAX_X_LABELS)
    step = max(1, -(-count // most))
    x_labels = [(_x(i, count), p.at.strftime(fmt)) for i, p in enumerate(overall) if i % step == 0]
    y_labels = [(_y(s), str(s), f"{(s - 1) / 3 * 100:.0f}") for s in (1, 2, 3, 4)]
    first, last = overall[0].at, overall[-1].at
    description = (
        f"{count} graded session{'s' if count != 1 else ''} from {first:%Y-%m-%d} to "
        f"{last:%Y-%m-%d}. Each coloured line is one rubric dimension scored 1 to 4 (left axis); "
        f"the dark line is the overall score from 0 to 100 (right axis). Latest overall score: "
        f"{overall[-1].score:.0f}/100."
    )
    return TrendChart(
        WIDTH,
        HEIGHT,
        LEFT,
        RIGHT,
        TOP,
        BOTTOM,
        lines,
        overall_line,
        x_labels,
        y_labels,
        description,
    )

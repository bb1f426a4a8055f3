"""The scorecard as Markdown, for people; JSON is the pydantic model's own dump."""

from __future__ import annotations

import html

from rubrics.scorecard import ESTIMATE_VERDICTS, Scorecard

__all__ = ["RECOMMENDATION_TITLES", "clock", "figure", "scorecard_markdown"]

RECOMMENDATION_TITLES = {
    "strong_no_hire": "Strong no hire",
    "no_hire": "No hire",
    "lean_no_hire": "Lean no hire",
    "lean_hire": "Lean hire",
    "hire": "Hire",
    "strong_hire": "Strong hire",
}


def figure(value: float) -> str:
    """A reference figure as people write it: 12,000 not 1.2e+04, 0.33 not 0.33000."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _plain(text: object) -> str:
    """One line of text that no Markdown viewer turns into HTML, a link or code."""
    flat = " ".join(str(text).split())
    return (
        html.escape(flat, quote=False).replace("\\", "\\\\").replace("`", "'").replace("[", "\\[")
    )


def _cell(text: object) -> str:
    """Table cells cannot hold pipes or newlines."""
    return _plain(text).replace("|", "\\|")


def _quote(text: str) -> str:
    return _plain(text)


def scorecard_markdown(card: Scorecard, *, title: str | None = None) -> str:
    lines = [f"# Scorecard: {title or card.problem}", ""]
    if card.incomplete is not None:
        lines += [
            f"**No recommendation** at the {card.level} level: {card.incomplete.message}. "
            "Grade it again once the judge is reachable.",
            "",
        ]
        lines += [f"- {_quote(cause)}" for cause in card.incomplete.causes]
    else:
        lines += [
            f"**{RECOMMENDATION_TITLES[card.recommendation]}** at the {card.level} level; "
            f"overall score **{card.score:.0f}/100**",
            "",
        ]
        lines += [f"- {_quote(reason)}" for reason in card.recommendation_reasons]
    lines += ["", "| dimension | score | expected | weight |", "|---|---|---|---|"]
    for d in card.dimensions:
        score = f"{d.score}/4" if d.score is not None else "unscored"
        lines.append(f"| {_cell(d.title)} | {score} | {d.expected} | {d.weight:g} |")
    names = {d.id: d.title for d in card.dimensions}
    lines += [
        "",
        "Strongest: " + (", ".join(names[i] for i in card.strongest) or "-"),
        "Weakest: " + (", ".join(names[i] for i in card.weakest) or "-"),
        "",
        "## Most valuable improvements",
        "",
    ]
    lines += [f"{n}. {_quote(text)}" for n, text in enumerate(card.improvements, 1)] or [
        "None: every dimension is at the top of the scale."
    ]
    if card.injections:
        lines += ["", "## Text aimed at the grader (removed before grading)", ""]
        lines += [
            f"- turn {row.turn_id} at {clock(row.t)}: {row.kind}: \u201c{_quote(row.excerpt)}\u201d"
            for row in card.injections
        ]
    lines += ["", "## Dimensions", ""]
    for d in card.dimensions:
        score = f"{d.score}/4 - {d.level}" if d.score is not None else f"unscored ({d.error})"
        lines += [f"### {d.title}: {score}", ""]
        if d.rationale:
            lines += [_quote(d.rationale), ""]
        for item in d.evidence:
            lines.append(
                f"- [turn {item.turn_id}, {clock(item.t)}] \u201c{_quote(item.quote)}\u201d"
            )
        if d.missed_key_points:
            lines.append("- A strong answer would also have: " + "; ".join(d.missed_key_points))
        for flag in d.flags:
            lines.append(f"- Note: {_quote(flag)}")
        if d.spread is not None:
            lines.append(f"- Samples {d.samples}, spread {d.spread}")
        lines.append("")
    lines += ["## Estimation check", "", "| estimate | expected | stated | verdict |"]
    lines.append("|---|---|---|---|")
    for row in card.estimates:
        expected = f"{figure(row.expected[0])}-{figure(row.expected[1])} {row.unit}"
        stated = row.stated or "-"
        verdict = ESTIMATE_VERDICTS[row.status]
        lines.append(f"| {_cell(row.name)} | {_cell(expected)} | {_cell(stated)} | {verdict} |")
    recomputed = sorted({said for row in card.estimates for said in row.inputs_stated})
    if recomputed:
        lines += ["", "References recomputed with the figures the interviewer gave:"]
        lines += [f"- {_plain(said)}" for said in recomputed]
    lines += ["", "## Time per phase", "", "| phase | used | budget |", "|---|---|---|"]
    for row in card.time:
        lines.append(f"| {_cell(row.title)} | {clock(row.used_s)} | {clock(row.budget_s)} |")
    cost = card.cost
    lines += [
        "",
        f"Judge {card.judge}; rubric {card.rubric_version}; prompt {card.prompt_version}; "
        f"{cost.calls} calls, {cost.input_tokens} input tokens "
        f"({cost.cached_input_tokens} cached), {cost.output_tokens} output tokens, "
        f"${cost.cost_usd:.4f}; graded {card.graded_at:%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    return "\n".join(lines)

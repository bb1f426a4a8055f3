"""The interviewer's prompts: the stable system prompt is rendered once per session kind."""

from __future__ import annotations

from dataclasses import replace

from interviewer.prompts import render_system_prompt
from tests.interviewer.factories import context


def test_the_system_prompt_is_rendered_once_and_differs_by_what_it_depends_on():
    base = context(said=["Hi"])
    first = render_system_prompt(base)
    assert render_system_prompt(context(said=["Hi", "more"])) is first  # later turns reuse it
    for change in ({"persona": "adversarial"}, {"level": "staff"}, {"minutes": 30}):
        other = render_system_prompt(replace(base, **change))
        assert other != first, change
    assert render_system_prompt(base) is first

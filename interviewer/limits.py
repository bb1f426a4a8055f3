"""Limits on what a candidate can send."""

MAX_MESSAGE_CHARS = 8000
DEFAULT_SESSION_MINUTES = 45

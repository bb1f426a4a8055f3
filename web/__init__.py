"""The web front end: JSON API, SSE stream and pages over the interview engine."""

from web.app import make_app

__all__ = ["make_app"]

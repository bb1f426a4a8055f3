"""Persistence: sessions and their append-only event logs, on SQLite or PostgreSQL."""

from storage.db import make_engine
from storage.events import EventType, SessionEvent, SessionRecord, SessionStore
from storage.migrations import MIGRATIONS, migrate

__all__ = [
    "MIGRATIONS",
    "EventType",
    "SessionEvent",
    "SessionRecord",
    "SessionStore",
    "make_engine",
    "migrate",
]

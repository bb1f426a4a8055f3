"""The current shape of the tables, for queries. Migrations own how they came to be."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner_id", String(64), nullable=False, index=True),
    Column("problem_id", String(64), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("interviewer_model", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("persona", String(16), nullable=False),
    Column("level", String(16), nullable=False),
    Column("prompt_version", String(64), nullable=False),
)

events = Table(
    "session_events",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("session_id", String(32), ForeignKey("sessions.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("data", Text, nullable=False),
    UniqueConstraint("session_id", "seq", name="uq_session_events_session_seq"),
)

scorecards = Table(
    "scorecards",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("session_id", String(32), ForeignKey("sessions.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("judge", String(128), nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("recommendation", String(16)),
    Column("score", Float),
    Column("data", Text),
    Column("error", Text),
)

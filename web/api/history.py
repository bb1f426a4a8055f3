"""Your progress across sessions (owned by the history page's work; see the issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/history", tags=["history"])

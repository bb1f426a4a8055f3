"""What the replay page plays back (owned by the replay page's work; see the issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/sessions", tags=["replay"])

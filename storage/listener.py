"""Cross-replica change notifications over PostgreSQL LISTEN/NOTIFY.

Every append on PostgreSQL sends ``NOTIFY interview_events, 'origin:session:seq'`` inside its
transaction (see :mod:`storage.events`). This listener hears them on a dedicated connection and
reports the sessions that other processes changed. It reconnects after a lost connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.engine import make_url

from storage.events import NOTIFY_CHANNEL

__all__ = ["PostgresListener"]

logger = logging.getLogger(__name__)


def libpq_url(sqlalchemy_url: str) -> str:
    """``postgresql+psycopg://...`` as a URL psycopg itself accepts."""
    return (
        make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


class PostgresListener:
    def __init__(
        self, url: str, *, origin: str, on_change: Callable[[str], None], retry_seconds: float = 1.0
    ) -> None:
        self.url = libpq_url(url)
        self.origin = origin
        self.on_change = on_change
        self.retry_seconds = retry_seconds
        self.ready = asyncio.Event()

    async def run(self) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.ready.set()
                    async for notice in conn.notifies():
                        self._dispatch(notice.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.ready.clear()
                logger.warning("LISTEN connection lost (%s); reconnecting", exc)
                await asyncio.sleep(self.retry_seconds)

    def _dispatch(self, payload: str) -> None:
        origin, _, rest = payload.partition(":")
        session_id, _, _seq = rest.partition(":")
        if origin != self.origin and session_id:
            self.on_change(session_id)

"""The garbage collector, tuned for a long-running server.

A server holds many long-lived objects: everything imported (FastAPI, SQLAlchemy, pydantic
and the SDKs) and its caches of session logs. CPython's cyclic collector walks all of them
in a full (generation 2) collection, which stalled every stream for up to a quarter of a
second in the 500-session benchmark. After start-up, what exists then is frozen out of the
collector's view for good, and the young generation is collected less often (each pass
costs about the same however few objects died), so collections stay short and rare.
Reference counting frees almost everything as before; only cycles wait for a collection.
"""

from __future__ import annotations

import gc

__all__ = ["tune_for_serving"]

YOUNG_THRESHOLD = 5_000  # allocations between collections of the youngest generation


def tune_for_serving() -> None:
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)

"""Serving tunes the garbage collector: start-up objects frozen, young collections rarer."""

from __future__ import annotations

import gc

from core.gc_tuning import YOUNG_THRESHOLD, tune_for_serving


def test_tuning_freezes_what_exists_and_raises_the_young_threshold():
    before = gc.get_threshold()
    try:
        tune_for_serving()
        assert gc.get_freeze_count() > 10_000  # the imported modules' objects, at least
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

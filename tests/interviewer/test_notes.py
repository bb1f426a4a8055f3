"""Private notes are split off a streamed reply, even when the marker is cut across pieces."""

from __future__ import annotations

import pytest

from interviewer.notes import NotesSplitter, wants_to_advance

REPLY = "What is your peak write rate?\n#NOTES# Skipped estimation of storage.\nADVANCE"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, len(REPLY)])
def test_any_chunking_shows_the_reply_and_hides_the_notes(size):
    splitter = NotesSplitter()
    shown = [splitter.feed(REPLY[i : i + size]) for i in range(0, len(REPLY), size)]
    tail, notes = splitter.finish()
    assert "".join(shown) + tail == "What is your peak write rate?\n"
    assert all("#" not in part for part in shown)
    assert notes == "Skipped estimation of storage.\nADVANCE"
    assert wants_to_advance(notes)


def test_a_reply_without_notes_is_shown_whole_including_a_lone_hash():
    splitter = NotesSplitter()
    shown = splitter.feed("Use a #") + splitter.feed("hashtag index.")
    tail, notes = splitter.finish()
    assert shown + tail == "Use a #hashtag index."
    assert notes == ""


def test_advance_must_stand_on_its_own_line():
    assert not wants_to_advance("Do not advance yet.")
    assert wants_to_advance("Good coverage.\n  ADVANCE  ")

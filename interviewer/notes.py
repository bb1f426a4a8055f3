"""Splitting the interviewer's private notes off a streamed reply.

A model writes its reply, then ``#NOTES#`` and notes for the judge. The candidate must never see
the notes, not even a fragment of the marker, so the splitter holds back any tail that could be
the start of the marker until the next piece shows it is not.
"""

from __future__ import annotations

import re

__all__ = ["NOTES_MARKER", "NotesSplitter", "wants_to_advance"]

NOTES_MARKER = "#NOTES#"
_ADVANCE = re.compile(r"(?m)^\s*ADVANCE\s*$")


def wants_to_advance(notes: str) -> bool:
    """The interviewer judged the phase's goals met (an ``ADVANCE`` line in its notes)."""
    return _ADVANCE.search(notes) is not None


class NotesSplitter:
    def __init__(self) -> None:
        self._held = ""
        self._notes: list[str] | None = None

    def feed(self, piece: str) -> str:
        """The part of ``piece`` that may be shown now."""
        if self._notes is not None:
            self._notes.append(piece)
            return ""
        text = self._held + piece if self._held else piece
        if "#" not in text:  # the usual piece: no part of the marker can be in it
            self._held = ""
            return text
        index = text.find(NOTES_MARKER)
        if index >= 0:
            self._notes = [text[index + len(NOTES_MARKER) :]]
            self._held = ""
            return text[:index]
        keep = 0
        for size in range(min(len(NOTES_MARKER) - 1, len(text)), 0, -1):
            if NOTES_MARKER.startswith(text[-size:]):
                keep = size
                break
        self._held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]

    def finish(self) -> tuple[str, str]:
        """What is left to show, and the notes."""
        tail, self._held = self._held, ""
        notes = "".join(self._notes).strip() if self._notes is not None else ""
        return tail, notes

"""Markdown to safe HTML, for finished messages, the replay, the scorecard and exports.

Text is rendered by markdown-it (raw HTML disabled, so ``<script>`` stays text) and the result
is sanitised again by nh3 (ammonia) with a small allow-list: no scripts, no event handlers, no
``style``, links only to http(s) and mailto (so no ``javascript:``), and no images at all (so no
remote images). Streamed tokens never come through here: the browser inserts them as text.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

__all__ = ["render_markdown"]

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable("table")
_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


# Plain prose, the bulk of an interviewer's replies, needs no Markdown parser: with none of
# Markdown's marks in it, CommonMark renders it as paragraphs of escaped text. The parser is
# the slow half of rendering (pure Python); the sanitiser runs either way.
_PLAIN_MARKS = " ,.;:?!'\"%$/()@^\n’‘“”—–…"
# A character that is neither alphanumeric (``\w`` is str.isalnum() plus "_") nor a plain mark.
_NOT_PLAIN = re.compile("[^\\w" + re.escape(_PLAIN_MARKS) + "]|_")
_LIST_ITEM = re.compile(r"^\d{1,9}[.)](?:[ \t]|$)", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{2,}")


def _plain_html(text: str) -> str | None:
    """CommonMark's HTML for ``text`` when it is plain prose; ``None`` otherwise."""
    if _NOT_PLAIN.search(text):
        return None
    if text.startswith(" ") or "\n " in text or " \n" in text or text.endswith(" "):
        return None  # indentation and trailing spaces (line breaks, code blocks) matter
    if _LIST_ITEM.search(text):
        return None
    paragraphs = [part for part in _BLANK_LINES.split(text.strip("\n")) if part]
    return "".join("<p>" + part.replace('"', "&quot;") + "</p>\n" for part in paragraphs)


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    html = _plain_html(text)
    if html is None:
        html = _MARKDOWN.render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )

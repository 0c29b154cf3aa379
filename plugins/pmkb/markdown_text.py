"""Markdown to plain-text blocks, from markdown-it tokens.

A section's body becomes a list of `Block`s (paragraphs, list items, table rows,
code, sub-headings) whose text has every piece of Markdown syntax removed: links
keep their text, images, HTML tags and comments disappear, emphasis and code
backticks go. Rules and excerpts read these blocks; nothing here knows sections.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

BlockKind = Literal["paragraph", "item", "row", "code", "heading"]


@cache
def _parser() -> MarkdownIt:
    # Imported on first use: a run whose files all come from the cache parses no Markdown.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_WHITESPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[.,;:!?)\]])")
# A sentence ends at . ! or ? (maybe inside quotes or brackets) followed by space and a capital or digit.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str  # plain text, whitespace collapsed to single spaces
    line: int  # 0-based line within the parsed Markdown
    depth: int = 0  # list nesting of an item: 0 for a top-level item
    cells: tuple[str, ...] = ()  # a table row's cells, plain text


def collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def strip_html(html: str) -> str:
    return collapse(_HTML_TAG.sub(" ", _HTML_COMMENT.sub(" ", html)))


def inline_text(token: Token) -> str:
    """The plain text of an inline token: link text kept, images and HTML dropped."""
    parts: list[str] = []
    html = False
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline":
            # A comment or tag; leave a space so words on either side stay apart.
            parts.append(" ")
            html = True
    text = collapse("".join(parts))
    # ...but not before punctuation that followed a closing tag: "<b>full</b>." is "full.".
    return _SPACE_BEFORE_PUNCTUATION.sub("", text) if html else text


def blocks(markdown: str) -> list[Block]:
    """The blocks of some Markdown in document order; comments and empty blocks left out."""
    tokens = _parser().parse(markdown)
    result: list[Block | None] = []
    # Open list items: (position in result, depth, texts gathered so far, line).
    items: list[tuple[int, int, list[str], int]] = []
    row: list[str] | None = None
    row_line = 0
    in_header = False
    heading_line: int | None = None
    for token in tokens:
        line = token.map[0] if token.map else 0
        kind = token.type
        if kind == "list_item_open":
            items.append((len(result), len(items), [], line))
            result.append(None)
        elif kind == "list_item_close":
            position, depth, texts, item_line = items.pop()
            text = collapse(" ".join(texts))
            result[position] = Block("item", text, item_line, depth) if text else None
        elif kind == "thead_open":
            in_header = True
        elif kind == "thead_close":
            in_header = False
        elif kind == "tr_open":
            row, row_line = [], line
        elif kind == "tr_close":
            if row is not None and not in_header and any(row):
                result.append(Block("row", " | ".join(cell for cell in row if cell), row_line, cells=tuple(row)))
            row = None
        elif kind == "heading_open":
            heading_line = line
        elif kind == "inline":
            text = inline_text(token)
            if row is not None:
                row.append(text)
            elif heading_line is not None:
                if text:
                    result.append(Block("heading", text, heading_line))
                heading_line = None
            elif items:
                items[-1][2].append(text)
            elif text:
                result.append(Block("paragraph", text, line))
        elif kind in ("fence", "code_block"):
            text = collapse(token.content)
            if text:
                result.append(Block("code", text, line))
        elif kind == "html_block":
            text = strip_html(token.content)
            if not text:
                continue
            if items:
                items[-1][2].append(text)
            else:
                result.append(Block("paragraph", text, line))
    return [block for block in result if block is not None]


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def cut_at_sentence(text: str, limit: int) -> str:
    """Whole sentences up to about `limit` characters (a tenth more rather than drop a
    sentence); a first sentence longer than that is cut at a word and ends in "…"."""
    ceiling = limit + limit // 10
    if len(text) <= ceiling:
        return text
    kept: list[str] = []
    length = 0
    for sentence in sentences(text):
        if kept and length + 1 + len(sentence) > ceiling:
            break
        kept.append(sentence)
        length += len(sentence) + (1 if length else 0)
    excerpt = " ".join(kept)
    if len(excerpt) <= ceiling:
        return excerpt
    return excerpt[:limit].rsplit(" ", 1)[0].rstrip(",;:—–- ") + "…"


def word_count(texts: Sequence[str]) -> int:
    return sum(len(text.split()) for text in texts)

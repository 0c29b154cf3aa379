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
def _parser(tables: bool = True) -> MarkdownIt:
    # Imported on first use: a run whose files all come from the cache parses no Markdown.
    from markdown_it import MarkdownIt

    # Without a `|` in the text no table can open: trying the rule at every line costs a third of a parse.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"] if tables else ["strikethrough"])


_BULLET = re.compile(r"[-*+] (?=\S)")
_ORDERED_START = re.compile(r"\d{1,9}[.)](?:[ \t]|$)")
# At the start of a line: a bullet item or a thematic break (`*`, `* foo`, `***`, `_ _ _`).
_STAR_BLOCK = re.compile(r"\*(?:[ \t]|$)|([*_])(?:[ \t]*\1){2,}[ \t]*$")
# A delimiter row: only pipes, dashes, colons and spaces, starting with one of the first three.
_DELIMITER_ROW = re.compile(r"[|:-][|: -]*$")
_DELIMITER_CELL = re.compile(r":?-+:?$")
# Past this many rows markdown-it may stop filling missing cells: leave such tables to it.
_MAX_TABLE_ROWS = 10_000
# What the commonmark inline rules act on besides line breaks: escapes, code, strikethrough,
# emphasis, links, images, HTML and autolinks, entities.
_INLINE_SYNTAX = re.compile(r"[\\`~*_\[\]!<&]")


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
    simple = _simple_blocks(markdown)
    return simple if simple is not None else parsed_blocks(markdown)


def _opens_paragraph(text: str) -> bool:
    """Whether a line (without its indentation) can only begin or continue a paragraph."""
    first = text[0]
    if first.isalnum():
        return _ORDERED_START.match(text) is None
    if first in "*_":
        return _STAR_BLOCK.match(text) is None
    if first == "`":
        return not text.startswith("```")
    return first in "\"'(![&\\"


def _simple_blocks(markdown: str) -> list[Block] | None:
    """The blocks of Markdown made only of paragraphs and single-level bullet items, found
    line by line; None for anything else, which markdown-it parses.

    Most sections are a few paragraphs or a plain list: their blocks need no block parser,
    and a paragraph without inline syntax needs no inline parser either. Every line must
    open or continue a paragraph or item beyond doubt; indentation is accepted only in the
    continuation of one. tests/test_markdown_text.py compares both ways on the corpus and
    on generated text.
    """
    if "\t" in markdown or "\x00" in markdown or "]:" in markdown:
        return None  # tab stops, NUL, link reference definitions: markdown-it's to read
    # Paragraphs and items as (kind, first line, content lines); table rows as ("row", line, cells).
    found: list[tuple[BlockKind, int, list[str]]] = []
    current: tuple[BlockKind, int, list[str]] | None = None
    after_blank = True
    lines = markdown.split("\n")
    table_columns = 0  # within a table: its number of columns
    delimiter_row = -1
    for number, line in enumerate(lines):
        text = line.lstrip(" ")
        if number == delimiter_row:
            continue
        if table_columns:
            if not text:
                table_columns = 0
            elif line[0] != "|" or "\\" in line or len(found) > _MAX_TABLE_ROWS:
                return None  # a row markdown-it reads in its own way: leave the table to it
            else:
                found.append(("row", number, _table_cells(line, table_columns)))
                continue
        if not text:
            if current is not None:
                found.append(current)
                current = None
            after_blank = True
            continue
        indent = len(line) - len(text)
        bullet = None if indent else _BULLET.match(line)
        if line[0] == "|":
            # A table: a header row after a blank line, a delimiter row, then rows that start with `|`.
            table_columns = _table_header(line, lines[number + 1] if number + 1 < len(lines) else "")
            if not table_columns or current is not None or "\\" in line:
                return None
            delimiter_row = number + 1
            continue
        if indent:
            if current is None or after_blank or not _opens_paragraph(text):
                return None
            # An item's lines lose its content indent (two columns), as markdown-it's do.
            current[2].append(line[min(indent, 2) :] if current[0] == "item" else line)
        elif bullet is not None:
            content = line[bullet.end() :]
            if not _opens_paragraph(content):
                return None
            if current is not None:
                found.append(current)
            current = ("item", number, [content])
        elif _opens_paragraph(line):
            if current is None:
                current = ("paragraph", number, [line])
            else:
                current[2].append(line)  # a continuation, lazy in an item
        else:
            return None
        after_blank = False
    if current is not None:
        found.append(current)
    result = []
    for kind, number, parts in found:
        if kind == "row":
            cells = tuple(_inline_plain(cell) for cell in parts)
            if any(cells):
                result.append(Block("row", " | ".join(cell for cell in cells if cell), number, cells=cells))
            continue
        text = _inline_plain("\n".join(parts).strip())
        if text:
            result.append(Block(kind, text, number))
    return result


def _table_header(header: str, delimiter: str) -> int:
    """The number of columns of a table with this header and delimiter row, or 0 when the
    two lines are not one markdown-it reads plainly."""
    # markdown-it wants two characters at least ("-" alone underlines a setext heading),
    # and no space right after a leading "-".
    if len(delimiter) < 2 or _DELIMITER_ROW.match(delimiter) is None or (delimiter[0] == "-" and delimiter[1:2] == " "):
        return 0
    parts = delimiter.split("|")
    aligns = 0
    for index, part in enumerate(parts):
        cell = part.strip(" ")
        if not cell:
            if index in (0, len(parts) - 1):
                continue
            return 0
        if _DELIMITER_CELL.match(cell) is None:
            return 0
        aligns += 1
    return aligns if len(_row_columns(header)) == aligns else 0


def _row_columns(line: str) -> list[str]:
    columns = _md_trim(line).split("|")
    if columns and columns[0] == "":
        columns.pop(0)
    if columns and columns[-1] == "":
        columns.pop()
    return columns


def _table_cells(line: str, count: int) -> list[str]:
    """A body row's cells as markdown-it's table rule gives them: as many as the header has."""
    columns = _row_columns(line)
    return [_md_trim(columns[index]) if index < len(columns) else "" for index in range(count)]


def _md_trim(text: str) -> str:
    return text.strip(_trim_characters())


@cache
def _trim_characters() -> str | None:
    """What markdown-it trims table cells of (before 4.0: Python's whitespace)."""
    try:
        from markdown_it.common.utils import MD_TRIM_CHARS
    except ImportError:
        return None
    return str(MD_TRIM_CHARS)


def _inline_plain(content: str) -> str:
    """The plain text of a paragraph's content, as inline_text gives it for markdown-it's token."""
    if _INLINE_SYNTAX.search(content) is None:
        return collapse(content)
    return inline_text(_parser(tables=False).parseInline(content)[0])


def parsed_blocks(markdown: str) -> list[Block]:
    """`blocks` as markdown-it's parse gives them: the reference, and the way for all but simple text."""
    tokens = _parser(tables="|" in markdown).parse(markdown)
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

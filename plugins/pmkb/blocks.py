"""Headings and code blocks of a Markdown body, found by a line scanner.

A full CommonMark block parse of every file was the largest cost of `pmkb check`. Section
rules only need the level-1 and level-2 headings (ATX or setext, outside code) and the
line ranges of code blocks. This module finds them in one pass over the lines for the
shapes postmortems are written in: paragraphs, lists, fenced and indented code, HTML
blocks, thematic breaks. Where a construct's meaning depends on container nesting
(block quotes, headings or fences inside list items, indented blocks after a list) the
scanner does not guess: it hands the whole body to markdown-it, the parser it is checked
against (tests/test_blocks.py compares both on the test corpus and on generated text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# markdown-it is imported on first use: a run whose files all come from the cache needs none of it.


@cache
def _block_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Only the block structure matters; skipping inline parsing halves markdown-it's cost.
    return MarkdownIt("commonmark").disable(["inline", "text_join"])


@cache
def _html_sequences() -> list[tuple[re.Pattern[str], re.Pattern[str], bool]]:
    from markdown_it.rules_block.html_block import HTML_SEQUENCES

    return list(HTML_SEQUENCES)


@cache
def _trimmer() -> Callable[[str], str]:
    try:  # trim exactly as the installed markdown-it does
        from markdown_it.common.utils import mdTrim

        trim: Callable[[str], str] = mdTrim
        return trim
    except ImportError:  # markdown-it-py < 4 strips with str.strip
        return str.strip


def _trim(text: str) -> str:
    return _trimmer()(text)


_ATX = re.compile(r"(#{1,6})(?:[ \t]|$)")
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})(.*)$")
_SETEXT = re.compile(r"(=+|-+)[ \t]*$")
_THEMATIC_BREAK = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_MARKER = re.compile(r"(?:[-*+]|(\d{1,9})[.)])(?=[ \t]|$)")
# After a list marker, content whose meaning depends on the item's indentation.
_NESTED_BLOCK = re.compile(r"(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?:#|>|`{3}|~{3}|<|[-*+=_][ \t]*$)")
_CONTAINER_SENSITIVE = ("#", ">", "```", "~~~", "<")


@dataclass(frozen=True)
class RawHeading:
    """A heading as markdown-it reports it: level, inline content, 1-based body line."""

    level: int
    content: str
    line: int


@dataclass(frozen=True)
class Blocks:
    headings: tuple[RawHeading, ...]
    # Code blocks (fenced or indented) as (first line, last line), 1-based, inclusive.
    code: tuple[tuple[int, int], ...]


class _NeedsParser(Exception):
    """The body holds a construct whose meaning depends on container nesting."""


def scan(body: str) -> Blocks:
    """Level-1 and level-2 headings and code blocks of a body, with body line numbers."""
    try:
        return _scan_lines(body.split("\n"))
    except _NeedsParser:
        return parse(body)


def parse(body: str) -> Blocks:
    """The same answer from markdown-it's block parser (the reference and the fallback)."""
    tokens = _block_parser().parse(body)
    headings: list[RawHeading] = []
    code: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            headings.append(RawHeading(int(token.tag[1]), tokens[index + 1].content, token.map[0] + 1))
        elif token.type in ("fence", "code_block") and token.map[1] > token.map[0]:
            code.append((token.map[0] + 1, token.map[1]))
    return Blocks(tuple(headings), tuple(code))


def _indent(line: str) -> int:
    stripped = line.lstrip(" ")
    if stripped.startswith("\t") or "\x00" in line:
        raise _NeedsParser  # tab stops and NUL replacement: leave them to the parser
    return len(line) - len(stripped)


def _atx_content(rest: str, hashes: int) -> str:
    text = rest[hashes:].rstrip(" \t")
    trimmed = text.rstrip("#")
    if len(trimmed) < len(text) and (trimmed == "" or trimmed[-1] in " \t"):
        text = trimmed
    return _trim(text)


def _html_block(rest: str) -> tuple[re.Pattern[str], bool] | None:
    """The end pattern of the HTML block `rest` opens and whether it may interrupt a paragraph."""
    for start, end, interrupts in _html_sequences():
        if start.search(rest):
            return end, interrupts
    return None


def _scan_lines(lines: list[str]) -> Blocks:  # noqa: C901 - one state machine reads best whole
    headings: list[RawHeading] = []
    code: list[tuple[int, int]] = []
    has_list = False
    paragraph_start: int | None = None  # 0-based first line of the open paragraph
    paragraph_maybe_reference = False
    fence: tuple[str, int, int] | None = None  # marker char, length, first line
    html_end: re.Pattern[str] | None = None
    indented_code: tuple[int, int] | None = None  # first, last non-blank line

    def close_indented_code() -> None:
        nonlocal indented_code
        if indented_code is not None:
            code.append((indented_code[0] + 1, indented_code[1] + 1))
            indented_code = None

    for number, line in enumerate(lines):
        if fence is not None:
            indent = _indent(line)
            rest = line[indent:]
            if indent <= 3 and rest.startswith(fence[0] * fence[1]) and rest.rstrip(" \t").strip(fence[0]) == "":
                code.append((fence[2] + 1, number + 1))
                fence = None
            continue
        if html_end is not None:
            rest = line.lstrip(" \t")
            if html_end.pattern == "^$":
                if rest == "":
                    html_end = None
                continue
            if html_end.search(rest):
                html_end = None
            continue
        if line.strip(" \t") == "":
            paragraph_start = None
            continue
        indent = _indent(line)
        rest = line[indent:]
        if indent >= 4:
            if paragraph_start is not None:
                if paragraph_maybe_reference or (has_list and _may_nest(rest)):
                    raise _NeedsParser
                continue  # lazy continuation of the paragraph
            if has_list:
                raise _NeedsParser  # list continuation or code: depends on the item's indent
            indented_code = (indented_code[0], number) if indented_code else (number, number)
            continue
        close_indented_code()
        if rest.startswith(">"):
            raise _NeedsParser
        if paragraph_start is not None:
            underline = _SETEXT.match(rest)
            if underline:
                if has_list or paragraph_maybe_reference:  # the underline may sit in an item
                    raise _NeedsParser
                content = _trim("\n".join(lines[paragraph_start:number]))
                headings.append(RawHeading(1 if rest[0] == "=" else 2, content, paragraph_start + 1))
                paragraph_start = None
                continue
        opened = _FENCE_OPEN.match(rest)
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            if has_list and indent > 0:
                raise _NeedsParser  # maybe inside a list item, where a dedent closes it
            fence = (opened.group(1)[0], len(opened.group(1)), number)
            paragraph_start = None
            continue
        atx = _ATX.match(rest)
        if atx:
            hashes = len(atx.group(1))
            if hashes <= 2:
                headings.append(RawHeading(hashes, _atx_content(rest, hashes), number + 1))
            paragraph_start = None
            continue
        if _THEMATIC_BREAK.match(rest):
            paragraph_start = None
            continue
        if rest.startswith("<"):
            if paragraph_start is not None and paragraph_maybe_reference:
                raise _NeedsParser  # after a link reference definition, any HTML block may open
            html = _html_block(rest)
            if html is not None and (paragraph_start is None or html[1]):
                end = html[0]
                if has_list and indent > 0:
                    raise _NeedsParser
                paragraph_start = None
                if end.pattern == "^$" or not end.search(rest):
                    html_end = end
                continue
        marker = _LIST_MARKER.match(rest)
        if marker:
            has_list = True
            after = rest[marker.end() :]
            content = after.lstrip(" ")
            if _NESTED_BLOCK.match(content) or len(after) - len(content) > 4 or after.startswith("\t"):
                raise _NeedsParser
            interrupts = content != "" and (marker.group(1) is None or int(marker.group(1)) == 1)
            if content == "" and paragraph_start is None:
                continue  # an empty item opens no paragraph
            if paragraph_start is None or interrupts:
                paragraph_start = number
                paragraph_maybe_reference = False
            continue
        if paragraph_start is None:
            paragraph_start = number
            paragraph_maybe_reference = rest.startswith("[")
    close_indented_code()
    if fence is not None:
        # markdown-it counts no final line of only spaces that lacks a newline
        code.append((fence[2] + 1, len(lines) - (lines[-1].strip(" \t") == "")))
    return Blocks(tuple(headings), tuple(code))


def _may_nest(rest: str) -> bool:
    """Whether an indented line after a list item may hold a nested heading, fence or quote."""
    if rest.startswith(_CONTAINER_SENSITIVE) or _SETEXT.match(rest) or _THEMATIC_BREAK.match(rest):
        return True
    marker = _LIST_MARKER.match(rest)
    return marker is not None and _NESTED_BLOCK.match(rest[marker.end() :].lstrip(" ")) is not None

"""Markdown text to sentences: masking and splitting, with offsets that never move.

Fenced code, inline code, URLs, HTML tags and Markdown punctuation become spaces,
so every offset in the masked text is an offset in the original. The text is then
cut into sentence-ish spans: paragraphs, list items, headings, table cells and front
matter entries, and sentences within them. Lines are separated by ``"\\n"`` (a
``"\\r"`` before it is kept as part of the line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pmkb.blocks import scan

TOKEN = re.compile(r"@[A-Za-z0-9][\w.-]*|[^\W_][\w-]*(?:['’][A-Z][\w-]*)?")
WORD = re.compile(r"[\w'’-]+")
CLAUSE_BREAK = re.compile(r"[,;:()\u2014]")


@dataclass(frozen=True)
class Sentence:
    masked: str
    start: int
    end: int

    def words_before(self, pos: int, limit: int = 4) -> list[str]:
        """Words before ``pos`` in this sentence and clause, as written, nearest last."""
        window = self.masked[max(self.start, pos - 80) : pos]
        clause = CLAUSE_BREAK.split(window)[-1]
        return WORD.findall(clause)[-limit:]

    def text(self) -> str:
        return self.masked[self.start : self.end]


_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?=\s|$)")
_SETEXT_OR_RULE = re.compile(r"^[ \t]{0,3}(?:=+|-+|(?:[-*_][ \t]*){3,})[ \t\r]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?=[ \t])")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_TIME_ENTRY = re.compile(r"^[ \t]*(?:\*\*)?\d{1,2}:\d{2}")
_YAML_ENTRY = re.compile(r"^[ \t]*(?:-[ \t]|[\w.-]+[ \t]*:(?:[ \t]|$))")
# Every alternative is tried from a bounded number of places, or scans a bounded
# distance, so masking a line is linear in its length whatever it holds.
_INLINE_MASKS = re.compile(
    r"(?<!`)(`++)[^`\n]+?\1"  # inline code, opened by a whole run of backticks
    r"|<!--|-->"  # comment markers, keeping the comment's words
    r"|\]\([^)\s]{0,2048}(?:[ \t]+\"[^\"\n]*\")?\)"  # link targets
    r"|<https?://[^>\s]{0,2048}>|\bhttps?://[^\s)>\]]{1,2048}"  # URLs
    r"|</?[A-Za-z][^<>\n]*>"  # HTML tags
    r"|^[ \t]*\[[^\]\n]+\]:[ \t]*\S.*$"  # reference link definitions
    r"|[*~=\[\]]"  # emphasis, strike-through, highlight, link brackets
    r"|(?<!\w)_+|(?<!_)_+(?!\w)",  # underscore emphasis, not snake_case
    re.MULTILINE,
)
_BR_AT_END = re.compile(r"<br\s*/?>\Z", re.IGNORECASE)
# Sentence ends: r"[.!?]+[\"'”’)\]]*(?=\s|$)|\|", written to start with one character
# class so that the regex engine skips ahead to candidates quickly.
# A run of end marks is tried once, from its first character: trying it again
# from each later character would make a long run quadratic.
_SENTENCE_END = re.compile(r"[.!?|](?:(?<=\|)|(?<=[.!?])(?<![.!?][.!?])[.!?]*[\"'”’)\]]*(?=\s|$))")


# Every _INLINE_MASKS match holds one of these; a line without any is left as is.
_INLINE_MASK_CHARS = re.compile(r"[`<>\[\]*~=_]|://")


def code_blocks(text: str) -> tuple[tuple[int, int], ...]:
    """The fenced and indented code blocks of a file as (first, last) lines, 1-based and
    inclusive, fences included: the loader's definition of code (``pmkb.blocks``), so the
    section rules and this detector split prose from code the same way."""
    lines = text.split("\n")
    body_start = _front_matter_end(lines) + 1
    blocks = scan("\n".join(lines[body_start:]))
    return tuple((body_start + first, body_start + last) for first, last in blocks.code)


def _front_matter_end(lines: list[str]) -> int:
    """The index of the closing front matter line, or -1."""
    if lines and lines[0].lstrip("\ufeff").rstrip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip() in ("---", "..."):
                return i
    return -1


def _ends_in_hard_break(body: str) -> bool:
    """Two trailing spaces, a backslash or ``<br>`` end the line; checked from the
    end, since a regex searched from every position of a long run of spaces is quadratic."""
    line = body[:-1] if body.endswith("\r") else body
    if len(line) - len(line.rstrip(" \t")) >= 2 or line.endswith("\\"):
        return True
    return line.endswith(">") and _BR_AT_END.search(line, max(0, len(line) - 64)) is not None


def _blank(s: str) -> str:
    if "\r" not in s and "\n" not in s:
        return " " * len(s)
    return "".join(c if c in "\r\n" else " " for c in s)


def _mask_inline(s: str) -> str:
    if not _INLINE_MASK_CHARS.search(s):
        return s
    return _INLINE_MASKS.sub(lambda m: _blank(m.group()), s)


def prepare(text: str, code_blocks: tuple[tuple[int, int], ...]) -> tuple[str, list[int], list[int]]:
    """Masked text (same length), line start offsets, and span break offsets;
    ``code_blocks`` as :func:`code_blocks` gives them."""
    lines = text.split("\n")
    line_starts: list[int] = []
    offset = 0
    for line in lines:
        line_starts.append(offset)
        offset += len(line) + 1

    masked_lines: list[str] = []
    breaks: list[int] = []
    fm_end = _front_matter_end(lines)

    code = {n - 1 for first, last in code_blocks for n in range(first, last + 1)}
    previous_hard_break = True
    for i, line in enumerate(lines):
        start = line_starts[i]
        if fm_end >= 0 and i <= fm_end:
            if i in (0, fm_end):
                masked_lines.append(_blank(line))
                breaks.append(start)
                continue
            masked_lines.append(_mask_inline(line))
            if _YAML_ENTRY.match(line) or not line[:1].isspace():
                breaks.append(start)
            continue

        if i in code:
            masked_lines.append(_blank(line))
            if i - 1 not in code:
                breaks.append(start)
            if i + 1 not in code:
                breaks.append(start + len(line) + 1)
            continue

        quote = _QUOTE.match(line)
        prefix = len(quote.group()) if quote else 0
        body = line[prefix:]
        starts_block = previous_hard_break or not body.strip()
        marker = 0
        if heading := _HEADING.match(body):
            marker = heading.end()
            starts_block = True
            breaks.append(start + len(line) + 1)  # a heading is its own span
        elif _SETEXT_OR_RULE.match(body):
            masked_lines.append(_blank(line))
            breaks.append(start)
            breaks.append(start + len(line) + 1)
            previous_hard_break = True
            continue
        elif item := _LIST_ITEM.match(body):
            marker = item.end()
            starts_block = True
        elif _TIME_ENTRY.match(body) or body.lstrip().startswith(("|", "<")):
            starts_block = True
        if starts_block:
            breaks.append(start)
        masked_body = _blank(body[:marker]) + _mask_inline(body[marker:])
        masked_lines.append(_blank(line[:prefix]) + masked_body)
        previous_hard_break = not body.strip() or _ends_in_hard_break(body)

    masked = "\n".join(masked_lines)
    assert len(masked) == len(text)
    return masked, line_starts, sorted(set(b for b in breaks if b <= len(text)))


def sentence_bounds(masked: str, breaks: list[int]) -> list[tuple[int, int]]:
    """(start, end) of every sentence, in order; sentences never overlap."""
    found: list[tuple[int, int]] = []
    bounds = [0, *breaks, len(masked)]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        if lo >= hi:
            continue
        cursor = lo
        for end_mark in _SENTENCE_END.finditer(masked, lo, hi):
            if masked[cursor : end_mark.start()].strip():
                found.append((cursor, end_mark.end()))
            cursor = end_mark.end()
        if masked[cursor:hi].strip():
            found.append((cursor, hi))
    return found


def _sentences(masked: str, breaks: list[int]) -> Iterator[Sentence]:
    for start, end in sentence_bounds(masked, breaks):
        yield Sentence(masked, start, end)


# Characters that ``re.IGNORECASE`` matches to an ASCII letter although
# ``str.lower`` does not turn them into it (dotted and dotless i, long s, Kelvin).
_FOLD_SPECIAL = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"), ("\u212a", "k"))


def fold(text: str) -> str:
    """A same-length copy of ``text`` in which every character that a
    case-insensitive pattern would match to a lower-case ASCII letter is that
    letter; keywords (lower case) are then found with plain substring search."""
    if text.isascii():
        return text.lower()
    for special, letter in _FOLD_SPECIAL:
        if special in text:
            text = text.replace(special, letter)
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(low_c if len(low_c := c.lower()) == 1 else c for c in text)

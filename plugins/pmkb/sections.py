"""What the body sections say: which heading is which section, which blocks carry
content rather than placeholders, and the plain-text excerpts kept per postmortem.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pmkb.config import KBConfig
from pmkb.loader import Heading, Source, normalise_heading
from pmkb.markdown_text import Block, collapse, cut_at_sentence, sentences
from pmkb.prompts import prompt_texts

ROOT_CAUSE_EXCERPT_CHARS = 300
SUMMARY_EXCERPT_CHARS = 500

# A clock time, maybe after a date: 14:02, 2024-03-12 14:02, 2024-03-12T14:02Z, 14:02:30 UTC.
_TIME = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}(?:[T ]|,?\s+))?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?(?![\d:])"
)
# Punctuation around a placeholder does not make it content: "TBD.", "(TODO)", "...".
_EDGE_PUNCTUATION = " \t.:;,!?-–—*_()[]{}…\"'`"


def _derived_name(what: str, *settings: object) -> str:
    """A short name for a derived value and the settings it was worked out with."""
    return f"{what} {hashlib.blake2b(repr(settings).encode(), digest_size=10).hexdigest()}"


def section_lookup(aliases: dict[str, list[str]]) -> dict[str, str]:
    """Normalised heading text -> normalised section name it stands for."""
    lookup: dict[str, str] = {}
    for name, names in aliases.items():
        for alias in names:
            lookup[normalise_heading(alias)] = normalise_heading(name)
    return lookup


def find_section(source: Source, name: str, aliases: dict[str, list[str]]) -> Heading | None:
    """The first level-2 heading that stands for section `name` (directly or by an alias)."""
    wanted = normalise_heading(name)
    lookup = section_lookup(aliases)
    for heading in source.headings:
        if lookup.get(heading.key, heading.key) == wanted:
            return heading
    return None


def starts_with_time(text: str) -> re.Match[str] | None:
    return _TIME.match(text)


def _normalise(text: str) -> str:
    return collapse(text).casefold().strip(_EDGE_PUNCTUATION)


class Placeholders:
    """Decides whether a block's text is a stand-in for content rather than content."""

    def __init__(self, placeholders: Iterable[str], prompts: Iterable[str] = ()) -> None:
        self.exact = {_normalise(text) for text in [*placeholders, *prompts]}
        # What decides a match, as text: derived values that used these placeholders name it.
        self.fingerprint = _derived_name("placeholders", sorted(self.exact), sorted(placeholders))
        worded = sorted(
            (_normalise(text) for text in placeholders if any(ch.isalnum() for ch in text)), key=len, reverse=True
        )
        # "TODO: ask the vendor" is still a note to self, not content.
        self._prefix = (
            re.compile(r"^(?:" + "|".join(re.escape(word) for word in worded) + r")\s*[:—–-]") if worded else None
        )

    @classmethod
    def from_config(cls, config: KBConfig) -> Placeholders:
        """The configured placeholders and the prompts the scaffold writes for the configured sections."""
        names = [*config.required_sections, *config.recommended_sections, *config.runbook_sections]
        return cls(config.hollow.placeholders, prompt_texts(names))

    def matches(self, text: str) -> bool:
        time = starts_with_time(text)
        if time:
            text = text[time.end() :]
        normalised = _normalise(text)
        if normalised in self.exact:
            return True
        return bool(self._prefix and self._prefix.match(collapse(text).casefold()))

    def block_matches(self, block: Block) -> bool:
        if block.kind == "row":
            return all(self.matches(cell) for cell in block.cells)
        return self.matches(block.text)


def content_blocks(source: Source, heading: Heading, placeholders: Placeholders) -> list[Block]:
    """A section's blocks that say something: no sub-headings, no placeholders."""
    return [
        block
        for block in source.section_blocks(heading)
        if block.kind != "heading" and not placeholders.block_matches(block)
    ]


def timed_entries(blocks: Iterable[Block], placeholders: Placeholders) -> list[Block]:
    """Table rows whose first cell, and list items whose text, start with a time, with an event after it."""
    entries = []
    for block in blocks:
        if block.kind == "row" and block.cells and starts_with_time(block.cells[0]):
            rest = [cell for cell in block.cells[1:] if cell]
            time = starts_with_time(block.cells[0])
            tail = block.cells[0][time.end() :] if time else ""
            if any(not placeholders.matches(text) for text in [*rest, tail] if _normalise(text)):
                entries.append(block)
        elif block.kind == "item" and starts_with_time(block.text) and not placeholders.matches(block.text):
            entries.append(block)
    return entries


def lesson_texts(blocks: Iterable[Block]) -> list[str]:
    """The lessons: top-level list items, else the sentences of the paragraphs."""
    content = list(blocks)
    items = [block.text for block in content if block.kind == "item" and block.depth == 0]
    if items:
        return items
    return [sentence for block in content if block.kind == "paragraph" for sentence in sentences(block.text)]


def first_paragraph(blocks: Iterable[Block]) -> str:
    """The opening paragraph; a list that opens the text, or that a paragraph ending in ":"
    introduces, reads as part of it (its top-level points, in order)."""
    candidates = [block for block in blocks if block.kind == "paragraph" or (block.kind == "item" and block.depth == 0)]
    if not candidates:
        return ""
    parts = [candidates[0].text]
    if candidates[0].kind == "item" or parts[0].endswith(":"):
        for block in candidates[1:]:
            if block.kind != "item":
                break
            parts.append(block.text)
    return " ".join(parts)


@dataclass(frozen=True)
class Excerpts:
    """Plain text of a postmortem's Summary, Root Cause and Lessons Learned; empty when unwritten."""

    summary: str = ""
    root_cause: str = ""
    lessons: tuple[str, ...] = ()


def excerpts(source: Source, aliases: dict[str, list[str]], placeholders: Placeholders) -> Excerpts:
    """The excerpts, worked out once per content and configuration (the cache keeps them)."""
    name = _derived_name("excerpts", sorted(aliases.items()), placeholders.fingerprint)
    found = source.derived.get(name)
    if not isinstance(found, Excerpts):
        found = source.derived[name] = _excerpts(source, aliases, placeholders)
    return found


def _excerpts(source: Source, aliases: dict[str, list[str]], placeholders: Placeholders) -> Excerpts:
    def content(name: str) -> list[Block]:
        heading = find_section(source, name, aliases)
        return content_blocks(source, heading, placeholders) if heading is not None else []

    summary = [block.text for block in content("Summary") if block.kind in ("paragraph", "item")]
    return Excerpts(
        summary=cut_at_sentence(" ".join(summary), SUMMARY_EXCERPT_CHARS),
        root_cause=cut_at_sentence(first_paragraph(content("Root Cause")), ROOT_CAUSE_EXCERPT_CHARS),
        lessons=tuple(lesson_texts(content("Lessons Learned"))),
    )


def section_words(source: Source, names: Iterable[str], aliases: dict[str, list[str]]) -> str:
    """The plain text of the named sections (those present), for text search and similarity;
    worked out once per content and configuration (the cache keeps it)."""
    names = tuple(names)
    derived = _derived_name("words", names, sorted(aliases.items()))
    found = source.derived.get(derived)
    if isinstance(found, str):
        return found
    parts: list[str] = []
    for name in names:
        heading = find_section(source, name, aliases)
        if heading is not None:
            parts.extend(block.text for block in source.section_blocks(heading) if block.kind != "code")
    words = source.derived[derived] = " ".join(parts)
    return words

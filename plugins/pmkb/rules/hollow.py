"""PMKB015 hollow-section: a required section that is there but says nothing.

Empty, only comments, only placeholder text (configured placeholders and the
scaffold's own prompts), a Timeline without a timed entry, Lessons Learned without
a lesson, or fewer words than configured. An error on final postmortems and on
runbooks (which have no status: what on-call reads at 3 a.m. is final), a warning
on review, silent on drafts. One finding per section, at its heading.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pmkb.config import KBConfig
from pmkb.findings import Finding, Level, Rule
from pmkb.index import KnowledgeBase
from pmkb.loader import Heading, Source, normalise_heading
from pmkb.markdown_text import word_count
from pmkb.sections import (
    Placeholders,
    content_blocks,
    find_section,
    lesson_texts,
    timed_entries,
)
from pmkb.validation import Entry

HOLLOW_SECTION = Rule(
    "PMKB015",
    "hollow-section",
    "error",
    level_note="error on final, warning on review, silent on drafts",
    when=(
        "a required section that is empty, only comments, or only placeholder text (TBD, TODO, N/A, ..., "
        "the scaffold's prompts); a Timeline with no timed entry; Lessons Learned with no item or sentence. "
        "Points at the heading's line"
    ),
    why="a postmortem with every heading and nothing under them passes review while saying nothing",
    example="`## Root Cause` followed only by `TBD`",
)
RULES = (HOLLOW_SECTION,)

TIMELINE = "timeline"
LESSONS = "lessons learned"


def check(kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]:
    return check_entries(kb.config, kb.entries_in_scope, enabled)


def check_entries(config: KBConfig, entries: Iterable[Entry], enabled: frozenset[str]) -> Iterator[Finding]:
    placeholders = Placeholders.from_config(config)
    for entry in entries:
        data = entry.source.data
        if data is None:
            continue
        if entry.kind == "postmortem":
            status = data.get("status")
            if status == "draft":
                continue
            sections, aliases = config.required_sections, config.section_aliases
            level: Level = "warning" if status == "review" else "error"
        else:
            sections, aliases, level = config.runbook_sections, config.runbook_section_aliases, "error"
        for name in dict.fromkeys(sections):
            heading = find_section(entry.source, name, aliases)
            if heading is None:
                continue  # PMKB005 reports it
            problem = hollow_problem(entry.source, heading, name, placeholders, config.hollow.min_words_for(name))
            if problem is None:
                continue
            message = f"section `{heading.text.strip()}` {problem}"
            if level == "warning":
                message += " (required before final)"
            yield HOLLOW_SECTION.finding(entry.path, heading.line, message, level)


def hollow_problem(
    source: Source, heading: Heading, name: str, placeholders: Placeholders, min_words: int
) -> str | None:
    """What is missing from a section, or None when it says enough."""
    blocks = [block for block in source.section_blocks(heading) if block.kind != "heading"]
    content = content_blocks(source, heading, placeholders)
    key = normalise_heading(name)
    if not content:
        if not source.section_text(heading).strip():
            return "is empty: write it"
        if not blocks:
            return "holds only comments: write the section itself"
        shown = blocks[0].text if len(blocks[0].text) <= 40 else blocks[0].text[:39] + "…"
        return f"holds only placeholder text ({shown!r}): write the section itself"
    if key == TIMELINE and not timed_entries(content, placeholders):
        return (
            "has no timed entry: add a table row or list item that starts with a time, "
            "e.g. `14:02 CheckoutHigh5xxRate pages on-call`"
        )
    if key == LESSONS and not lesson_texts(content):
        return "has no lesson: write at least one list item or sentence"
    words = word_count([block.text for block in content])
    if min_words and words < min_words:
        return f"has {words} word{'s' if words != 1 else ''}; at least {min_words} are configured (hollow.min_words)"
    return None

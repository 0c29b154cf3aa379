"""PMKB005 missing-section and PMKB006 missing-recommended-section."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pmkb.config import KBConfig
from pmkb.findings import Finding, Rule
from pmkb.index import KnowledgeBase
from pmkb.loader import normalise_heading
from pmkb.sections import section_lookup
from pmkb.validation import Entry

MISSING_SECTION = Rule(
    "PMKB005",
    "missing-section",
    "error",
    level_note="error (warning on drafts)",
    when="a required section is absent",
    why="readers look for the same sections in every postmortem; a missing one is a missing answer",
    example="a postmortem with no `## Root Cause` heading",
)
MISSING_RECOMMENDED_SECTION = Rule(
    "PMKB006",
    "missing-recommended-section",
    "warning",
    when="a recommended section is absent",
    why="the recommended sections are where the lessons of an incident usually are",
    example="a postmortem with no `## What Went Well` heading",
)
RULES = (MISSING_SECTION, MISSING_RECOMMENDED_SECTION)


def present_sections(entry: Entry, aliases: dict[str, list[str]]) -> set[str]:
    lookup = section_lookup(aliases)
    return {lookup.get(heading.key, heading.key) for heading in entry.source.headings}


def check(kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]:
    return check_entries(kb.config, kb.entries_in_scope, enabled)


def check_entries(config: KBConfig, entries: Iterable[Entry], enabled: frozenset[str]) -> Iterator[Finding]:
    for entry in entries:
        data = entry.source.data
        if data is None:
            continue
        if entry.kind == "postmortem":
            present = present_sections(entry, config.section_aliases)
            draft = entry.values.get("status") == "draft"
            yield from _missing(
                entry, present, config.required_sections, config.section_aliases, MISSING_SECTION, draft
            )
            yield from _missing(
                entry, present, config.recommended_sections, config.section_aliases, MISSING_RECOMMENDED_SECTION, False
            )
        else:
            present = present_sections(entry, config.runbook_section_aliases)
            yield from _missing(
                entry, present, config.runbook_sections, config.runbook_section_aliases, MISSING_SECTION, False
            )


def _missing(
    entry: Entry,
    present: set[str],
    names: list[str],
    aliases: dict[str, list[str]],
    rule: Rule,
    draft: bool,
) -> Iterator[Finding]:
    what = "required" if rule is MISSING_SECTION else "recommended"
    for name in names:
        if normalise_heading(name) in present:
            continue
        accepted = aliases.get(name, [])
        also = f" (also accepted: {', '.join(accepted)})" if accepted else ""
        message = f"missing {what} section: add a `## {name}` heading{also}"
        if draft:
            yield rule.finding(entry.path, 1, message + "; required before the postmortem leaves draft", "warning")
        else:
            yield rule.finding(entry.path, 1, message)

"""PMKB005 missing-section and PMKB006 missing-recommended-section."""

from __future__ import annotations

from typing import Iterator

from pmkb.findings import Finding, finding
from pmkb.index import KnowledgeBase
from pmkb.loader import normalise_heading
from pmkb.validation import Entry


def section_lookup(aliases: dict[str, list[str]]) -> dict[str, str]:
    """Normalised heading text -> normalised section name it stands for."""
    lookup: dict[str, str] = {}
    for name, names in aliases.items():
        for alias in names:
            lookup[normalise_heading(alias)] = normalise_heading(name)
    return lookup


def present_sections(entry: Entry, aliases: dict[str, list[str]]) -> set[str]:
    lookup = section_lookup(aliases)
    return {lookup.get(heading.key, heading.key) for heading in entry.source.headings}


def check(kb: KnowledgeBase) -> Iterator[Finding]:
    config = kb.config
    for entry in kb.entries:
        data = entry.source.data
        if data is None:
            continue
        if entry.kind == "postmortem":
            present = present_sections(entry, config.section_aliases)
            draft = entry.values.get("status") == "draft"
            yield from _missing(entry, present, config.required_sections, config.section_aliases, "PMKB005", draft)
            yield from _missing(entry, present, config.recommended_sections, config.section_aliases, "PMKB006", False)
        else:
            present = present_sections(entry, config.runbook_section_aliases)
            yield from _missing(entry, present, config.runbook_sections, config.runbook_section_aliases, "PMKB005", False)


def _missing(
    entry: Entry,
    present: set[str],
    names: list[str],
    aliases: dict[str, list[str]],
    code: str,
    draft: bool,
) -> Iterator[Finding]:
    what = "required" if code == "PMKB005" else "recommended"
    for name in names:
        if normalise_heading(name) in present:
            continue
        accepted = aliases.get(name, [])
        also = f" (also accepted: {', '.join(accepted)})" if accepted else ""
        item = finding(entry.path, 1, code, f"missing {what} section: add a `## {name}` heading{also}")
        if draft:
            item = Finding(item.path, item.line, item.code, item.message + "; required before the postmortem leaves draft", "warning")
        yield item

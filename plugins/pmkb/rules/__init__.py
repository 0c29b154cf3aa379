"""The rules: one module per family, each yielding findings for the knowledge base."""

from __future__ import annotations

from pmkb.findings import Finding
from pmkb.index import KnowledgeBase
from pmkb.rules import actions, content, identity, references, runbooks, sections, timestamps

FAMILIES = (identity, sections, timestamps, references, actions, runbooks, content)


def run_rules(kb: KnowledgeBase) -> list[Finding]:
    """Every finding in the knowledge base at its configured level, sorted by path and line."""
    raw: list[Finding] = []
    for entry in kb.entries:
        raw.extend(entry.source.findings)
        raw.extend(entry.findings)
    for family in FAMILIES:
        raw.extend(family.check(kb))
    findings = []
    for item in raw:
        # Only an explicit setting re-levels: drafts' missing sections stay warnings by default.
        setting = kb.config.rules.get(item.code)
        if setting == "off":
            continue
        if setting is not None and setting != item.level:
            item = Finding(item.path, item.line, item.code, item.message, setting)
        findings.append(item)
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.code, f.message))

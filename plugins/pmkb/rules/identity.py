"""PMKB004 duplicate-id."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from pmkb.findings import Finding, finding
from pmkb.index import KnowledgeBase
from pmkb.validation import Entry


def check(kb: KnowledgeBase) -> Iterator[Finding]:
    owners: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in kb.entries:
        owners[(entry.kind, entry.id)].append(entry)
    for (kind, doc_id), entries in owners.items():
        if len(entries) < 2:
            continue
        for entry in entries:
            others = ", ".join(other.path for other in entries if other is not entry)
            yield finding(
                entry.path,
                entry.source.line_of(("id",)),
                "PMKB004",
                f"duplicate {kind} id {doc_id!r}: also used by {others}; give each {kind} its own `id:`",
            )

"""PMKB004 duplicate-id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pmkb.findings import Finding, Rule
from pmkb.index import KnowledgeBase
from pmkb.validation import Entry

DUPLICATE_ID = Rule(
    "PMKB004",
    "duplicate-id",
    "error",
    when="two documents of one kind share an id (reported on each)",
    why="one id, one page: the second document would be hidden behind the first",
    example="`postmortems/2024/db.md` and `postmortems/2025/db.md` with no `id:`",
)
RULES = (DUPLICATE_ID,)


def check(kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]:
    owners: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in kb.entries:
        owners[(entry.kind, entry.id)].append(entry)
    for (kind, doc_id), entries in owners.items():
        if len(entries) < 2:
            continue
        for entry in entries:
            others = ", ".join(other.path for other in entries if other is not entry)
            yield DUPLICATE_ID.finding(
                entry.path,
                entry.source.line_of(("id",)),
                f"duplicate {kind} id {doc_id!r}: also used by {others}; give each {kind} its own `id:`",
            )

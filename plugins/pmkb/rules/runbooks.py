"""PMKB011 stale-runbook."""

from __future__ import annotations

from collections.abc import Iterator

from pmkb.findings import Finding, Rule
from pmkb.index import KnowledgeBase
from pmkb.model import Runbook

STALE_RUNBOOK = Rule(
    "PMKB011",
    "stale-runbook",
    "warning",
    when="`last_reviewed` + `review_every_days` is before today",
    why="a runbook nobody has checked in months may send the on-call engineer the wrong way",
    example="`last_reviewed: 2024-01-15` with the default 180 days, checked in 2025",
)
RULES = (STALE_RUNBOOK,)


def check(kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]:
    for entry in kb.entries_in_scope:
        runbook = entry.document
        if not isinstance(runbook, Runbook):
            continue
        due = kb.runbook_review_due(runbook)
        if due < kb.today:
            every = runbook.review_every_days or kb.config.runbook_review_days
            yield STALE_RUNBOOK.finding(
                entry.path,
                entry.source.line_of(("last_reviewed",)),
                f"runbook last reviewed {runbook.last_reviewed.isoformat()}; its review (every {every} days) "
                f"was due {due.isoformat()}: check it still works and update `last_reviewed`",
            )

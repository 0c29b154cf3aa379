"""PMKB011 stale-runbook."""

from __future__ import annotations

from typing import Iterator

from pmkb.findings import Finding, finding
from pmkb.index import KnowledgeBase
from pmkb.model import Runbook


def check(kb: KnowledgeBase) -> Iterator[Finding]:
    for entry in kb.entries:
        runbook = entry.document
        if not isinstance(runbook, Runbook):
            continue
        due = kb.runbook_review_due(runbook)
        if due < kb.today:
            every = runbook.review_every_days or kb.config.runbook_review_days
            yield finding(
                entry.path,
                entry.source.line_of(("last_reviewed",)),
                "PMKB011",
                f"runbook last reviewed {runbook.last_reviewed.isoformat()}; its review (every {every} days) "
                f"was due {due.isoformat()}: check it still works and update `last_reviewed`",
            )

"""PMKB009 action-items (items required by severity) and PMKB010 overdue-action-item."""

from __future__ import annotations

from typing import Iterator

from pmkb.findings import Finding, finding
from pmkb.index import KnowledgeBase


def check(kb: KnowledgeBase) -> Iterator[Finding]:
    required_for = set(kb.config.action_items_required_for)
    for entry in kb.entries:
        data = entry.source.data
        if entry.kind != "postmortem" or data is None:
            continue
        severity = entry.values.get("severity")
        if severity in required_for and entry.values.get("status") != "draft" and not data.get("action_items"):
            line = entry.source.line_of(("action_items",)) if "action_items" in data else entry.source.line_of(("severity",))
            yield finding(
                entry.path,
                line,
                "PMKB009",
                f"{severity} postmortems need at least one action item: add `action_items` "
                "(title, owner, priority, due) or set `status: draft`",
            )
        for index, item in entry.items:
            if item.is_overdue(kb.today):
                days = (kb.today - item.due).days
                yield finding(
                    entry.path,
                    entry.source.line_of(("action_items", index)),
                    "PMKB010",
                    f"action item {item.title!r} (owner: {item.owner}) was due {item.due.isoformat()}, {days} days ago, "
                    f"and is still {item.status}: finish it, move `due`, or mark it wont-do",
                )

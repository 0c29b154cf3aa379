"""PMKB009 action-items (items required by severity) and PMKB010 overdue-action-item."""

from __future__ import annotations

from typing import Iterator

from pydantic_core import PydanticCustomError

from pmkb.findings import Finding, finding
from pmkb.index import KnowledgeBase
from pmkb.model import CLOSED_ACTION_STATUSES, parse_date


def check(kb: KnowledgeBase) -> Iterator[Finding]:
    required_for = set(kb.config.action_items_required_for)
    for entry in kb.entries:
        data = entry.source.data
        if entry.kind != "postmortem" or data is None:
            continue
        items = data.get("action_items")
        severity = data.get("severity")
        if severity in required_for and data.get("status") != "draft" and not items:
            line = entry.source.line_of(("action_items",)) if "action_items" in data else entry.source.line_of(("severity",))
            yield finding(
                entry.path,
                line,
                "PMKB009",
                f"{severity} postmortems need at least one action item: add `action_items` "
                "(title, owner, priority, due) or set `status: draft`",
            )
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict) or item.get("status", "open") in CLOSED_ACTION_STATUSES:
                continue
            try:
                due = parse_date(item.get("due"))
            except PydanticCustomError:
                continue
            if due < kb.today:
                days = (kb.today - due).days
                title = item.get("title", f"item {index + 1}")
                owner = item.get("owner", "no owner")
                yield finding(
                    entry.path,
                    entry.source.line_of(("action_items", index)),
                    "PMKB010",
                    f"action item {title!r} (owner: {owner}) was due {due.isoformat()}, {days} days ago, "
                    f"and is still {item.get('status', 'open')}: finish it, move `due`, or mark it wont-do",
                )

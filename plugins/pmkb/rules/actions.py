"""PMKB009 action-items and PMKB010 overdue-action-item.

Both read the raw front matter, so they report even when another field of the file is
invalid and the document was left out of the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pmkb.findings import Finding, Rule
from pmkb.index import KnowledgeBase
from pmkb.model import ActionItem
from pmkb.validation import Entry

ACTION_ITEMS = Rule(
    "PMKB009",
    "action-items",
    "error",
    when="an item lacks a required key, or a severity that needs items has none",
    why="an incident without an owned, dated follow-up tends to happen again",
    example="a SEV-1 postmortem with no `action_items`",
)
OVERDUE_ACTION_ITEM = Rule(
    "PMKB010",
    "overdue-action-item",
    "warning",
    when="an item not done/wont-do whose `due` is before today",
    why="an open item past its date is a fix the incident asked for and nobody made",
    example="`due: 2024-04-01` with `status: open`, checked on 2024-06-01",
)
RULES = (ACTION_ITEMS, OVERDUE_ACTION_ITEM)

REQUIRED_KEYS = tuple(name for name, info in ActionItem.model_fields.items() if info.is_required())


def check(kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]:
    required_for = set(kb.config.action_items_required_for)
    for entry in kb.entries_in_scope:
        data = entry.source.data
        if entry.kind != "postmortem" or data is None:
            continue
        items = data.get("action_items")
        severity = entry.values.get("severity")
        if severity in required_for and entry.values.get("status") != "draft" and not items:
            line = (
                entry.source.line_of(("action_items",))
                if "action_items" in data
                else entry.source.line_of(("severity",))
            )
            yield ACTION_ITEMS.finding(
                entry.path,
                line,
                f"{severity} postmortems need at least one action item: add `action_items` "
                "(title, owner, priority, due) or set `status: draft`",
            )
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            yield from _incomplete(entry, index, item)
        for index, valid_item in entry.items:
            yield from _overdue(kb, entry, index, valid_item)


def _incomplete(entry: Entry, index: int, item: Any) -> Iterator[Finding]:
    line = entry.source.line_of(("action_items", index))
    keys = ", ".join(REQUIRED_KEYS)
    if not isinstance(item, dict):
        yield ACTION_ITEMS.finding(
            entry.path, line, f"action item {index + 1} must be a mapping with {keys} (got {item!r})"
        )
        return
    for key in REQUIRED_KEYS:
        if key not in item:
            yield ACTION_ITEMS.finding(
                entry.path, line, f"action item {index + 1} lacks `{key}`; every item needs {keys}"
            )


def _overdue(kb: KnowledgeBase, entry: Entry, index: int, item: ActionItem) -> Iterator[Finding]:
    if item.is_overdue(kb.today):
        days = (kb.today - item.due).days
        yield OVERDUE_ACTION_ITEM.finding(
            entry.path,
            entry.source.line_of(("action_items", index)),
            f"action item {item.title!r} (owner: {item.owner}) was due {item.due.isoformat()}, {days} days ago, "
            f"and is still {item.status}: finish it, move `due`, or mark it wont-do",
        )

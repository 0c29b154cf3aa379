"""Action items of every postmortem, the most pressing first, and their JSON document
(`pmkb actions`, the site's action pages, and the open items of a brief)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pmkb.index import postmortem_url
from pmkb.model import ACTION_STATUSES, PRIORITIES, ActionItem
from pmkb.report_models import ActionFilters, ActionItemEntry, ActionsReport

if TYPE_CHECKING:
    from pmkb.index import KnowledgeBase


@dataclass(frozen=True)
class ActionRow:
    postmortem_id: str
    postmortem_title: str
    index: int  # position in the postmortem's action_items
    item: ActionItem
    overdue: bool
    postmortem_severity: str = ""

    @property
    def postmortem_url(self) -> str:
        return postmortem_url(self.postmortem_id)


def _action_sort_key(row: ActionRow) -> tuple[Any, ...]:
    return (
        not row.overdue,
        not row.item.is_open,
        PRIORITIES.index(row.item.priority),
        row.item.due,
        row.postmortem_id,
        row.index,
    )


def action_rows(
    kb: KnowledgeBase,
    status: str | None = None,
    owner: str | None = None,
    overdue_only: bool = False,
    services: Iterable[str] | None = None,
) -> list[ActionRow]:
    """Action items of every postmortem, the most pressing first.

    Order: overdue first, then open and in-progress before done and wont-do, then
    priority (P0 first), then due date, then postmortem id. `owner` matches the
    whole owner name, ignoring case; `services` keeps items of postmortems that
    touch any of them.
    """
    if status is not None and status not in ACTION_STATUSES:
        raise ValueError(f"unknown action item status {status!r}; use one of {', '.join(ACTION_STATUSES)}")
    wanted_owner = owner.strip().casefold() if owner is not None else None
    wanted_services = set(services) if services is not None else None
    rows: list[ActionRow] = []
    for pm_id, pm in kb.postmortems.items():
        if wanted_services is not None and wanted_services.isdisjoint(pm.services):
            continue
        for index, item in enumerate(pm.action_items):
            overdue = item.is_overdue(kb.today)
            if status is not None and item.status != status:
                continue
            if wanted_owner is not None and item.owner.casefold() != wanted_owner:
                continue
            if overdue_only and not overdue:
                continue
            rows.append(ActionRow(pm_id, pm.title, index, item, overdue, pm.severity))
    return sorted(rows, key=_action_sort_key)


def actions_to_json(
    kb: KnowledgeBase,
    rows: Sequence[ActionRow],
    status: str | None = None,
    owner: str | None = None,
    overdue_only: bool = False,
) -> dict[str, Any]:
    return ActionsReport(
        today=kb.today,
        filters=ActionFilters(status=status, owner=owner, overdue=overdue_only),
        count=len(rows),
        open=sum(row.item.is_open for row in rows),
        overdue=sum(row.overdue for row in rows),
        items=[action_entry(row) for row in rows],
    ).model_dump(mode="json")


def action_entry(row: ActionRow) -> ActionItemEntry:
    """An action item as the JSON documents of `pmkb actions` and `pmkb brief` give it."""
    return ActionItemEntry(
        postmortem_id=row.postmortem_id,
        postmortem_title=row.postmortem_title,
        postmortem_url=row.postmortem_url,
        postmortem_severity=row.postmortem_severity,
        index=row.index,
        overdue=row.overdue,
        **row.item.model_dump(include={"title", "owner", "priority", "due", "status", "ticket"}),
    )

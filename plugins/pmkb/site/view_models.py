"""The view models page templates get: small, frozen rows and groups (`views.Views`
builds them from the index).

Templates may be overridden by users, so these are public API: the README's "Template
API" lists every name per page kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from pmkb import reports
from pmkb.findings import Finding

# PageLink and Pager are view models too; they live beside the paging they describe.
from pmkb.site.paging import PageLink as PageLink
from pmkb.site.paging import Pager as Pager

_Row = TypeVar("_Row")


def _repr_kept(cls: type[_Row]) -> type[_Row]:
    """A row is on many pages of a build, and every page's fingerprint reads its repr
    (`incremental.fingerprint`): each row works it out once. Rows are frozen."""
    made = cls.__repr__

    def __repr__(self: _Row) -> str:
        kept: str | None = self.__dict__.get("_repr")
        if kept is None:
            kept = made(self)
            object.__setattr__(self, "_repr", kept)
        return kept

    cls.__repr__ = __repr__  # type: ignore[assignment]
    return cls


# Rows ------------------------------------------------------------------------------


@_repr_kept
@dataclass(frozen=True)
class IncidentRow:
    """A postmortem as lists show it."""

    id: str
    title: str
    severity: str
    status: str  # draft, review or final
    type: str  # incident or near-miss
    started_at: datetime
    duration: float | None  # minutes; None while unresolved
    services: tuple[str, ...]
    tags: tuple[str, ...]
    category: str | None
    impact: str | None
    root_cause: str  # plain text: the first paragraph of Root Cause, cut near 300 characters; "" while unwritten


@dataclass(frozen=True)
class LessonRow:
    """A lesson learned (plain text) and the incident it was learned from."""

    text: str
    incident: IncidentRow


@dataclass(frozen=True)
class PostmortemView(IncidentRow):
    """A postmortem on its own page: the row plus every time and the authors."""

    detected_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    time_to_detect: float | None  # minutes
    time_to_mitigate: float | None  # minutes
    authors: tuple[str, ...]


@dataclass(frozen=True)
class SimilarRow:
    """A suggested similar incident and what it has in common with the page's."""

    incident: IncidentRow
    # How alike, as the index ranks them; higher is closer. Left out of the repr, which
    # is what `mkdocs serve` fingerprints a page by: any edit moves many scores a little,
    # no built-in template shows them, and the incidents, order and shared terms stay in.
    score: float = field(repr=False)
    # For the reader to judge: words, services, "#tags", e.g. "pool", "checkout-api", "#database".
    shared: tuple[str, ...]


@_repr_kept
@dataclass(frozen=True)
class RunbookRow:
    """A runbook with its review state."""

    id: str
    title: str
    owner: str
    services: tuple[str, ...]
    alerts: tuple[str, ...]
    tags: tuple[str, ...]
    last_reviewed: date
    review_due: date
    stale: bool  # review_due is before today
    incident_count: int  # postmortems citing it


@_repr_kept
@dataclass(frozen=True)
class ActionRow:
    """An action item and the postmortem it belongs to."""

    postmortem: IncidentRow
    title: str
    owner: str
    priority: str  # P0, P1 or P2
    due: date
    status: str  # open, in-progress, done or wont-do
    ticket: str | None
    overdue: bool


@dataclass(frozen=True)
class ActionGroup:
    """A section of the action items page."""

    key: str  # overdue, open or closed; the section's anchor
    title: str
    rows: tuple[ActionRow, ...]  # those on this page: all of them unless the list is split
    total: int  # the section's rows on every page
    first_page: int  # the page its rows start on (1 when it has none)


@dataclass(frozen=True)
class Durations:
    """Minutes over the non-draft incidents that have both ends of a measure."""

    count: int
    median: float | None
    p90: float | None
    mean: float | None


@dataclass(frozen=True)
class SeverityRow:
    """A severity level: how many incidents, and how long they took (None: no figures)."""

    level: str
    count: int
    time_to_resolve: Durations | None
    time_to_detect: Durations | None
    time_to_mitigate: Durations | None


@dataclass(frozen=True)
class ServiceRow:
    name: str
    incident_count: int
    last_incident: IncidentRow | None
    open_action_items: int
    runbook_count: int


@dataclass(frozen=True)
class TagRow:
    name: str
    incident_count: int
    runbook_count: int


@dataclass(frozen=True)
class SectionLink:
    """A runbook section on-call jumps to, found among the body's level-2 headings."""

    title: str
    anchor: str


@dataclass(frozen=True)
class AlertRow:
    name: str
    runbooks: tuple[RunbookRow, ...]


@dataclass(frozen=True)
class TimelineMonth:
    key: str  # "2024-03", the anchor
    name: str  # "March 2024"
    incidents: tuple[IncidentRow, ...]


@dataclass(frozen=True)
class TimelineYear:
    year: str
    months: tuple[TimelineMonth, ...]


@dataclass(frozen=True)
class RecurringGroup:
    """Recurrences of one category over the same incidents, whatever services they touched."""

    services: tuple[str, ...]
    category: str
    incidents: tuple[IncidentRow, ...]  # oldest first, as reports.recurring gives them
    first: date | None
    last: date | None


@dataclass(frozen=True)
class FileProblems:
    """Under `mkdocs serve`: the findings of one file and where the preview shows them."""

    path: str  # relative to mkdocs.yml, as `pmkb check` prints it
    findings: tuple[Finding, ...]  # errors first, then by line
    page: tuple[str, str] | None  # (kind, id) of the page showing this file, for `url(*page)`
    no_page: str  # why the file has no page; empty when it has one
    anchor: str  # the id of its heading on /problems/

    @property
    def errors(self) -> int:
        return sum(1 for item in self.findings if item.level == "error")

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


def group_recurrences(
    found: Iterable[reports.Recurrence], incident: Callable[[str], IncidentRow]
) -> list[RecurringGroup]:
    # One incident touching three services is one recurring problem, not three rows saying the same.
    groups: dict[tuple[str, tuple[str, ...]], list[reports.Recurrence]] = {}
    for recurrence in found:
        groups.setdefault((recurrence.category, recurrence.incidents), []).append(recurrence)
    return [
        RecurringGroup(
            services=tuple(item.service for item in members),
            category=category,
            incidents=tuple(incident(pm_id) for pm_id in incidents),
            first=members[0].first,
            last=members[0].last,
        )
        for (category, incidents), members in groups.items()
    ]

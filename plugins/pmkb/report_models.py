"""The JSON documents of `pmkb stats`, `pmkb brief` and `pmkb actions`, as typed models.

Each model's `model_dump(mode="json")` is the document the CLI prints, and
`model_json_schema()` its JSON Schema. Keys are stable and snake_case; dates are
`YYYY-MM-DD`; durations are minutes rounded to two decimals, `null` where there is
nothing to measure.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer


def json_minutes(value: float | None) -> float | int | None:
    # Interpolation leaves float noise (179.99999999999997); two decimals of a minute is plenty.
    if value is None:
        return None
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


Minutes = Annotated[float | None, PlainSerializer(json_minutes, return_type=float | int | None)]


class _Report(BaseModel):
    model_config = ConfigDict(frozen=True)


# Statistics ---------------------------------------------------------------------------


class Counts(_Report):
    total: int
    severity: dict[str, int] = Field(description="Configured order, zeros kept; levels no longer configured last.")
    type: dict[str, int] = Field(description="Every type, zeros kept.")
    status: dict[str, int] = Field(description="Every status, zeros kept.")
    category: dict[str, int] = Field(description="Configured order, zeros kept.")
    uncategorized: int = Field(description="Postmortems without a category.")


class DurationFigures(_Report):
    """One measure of one severity; drafts are left out."""

    count: int
    median: Minutes
    p90: Minutes = Field(description="Linear interpolation between closest ranks, as numpy's default.")
    mean: Minutes


class MonthCount(_Report):
    month: str = Field(description="YYYY-MM, a UTC month.")
    total: int
    severity: dict[str, int]


class RecurringCluster(_Report):
    service: str
    category: str
    count: int
    first: dt.date | None = Field(description="UTC start date of the oldest incident.")
    last: dt.date | None = Field(description="UTC start date of the newest incident.")
    incidents: list[str] = Field(description="Ids, oldest first.")


class StatsReport(_Report):
    since: dt.date | None
    today: dt.date
    counts: Counts
    durations: dict[str, dict[str, DurationFigures]] = Field(
        description="severity -> time_to_detect, time_to_mitigate, time_to_resolve; every configured severity."
    )
    per_month: list[MonthCount] = Field(description="Contiguous months, oldest first.")
    recurring: list[RecurringCluster] = Field(description="Largest clusters first, then the most recent.")
    recurrence_days: int


# Action items -------------------------------------------------------------------------


class ActionItemEntry(_Report):
    """An action item with its postmortem; (postmortem_id, index) names it."""

    postmortem_id: str
    postmortem_title: str
    postmortem_url: str
    postmortem_severity: str
    index: int = Field(description="Position in the postmortem's action_items, from 0.")
    title: str
    owner: str
    priority: str
    due: dt.date
    status: str
    ticket: str | None
    overdue: bool


class ActionFilters(_Report):
    status: str | None
    owner: str | None
    overdue: bool


class ActionsReport(_Report):
    today: dt.date
    filters: ActionFilters
    count: int
    open: int
    overdue: int
    items: list[ActionItemEntry] = Field(description="Overdue first, then open, then by priority and due date.")


# Brief --------------------------------------------------------------------------------


class BriefIncident(_Report):
    id: str
    date: dt.date = Field(description="UTC date of started_at.")
    started_at: str = Field(description="ISO 8601 in UTC, ending in Z.")
    severity: str
    status: str
    type: str
    title: str
    impact: str | None
    services: tuple[str, ...] = ()
    category: str | None = None
    url: str
    root_cause: str = Field(default="", description="Plain-text excerpt of Root Cause; empty when unwritten.")


class Lesson(_Report):
    """One lesson learned, with the incident it came from."""

    text: str
    postmortem_id: str
    postmortem_title: str
    postmortem_url: str
    date: dt.date = Field(description="UTC date the incident started.")


class BriefRunbook(_Report):
    id: str
    title: str
    url: str
    owner: str
    services: tuple[str, ...] = ()
    alerts: tuple[str, ...]
    last_reviewed: dt.date | None = None
    review_due: dt.date | None = None
    stale: bool


class BriefReport(_Report):
    services: list[str]
    since: dt.date | None
    today: dt.date
    incidents: list[BriefIncident] = Field(description="Newest first.")
    lessons: list[Lesson] = Field(description="Of those incidents, newest incident first.")
    action_items: list[ActionItemEntry] = Field(description="Open items of those incidents, overdue first.")
    runbooks: list[BriefRunbook] = Field(description="By title.")

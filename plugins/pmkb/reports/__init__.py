"""Answers over a knowledge base: statistics, pre-deploy briefs and action items (the
last in `actions.py`, whose names this module gives as well).

Pure functions of a `KnowledgeBase`: no click, no MkDocs. The CLI (`pmkb.cli.reports`)
and the site's dashboard, service and action pages call these same functions, so a
figure in the terminal and on the site can never disagree.

Conventions shared by every function:

- `since` is a `date` or None; a postmortem is kept when the UTC date of its
  `started_at` is on or after `since`.
- Every postmortem counts (drafts and near-misses too), except in duration
  statistics, which leave drafts out (SPEC: their timestamps are not settled).
- Durations are minutes, fractional where seconds were given.

The JSON documents of `stats`, `brief_to_json` and `actions_to_json` are the models
of `pmkb.report_models`: their `model_json_schema()` is the shape, with descriptions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pmkb.index import postmortem_url, runbook_url
from pmkb.model import STATUSES, TYPES, Postmortem
from pmkb.report_models import (
    BriefIncident,
    BriefReport,
    BriefRunbook,
    Counts,
    DurationFigures,
    Lesson,
    MonthCount,
    RecurringCluster,
    StatsReport,
)
from pmkb.reports.actions import ActionRow as ActionRow
from pmkb.reports.actions import action_entry
from pmkb.reports.actions import action_rows as action_rows
from pmkb.reports.actions import actions_to_json as actions_to_json
from pmkb.suggest import closest
from pmkb.times import iso_utc

if TYPE_CHECKING:
    from pmkb.index import KnowledgeBase

METRICS: tuple[tuple[str, str], ...] = (
    ("time_to_detect", "time to detect"),
    ("time_to_mitigate", "time to mitigate"),
    ("time_to_resolve", "time to resolve"),
)
COUNTABLE = ("type", "status", "category")


# Selection --------------------------------------------------------------------------


def postmortems_since(kb: KnowledgeBase, since: date | None) -> list[tuple[str, Postmortem]]:
    """(id, postmortem) pairs, newest first, started on or after `since` (UTC date)."""
    # started_at is normalised to UTC by the model, so .date() is the UTC calendar date.
    return [(pm_id, pm) for pm_id, pm in kb.postmortems.items() if since is None or pm.started_at.date() >= since]


def _severity_levels(kb: KnowledgeBase, postmortems: Iterable[Postmortem]) -> list[str]:
    """Configured levels in configured order, then any level the config no longer lists."""
    levels = list(kb.config.severities)
    extra = sorted({pm.severity for pm in postmortems} - set(levels))
    return levels + extra


# Counts -----------------------------------------------------------------------------


def severity_counts(kb: KnowledgeBase, since: date | None = None) -> dict[str, int]:
    """Postmortems per severity: every configured level (0 when none), unknown levels last."""
    selected = [pm for _, pm in postmortems_since(kb, since)]
    counts = dict.fromkeys(_severity_levels(kb, selected), 0)
    for pm in selected:
        counts[pm.severity] += 1
    return counts


def counts_by(kb: KnowledgeBase, attribute: str, since: date | None = None) -> dict[str, int]:
    """Postmortems per `type`, `status` or `category`.

    Every known value appears in its canonical order (categories in configured
    order), zeros kept so charts and JSON keys stay stable; values the schema or
    config does not know come last. Postmortems without a category are not counted
    under any category (see `uncategorized_count`).
    """
    if attribute not in COUNTABLE:
        raise ValueError(f"cannot count by {attribute!r}; use one of {', '.join(COUNTABLE)}")
    known: Sequence[str] = {"type": TYPES, "status": STATUSES, "category": kb.config.categories}[attribute]
    values = [getattr(pm, attribute) for _, pm in postmortems_since(kb, since)]
    present = [value for value in values if value is not None]
    counts = dict.fromkeys(known, 0) | dict.fromkeys(sorted(set(present) - set(known)), 0)
    for value in present:
        counts[value] += 1
    return counts


def uncategorized_count(kb: KnowledgeBase, since: date | None = None) -> int:
    return sum(pm.category is None for _, pm in postmortems_since(kb, since))


# Durations --------------------------------------------------------------------------


@dataclass(frozen=True)
class DurationStats:
    count: int
    median: float | None  # minutes
    p90: float | None  # minutes; linear interpolation between closest ranks
    mean: float | None  # minutes

    @classmethod
    def of(cls, values: Iterable[float]) -> DurationStats:
        ordered = sorted(values)
        if not ordered:
            return cls(0, None, None, None)
        return cls(len(ordered), percentile(ordered, 50), percentile(ordered, 90), math.fsum(ordered) / len(ordered))


def percentile(ordered: Sequence[float], p: float) -> float:
    """The p-th percentile of sorted values, interpolating linearly between closest ranks.

    The same definition as numpy.percentile's default, so figures can be checked
    against a spreadsheet or numpy without surprises.
    """
    if not ordered:
        raise ValueError("percentile of no values")
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _metric(pm: Postmortem, metric: str) -> float | None:
    if metric == "time_to_resolve":
        return pm.duration
    value: float | None = getattr(pm, metric)
    return value


def duration_stats(kb: KnowledgeBase, since: date | None = None) -> dict[str, dict[str, DurationStats]]:
    """severity -> {"time_to_detect", "time_to_mitigate", "time_to_resolve"} -> stats.

    Drafts are left out (SPEC). Each measure counts only the postmortems that have
    both ends of it, so `count` can differ between measures of one severity.
    """
    selected = [pm for _, pm in postmortems_since(kb, since) if pm.status != "draft"]
    result: dict[str, dict[str, DurationStats]] = {}
    for level in _severity_levels(kb, selected):
        of_level = [pm for pm in selected if pm.severity == level]
        result[level] = {
            metric: DurationStats.of(value for pm in of_level if (value := _metric(pm, metric)) is not None)
            for metric, _ in METRICS
        }
    return result


# Time -------------------------------------------------------------------------------


def _month(pm: Postmortem) -> str:
    return pm.started_at.strftime("%Y-%m")


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def incidents_per_month(kb: KnowledgeBase, since: date | None = None) -> list[tuple[str, dict[str, int]]]:
    """("YYYY-MM", {severity: count}) for every month from the first to the last incident.

    Oldest first, months without incidents kept (a chart's gaps are information),
    every severity in every month. All postmortems count, drafts included; months
    are UTC months.
    """
    selected = [pm for _, pm in postmortems_since(kb, since)]
    if not selected:
        return []
    levels = _severity_levels(kb, selected)
    by_month: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(levels, 0))
    for pm in selected:
        by_month[_month(pm)][pm.severity] += 1
    first, last = min(by_month), max(by_month)
    months: list[tuple[str, dict[str, int]]] = []
    month = first
    while month <= last:
        months.append((month, dict(by_month[month])))
        month = _next_month(month)
    return months


@dataclass(frozen=True)
class Recurrence:
    service: str
    category: str
    incidents: tuple[str, ...]  # ids, oldest first
    first: date | None = None  # UTC start date of the oldest incident
    last: date | None = None  # UTC start date of the newest incident


def recurring(kb: KnowledgeBase, since: date | None = None) -> list[Recurrence]:
    """Clusters of incidents of one service and category that keep coming back.

    Incidents are chained: each is within `recurrence_days` of the previous one
    (comparing instants, so 90 days and one minute is not within 90 days). A chain
    can therefore span longer than the window; what matters is that the problem
    never went away for longer than it. Every postmortem counts (a near-miss or a
    draft is still the same weakness showing). Largest clusters first, then the
    most recent.
    """
    window = timedelta(days=kb.config.recurrence_days)
    groups: dict[tuple[str, str], list[tuple[str, Postmortem]]] = defaultdict(list)
    for pm_id, pm in postmortems_since(kb, since):
        if pm.category is None:
            continue
        for service in dict.fromkeys(pm.services):
            groups[(service, pm.category)].append((pm_id, pm))
    found: list[Recurrence] = []
    for (service, category), members in groups.items():
        members.sort(key=lambda item: (item[1].started_at, item[0]))
        chain: list[tuple[str, Postmortem]] = []
        for member in members:
            if chain and member[1].started_at - chain[-1][1].started_at > window:
                found.extend(_recurrence(service, category, chain))
                chain = []
            chain.append(member)
        found.extend(_recurrence(service, category, chain))
    found.sort(
        key=lambda r: (
            -len(r.incidents),
            -kb.postmortems[r.incidents[-1]].started_at.timestamp(),
            r.service.casefold(),
            r.category,
        )
    )
    return found


def _recurrence(service: str, category: str, chain: list[tuple[str, Postmortem]]) -> list[Recurrence]:
    if len(chain) < 2:
        return []
    return [
        Recurrence(
            service=service,
            category=category,
            incidents=tuple(pm_id for pm_id, _ in chain),
            first=chain[0][1].started_at.date(),
            last=chain[-1][1].started_at.date(),
        )
    ]


# Brief ------------------------------------------------------------------------------


class UnknownServiceError(ValueError):
    """Services no postmortem or runbook names; `suggestions` maps each to close names."""

    def __init__(self, suggestions: dict[str, list[str]]) -> None:
        self.suggestions = suggestions
        super().__init__("unknown service" + "s" * (len(suggestions) > 1) + ": " + ", ".join(suggestions))


def suggest_services(kb: KnowledgeBase, name: str, limit: int = 3) -> list[str]:
    """Known services whose names are close to `name`, closest first."""
    known = kb.services
    by_folded = {service.casefold(): service for service in known}
    close = closest(name.casefold(), by_folded, limit)
    # A prefix or part of a name ("checkout") is a strong hint difflib may rank low.
    partial = [folded for folded in by_folded if name.casefold() in folded and folded not in close]
    return [by_folded[folded] for folded in [*close, *partial][:limit]]


def resolve_services(kb: KnowledgeBase, names: Iterable[str]) -> list[str]:
    """Known service names for `names`, in order, without repeats.

    A name matches exactly, else ignoring case when that is unambiguous. Raises
    UnknownServiceError listing every name that matches nothing, with suggestions.
    """
    known = set(kb.services)
    folded: dict[str, list[str]] = defaultdict(list)
    for service in kb.services:
        folded[service.casefold()].append(service)
    resolved: list[str] = []
    unknown: dict[str, list[str]] = {}
    for name in names:
        if name in known:
            resolved.append(name)
        elif len(folded.get(name.casefold(), [])) == 1:
            resolved.append(folded[name.casefold()][0])
        else:
            unknown[name] = suggest_services(kb, name)
    if unknown:
        raise UnknownServiceError(unknown)
    return list(dict.fromkeys(resolved))


def lesson_texts(kb: KnowledgeBase, postmortem_ids: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(incident id, lesson) of these incidents, in the order given (newest first by convention)."""
    for pm_id in postmortem_ids:
        for text in kb.excerpts[pm_id].lessons:
            yield pm_id, text


def lessons(kb: KnowledgeBase, postmortem_ids: Iterable[str]) -> list[Lesson]:
    """The lessons of these incidents, in the order given (newest first by convention)."""
    return [
        Lesson(
            text=text,
            postmortem_id=pm_id,
            postmortem_title=kb.postmortems[pm_id].title,
            postmortem_url=postmortem_url(pm_id),
            date=kb.postmortems[pm_id].started_at.date(),
        )
        for pm_id, text in lesson_texts(kb, postmortem_ids)
    ]


@dataclass(frozen=True)
class Brief:
    """What to read before touching some services."""

    services: tuple[str, ...]
    incidents: tuple[BriefIncident, ...]  # newest first
    action_items: tuple[ActionRow, ...]  # open items of those incidents, overdue first
    runbooks: tuple[BriefRunbook, ...]  # by title
    since: date | None = None
    lessons: tuple[Lesson, ...] = ()  # of those incidents, newest incident first


def brief(kb: KnowledgeBase, services: Sequence[str], since: date | None = None) -> Brief:
    """Past incidents touching any of `services` (newest first) with their root causes,
    their lessons learned, their open action items (overdue first) and the runbooks
    for those services.

    Service names are resolved with `resolve_services` (UnknownServiceError when one
    is unknown). `since` limits the incidents, hence their action items; runbooks are
    current knowledge and are always listed.
    """
    names = resolve_services(kb, services)
    wanted = set(names)
    incidents = [(pm_id, pm) for pm_id, pm in postmortems_since(kb, since) if not wanted.isdisjoint(pm.services)]
    incident_ids = {pm_id for pm_id, _ in incidents}
    items = [row for row in action_rows(kb, services=names) if row.item.is_open and row.postmortem_id in incident_ids]
    runbook_ids = dict.fromkeys(rb_id for service in names for rb_id in kb.runbooks_by_service.get(service, ()))
    # kb.runbooks is ordered by title; keep that order rather than the services' order.
    runbooks = [
        BriefRunbook(
            id=rb_id,
            title=runbook.title,
            url=runbook_url(rb_id),
            alerts=tuple(runbook.alerts),
            owner=runbook.owner,
            stale=kb.is_stale(runbook),
            services=tuple(runbook.services),
            last_reviewed=runbook.last_reviewed,
            review_due=kb.runbook_review_due(runbook),
        )
        for rb_id, runbook in kb.runbooks.items()
        if rb_id in runbook_ids
    ]
    return Brief(
        services=tuple(names),
        incidents=tuple(
            BriefIncident(
                id=pm_id,
                date=pm.started_at.date(),
                severity=pm.severity,
                status=pm.status,
                type=pm.type,
                title=pm.title,
                impact=pm.impact,
                url=postmortem_url(pm_id),
                services=tuple(pm.services),
                category=pm.category,
                started_at=iso_utc(pm.started_at),
                root_cause=kb.excerpts[pm_id].root_cause,
            )
            for pm_id, pm in incidents
        ),
        action_items=tuple(items),
        runbooks=tuple(runbooks),
        since=since,
        lessons=tuple(lessons(kb, (pm_id for pm_id, _ in incidents))),
    )


def brief_to_json(kb: KnowledgeBase, result: Brief) -> dict[str, Any]:
    return BriefReport(
        services=list(result.services),
        since=result.since,
        today=kb.today,
        incidents=list(result.incidents),
        lessons=list(result.lessons),
        action_items=[action_entry(row) for row in result.action_items],
        runbooks=list(result.runbooks),
    ).model_dump(mode="json")


# Statistics -------------------------------------------------------------------------


def stats(kb: KnowledgeBase, since: date | None = None) -> dict[str, Any]:
    """Every figure of `pmkb stats` as JSON-ready data (a `StatsReport`)."""
    return StatsReport(
        since=since,
        today=kb.today,
        counts=Counts(
            total=len(postmortems_since(kb, since)),
            severity=severity_counts(kb, since),
            type=counts_by(kb, "type", since),
            status=counts_by(kb, "status", since),
            category=counts_by(kb, "category", since),
            uncategorized=uncategorized_count(kb, since),
        ),
        durations={
            level: {metric: DurationFigures(**asdict(figures)) for metric, figures in measures.items()}
            for level, measures in duration_stats(kb, since).items()
        },
        per_month=[
            MonthCount(month=month, total=sum(counts.values()), severity=counts)
            for month, counts in incidents_per_month(kb, since)
        ],
        recurring=[
            RecurringCluster(
                service=cluster.service,
                category=cluster.category,
                count=len(cluster.incidents),
                first=cluster.first,
                last=cluster.last,
                incidents=list(cluster.incidents),
            )
            for cluster in recurring(kb, since)
        ],
        recurrence_days=kb.config.recurrence_days,
    ).model_dump(mode="json")


# Formatting -------------------------------------------------------------------------


def _round_half_up(value: float) -> int:
    # Python's round() is banker's rounding: 2.5 min would show as "2 min", 3.5 as "4 min".
    return math.floor(value + 0.5)


def format_minutes(minutes: float | None) -> str:
    """A duration for people: "45 min", "2 h 5 min", "1 d 3 h"; "—" when unknown.

    Under a day the precision is a minute; from a day on it is an hour, because
    nobody reads "3 d 4 h 17 min" any faster than "3 d 4 h".
    """
    if minutes is None or (isinstance(minutes, float) and math.isnan(minutes)):
        return "—"
    if minutes < 0:
        return "-" + format_minutes(-minutes)
    if 0 < minutes < 0.5:
        return "< 1 min"
    total = _round_half_up(minutes)
    if total < 60:
        return f"{total} min"
    if total < 24 * 60:
        hours, rest = divmod(total, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(_round_half_up(minutes / 60), 24)
    return f"{days} d {hours} h" if hours else f"{days} d"

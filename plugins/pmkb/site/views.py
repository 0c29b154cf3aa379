"""What each page template is given: the view models of `view_models.py`, built from the index.

Templates may be overridden by users, so what they receive is public API. They get
these documented rows and views (the README's "Template API" lists every name per
page kind), never the index itself: the index can change its internals freely as
long as `Views` still builds the same rows from it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC
from functools import cached_property
from typing import Any

from markupsafe import Markup

from pmkb import reports
from pmkb.index import KnowledgeBase
from pmkb.model import ActionItem, Postmortem, Runbook
from pmkb.site.chart import incidents_chart
from pmkb.site.paging import PAGED_KINDS, Pager, list_length, pager, part_of_row, rows_per_page, section_windows
from pmkb.site.view_models import (
    ActionGroup,
    ActionRow,
    AlertRow,
    Durations,
    IncidentRow,
    LessonRow,
    PostmortemView,
    RunbookRow,
    ServiceRow,
    SeverityRow,
    SimilarRow,
    TagRow,
    TimelineMonth,
    TimelineYear,
    group_recurrences,
)
from pmkb.times import MONTH_NAMES


def _durations(stats: reports.DurationStats | None) -> Durations | None:
    return Durations(stats.count, stats.median, stats.p90, stats.mean) if stats is not None else None


# The builder --------------------------------------------------------------------------


class Views:
    """Builds each page's view models from the index; rows are built once per build."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._incidents: dict[str, IncidentRow] = {}
        self._runbooks: dict[str, RunbookRow] = {}
        self._actions: dict[tuple[int, bool], ActionRow] = {}
        self._open_rows_by_service_part: dict[str, dict[int, list[reports.ActionRow]]] = {}

    def page(self, kind: str, subject: str, part: int = 1) -> dict[str, Any]:
        """The names a template of this page kind gets, beside the helpers every page gets.

        `part` is the numbered page of a long list (see paging.py); its `pager` has no
        links yet: they depend on where the page is published.
        """
        if kind in PAGED_KINDS:
            paged: Callable[[str, int], dict[str, Any]] = getattr(self, f"_page_{kind}")
            return paged(subject, part)
        builder: Callable[[str], dict[str, Any]] = getattr(self, f"_page_{kind}")
        return builder(subject)

    def inputs(self, kind: str, subject: str, part: int = 1) -> tuple[object, ...] | None:
        """What the views of a page are made of, by identity, when that is known without
        building them: the files of the documents it shows (their digests), today, and
        what it shows of them that comes from elsewhere. Equal inputs give equal views,
        which a preview rebuild relies on to tell an unchanged page without building its
        views. Known for a postmortem's or runbook's page, for a service's, tag's or
        severity's list and for the numbered pages of the postmortems and the timeline;
        None for the other pages, each made of every document.

        Everything else a view reads comes from the configuration, which a preview
        rebuild compares on its own.
        """
        kb = self.kb
        if kind == "postmortem":
            pm = kb.postmortems[subject]
            return (
                kind,
                self._postmortem_file(subject),
                kb.today,
                self._postmortem_files(kb.related.get(subject, [])),
                # Scores are left out, as they are of the rows' reprs (see SimilarRow).
                tuple(
                    (suggestion.id, tuple(suggestion.shared), self._postmortem_file(suggestion.id))
                    for suggestion in kb.similar(subject)
                ),
                self._runbook_files(rb_id for rb_id in dict.fromkeys(pm.runbooks) if rb_id in kb.runbooks),
            )
        if kind == "runbook":
            return (kind, self._runbook_file(subject), kb.today, self._postmortem_files(kb.cited_by.get(subject, [])))
        # A list's rows: its incidents (with their action items, lessons and root causes),
        # in order, and its runbooks with how many incidents cite each.
        if kind == "service":
            incidents, runbooks = kb.by_service.get(subject, []), kb.runbooks_by_service.get(subject, [])
        elif kind == "tag":
            incidents, runbooks = kb.by_tag.get(subject, []), kb.runbooks_by_tag.get(subject, [])
        elif kind == "severity":
            incidents, runbooks = kb.by_severity.get(subject, []), []
        elif kind in ("postmortems", "timeline"):
            # A numbered page of every incident: its own rows, how many there are, and the
            # filters' names (services and tags) that the list of postmortems shows.
            window, _ = self._window(kind, subject, part)
            names = (tuple(kb.by_service), tuple(kb.by_tag)) if kind == "postmortems" else ()
            shown = self._postmortem_files(list(kb.postmortems)[window])
            return (kind, subject, part, kb.today, len(kb.postmortems), shown, names)
        else:
            return None
        return (kind, subject, part, kb.today, self._postmortem_files(incidents), self._runbook_files(runbooks))

    def _postmortem_files(self, ids: Iterable[str]) -> tuple[tuple[str, bytes | None], ...]:
        return tuple((pm_id, self._postmortem_file(pm_id)) for pm_id in ids)

    def _runbook_files(self, ids: Iterable[str]) -> tuple[tuple[str, bytes | None, int], ...]:
        cited_by = self.kb.cited_by
        return tuple((rb_id, self._runbook_file(rb_id), len(cited_by.get(rb_id, []))) for rb_id in ids)

    def _postmortem_file(self, pm_id: str) -> bytes | None:
        return self.kb.sources[("postmortem", pm_id)].digest

    def _runbook_file(self, rb_id: str) -> bytes | None:
        return self.kb.sources[("runbook", rb_id)].digest

    def _window(self, kind: str, subject: str, part: int) -> tuple[slice, Pager | None]:
        """Which rows of a page kind's list this page shows, and its pager (None: all of them)."""
        size = rows_per_page(kind, self.kb.config.list_page_size)
        found = pager(list_length(self.kb, kind, subject), size, part)
        if found is None:
            return slice(None), None
        return slice(found.first - 1, found.last), found

    # Rows ----------------------------------------------------------------------------

    def incident(self, pm_id: str) -> IncidentRow:
        row = self._incidents.get(pm_id)
        if row is None:
            fields = _incident_fields(pm_id, self.kb.postmortems[pm_id], self.kb.excerpts[pm_id].root_cause)
            row = self._incidents[pm_id] = IncidentRow(**fields)
        return row

    def incidents(self, ids: Iterable[str]) -> list[IncidentRow]:
        return [self.incident(pm_id) for pm_id in ids]

    def runbook(self, rb_id: str) -> RunbookRow:
        row = self._runbooks.get(rb_id)
        if row is None:
            runbook: Runbook = self.kb.runbooks[rb_id]
            row = self._runbooks[rb_id] = RunbookRow(
                id=rb_id,
                title=runbook.title,
                owner=runbook.owner,
                services=tuple(runbook.services),
                alerts=tuple(runbook.alerts),
                tags=tuple(runbook.tags),
                last_reviewed=runbook.last_reviewed,
                review_due=self.kb.runbook_review_due(runbook),
                stale=self.kb.is_stale(runbook),
                incident_count=len(self.kb.cited_by.get(rb_id, [])),
            )
        return row

    def runbooks(self, ids: Iterable[str]) -> list[RunbookRow]:
        return [self.runbook(rb_id) for rb_id in ids]

    def action(self, pm_id: str, item: ActionItem, overdue: bool) -> ActionRow:
        # Items live as long as the index, so their ids name them for the whole build.
        key = (id(item), overdue)
        row = self._actions.get(key)
        if row is None:
            row = self._actions[key] = ActionRow(
                postmortem=self.incident(pm_id),
                title=item.title,
                owner=item.owner,
                priority=item.priority,
                due=item.due,
                status=item.status,
                ticket=item.ticket,
                overdue=overdue,
            )
        return row

    # Figures shared by several pages -------------------------------------------------

    @cached_property
    def _action_rows(self) -> list[tuple[reports.ActionRow, ActionRow]]:
        return [(row, self.action(row.postmortem_id, row.item, row.overdue)) for row in reports.action_rows(self.kb)]

    @cached_property
    def severity_rows(self) -> list[SeverityRow]:
        stats = reports.duration_stats(self.kb)
        rows = []
        for level, count in reports.severity_counts(self.kb).items():
            figures = stats.get(level)
            rows.append(
                SeverityRow(
                    level=level,
                    count=count,
                    time_to_resolve=_durations(figures["time_to_resolve"]) if figures else None,
                    time_to_detect=_durations(figures["time_to_detect"]) if figures else None,
                    time_to_mitigate=_durations(figures["time_to_mitigate"]) if figures else None,
                )
            )
        return rows

    @cached_property
    def _open_rows_by_service(self) -> dict[str, list[reports.ActionRow]]:
        """Each service's open action items, most pressing first: those of the incidents
        that touch it, in the order of the list every page shares."""
        found: dict[str, list[reports.ActionRow]] = defaultdict(list)
        for row, _ in self._action_rows:
            if row.item.is_open:
                for service in dict.fromkeys(self.kb.postmortems[row.postmortem_id].services):
                    found[service].append(row)
        return found

    def _open_rows_by_part(self, service: str) -> dict[int, list[reports.ActionRow]]:
        """A service's open action items by the numbered page that shows their incident,
        in the order of `_open_rows_by_service`."""
        found = self._open_rows_by_service_part.get(service)
        if found is None:
            size = rows_per_page("service", self.kb.config.list_page_size)
            part_of = {
                pm_id: part_of_row(position, size) for position, pm_id in enumerate(self.kb.by_service.get(service, []))
            }
            found = self._open_rows_by_service_part[service] = defaultdict(list)
            for row in self._open_rows_by_service.get(service, []):
                found[part_of[row.postmortem_id]].append(row)
        return found

    # Pages ---------------------------------------------------------------------------

    def _page_dashboard(self, subject: str) -> dict[str, Any]:
        kb = self.kb
        open_actions = [view for row, view in self._action_rows if row.item.is_open]
        return {
            "total": len(kb.postmortems),
            "runbook_count": len(kb.runbooks),
            "severity_rows": self.severity_rows,
            "recent": self.incidents(list(kb.postmortems)[: kb.config.dashboard_recent]),
            "chart": Markup(incidents_chart(reports.incidents_per_month(kb), kb.config.severities)),
            "open_actions": open_actions,
            "overdue_actions": [row for row in open_actions if row.overdue],
            "stale_runbooks": [row for row in self.runbooks(kb.runbooks) if row.stale],
            "recurring": group_recurrences(reports.recurring(kb), self.incident),
            "recurrence_days": kb.config.recurrence_days,
        }

    def _page_postmortems(self, subject: str, part: int) -> dict[str, Any]:
        kb = self.kb
        window, shown = self._window("postmortems", subject, part)
        return {
            "incidents": self.incidents(list(kb.postmortems)[window]),
            "pager": shown,
            "service_names": sorted(kb.by_service, key=str.casefold),
            "tag_names": sorted(kb.by_tag, key=str.casefold),
            "postmortems_dir": kb.config.postmortems_dir,
        }

    def _page_postmortem(self, pm_id: str) -> dict[str, Any]:
        kb = self.kb
        pm = kb.postmortems[pm_id]
        similar = [
            SimilarRow(self.incident(suggestion.id), suggestion.score, tuple(suggestion.shared))
            for suggestion in kb.similar(pm_id)
        ]
        return {
            "pm": PostmortemView(
                **_incident_fields(pm_id, pm, kb.excerpts[pm_id].root_cause),
                detected_at=pm.detected_at,
                mitigated_at=pm.mitigated_at,
                resolved_at=pm.resolved_at,
                time_to_detect=pm.time_to_detect,
                time_to_mitigate=pm.time_to_mitigate,
                authors=tuple(pm.authors),
            ),
            "action_items": [self.action(pm_id, item, item.is_overdue(kb.today)) for item in pm.action_items],
            "related": self.incidents(kb.related.get(pm_id, [])),
            "similar": similar,
            "runbooks": self.runbooks(rb_id for rb_id in dict.fromkeys(pm.runbooks) if rb_id in kb.runbooks),
        }

    def _page_runbooks(self, subject: str, part: int) -> dict[str, Any]:
        window, shown = self._window("runbooks", subject, part)
        runbooks = self.runbooks(list(self.kb.runbooks)[window])
        return {"runbooks": runbooks, "runbooks_dir": self.kb.config.runbooks_dir, "pager": shown}

    def _page_runbook(self, rb_id: str) -> dict[str, Any]:
        return {"rb": self.runbook(rb_id), "incidents": self.incidents(self.kb.cited_by.get(rb_id, []))}

    def _page_services(self, subject: str) -> dict[str, Any]:
        kb = self.kb
        rows = []
        for service in kb.services:
            incidents = kb.by_service.get(service, [])
            rows.append(
                ServiceRow(
                    name=service,
                    incident_count=len(incidents),
                    last_incident=self.incident(incidents[0]) if incidents else None,
                    open_action_items=len(self._open_rows_by_service.get(service, ())),
                    runbook_count=len(kb.runbooks_by_service.get(service, [])),
                )
            )
        return {"services": rows}

    def _page_service(self, service: str, part: int) -> dict[str, Any]:
        kb = self.kb
        window, shown = self._window("service", service, part)
        # A split page shows its own incidents with their lessons and open action items.
        incident_ids = kb.by_service.get(service, [])[window]
        open_rows = self._open_rows_by_service.get(service, [])
        return {
            "service": service,
            "incidents": self.incidents(incident_ids),
            "lessons": [
                LessonRow(text, self.incident(pm_id)) for pm_id, text in reports.lesson_texts(kb, incident_ids)
            ],
            "open_actions": [
                self.action(row.postmortem_id, row.item, row.overdue)
                for row in self._open_rows_by_part(service).get(part, [])
            ],
            "open_action_count": len(open_rows),
            "runbooks": self.runbooks(kb.runbooks_by_service.get(service, [])),
            "pager": shown,
        }

    def _page_severities(self, subject: str) -> dict[str, Any]:
        return {"severity_rows": self.severity_rows}

    def _page_severity(self, level: str, part: int) -> dict[str, Any]:
        rows = {row.level: row for row in self.severity_rows}
        window, shown = self._window("severity", level, part)
        return {
            "severity": rows.get(level) or SeverityRow(level, 0, None, None, None),
            "incidents": self.incidents(self.kb.by_severity.get(level, [])[window]),
            "pager": shown,
        }

    def _page_tags(self, subject: str) -> dict[str, Any]:
        kb = self.kb
        return {
            "tags": [
                TagRow(name, len(kb.by_tag.get(name, [])), len(kb.runbooks_by_tag.get(name, []))) for name in kb.tags
            ],
            "postmortem_count": len(kb.postmortems),
        }

    def _page_tag(self, tag: str, part: int) -> dict[str, Any]:
        window, shown = self._window("tag", tag, part)
        return {
            "tag": tag,
            "incidents": self.incidents(self.kb.by_tag.get(tag, [])[window]),
            "runbooks": self.runbooks(self.kb.runbooks_by_tag.get(tag, [])),
            "pager": shown,
        }

    def _page_timeline(self, subject: str, part: int) -> dict[str, Any]:
        window, shown = self._window("timeline", subject, part)
        years: dict[int, dict[int, list[str]]] = {}
        for pm_id in list(self.kb.postmortems)[window]:
            pm = self.kb.postmortems[pm_id]
            started = pm.started_at.astimezone(UTC)
            years.setdefault(started.year, {}).setdefault(started.month, []).append(pm_id)
        return {
            "years": [
                TimelineYear(
                    year=f"{year:04d}",
                    months=tuple(
                        TimelineMonth(
                            f"{year:04d}-{month:02d}",
                            f"{MONTH_NAMES[month - 1]} {year:04d}",
                            tuple(self.incidents(ids)),
                        )
                        for month, ids in months.items()
                    ),
                )
                for year, months in years.items()
            ],
            "pager": shown,
        }

    @cached_property
    def _action_sections(self) -> list[tuple[str, str, list[ActionRow]]]:
        rows = self._action_rows
        return [
            ("overdue", "Overdue", [view for _, view in rows if view.overdue]),
            ("open", "Open", [view for row, view in rows if row.item.is_open and not view.overdue]),
            ("closed", "Done or won't do", [view for row, view in rows if not row.item.is_open]),
        ]

    def _page_actions(self, subject: str, part: int) -> dict[str, Any]:
        sections = self._action_sections
        _, shown = self._window("actions", subject, part)
        windows = section_windows([len(section) for _, _, section in sections], self.kb.config.list_page_size, part)
        groups = [
            ActionGroup(key, title, tuple(section[window]), len(section), first_page)
            for (key, title, section), (window, first_page) in zip(sections, windows, strict=True)
        ]
        return {"groups": groups, "pager": shown}

    def _page_alerts(self, subject: str) -> dict[str, Any]:
        by_alert: dict[str, list[str]] = defaultdict(list)
        for rb_id, runbook in self.kb.runbooks.items():
            for alert in dict.fromkeys(runbook.alerts):
                by_alert[alert].append(rb_id)
        names = sorted(by_alert, key=lambda name: (name.casefold(), name))
        return {"alerts": [AlertRow(name, tuple(self.runbooks(by_alert[name]))) for name in names]}


def _incident_fields(pm_id: str, pm: Postmortem, root_cause: str) -> dict[str, Any]:
    return {
        "id": pm_id,
        "title": pm.title,
        "severity": pm.severity,
        "status": pm.status,
        "type": pm.type,
        "started_at": pm.started_at,
        "duration": pm.duration,
        "services": tuple(pm.services),
        "tags": tuple(pm.tags),
        "category": pm.category,
        "impact": pm.impact,
        "root_cause": root_cause,
    }

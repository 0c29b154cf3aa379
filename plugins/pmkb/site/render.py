"""Page content from Jinja2 templates: the data each page shows, and its HTML.

Templates live in the package (`site/templates/`) and can be overridden the way
Material's are: a file of the same name in `<theme.custom_dir>/pmkb/` wins, and can
extend the original as `pmkb/<name>`. Autoescape is on everywhere, so every value
from front matter is escaped wherever a template puts it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from pmkb import reports
from pmkb.index import KnowledgeBase, SlugMap
from pmkb.model import Postmortem
from pmkb.site.chart import incidents_chart
from pmkb.site.links import Links
from pmkb.site.pages import PageSpec

TEMPLATES = Path(__file__).parent / "templates"
# Severity colours come in five steps; less severe levels share the last one.
_COLOUR_STEPS = 5
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def template_environment(override_dirs: Iterable[Path]) -> Environment:
    package = FileSystemLoader(str(TEMPLATES))
    loader = ChoiceLoader(
        [*(FileSystemLoader(str(folder)) for folder in override_dirs), package, PrefixLoader({"pmkb": package})]
    )
    env = Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters.update(utc=utc, utc_time=utc_time, iso=iso, minutes=reports.format_minutes, day=day)
    return env


def utc(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def utc_time(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%H:%M UTC") if moment else "—"


def iso(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def day(moment: datetime | date | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(timezone.utc).date().isoformat() if isinstance(moment, datetime) else moment.isoformat()


@dataclass(frozen=True)
class Similar:
    id: str
    postmortem: Postmortem
    shared: tuple[str, ...]  # what it has in common, for the reader to judge the suggestion


@dataclass(frozen=True)
class RecurringGroup:
    """Recurrences of one category over the same incidents, whatever services they touched."""

    services: tuple[str, ...]
    category: str
    incidents: tuple[str, ...]  # oldest first, as reports.recurring gives them
    first: date | None
    last: date | None


def group_recurrences(found: Iterable[reports.Recurrence]) -> list[RecurringGroup]:
    # One incident touching three services is one recurring problem, not three rows saying the same.
    groups: dict[tuple[str, tuple[str, ...]], list[reports.Recurrence]] = {}
    for recurrence in found:
        groups.setdefault((recurrence.category, recurrence.incidents), []).append(recurrence)
    return [
        RecurringGroup(
            services=tuple(item.service for item in members),
            category=category,
            incidents=incidents,
            first=members[0].first,
            last=members[0].last,
        )
        for (category, incidents), members in groups.items()
    ]


class Renderer:
    """Renders the content of every generated page; figures come from pmkb.reports."""

    def __init__(self, kb: KnowledgeBase, links: Links, env: Environment, site_name: str) -> None:
        self.kb = kb
        self.links = links
        self.env = env
        self.site_name = site_name

    # Figures shared by several pages, computed once per build ----------------------

    @cached_property
    def action_rows(self) -> list[reports.ActionRow]:
        return reports.action_rows(self.kb)

    @cached_property
    def open_items_by_service(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for row in self.action_rows:
            if row.item.is_open:
                counts.update(set(self.kb.postmortems[row.postmortem_id].services))
        return counts

    @cached_property
    def duration_stats(self) -> dict[str, dict[str, reports.DurationStats]]:
        return reports.duration_stats(self.kb)

    @cached_property
    def alert_slugs(self) -> SlugMap:
        return SlugMap(alert for runbook in self.kb.runbooks.values() for alert in runbook.alerts)

    @cached_property
    def runbooks_by_tag(self) -> dict[str, list[str]]:
        tagged: dict[str, list[str]] = defaultdict(list)
        for rb_id, runbook in self.kb.runbooks.items():
            for tag in dict.fromkeys(runbook.tags):
                tagged[tag].append(rb_id)
        return tagged

    # Rendering ----------------------------------------------------------------------

    def render(self, template: str, spec: PageSpec, file: File, **extra: Any) -> str:
        try:
            return self.env.get_template(template).render(self.context(spec, file), **extra)
        except TemplateError as exc:
            # Most likely an override in <custom_dir>/pmkb/: name the template and the page.
            where = f"{exc.filename}:{exc.lineno}: " if isinstance(exc, TemplateSyntaxError) else ""
            raise PluginError(f"pmkb template {template!r} for {file.src_uri}: {where}{exc}") from exc

    def context(self, spec: PageSpec, file: File) -> dict[str, Any]:
        kb = self.kb

        def url(kind: str, subject: str = "", fragment: str = "") -> str:
            return self.links.url(file, kind, subject, fragment)

        def has_page(kind: str, subject: str = "") -> bool:
            return self.links.has(kind, subject)

        def severity_colour(level: str) -> int:
            return min(kb.config.severity_rank(level), _COLOUR_STEPS - 1)

        context: dict[str, Any] = {
            "kb": kb,
            "page_spec": spec,
            "site_name": self.site_name,
            "today": kb.today,
            "severities": list(kb.config.severities),
            "url": url,
            "has_page": has_page,
            "severity_colour": severity_colour,
            "alert_anchor": lambda alert: "alert-" + self.alert_slugs[alert],
            "is_stale": kb.is_stale,
            "review_due": kb.runbook_review_due,
        }
        builder = getattr(self, f"_context_{spec.kind}", None)
        if builder is not None:
            context.update(builder(spec))
        return context

    def _context_postmortem(self, spec: PageSpec) -> dict[str, Any]:
        kb = self.kb
        pm_id = spec.subject
        pm = kb.postmortems[pm_id]
        similar = [
            Similar(incident.id, kb.postmortems[incident.id], incident.shared) for incident in kb.similar_incidents(pm_id)
        ]
        return {
            "id": pm_id,
            "pm": pm,
            "items": [(item, item.is_overdue(kb.today)) for item in pm.action_items],
            "related": [(other, kb.postmortems[other]) for other in kb.related.get(pm_id, [])],
            "similar": similar,
            "runbooks": [(rb_id, kb.runbooks[rb_id]) for rb_id in dict.fromkeys(pm.runbooks) if rb_id in kb.runbooks],
        }

    def _context_runbook(self, spec: PageSpec) -> dict[str, Any]:
        kb = self.kb
        rb_id = spec.subject
        runbook = kb.runbooks[rb_id]
        return {
            "id": rb_id,
            "rb": runbook,
            "stale": kb.is_stale(runbook),
            "due": kb.runbook_review_due(runbook),
            "incidents": list(kb.cited_by.get(rb_id, [])),
        }

    def _context_dashboard(self, spec: PageSpec) -> dict[str, Any]:
        kb = self.kb
        open_rows = [row for row in self.action_rows if row.item.is_open]
        return {
            "total": len(kb.postmortems),
            "counts": reports.severity_counts(kb),
            "recent": list(kb.postmortems)[: kb.config.dashboard_recent],
            "stats": self.duration_stats,
            "chart": incidents_chart(reports.incidents_per_month(kb), kb.config.severities),
            "open_rows": open_rows,
            "overdue_rows": [row for row in open_rows if row.overdue],
            "stale": [rb_id for rb_id, runbook in kb.runbooks.items() if kb.is_stale(runbook)],
            "recurring": group_recurrences(reports.recurring(kb)),
        }

    def _context_postmortems(self, spec: PageSpec) -> dict[str, Any]:
        kb = self.kb
        return {
            "ids": list(kb.postmortems),
            "services": sorted(kb.by_service, key=str.casefold),
            "tags": sorted(kb.by_tag, key=str.casefold),
        }

    def _context_runbooks(self, spec: PageSpec) -> dict[str, Any]:
        return {"ids": list(self.kb.runbooks)}

    def _context_services(self, spec: PageSpec) -> dict[str, Any]:
        kb = self.kb
        return {
            "services": kb.services,
            "open_items": self.open_items_by_service,
        }

    def _context_service(self, spec: PageSpec) -> dict[str, Any]:
        kb = self.kb
        service = spec.subject
        return {
            "service": service,
            "incidents": list(kb.by_service.get(service, [])),
            "runbook_ids": list(kb.runbooks_by_service.get(service, [])),
            "rows": [row for row in reports.action_rows(kb, services=[service]) if row.item.is_open],
        }

    def _context_severities(self, spec: PageSpec) -> dict[str, Any]:
        return {"counts": reports.severity_counts(self.kb), "stats": self.duration_stats}

    def _context_severity(self, spec: PageSpec) -> dict[str, Any]:
        level = spec.subject
        return {
            "level": level,
            "incidents": list(self.kb.by_severity.get(level, [])),
            "level_stats": self.duration_stats.get(level, {}),
        }

    def _context_tags(self, spec: PageSpec) -> dict[str, Any]:
        kb = self.kb
        return {"tags": sorted(kb.by_tag, key=lambda tag: (tag.casefold(), tag))}

    def _context_tag(self, spec: PageSpec) -> dict[str, Any]:
        tag = spec.subject
        return {
            "tag": tag,
            "incidents": list(self.kb.by_tag.get(tag, [])),
            "runbook_ids": list(self.runbooks_by_tag.get(tag, [])),
        }

    def _context_timeline(self, spec: PageSpec) -> dict[str, Any]:
        years: dict[str, dict[str, list[str]]] = {}
        for pm_id, pm in self.kb.postmortems.items():
            started = pm.started_at.astimezone(timezone.utc)
            months = years.setdefault(f"{started.year:04d}", {})
            months.setdefault(f"{started.year:04d}-{started.month:02d}", []).append(pm_id)
        return {"years": years, "month_name": lambda month: f"{_MONTHS[int(month[5:]) - 1]} {month[:4]}"}

    def _context_actions(self, spec: PageSpec) -> dict[str, Any]:
        rows = self.action_rows
        return {
            "groups": [
                ("overdue", "Overdue", [row for row in rows if row.overdue]),
                ("open", "Open", [row for row in rows if row.item.is_open and not row.overdue]),
                ("closed", "Done or won't do", [row for row in rows if not row.item.is_open]),
            ],
        }

    def _context_alerts(self, spec: PageSpec) -> dict[str, Any]:
        by_alert: dict[str, list[str]] = defaultdict(list)
        for rb_id, runbook in self.kb.runbooks.items():
            for alert in dict.fromkeys(runbook.alerts):
                by_alert[alert].append(rb_id)
        return {"alerts": sorted(by_alert.items(), key=lambda item: (item[0].casefold(), item[0]))}

"""A draft postmortem from incident data, written through the `postmortem.md.j2` scaffold.

This is the command layer over the readers: it knows the configuration and the
scaffold; the readers know only JSON.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pmkb.config import KBConfig
from pmkb.incidents import Incident, read_incident
from pmkb.scaffold import POSTMORTEM_ORDER, _sections, render, slugify_title
from pmkb.times import iso_utc

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")
_LINE_BREAKS = re.compile(r"\s*(?:\r\n|\r|\n)\s*")


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def plain_text(text: str) -> str:
    """Text from a tool shown as text: no HTML, no Markdown syntax taking effect."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def table_cell(text: str) -> str:
    """One table cell: a `|` cannot end the cell and a newline cannot end the row."""
    return "<br>".join(plain_text(line) for line in _LINE_BREAKS.split(text.strip()))


LIFECYCLE_ROWS = {
    "started_at": "Impact starts",
    "detected_at": "Detected",
    "mitigated_at": "Mitigated",
    "resolved_at": "Resolved",
}


def timeline_events(incident: Incident) -> list[tuple[datetime, str]]:
    """The incident's events by time; without any, its lifecycle timestamps as rows."""
    if incident.events:
        return [(event.time, event.text) for event in incident.timeline()]
    moments = [(getattr(incident, name), label) for name, label in LIFECYCLE_ROWS.items()]
    return sorted(((moment, label) for moment, label in moments if moment is not None), key=lambda row: row[0])


def _paragraphs(text: str) -> str:
    return "\n".join(plain_text(line.rstrip()) for line in text.strip().splitlines())


@dataclass(frozen=True)
class DraftRequest:
    """What the command line says on top of the incident data."""

    source: Path
    source_format: str | None = None
    log_entries: Path | None = None
    title: str | None = None
    severity: str | None = None
    services: Sequence[str] = ()


def draft_context(incident: Incident, config: KBConfig, request: DraftRequest) -> dict[str, Any]:
    start = incident.start
    title = (request.title or incident.title).strip()
    prose: dict[str, str] = {}
    summary = _paragraphs(incident.summary) if incident.summary else ""
    if incident.url and re.match(r"^https?://[^\s<>]+$", incident.url):
        summary += ("\n\n" if summary else "") + f"Incident record: <{incident.url}>"
    if summary:
        prose["summary"] = summary
    if incident.impact:
        prose["impact"] = _paragraphs(incident.impact)
    lifecycle = [
        (name, iso_utc(getattr(incident, name)) if getattr(incident, name) else None)
        for name in ("detected_at", "mitigated_at", "resolved_at")
    ]
    return {
        "title": title,
        "severity": request.severity or incident.severity or config.severities[-1],
        "severities": config.severities,
        "categories": config.categories,
        "services": list(request.services) or incident.services or ["unassigned"],
        "tags": incident.tags,
        "impact": " ".join(incident.impact.split()) if incident.impact else None,
        "started_at": iso_utc(start),
        "lifecycle": lifecycle,
        "time": start.strftime("%H:%M"),
        "example_due": (start.date() + timedelta(days=30)).isoformat(),
        "timeline": [(utc_text(moment), table_cell(text)) for moment, text in timeline_events(incident)],
        "prose": prose,
        "sections": _sections(config.required_sections + config.recommended_sections, POSTMORTEM_ORDER),
    }


def draft_path(config: KBConfig, incident: Incident, title: str) -> Path:
    day = incident.start.date()
    return config.postmortems_path / str(day.year) / f"{day.isoformat()}-{slugify_title(title)}.md"


def build_draft(config: KBConfig, request: DraftRequest) -> tuple[Path, str, str]:
    """The path, the Markdown and the format the data was read as; raises IncidentError."""
    incident, source_format = read_incident(
        request.source, config.severities, request.source_format, request.log_entries
    )
    context = draft_context(incident, config, request)
    return draft_path(config, incident, context["title"]), render("postmortem", config, context), source_format

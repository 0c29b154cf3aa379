"""PagerDuty: an incident and its log entries as the REST API v2 returns them.

    GET /incidents/{id}              -> {"incident": {...}}
    GET /incidents/{id}/log_entries  -> {"log_entries": [...], "limit": ..., ...}

Either one file holding both keys (merge the two responses), or the incident file
plus `--log-entries FILE`. Without log entries the timeline has only the trigger
and, for a resolved incident, the resolution.

Trigger, acknowledge, annotate (notes), escalate and resolve entries become timeline
rows; notifications and assignments are left out as noise. The first trigger is
`started_at` and `detected_at` (PagerDuty knows nothing earlier); the last resolve is
`resolved_at`. PagerDuty has no "mitigated" state, so `mitigated_at` stays for the
author to fill in.

Severity: the priority P1, P2, P3... maps to the first, second, third... configured
severity (deeper priorities to the least severe); without a priority, high urgency
maps to the second level and low urgency to the third. `--severity` overrides both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pmkb.incidents.model import Incident, IncidentError, json_path
from pmkb.incidents.reading import Reader, build_incident, load_json, severity_at
from pmkb.index import slugify

# The log entry kinds that become timeline rows, with the words for an entry without a summary.
TIMELINE_ENTRY_KINDS = {
    "trigger": "Triggered",
    "acknowledge": "Acknowledged",
    "annotate": "Note added",
    "escalate": "Escalated",
    "resolve": "Resolved",
}
URGENCY_RANK = {"high": 1, "low": 2}
_PRIORITY = re.compile(r"^\s*P(\d+)\b", re.IGNORECASE)
_NUMBER_PREFIX = re.compile(r"^\[#\d+\]\s*")


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("incident") or data.get("log_entries"), (dict, list))


def _entry_kind(entry_type: str) -> str:
    # "trigger_log_entry" and its "_reference" form both name the kind "trigger".
    return entry_type.removesuffix("_reference").removesuffix("_log_entry")


def _mapping(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (PagerDuty omits or nulls them)."""
    return value if isinstance(value, dict) else {}


def _entry_text(kind: str, entry: dict[str, Any], reader: Reader, path: str) -> str:
    summary = reader.text(entry, "summary", path)
    agent = _mapping(entry.get("agent"))
    who = agent.get("summary") if isinstance(agent.get("summary"), str) else None
    if kind == "annotate":
        channel = _mapping(entry.get("channel"))
        note = channel.get("summary") or entry.get("note")
        if isinstance(note, str) and note.strip():
            return f"Note from {who}: {note.strip()}" if who else f"Note: {note.strip()}"
    if kind == "trigger":
        details = _mapping(entry.get("event_details"))
        description = details.get("description")
        if isinstance(description, str) and description.strip():
            return f"{(summary or 'Triggered').rstrip('.')}: {description.strip()}"
    return summary or TIMELINE_ENTRY_KINDS[kind] + (f" by {who}" if who else "")


def _log_entries(reader: Reader, entries: list[Any], path: str) -> list[tuple[str, datetime, str]]:
    rows = []
    for number, raw in enumerate(entries):
        where = json_path(path, number)
        entry = reader.mapping(raw, where)
        kind = _entry_kind(reader.text(entry, "type", where, required=True) or "")
        if kind not in TIMELINE_ENTRY_KINDS:
            continue
        moment = reader.time(entry, "created_at", where, required=True)
        assert moment is not None
        rows.append((kind, moment, _entry_text(kind, entry, reader, where)))
    return rows


def _severity(reader: Reader, incident: dict[str, Any], severities: Sequence[str]) -> str | None:
    priority = incident.get("priority")
    if isinstance(priority, dict):
        label = reader.text(priority, "summary", "$.incident.priority") or reader.text(
            priority, "name", "$.incident.priority"
        )
        match = _PRIORITY.match(label or "")
        if match:
            return severity_at(severities, int(match.group(1)) - 1)
    urgency = reader.text(incident, "urgency", "$.incident")
    if urgency and urgency.lower() in URGENCY_RANK:
        return severity_at(severities, URGENCY_RANK[urgency.lower()])
    return None


def read(file: Path, data: Any, severities: Sequence[str], log_entries_file: Path | None = None) -> Incident:
    reader = Reader(file)
    top = reader.mapping(data, "$")
    if "incident" not in top:
        raise reader.fail("$.incident", "missing: give the incident as GET /incidents/{id} returns it")
    incident = reader.mapping(top["incident"], "$.incident")
    title = reader.text(incident, "title", "$.incident") or reader.text(incident, "summary", "$.incident")
    if title is None:
        raise reader.fail("$.incident.title", "missing; it is required")

    entries: list[tuple[str, datetime, str]] = []
    if "log_entries" in top:
        entries += _log_entries(reader, reader.array(top["log_entries"], "$.log_entries"), "$.log_entries")
    if log_entries_file is not None:
        other = Reader(log_entries_file)
        loaded = other.mapping(load_json(log_entries_file), "$")
        if "log_entries" not in loaded:
            raise IncidentError.one(
                log_entries_file,
                "missing: give the log entries as GET /incidents/{id}/log_entries returns them",
                "$.log_entries",
            )
        entries += _log_entries(other, other.array(loaded["log_entries"], "$.log_entries"), "$.log_entries")

    created = reader.time(incident, "created_at", "$.incident")
    triggers = [moment for kind, moment, _ in entries if kind == "trigger"]
    started = min(triggers) if triggers else created
    if started is None:
        raise reader.fail("$.incident.created_at", "missing, and no trigger log entry gives the start")
    resolves = [moment for kind, moment, _ in entries if kind == "resolve"]
    resolved = max(resolves) if resolves else None
    if resolved is None and (reader.text(incident, "status", "$.incident") or "") == "resolved":
        resolved = reader.time(incident, "resolved_at", "$.incident") or reader.time(
            incident, "last_status_change_at", "$.incident"
        )

    events = [{"time": moment.isoformat(), "text": text} for _, moment, text in entries]
    if not triggers:
        events.append({"time": started.isoformat(), "text": "Incident triggered"})
    if resolved is not None and not resolves:
        events.append({"time": resolved.isoformat(), "text": "Incident resolved"})

    service = _mapping(incident.get("service"))
    service_name = service.get("summary") if isinstance(service.get("summary"), str) else None
    description = reader.text(incident, "description", "$.incident")
    return build_incident(
        file,
        {
            "title": _NUMBER_PREFIX.sub("", title),
            "severity": _severity(reader, incident, severities),
            "services": [slugify(service_name)] if service_name and service_name.strip() else [],
            "summary": description if description and description != title else None,
            "url": reader.text(incident, "html_url", "$.incident"),
            "started_at": started.isoformat(),
            "detected_at": started.isoformat(),
            "resolved_at": resolved.isoformat() if resolved else None,
            "events": events,
        },
    )

"""Incident data from paging and alerting tools, read into one `Incident` for a draft.

One module per source format; each offers `looks_like(data)` for detection and
`read(file, data, severities)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pmkb.incidents import alertmanager, generic, pagerduty
from pmkb.incidents.model import Incident, IncidentError, IncidentEvent, incident_schema
from pmkb.incidents.reading import load_json

__all__ = ["FORMATS", "Incident", "IncidentError", "IncidentEvent", "detect_format", "incident_schema", "read_incident"]

# Detection tries these in order: the generic format last, as its keys are the most common.
_DETECTORS: dict[str, Callable[[Any], bool]] = {
    "pagerduty": pagerduty.looks_like,
    "alertmanager": alertmanager.looks_like,
    "generic": generic.looks_like,
}
FORMATS = ("generic", "pagerduty", "alertmanager")


def detect_format(file: Path, data: Any) -> str:
    for name, looks_like in _DETECTORS.items():
        if looks_like(data):
            return name
    raise IncidentError.one(
        file,
        'cannot tell the format: expected the generic format (an object with "title", "events", '
        '"started_at"; see `pmkb schema incident`), PagerDuty ({"incident": ...}) or Alertmanager webhook payloads '
        '({"alerts": [...], ...}); name it with --format',
    )


def read_incident(
    file: Path, severities: Sequence[str], source_format: str | None = None, log_entries: Path | None = None
) -> tuple[Incident, str]:
    """The incident in `file` and the format it was read as."""
    data = load_json(file)
    chosen = source_format or detect_format(file, data)
    if log_entries is not None and chosen != "pagerduty":
        raise IncidentError.one(log_entries, f"--log-entries belongs to the pagerduty format, not {chosen}")
    if chosen == "pagerduty":
        return pagerduty.read(file, data, severities, log_entries), chosen
    if chosen == "alertmanager":
        return alertmanager.read(file, data, severities), chosen
    if chosen == "generic":
        return generic.read(file, data, severities), chosen
    raise IncidentError.one(file, f"unknown format {chosen!r}: use one of {', '.join(FORMATS)}")

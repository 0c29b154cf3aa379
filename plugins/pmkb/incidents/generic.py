"""The generic format: an `Incident` as JSON (`pmkb schema incident` prints its schema).

{
  "title": "Checkout errors after a connection pool change",
  "severity": "SEV-2",
  "services": ["checkout-api", "order-db"],
  "impact": "4.1% of checkouts failed for 49 minutes",
  "summary": "A pool size change exhausted order-db connections.",
  "started_at": "2024-03-12T11:52:00Z",
  "detected_at": "2024-03-12T11:58:00Z",
  "mitigated_at": "2024-03-12T12:41:00Z",
  "resolved_at": "2024-03-12T14:30:00Z",
  "events": [{"time": "2024-03-12T11:58:00Z", "text": "CheckoutErrorRate pages on-call"}]
}
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pmkb.incidents.model import Incident, IncidentError
from pmkb.incidents.reading import Reader, build_incident


def looks_like(data: Any) -> bool:
    # Any of its main keys: a file missing the others then gets the generic format's errors.
    return isinstance(data, dict) and any(key in data for key in ("title", "events", "started_at"))


def read(file: Path, data: Any, severities: Sequence[str]) -> Incident:
    fields = dict(Reader(file).mapping(data, "$"))
    fields.pop("$schema", None)  # editors find the schema through it
    incident = build_incident(file, fields)
    if incident.severity is not None and incident.severity not in severities:
        raise IncidentError.one(
            file, f"severity {incident.severity!r} is not one of {', '.join(severities)}", "$.severity"
        )
    return incident

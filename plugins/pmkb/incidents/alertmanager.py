"""Prometheus Alertmanager: the webhook receiver's JSON payloads (version 4).

One payload, or an array of the payloads one alert group sent (a firing
notification, then the resolved one), as a webhook receiver logs them. Alerts are
told apart by `fingerprint` (else by their labels); the latest payload tells each
alert's status.

Each alert's `startsAt` becomes a "firing" row and, once resolved, its `endsAt` a
"resolved" row. The earliest `startsAt` is `started_at` and `detected_at` (the alert
is how it was detected); when every alert is resolved, the latest `endsAt` is
`resolved_at`. The title is `commonAnnotations.summary` (else `title`, else the
alert name); the description becomes the summary; services come from the alerts'
`service` label (else `job`). Severity: the most severe `severity` label among the
alerts: critical or page -> the first configured level, error, high or warning -> the
second, anything else -> the third. `--severity` overrides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pmkb.incidents.model import Incident, json_path
from pmkb.incidents.reading import Reader, build_incident, severity_at
from pmkb.index import slugify

SEVERITY_RANK = {"critical": 0, "page": 0, "error": 1, "high": 1, "warning": 1}
LEAST_SEVERE_RANK = 2
SERVICE_LABELS = ("service", "job")


def looks_like(data: Any) -> bool:
    first = data[0] if isinstance(data, list) and data else data
    return (
        isinstance(first, dict)
        and isinstance(first.get("alerts"), list)
        and ("groupKey" in first or "receiver" in first)
    )


@dataclass
class _Alert:
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    status: str


def _strings(reader: Reader, value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    mapping = reader.mapping(value, path)
    return {str(key): str(item) for key, item in mapping.items() if isinstance(item, (str, int, float))}


def _alerts(reader: Reader, payloads: list[dict[str, Any]], roots: list[str]) -> dict[str, _Alert]:
    alerts: dict[str, _Alert] = {}
    for payload, root in zip(payloads, roots, strict=False):
        for number, raw in enumerate(reader.array(payload.get("alerts"), json_path(root, "alerts"))):
            where = json_path(root, "alerts", number)
            alert = reader.mapping(raw, where)
            labels = _strings(reader, alert.get("labels"), json_path(where, "labels"))
            starts_at = reader.time(alert, "startsAt", where, required=True)
            assert starts_at is not None
            status = reader.text(alert, "status", where) or "firing"
            # A firing alert's endsAt is a zero time or a timeout, not an end.
            ends_at = reader.time(alert, "endsAt", where) if status == "resolved" else None
            key = reader.text(alert, "fingerprint", where) or repr(sorted(labels.items()))
            earlier = alerts.get(key)
            alerts[key] = _Alert(
                labels=labels,
                annotations=_strings(reader, alert.get("annotations"), json_path(where, "annotations")),
                starts_at=min(starts_at, earlier.starts_at) if earlier else starts_at,
                ends_at=ends_at,
                status=status,
            )
    return alerts


def _describe(alert: _Alert) -> str:
    name = alert.labels.get("alertname", "alert")
    where = alert.labels.get("instance") or alert.labels.get("pod")
    return f"{name}" + (f" on {where}" if where else "")


def read(file: Path, data: Any, severities: Sequence[str]) -> Incident:
    reader = Reader(file)
    if isinstance(data, list):
        if not data:
            raise reader.fail("$", "an empty array: expected Alertmanager webhook payloads")
        payloads = [reader.mapping(item, json_path("$", number)) for number, item in enumerate(data)]
        roots = [json_path("$", number) for number in range(len(data))]
    else:
        payloads, roots = [reader.mapping(data, "$")], ["$"]
    alerts = _alerts(reader, payloads, roots)
    if not alerts:
        raise reader.fail(json_path(roots[-1], "alerts"), "no alerts: nothing to build a timeline from")

    latest, latest_root = payloads[-1], roots[-1]
    annotations = _strings(reader, latest.get("commonAnnotations"), json_path(latest_root, "commonAnnotations"))
    common_labels = _strings(reader, latest.get("commonLabels"), json_path(latest_root, "commonLabels"))
    group_labels = _strings(reader, latest.get("groupLabels"), json_path(latest_root, "groupLabels"))
    title = (
        annotations.get("summary")
        or annotations.get("title")
        or common_labels.get("alertname")
        or group_labels.get("alertname")
    )
    if not title or not title.strip():
        raise reader.fail(
            json_path(latest_root, "commonAnnotations", "summary"),
            "missing, and no common alertname to use as the title",
        )

    events = []
    for alert in alerts.values():
        detail = alert.annotations.get("summary")
        firing = f"{_describe(alert)} firing" + (f": {detail}" if detail and detail != title else "")
        events.append({"time": alert.starts_at.isoformat(), "text": firing})
        if alert.ends_at is not None:
            events.append({"time": alert.ends_at.isoformat(), "text": f"{_describe(alert)} resolved"})

    started = min(alert.starts_at for alert in alerts.values())
    ends = [alert.ends_at for alert in alerts.values()]
    resolved = max(end for end in ends if end) if all(ends) else None
    ranks = [
        SEVERITY_RANK.get(alert.labels["severity"].lower(), LEAST_SEVERE_RANK)
        for alert in alerts.values()
        if "severity" in alert.labels
    ]
    services = [
        slugify(value)
        for alert in alerts.values()
        for value in [next((alert.labels[label] for label in SERVICE_LABELS if alert.labels.get(label)), "")]
        if value.strip()
    ]
    return build_incident(
        file,
        {
            "title": title.strip(),
            "severity": severity_at(severities, min(ranks)) if ranks else None,
            "services": list(dict.fromkeys(services)),
            "summary": annotations.get("description") or None,
            "url": reader.text(latest, "externalURL", latest_root),
            "started_at": started.isoformat(),
            "detected_at": started.isoformat(),
            "resolved_at": resolved.isoformat() if resolved else None,
            "events": events,
        },
    )

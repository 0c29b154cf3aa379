"""PMKB007 timestamp-order."""

from __future__ import annotations

from datetime import datetime
from typing import Iterator

from pmkb.findings import Finding, finding
from pmkb.index import KnowledgeBase
from pmkb.validation import Entry


# (earlier, later): the later one must not come before the earlier one.
ORDER = (
    ("started_at", "detected_at"),
    ("started_at", "mitigated_at"),
    ("started_at", "resolved_at"),
    ("mitigated_at", "resolved_at"),
)


def instants(entry: Entry) -> dict[str, datetime]:
    """Each valid timestamp, even when another field of the file is invalid."""
    names = ("started_at", "detected_at", "mitigated_at", "resolved_at")
    return {name: entry.values[name] for name in names if isinstance(entry.values.get(name), datetime)}


def check(kb: KnowledgeBase) -> Iterator[Finding]:
    for entry in kb.entries:
        if entry.kind != "postmortem" or entry.source.data is None:
            continue
        times = instants(entry)
        for earlier, later in ORDER:
            if earlier in times and later in times and times[later] < times[earlier]:
                yield finding(
                    entry.path,
                    entry.source.line_of((later,)),
                    "PMKB007",
                    f"`{later}` ({_utc(times[later])}) is before `{earlier}` ({_utc(times[earlier])}); "
                    "check the date, the time and the timezone offset",
                )


def _utc(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M UTC")

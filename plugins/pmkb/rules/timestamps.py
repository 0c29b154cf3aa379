"""PMKB007 timestamp-order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from pmkb.config import KBConfig
from pmkb.findings import Finding, Rule
from pmkb.index import KnowledgeBase
from pmkb.times import utc_minute
from pmkb.validation import Entry

TIMESTAMP_ORDER = Rule(
    "PMKB007",
    "timestamp-order",
    "error",
    when="detected, mitigated or resolved before started, or resolved before mitigated",
    why="durations computed from misordered times are negative and skew every statistic",
    example="`started_at: 2024-03-05T14:00:00Z` and `detected_at: 2024-03-05T14:30:00+01:00` (13:30 UTC)",
)
RULES = (TIMESTAMP_ORDER,)

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


def check(kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]:
    return check_entries(kb.config, kb.entries_in_scope, enabled)


def check_entries(config: KBConfig, entries: Iterable[Entry], enabled: frozenset[str]) -> Iterator[Finding]:
    for entry in entries:
        if entry.kind != "postmortem" or entry.source.data is None:
            continue
        times = instants(entry)
        for earlier, later in ORDER:
            if earlier in times and later in times and times[later] < times[earlier]:
                yield TIMESTAMP_ORDER.finding(
                    entry.path,
                    entry.source.line_of((later,)),
                    f"`{later}` ({utc_minute(times[later])}) is before `{earlier}` ({utc_minute(times[earlier])}); "
                    "check the date, the time and the timezone offset",
                )

"""pmkb.reports: every figure of the fixture below is worked out by hand in the tests.

The fixture (today is 2026-11-23):

| id                                 | sev   | status | type      | services              | category | started (UTC)     | ttd  | ttm  | ttr   |
|------------------------------------|-------|--------|-----------|-----------------------|----------|-------------------|------|------|-------|
| 2024-01-10-checkout-db             | SEV-1 | final  | incident  | checkout-api          | database | 2024-01-10 10:00  | 5    | 30   | 120   |
| 2024-02-20-checkout-db-again       | SEV-2 | final  | incident  | checkout-api          | database | 2024-02-20 08:00  | 10   | 60   | 200   |
| 2024-03-01-payments-deploy         | SEV-2 | final  | incident  | payments              | deploy   | 2024-03-01 00:00  | 3    | 20   | 45    |
| 2024-04-01-search-near-miss        | SEV-3 | final  | near-miss | search                | capacity | 2024-04-01 01:30* | 0    | -    | 10    |
| 2024-05-10-checkout-db-third       | SEV-1 | final  | incident  | checkout-api          | database | 2024-05-10 12:00  | 15   | 90   | 1500  |
| 2024-05-31-payments-deploy-again   | SEV-3 | final  | incident  | payments              | deploy   | 2024-05-31 00:00  | 1    | 9    | 30    |
| 2024-06-15-search-capacity-draft   | SEV-2 | draft  | incident  | search                | capacity | 2024-06-15 10:00  | 1000 | 2000 | -     |
| 2024-08-05-config-push             | SEV-2 | review | incident  | checkout-api,payments | -        | 2024-08-05 09:00  | -    | 40   | 100.5 |

* written as 2024-03-31T23:30:00-02:00: March 31 in local time, April 1 in UTC.
"""

from __future__ import annotations

import statistics
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kb_helpers import postmortem, runbook
from pmkb import reports
from pmkb.reports import ActionRow, DurationStats, Recurrence, format_minutes, percentile

LONG_TITLE = (
    "Orders database failover stalled for a day while replicas rebuilt and the checkout API kept "
    "retrying every write against the old primary"
)


def _pm(
    title: str,
    severity: str,
    started: str,
    services: str,
    *,
    category: str | None = None,
    detected: str | None = None,
    mitigated: str | None = None,
    resolved: str | None = None,
    status: str = "final",
    type_: str = "incident",
    impact: str | None = None,
    items: str = "",
) -> str:
    lines = [
        f"title: {title}",
        f"severity: {severity}",
        f"status: {status}",
        f"type: {type_}",
        f"started_at: {started}",
    ]
    for key, value in (("detected_at", detected), ("mitigated_at", mitigated), ("resolved_at", resolved)):
        if value:
            lines.append(f"{key}: {value}")
    lines.append(f"services: [{services}]")
    if category:
        lines.append(f"category: {category}")
    if impact:
        lines.append(f"impact: {impact}")
    front = "\n".join(lines)
    if items:
        front += "\naction_items:\n" + items.strip("\n")
    return postmortem(front)


def _item(title: str, owner: str, priority: str, due: str, status: str = "open") -> str:
    return f"  - title: {title}\n    owner: {owner}\n    priority: {priority}\n    due: {due}\n    status: {status}\n"


FILES: dict[str, str | bytes] = {
    "postmortems/2024/2024-01-10-checkout-db.md": _pm(
        "Checkout pool exhausted",
        "SEV-1",
        "2024-01-10T10:00:00Z",
        "checkout-api",
        category="database",
        detected="2024-01-10T10:05:00Z",
        mitigated="2024-01-10T10:30:00Z",
        resolved="2024-01-10T12:00:00Z",
        impact="Checkout failed for 30 minutes.",
        items=_item("Add pool saturation alert", "team-db", "P1", "2024-02-01", "done")
        + _item("Shard the orders table", "Team-DB", "P0", "2026-12-31", "in-progress"),
    ),
    "postmortems/2024/2024-02-20-checkout-db-again.md": _pm(
        "Checkout pool exhausted again",
        "SEV-2",
        "2024-02-20T08:00:00Z",
        "checkout-api",
        category="database",
        detected="2024-02-20T08:10:00Z",
        mitigated="2024-02-20T09:00:00Z",
        resolved="2024-02-20T11:20:00Z",
        items=_item("Load test pool changes", "team-checkout", "P1", "2026-10-01"),
    ),
    "postmortems/2024/2024-03-01-payments-deploy.md": _pm(
        "Payments deploy broke refunds",
        "SEV-2",
        "2024-03-01T00:00:00Z",
        "payments",
        category="deploy",
        detected="2024-03-01T00:03:00Z",
        mitigated="2024-03-01T00:20:00Z",
        resolved="2024-03-01T00:45:00Z",
        items=_item("Gate deploys on canary", "team-payments", "P2", "2026-01-15", "wont-do"),
    ),
    "postmortems/2024/2024-04-01-search-near-miss.md": _pm(
        "Search index nearly full",
        "SEV-3",
        "2024-03-31T23:30:00-02:00",
        "search",
        category="capacity",
        detected="2024-03-31T23:30:00-02:00",
        resolved="2024-03-31T23:40:00-02:00",
        type_="near-miss",
    ),
    "postmortems/2024/2024-05-10-checkout-db-third.md": _pm(
        LONG_TITLE,
        "SEV-1",
        "2024-05-10T12:00:00Z",
        "checkout-api",
        category="database",
        detected="2024-05-10T12:15:00Z",
        mitigated="2024-05-10T13:30:00Z",
        resolved="2024-05-11T13:00:00Z",
        impact="Orders could not be placed for a day; " + "retries amplified load. " * 8,
        items=_item("Automate failover", "team-db", "P0", "2026-11-22")
        + _item("Document failover", "team-db", "P2", "2026-11-23"),
    ),
    "postmortems/2024/2024-05-31-payments-deploy-again.md": _pm(
        "Payments deploy broke receipts",
        "SEV-3",
        "2024-05-31T00:00:00Z",
        "payments",
        category="deploy",
        detected="2024-05-31T00:01:00Z",
        mitigated="2024-05-31T00:09:00Z",
        resolved="2024-05-31T00:30:00Z",
        items=_item("Alert on deploy error budget", "team-payments", "P2", "2026-01-15", "wont-do"),
    ),
    "postmortems/2024/2024-06-15-search-capacity-draft.md": _pm(
        "Search capacity (draft)",
        "SEV-2",
        "2024-06-15T10:00:00Z",
        "search",
        category="capacity",
        detected="2024-06-16T02:40:00Z",
        mitigated="2024-06-16T19:20:00Z",
        status="draft",
    ),
    "postmortems/2024/2024-08-05-config-push.md": _pm(
        "Config push broke checkout and payments",
        "SEV-2",
        "2024-08-05T09:00:00Z",
        "checkout-api, payments",
        mitigated="2024-08-05T09:40:00Z",
        resolved="2024-08-05T10:40:30Z",
        status="review",
        impact="5% of payments failed for 100 minutes.",
        items=_item("Review config diff tooling", "alice", "P1", "2026-11-01"),
    ),
    "runbooks/db-pool.md": runbook(
        """
        title: Database pool saturation
        services: [checkout-api]
        owner: team-db
        last_reviewed: 2026-06-01
        alerts: [DbPoolSaturated, DbConnectionsHigh]
        """
    ),
    "runbooks/checkout-rollback.md": runbook(
        """
        title: Checkout rollback
        services: [checkout-api, payments]
        owner: team-checkout
        last_reviewed: 2025-01-01
        alerts: [CheckoutErrorRate]
        """
    ),
    "runbooks/ledger-replay.md": runbook(
        """
        title: Ledger replay
        services: [ledger]
        owner: team-ledger
        last_reviewed: 2026-10-01
        """
    ),
}

P1, P2, P4, P7 = (
    "2024-01-10-checkout-db",
    "2024-02-20-checkout-db-again",
    "2024-03-01-payments-deploy",
    "2024-04-01-search-near-miss",
)
P3, P5, P6, P8 = (
    "2024-05-10-checkout-db-third",
    "2024-05-31-payments-deploy-again",
    "2024-06-15-search-capacity-draft",
    "2024-08-05-config-push",
)
SEVERITY_ORDER = ["SEV-1", "SEV-2", "SEV-3"]


@pytest.fixture
def checked(kb_factory):
    return kb_factory(FILES)


@pytest.fixture
def kb(checked):
    return checked.kb


def test_fixture_is_valid_and_loads_every_document(checked, kb):
    # Only the warnings the fixture means to have: three overdue items, one stale runbook.
    assert sorted(f.code for f in checked.findings) == ["PMKB010", "PMKB010", "PMKB010", "PMKB011"]
    assert list(kb.postmortems) == [P8, P6, P5, P3, P7, P4, P2, P1]
    assert len(kb.runbooks) == 3


# Selection and counts ------------------------------------------------------------------


def test_postmortems_since_compares_the_utc_date(kb):
    assert [pm_id for pm_id, _ in reports.postmortems_since(kb, None)] == [P8, P6, P5, P3, P7, P4, P2, P1]
    assert [pm_id for pm_id, _ in reports.postmortems_since(kb, date(2024, 5, 1))] == [P8, P6, P5, P3]
    # P7 started on March 31 local time (-02:00) but April 1 in UTC: UTC decides.
    assert P7 in dict(reports.postmortems_since(kb, date(2024, 4, 1)))
    assert P7 not in dict(reports.postmortems_since(kb, date(2024, 4, 2)))
    # since is inclusive: P3 started on 2024-05-10.
    assert [pm_id for pm_id, _ in reports.postmortems_since(kb, date(2024, 5, 10))] == [P8, P6, P5, P3]


def test_severity_counts_every_level_in_configured_order(kb):
    # SEV-1: P1, P3; SEV-2: P2, P4, P6 (draft counts), P8; SEV-3: P5, P7 (near-miss counts).
    assert reports.severity_counts(kb) == {"SEV-1": 2, "SEV-2": 4, "SEV-3": 2}
    assert list(reports.severity_counts(kb)) == SEVERITY_ORDER
    # Since 2024-08-01 only P8 is left; the other levels stay as zeros.
    assert reports.severity_counts(kb, date(2024, 8, 1)) == {"SEV-1": 0, "SEV-2": 1, "SEV-3": 0}


def test_severity_counts_follow_a_configured_order(kb_factory):
    yml = "site_name: T\ntheme:\n  name: material\nplugins:\n  - pmkb:\n      severities: [critical, major, minor]\n"
    files = {
        "postmortems/a.md": _pm("A", "minor", "2024-01-01T00:00:00Z", "svc", resolved="2024-01-01T01:00:00Z"),
    }
    kb = kb_factory(files, mkdocs_yml=yml).kb
    assert list(reports.severity_counts(kb).items()) == [("critical", 0), ("major", 0), ("minor", 1)]


def test_counts_by_type_status_category(kb):
    assert reports.counts_by(kb, "type") == {"incident": 7, "near-miss": 1}
    assert reports.counts_by(kb, "status") == {"draft": 1, "review": 1, "final": 6}
    categories = reports.counts_by(kb, "category")
    # Configured order, zeros kept; P8 has no category and is counted apart.
    assert list(categories)[:4] == ["deploy", "config-change", "capacity", "dependency"]
    assert {name: count for name, count in categories.items() if count} == {"deploy": 2, "capacity": 2, "database": 3}
    assert reports.uncategorized_count(kb) == 1
    assert reports.counts_by(kb, "status", date(2024, 6, 1)) == {"draft": 1, "review": 1, "final": 0}
    with pytest.raises(ValueError, match="cannot count by 'owner'"):
        reports.counts_by(kb, "owner")


# Durations -------------------------------------------------------------------------------


def test_duration_stats_by_hand(kb):
    figures = reports.duration_stats(kb)
    assert list(figures) == SEVERITY_ORDER
    sev1 = figures["SEV-1"]
    # SEV-1 is P1 and P3. With two values [a, b] the median is their midpoint and
    # p90 sits at rank 0.9 * (2 - 1) = 0.9, i.e. a + 0.9 * (b - a).
    # detect [5, 15]: median 10, p90 5 + 0.9 * 10 = 14, mean 10.
    assert sev1["time_to_detect"] == DurationStats(2, 10, pytest.approx(14), 10)
    # mitigate [30, 90]: median 60, p90 30 + 0.9 * 60 = 84, mean 60.
    assert sev1["time_to_mitigate"] == DurationStats(2, 60, pytest.approx(84), 60)
    # resolve [120, 1500]: median 810, p90 120 + 0.9 * 1380 = 1362, mean 810.
    assert sev1["time_to_resolve"] == DurationStats(2, 810, pytest.approx(1362), 810)

    sev2 = figures["SEV-2"]
    # SEV-2 is P2, P4, P8; the draft P6 (detect 1000, mitigate 2000) is left out.
    # detect: P8 has no detected_at, so [3, 10]: median 6.5, p90 3 + 0.9 * 7 = 9.3, mean 6.5.
    assert sev2["time_to_detect"] == DurationStats(2, 6.5, pytest.approx(9.3), 6.5)
    # mitigate [20, 40, 60]: median is rank 1 = 40; p90 rank 0.9 * 2 = 1.8 -> 40 + 0.8 * 20 = 56; mean 40.
    assert sev2["time_to_mitigate"] == DurationStats(3, 40, pytest.approx(56), 40)
    # resolve [45, 100.5, 200] (P8 resolved at 10:40:30): median 100.5;
    # p90 100.5 + 0.8 * 99.5 = 180.1; mean 345.5 / 3 = 115.1666...
    assert sev2["time_to_resolve"] == DurationStats(3, 100.5, pytest.approx(180.1), pytest.approx(115.16666666))

    sev3 = figures["SEV-3"]
    # SEV-3 is P5 and the near-miss P7. detect [0, 1]: median 0.5, p90 0.9, mean 0.5.
    assert sev3["time_to_detect"] == DurationStats(2, 0.5, pytest.approx(0.9), 0.5)
    # mitigate: P7 has no mitigated_at, so one value, 9, is every statistic.
    assert sev3["time_to_mitigate"] == DurationStats(1, 9, 9, 9)
    # resolve [10, 30]: median 20, p90 10 + 0.9 * 20 = 28, mean 20.
    assert sev3["time_to_resolve"] == DurationStats(2, 20, pytest.approx(28), 20)


def test_duration_stats_leave_drafts_out(kb):
    # Since 2024-06-01 SEV-2 has the draft P6 (detect 1000) and P8 (no detected_at):
    # nothing measurable is left, so no figure rather than the draft's.
    figures = reports.duration_stats(kb, date(2024, 6, 1))
    assert figures["SEV-2"]["time_to_detect"] == DurationStats(0, None, None, None)
    assert figures["SEV-2"]["time_to_mitigate"] == DurationStats(1, 40, 40, 40)
    assert figures["SEV-1"]["time_to_resolve"] == DurationStats(0, None, None, None)


def test_duration_stats_since(kb):
    # Since 2024-05-01, SEV-1 is P3 alone: resolve 1500 everywhere.
    figures = reports.duration_stats(kb, date(2024, 5, 1))
    assert figures["SEV-1"]["time_to_resolve"] == DurationStats(1, 1500, 1500, 1500)
    assert figures["SEV-3"]["time_to_resolve"] == DurationStats(1, 30, 30, 30)


def test_percentile_interpolates_between_closest_ranks():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    # rank = 0.9 * 9 = 8.1 -> 9 + 0.1 * (10 - 9) = 9.1
    assert percentile(values, 90) == pytest.approx(9.1)
    # rank = 0.5 * 9 = 4.5 -> 5 + 0.5 * 1 = 5.5, the median
    assert percentile(values, 50) == pytest.approx(5.5)
    assert percentile([7], 90) == 7
    assert percentile(values, 100) == 10
    with pytest.raises(ValueError):
        percentile([], 50)


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=2, max_size=40))
def test_percentile_matches_the_inclusive_method(values):
    # statistics' "inclusive" method is numpy.percentile's default (linear) definition.
    ordered = sorted(values)
    assert percentile(ordered, 50) == pytest.approx(statistics.median(ordered), rel=1e-9, abs=1e-6)
    expected = statistics.quantiles(ordered, n=10, method="inclusive")[8]
    assert percentile(ordered, 90) == pytest.approx(expected, rel=1e-9, abs=1e-6)


# Months and recurrences ------------------------------------------------------------------


def test_incidents_per_month_contiguous_with_drafts(kb):
    assert reports.incidents_per_month(kb) == [
        ("2024-01", {"SEV-1": 1, "SEV-2": 0, "SEV-3": 0}),  # P1
        ("2024-02", {"SEV-1": 0, "SEV-2": 1, "SEV-3": 0}),  # P2
        ("2024-03", {"SEV-1": 0, "SEV-2": 1, "SEV-3": 0}),  # P4 (P7 is April in UTC)
        ("2024-04", {"SEV-1": 0, "SEV-2": 0, "SEV-3": 1}),  # P7
        ("2024-05", {"SEV-1": 1, "SEV-2": 0, "SEV-3": 1}),  # P3, P5
        ("2024-06", {"SEV-1": 0, "SEV-2": 1, "SEV-3": 0}),  # P6, a draft: still counted
        ("2024-07", {"SEV-1": 0, "SEV-2": 0, "SEV-3": 0}),  # no incident, month kept
        ("2024-08", {"SEV-1": 0, "SEV-2": 1, "SEV-3": 0}),  # P8
    ]
    assert [month for month, _ in reports.incidents_per_month(kb, date(2024, 5, 1))] == [
        "2024-05",
        "2024-06",
        "2024-07",
        "2024-08",
    ]
    assert reports.incidents_per_month(kb, date(2025, 1, 1)) == []


def test_incidents_per_month_crosses_a_year(kb_factory):
    kb = kb_factory(
        {
            "postmortems/a.md": _pm("A", "SEV-3", "2023-11-30T12:00:00Z", "svc", resolved="2023-11-30T13:00:00Z"),
            "postmortems/b.md": _pm("B", "SEV-3", "2024-02-01T12:00:00Z", "svc", resolved="2024-02-01T13:00:00Z"),
        }
    ).kb
    assert [month for month, _ in reports.incidents_per_month(kb)] == ["2023-11", "2023-12", "2024-01", "2024-02"]


def test_recurring_chains_and_the_91_day_pair(kb):
    # checkout-api/database: P1 -> P2 is 40 d 22 h, P2 -> P3 is 80 d 4 h, both within 90
    # days, so all three chain although P1 -> P3 is 121 days.
    # search/capacity: P7 (04-01 01:30) -> P6 (06-15 10:00) is 75 d 8.5 h; a near-miss
    # and a draft still show the same weakness.
    # payments/deploy: P4 (03-01) -> P5 (05-31) is 31 + 30 + 30 = 91 days: not a recurrence.
    assert reports.recurring(kb) == [
        Recurrence("checkout-api", "database", (P1, P2, P3), date(2024, 1, 10), date(2024, 5, 10)),
        Recurrence("search", "capacity", (P7, P6), date(2024, 4, 1), date(2024, 6, 15)),
    ]
    # Since 2024-05-01 each of those services has a single incident left.
    assert reports.recurring(kb, date(2024, 5, 1)) == []


def test_recurrence_window_boundary_and_config(kb_factory):
    def pm(started: str) -> str:
        return _pm("X", "SEV-3", started, "api", category="network", resolved=started.replace("T00:00", "T01:00"))

    files = {
        "postmortems/a.md": pm("2024-01-01T00:00:00Z"),
        "postmortems/b.md": pm("2024-03-31T00:00:00Z"),  # 31 + 29 + 30 = exactly 90 days after a
        "postmortems/c.md": pm("2024-06-29T00:01:00Z"),  # 90 days and 1 minute after b
        "postmortems/d.md": pm("2024-07-09T00:01:00Z"),  # 10 days after c
    }
    kb = kb_factory(files).kb
    # Equal sizes: the more recent cluster first.
    assert [r.incidents for r in reports.recurring(kb)] == [("c", "d"), ("a", "b")]
    yml = "site_name: T\ntheme:\n  name: material\nplugins:\n  - pmkb:\n      recurrence_days: 10\n"
    kb = kb_factory(files, mkdocs_yml=yml).kb
    assert [r.incidents for r in reports.recurring(kb)] == [("c", "d")]


# Action items ----------------------------------------------------------------------------


def _titles(rows: list[ActionRow]) -> list[str]:
    return [row.item.title for row in rows]


def test_action_rows_order(kb):
    rows = reports.action_rows(kb)
    assert _titles(rows) == [
        "Automate failover",  # overdue (due yesterday), P0
        "Load test pool changes",  # overdue, P1, due 2026-10-01
        "Review config diff tooling",  # overdue, P1, due 2026-11-01
        "Shard the orders table",  # in progress, P0
        "Document failover",  # open, P2, due today: not overdue
        "Add pool saturation alert",  # done, P1
        "Gate deploys on canary",  # wont-do, P2, 2026-01-15, postmortem 2024-03-01-...
        "Alert on deploy error budget",  # wont-do, P2, 2026-01-15, postmortem 2024-05-31-...: id breaks the tie
    ]
    assert [row.overdue for row in rows] == [True, True, True, False, False, False, False, False]
    first = rows[0]
    assert (first.postmortem_id, first.postmortem_title, first.index) == (P3, LONG_TITLE, 0)
    assert rows[4].index == 1
    assert first.postmortem_url == f"/postmortems/{P3}/"


def test_action_rows_filters(kb):
    # Owner matches the whole name ignoring case: "Team-DB" is team-db.
    assert _titles(reports.action_rows(kb, owner="TEAM-DB")) == [
        "Automate failover",
        "Shard the orders table",
        "Document failover",
        "Add pool saturation alert",
    ]
    assert reports.action_rows(kb, owner="team") == []
    assert _titles(reports.action_rows(kb, status="in-progress")) == ["Shard the orders table"]
    assert _titles(reports.action_rows(kb, status="open", owner="team-db")) == [
        "Automate failover",
        "Document failover",
    ]
    assert _titles(reports.action_rows(kb, overdue_only=True)) == [
        "Automate failover",
        "Load test pool changes",
        "Review config diff tooling",
    ]
    assert _titles(reports.action_rows(kb, services=["payments"])) == [
        "Review config diff tooling",
        "Gate deploys on canary",
        "Alert on deploy error budget",
    ]
    with pytest.raises(ValueError, match="unknown action item status"):
        reports.action_rows(kb, status="closed")


def test_actions_to_json_shape(kb):
    rows = reports.action_rows(kb, owner="alice")
    assert reports.actions_to_json(kb, rows, owner="alice") == {
        "today": "2026-11-23",
        "filters": {"status": None, "owner": "alice", "overdue": False},
        "count": 1,
        "open": 1,
        "overdue": 1,
        "items": [
            {
                "postmortem_id": P8,
                "postmortem_title": "Config push broke checkout and payments",
                "postmortem_url": f"/postmortems/{P8}/",
                "postmortem_severity": "SEV-2",
                "index": 0,
                "title": "Review config diff tooling",
                "owner": "alice",
                "priority": "P1",
                "due": "2026-11-01",
                "status": "open",
                "ticket": None,
                "overdue": True,
            }
        ],
    }


# Brief -----------------------------------------------------------------------------------


def test_brief_content_and_order(kb):
    result = reports.brief(kb, ["checkout-api"])
    assert result.services == ("checkout-api",)
    assert [incident.id for incident in result.incidents] == [P8, P3, P2, P1]
    newest = result.incidents[0]
    assert (newest.date, newest.severity, newest.status, newest.type) == (
        date(2024, 8, 5),
        "SEV-2",
        "review",
        "incident",
    )
    assert newest.impact == "5% of payments failed for 100 minutes."
    assert newest.url == f"/postmortems/{P8}/"
    # Open items of those incidents only, overdue first; done items are history.
    assert _titles(list(result.action_items)) == [
        "Automate failover",
        "Load test pool changes",
        "Review config diff tooling",
        "Shard the orders table",
        "Document failover",
    ]
    # Runbooks by title; checkout-rollback's review (2025-01-01 + 180 days) is overdue.
    assert [(rb.id, rb.stale) for rb in result.runbooks] == [("checkout-rollback", True), ("db-pool", False)]
    assert result.runbooks[1].alerts == ("DbPoolSaturated", "DbConnectionsHigh")
    assert result.runbooks[1].url == "/runbooks/db-pool/"
    assert result.runbooks[0].review_due == date(2025, 6, 30)


def test_brief_since_limits_incidents_and_their_items(kb):
    result = reports.brief(kb, ["checkout-api"], since=date(2024, 5, 1))
    assert [incident.id for incident in result.incidents] == [P8, P3]
    assert _titles(list(result.action_items)) == [
        "Automate failover",
        "Review config diff tooling",
        "Document failover",
    ]
    assert [rb.id for rb in result.runbooks] == ["checkout-rollback", "db-pool"]


def test_brief_several_services_case_and_repeats(kb):
    result = reports.brief(kb, ["Payments", "search", "payments"])
    assert result.services == ("payments", "search")
    assert [incident.id for incident in result.incidents] == [P8, P6, P5, P7, P4]
    assert _titles(list(result.action_items)) == ["Review config diff tooling"]
    assert [rb.id for rb in result.runbooks] == ["checkout-rollback"]


def test_brief_service_known_only_from_a_runbook(kb):
    result = reports.brief(kb, ["ledger"])
    assert result.incidents == () and result.action_items == ()
    assert [rb.id for rb in result.runbooks] == ["ledger-replay"]


def test_brief_unknown_service_suggests(kb):
    with pytest.raises(reports.UnknownServiceError) as caught:
        reports.brief(kb, ["chekout-api", "checkout-api", "zzz"])
    assert caught.value.suggestions == {"chekout-api": ["checkout-api"], "zzz": []}
    assert reports.suggest_services(kb, "checkout") == ["checkout-api"]


def test_brief_to_json_shape(kb):
    data = reports.brief_to_json(kb, reports.brief(kb, ["search"]))
    assert list(data) == ["services", "since", "today", "incidents", "lessons", "action_items", "runbooks"]
    assert data["services"] == ["search"] and data["since"] is None and data["today"] == "2026-11-23"
    assert data["incidents"][1] == {
        "id": P7,
        "date": "2024-04-01",
        "started_at": "2024-04-01T01:30:00Z",
        "severity": "SEV-3",
        "status": "final",
        "type": "near-miss",
        "title": "Search index nearly full",
        "impact": None,
        "services": ["search"],
        "category": "capacity",
        "root_cause": "A connection pool limit was lowered by a config change.",
        "url": f"/postmortems/{P7}/",
    }
    assert data["action_items"] == [] and data["runbooks"] == []
    runbook_data = reports.brief_to_json(kb, reports.brief(kb, ["ledger"]))["runbooks"][0]
    assert runbook_data == {
        "id": "ledger-replay",
        "title": "Ledger replay",
        "url": "/runbooks/ledger-replay/",
        "owner": "team-ledger",
        "services": ["ledger"],
        "alerts": [],
        "last_reviewed": "2026-10-01",
        "review_due": "2027-03-30",
        "stale": False,
    }


# stats() JSON ----------------------------------------------------------------------------


def test_stats_json_shape(kb):
    data = reports.stats(kb)
    assert list(data) == ["since", "today", "counts", "durations", "per_month", "recurring", "recurrence_days"]
    assert data["since"] is None and data["today"] == "2026-11-23" and data["recurrence_days"] == 90
    counts = data["counts"]
    assert counts["total"] == 8
    assert counts["severity"] == {"SEV-1": 2, "SEV-2": 4, "SEV-3": 2}
    assert counts["type"] == {"incident": 7, "near-miss": 1}
    assert counts["status"] == {"draft": 1, "review": 1, "final": 6}
    assert counts["category"]["database"] == 3 and counts["uncategorized"] == 1
    # Rounded to two decimals: 115.1666... -> 115.17, 180.0999... -> 180.1; whole minutes as ints.
    assert data["durations"]["SEV-2"]["time_to_resolve"] == {"count": 3, "median": 100.5, "p90": 180.1, "mean": 115.17}
    assert data["durations"]["SEV-1"]["time_to_resolve"] == {"count": 2, "median": 810, "p90": 1362, "mean": 810}
    assert data["per_month"][4] == {"month": "2024-05", "total": 2, "severity": {"SEV-1": 1, "SEV-2": 0, "SEV-3": 1}}
    assert data["recurring"][0] == {
        "service": "checkout-api",
        "category": "database",
        "count": 3,
        "first": "2024-01-10",
        "last": "2024-05-10",
        "incidents": [P1, P2, P3],
    }


def test_stats_since_and_empty(kb):
    data = reports.stats(kb, date(2024, 5, 1))
    assert data["since"] == "2024-05-01"
    assert data["counts"]["total"] == 4
    assert data["durations"]["SEV-2"]["time_to_detect"] == {"count": 0, "median": None, "p90": None, "mean": None}
    assert [month["month"] for month in data["per_month"]] == ["2024-05", "2024-06", "2024-07", "2024-08"]
    assert data["recurring"] == []
    empty = reports.stats(kb, date(2030, 1, 1))
    assert empty["counts"]["total"] == 0 and empty["per_month"] == [] and empty["recurring"] == []


# format_minutes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (None, "—"),
        (0, "0 min"),
        (0.2, "< 1 min"),
        (2.5, "3 min"),  # half up, not banker's rounding
        (45, "45 min"),
        (59.6, "1 h"),
        (60, "1 h"),
        (125, "2 h 5 min"),
        (810, "13 h 30 min"),
        (1439, "23 h 59 min"),
        (1440, "1 d"),
        (1500, "1 d 1 h"),
        (1620, "1 d 3 h"),
        (3 * 1440 + 4 * 60 + 17, "3 d 4 h"),
        (-5, "-5 min"),
    ],
)
def test_format_minutes(minutes, text):
    assert format_minutes(minutes) == text

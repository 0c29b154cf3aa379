"""What each generated page shows: headers, cross-links both ways, index membership, the dashboard."""

from __future__ import annotations

import re

import pytest

from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, postmortem

A = "2024-03-05-checkout"  # GOOD_POSTMORTEM: SEV-2, checkout-api, #database, runbook db-pool
B = "2024-06-01-payments"
C = "2025-01-10-near-miss"

PM_B = postmortem(
    f"""
    title: Payments and checkout down
    severity: SEV-1
    status: review
    started_at: 2024-06-01T08:00:00+02:00
    detected_at: 2024-06-01T08:10:00+02:00
    resolved_at: 2024-06-02T09:30:00+02:00
    services: [checkout-api, payments]
    tags: [database]
    category: database
    related: [{A}]
    action_items:
      - title: Add a payments circuit breaker
        owner: team-payments
        priority: P0
        due: 2025-01-01
        ticket: https://tracker.example/browse/OPS-7
      - title: Write the failover doc
        owner: team-payments
        priority: P2
        due: 2025-02-01
        status: done
    """
)

PM_C = postmortem(
    """
    title: Almost lost the payments queue
    severity: SEV-3
    status: draft
    type: near-miss
    started_at: 2025-01-10T10:00:00Z
    services: [payments]
    tags: [queue]
    """
)

FILES: dict[str, str | bytes] = {
    f"postmortems/2024/{A}.md": GOOD_POSTMORTEM,
    f"postmortems/2024/{B}.md": PM_B,
    f"postmortems/2025/{C}.md": PM_C,
    "runbooks/db-pool.md": GOOD_RUNBOOK,
}


@pytest.fixture
def site(build_shared):
    return build_shared("pages", FILES)


def section(html: str, heading_id: str) -> str:
    """The HTML from a heading to the next h2."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start)
    return html[start : end if end != -1 else len(html)]


def test_builds_without_warnings(site, check_links):
    assert site.warnings() == []
    assert check_links(site) == []


def test_postmortem_header_shows_times_durations_and_links(site):
    content = site.page(f"postmortems/{A}/").content
    assert "<h1>Checkout errors after pool change</h1>" in content
    for text in ("2024-03-05", "14:00 UTC", "14:02 UTC", "14:40 UTC", "16:05 UTC"):
        assert text in content
    assert "duration <strong>2 h 5 min</strong>" in content
    assert "time to detect <strong>2 min</strong>" in content
    assert "time to mitigate <strong>40 min</strong>" in content
    assert 'href="../../severity/sev-2/"' in content
    assert 'class="pmkb-sev pmkb-bg-1"' in content  # SEV-2 is the second most severe level
    assert 'href="../../services/checkout-api/"' in content
    assert 'href="../../tags/database/"' in content
    assert "config-change" in content


def test_timestamps_are_shown_in_utc(site):
    # B started at 08:00+02:00.
    content = site.page(f"postmortems/{B}/").content
    assert '<time datetime="2024-06-01T06:00:00Z">' in content
    assert "06:00 UTC" in content and "duration <strong>1 d 2 h</strong>" in content


def test_body_sits_between_header_and_footer(site):
    content = site.page(f"postmortems/{A}/").content
    assert content.index("pmkb-header") < content.index('id="summary"') < content.index('id="pmkb-action-items"')


def test_related_incidents_link_both_ways(site):
    a = site.html(f"postmortems/{A}/")
    b = site.html(f"postmortems/{B}/")
    assert f'href="../{B}/"' in section(a, "pmkb-related")
    assert f'href="../{A}/"' in section(b, "pmkb-related")


def test_similar_incidents_come_from_shared_features(site):
    b = site.html(f"postmortems/{B}/")
    similar = section(b, "pmkb-similar")
    assert f'href="../{C}/"' in similar and "payments" in similar
    assert f"../{A}/" not in similar  # already related


def test_runbook_links_both_ways(site):
    a = site.html(f"postmortems/{A}/")
    assert 'href="../../runbooks/db-pool/"' in section(a, "pmkb-runbooks")
    runbook = site.page("runbooks/db-pool/").content
    assert f'href="../../postmortems/{A}/"' in section(runbook, "pmkb-incidents")
    for text in ("team-db", "DbPoolSaturated", "2026-06-01", "2026-11-28", "reviewed"):
        assert text in runbook
    assert 'href="../../alerts/#alert-dbpoolsaturated"' in runbook


def test_action_items_show_overdue_and_tickets(site):
    items = section(site.html(f"postmortems/{B}/"), "pmkb-action-items")
    assert items.count("<tr") == 3  # header and two items
    first, second = items.split("<tr")[2:]
    assert "pmkb-row-overdue" in first and ">overdue<" in first and "P0" in first and "team-payments" in first
    assert 'href="https://tracker.example/browse/OPS-7"' in first and "2025-01-01" in first
    assert "overdue" not in second and ">done<" in second
    assert "overdue" not in section(site.html(f"postmortems/{A}/"), "pmkb-action-items")


def test_drafts_and_reviews_carry_a_banner(site):
    assert "pmkb-banner" not in site.page(f"postmortems/{A}/").content
    assert ">In review<" in site.page(f"postmortems/{B}/").content
    draft = site.page(f"postmortems/{C}/").content
    assert ">Draft<" in draft and "near-miss" in draft and "not yet" in draft


def test_footer_headings_join_the_table_of_contents(site):
    html = site.html(f"postmortems/{B}/")
    toc = html[html.index('data-md-component="toc"') :]
    for anchor in ("#pmkb-action-items", "#pmkb-related", "#pmkb-similar"):
        assert f'href="{anchor}"' in toc


def incident_links(html: str) -> list[str]:
    return re.findall(r'href="(?:\.\./)*postmortems/([a-z0-9-]+)/"', html)


def test_index_pages_list_their_members(site):
    assert incident_links(site.page("severity/sev-1/").content) == [B]
    assert incident_links(site.page("severity/sev-3/").content) == [C]
    assert incident_links(site.page("tags/database/").content) == [B, A]
    assert incident_links(site.page("tags/queue/").content) == [C]
    payments = site.page("services/payments/").content
    assert incident_links(section(payments, "incidents")) == [C, B]
    assert "Add a payments circuit breaker" in section(payments, "open-action-items")
    assert "Write the failover doc" not in payments  # done items are not open
    checkout = site.page("services/checkout-api/").content
    assert 'href="../../runbooks/db-pool/"' in section(checkout, "runbooks")
    assert re.findall(r'<a href="([a-z0-9-]+)/">', site.page("postmortems/").content) == [C, B, A]


def test_postmortem_list_carries_filter_data(site):
    content = site.page("postmortems/").content
    assert 'data-pmkb-filter hidden' in content
    row = content[content.index('data-severity="SEV-1"') :].split("</tr>")[0]
    assert 'data-status="review"' in row and 'data-services=\'["checkout-api", "payments"]\'' in row
    assert "<option value=\"queue\">" in content


def test_timeline_groups_by_year_and_month(site):
    content = site.page("timeline/").content
    assert content.index('id="year-2025"') < content.index('id="month-2025-01"') < content.index('id="year-2024"')
    assert content.index('id="month-2024-06"') < content.index('id="month-2024-03"')
    assert "January 2025" in content


def test_actions_page_puts_overdue_first(site):
    content = site.page("actions/").content
    assert "Add a payments circuit breaker" in section(content, "overdue")
    assert "Canary pool size changes" in section(content, "open")
    assert "Write the failover doc" in section(content, "closed")


def test_alerts_page_maps_alerts_to_runbooks(site):
    content = site.page("alerts/").content
    assert 'id="alert-dbpoolsaturated"' in content
    assert 'href="../runbooks/db-pool/"' in content


def test_dashboard(site):
    content = site.page("").content
    cards = content[content.index("pmkb-cards") : content.index('id="recent-incidents"')]
    assert re.findall(r'card-number">(\d+)</span><span class="pmkb-card-label">([^<]+)<', cards)[:3] == [
        ("1", "SEV-1"),
        ("1", "SEV-2"),
        ("1", "SEV-3"),
    ]
    assert incident_links(section(content, "recent-incidents")) == [C, B, A]
    resolve = section(content, "time-to-resolve")
    assert "2 h 5 min" in resolve  # the SEV-2's median; the draft SEV-3 is left out
    assert "<svg" in section(content, "incidents-per-month") and "<script" not in section(content, "incidents-per-month")
    assert "1 overdue" in section(content, "action-items")
    assert 'href="kb.json"' in content and 'href="feed.xml"' in content


def test_stale_runbook_and_recurrence_on_dashboard(build_kb):
    stale = GOOD_RUNBOOK.replace("last_reviewed: 2026-06-01", "last_reviewed: 2025-01-01")
    again = GOOD_POSTMORTEM.replace("2024-03-05T", "2024-04-01T")
    site = build_kb(
        {
            f"postmortems/{A}.md": GOOD_POSTMORTEM,
            "postmortems/2024-04-01-again.md": again,
            "runbooks/db-pool.md": stale,
        }
    )
    assert site.warnings() == []  # a stale runbook is a knowledge-base warning, not MkDocs'
    content = site.page("").content
    assert 'href="runbooks/db-pool/"' in section(content, "stale-runbooks")
    recurring = section(content, "recurring")
    assert "config-change" in recurring and "2024-03-05" in recurring and "2024-04-01" in recurring
    assert "Review overdue" in site.page("runbooks/db-pool/").content

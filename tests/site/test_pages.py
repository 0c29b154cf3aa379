"""What each generated page shows: headers, cross-links both ways, index membership, the dashboard."""

from __future__ import annotations

import re

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, postmortem, runbook

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

RB_DRILL = runbook(
    """
    title: Payments failover drill
    services: [payments]
    owner: team-payments
    last_reviewed: 2026-09-01
    tags: [failover-drill, database]
    """
)

FILES: dict[str, str | bytes] = {
    f"postmortems/2024/{A}.md": GOOD_POSTMORTEM,
    f"postmortems/2024/{B}.md": PM_B,
    f"postmortems/2025/{C}.md": PM_C,
    "runbooks/db-pool.md": GOOD_RUNBOOK,
    "runbooks/payments-failover-drill.md": RB_DRILL,
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


def test_a_tag_used_only_by_runbooks_has_its_page(site):
    runbook_page = site.page("runbooks/payments-failover-drill/").content
    assert 'href="../../tags/failover-drill/"' in runbook_page
    assert 'href="../../tags/database/"' in runbook_page
    tag = site.page("tags/failover-drill/").content
    assert 'href="../../runbooks/payments-failover-drill/"' in tag
    assert incident_links(tag) == []
    assert "0 incidents; 1 runbook." in " ".join(tag.split())
    # A shared tag's page lists its incidents and its runbooks.
    shared = site.page("tags/database/").content
    assert incident_links(shared) == [B, A] and 'href="../../runbooks/payments-failover-drill/"' in shared
    assert 'href="failover-drill/"' in site.page("tags/").content


def test_postmortem_list_carries_filter_data(site):
    content = site.page("postmortems/").content
    assert "data-pmkb-filter hidden" in content
    row = content[content.index('data-severity="SEV-1"') :].split("</tr>")[0]
    assert 'data-status="review"' in row and 'data-services=\'["checkout-api", "payments"]\'' in row
    assert '<option value="queue">' in content


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
    assert "<svg" in section(content, "incidents-per-month") and "<script" not in section(
        content, "incidents-per-month"
    )
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


def test_dashboard_lists_ten_stale_runbooks_and_links_to_the_rest(build_kb):
    stale = GOOD_RUNBOOK.replace("last_reviewed: 2026-06-01", "last_reviewed: 2025-01-01")
    names = ["db-pool", *(f"db-pool-{number:02d}" for number in range(1, 12))]
    site = build_kb({f"postmortems/{A}.md": GOOD_POSTMORTEM, **{f"runbooks/{name}.md": stale for name in names}})
    stale_section = section(site.page("").content, "stale-runbooks")
    assert stale_section.count("<tr") == 11  # the header and ten runbooks
    assert '<a href="runbooks/">2 more runbooks due for review</a>' in stale_section


def test_pages_with_overdue_flags_say_when_they_were_computed(build_kb, monkeypatch):
    # MkDocs' build time honours SOURCE_DATE_EPOCH (reproducible builds): 2026-11-24 06:30 UTC.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795501800")
    site = build_kb(FILES)
    for url in ("", "actions/", "runbooks/"):
        text = " ".join(site.page(url).content.split())
        assert (
            '<p class="pmkb-as-of">Overdue and review flags are as of <time datetime="2026-11-23">2026-11-23</time>'
            in text
        ), url
        assert (
            "this site was built <time" in text
            and "2026-11-24 06:30 UTC</time>. They change only when it is rebuilt." in text
        ), url


def test_runbook_header_jumps_to_its_on_call_sections(build_kb):
    body = "## Background\n\nWhy.\n\n## 1. Symptoms:\n\nErrors.\n\n## Diagnosis\n\nLook.\n\n## Remediation\n\nFix.\n\n## Escalation\n\nCall.\n"
    site = build_kb(
        {
            "runbooks/db-pool.md": GOOD_RUNBOOK.split("---\n", 2)[0]
            + "---\n"
            + GOOD_RUNBOOK.split("---\n", 2)[1]
            + "---\n"
            + body
        }
    )
    content = site.page("runbooks/db-pool/").content
    nav = content[content.index('<nav class="pmkb-jump"') : content.index("</nav>")]
    # Configured names, in the body's order; an alias (Remediation) counts as its section.
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav) == [
        ("1-symptoms", "Symptoms"),
        ("diagnosis", "Diagnosis"),
        ("remediation", "Mitigation"),
        ("escalation", "Escalation"),
    ]
    # Before the metadata block: on a phone it is on the first screen.
    assert content.index('<nav class="pmkb-jump"') < content.index('<dl class="pmkb-facts">')

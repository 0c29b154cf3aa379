"""Front matter is data, never markup: hostile values come out escaped in HTML, JSON and XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as etree

import pytest
from kb_helpers import GOOD_RUNBOOK, postmortem, runbook

TITLE = '<script>alert(1)</script> & "quotes"'
SERVICE = "<b>svc</b>"
TAG = "<i>tag</i>"
IMPACT = "<img src=x onerror=alert(2)> users & 'friends'"
OWNER = '<script>alert("owner")</script>'
ALERT = "<svg onload=alert(3)>"

HOSTILE = postmortem(
    f"""
    title: '{TITLE.replace("'", "''")}'
    severity: SEV-1
    started_at: 2024-03-05T14:00:00Z
    resolved_at: 2024-03-05T15:00:00Z
    services: ['{SERVICE}', checkout-api]
    tags: ['{TAG}']
    impact: "{IMPACT}"
    authors: ['Eve "<x>"']
    runbooks: [hostile-runbook]
    action_items:
      - title: '<script>alert("item")</script>'
        owner: '{OWNER}'
        priority: P1
        due: 2025-01-01
        ticket: 'https://tracker.example/browse/OPS-1?a=1&b=<2>'
    """
)

HOSTILE_RUNBOOK = runbook(
    f"""
    title: '<script>alert("runbook")</script>'
    services: ['{SERVICE}']
    owner: '{OWNER}'
    last_reviewed: 2026-06-01
    alerts: ['{ALERT}']
    tags: ['{TAG}']
    """
)

# Every injected script calls alert(); Material's own inline scripts never do.
RAW = [TITLE, "<script>alert", SERVICE, TAG, "<img src=x", ALERT, '"<x>"']


@pytest.fixture
def site(build_shared):
    return build_shared(
        "escaping",
        {
            "postmortems/hostile.md": HOSTILE,
            "runbooks/hostile-runbook.md": HOSTILE_RUNBOOK,
            "runbooks/db-pool.md": GOOD_RUNBOOK,
        },
    )


def test_builds_cleanly(site, check_links):
    assert site.warnings() == []
    assert check_links(site) == []


def test_no_raw_value_anywhere_in_the_html(site):
    offenders = []
    for path in site.html_files():
        html = path.read_text(encoding="utf-8")
        for value in RAW:
            if value in html:
                offenders.append((path.relative_to(site.root).as_posix(), value))
    assert offenders == []


def test_title_is_escaped_in_title_tag_header_and_h1(site):
    html = site.html("postmortems/hostile/")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;"
    assert f"<title>{escaped} - Test KB</title>" in html
    assert f"<h1>{escaped}</h1>" in html
    page = site.page("postmortems/hostile/")
    assert TITLE in page.text  # a browser shows the title as written


def test_search_index_is_escaped_for_materials_result_renderer(site):
    raw = (site.root / "search" / "search_index.json").read_text(encoding="utf-8")
    docs = json.loads(raw)["docs"]
    for doc in docs:
        for value in (doc["title"], doc["text"], *doc.get("tags", [])):
            for bad in ("<script>", "<b>svc", "<i>tag", "<svg onload"):
                assert bad not in value, (doc["location"], value)


def test_kb_json_keeps_values_as_data(site):
    data = json.loads((site.root / "kb.json").read_text(encoding="utf-8"))
    (item,) = data["postmortems"]
    assert item["title"] == TITLE and item["services"][0] == SERVICE and item["impact"] == IMPACT
    assert item["action_items"][0]["owner"] == OWNER


def test_feed_is_well_formed_xml_with_the_raw_text(site):
    root = etree.parse(site.root / "feed.xml").getroot()
    entry = root.find("{http://www.w3.org/2005/Atom}entry")
    assert entry.findtext("{http://www.w3.org/2005/Atom}title") == f"[SEV-1] {TITLE}"
    assert entry.findtext("{http://www.w3.org/2005/Atom}summary") == IMPACT
    terms = [category.get("term") for category in entry.findall("{http://www.w3.org/2005/Atom}category")]
    assert SERVICE in terms and TAG in terms


def test_ticket_links_are_escaped_urls(site):
    html = site.html("postmortems/hostile/")
    assert 'href="https://tracker.example/browse/OPS-1?a=1&amp;b=&lt;2&gt;"' in html


def test_non_http_ticket_is_never_a_link():
    from pmkb.site.render import template_environment

    env = template_environment([])
    macros = env.from_string('{% import "_macros.html" as m %}{{ m.ticket(url) }}')
    assert "<a" not in macros.render(url="javascript:alert(1)")
    assert "&lt;" in macros.render(url="<b>")
    assert 'href="http://x.example/T-1"' in macros.render(url="http://x.example/T-1")

"""The CLI and the site answer from the same functions: on the example knowledge base
their figures, incident lists and action-item order are the same."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pmkb.cli import main
from pmkb.reports import format_minutes

ROOT = Path(__file__).resolve().parents[2]
POSTMORTEM_HREF = re.compile(r'href="[^"]*postmortems/([a-z0-9][a-z0-9-]*)/')


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(
        main, [*args, "-f", str(ROOT / "mkdocs.yml"), "--today", "2026-11-23", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def text_of(page_html: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page_html)))


@pytest.fixture(scope="module")
def stats() -> dict:
    return cli_json("stats")


def test_dashboard_counts_match_stats(example_site, stats):
    text = text_of(example_site.html(""))
    for level, count in stats["counts"]["severity"].items():
        assert f" {count} {level} " in text


def test_dashboard_time_to_resolve_matches_stats(example_site, stats):
    text = text_of(example_site.html(""))
    for level, measures in stats["durations"].items():
        resolve = measures["time_to_resolve"]
        median, p90 = format_minutes(resolve["median"]), format_minutes(resolve["p90"])
        assert re.search(rf"{re.escape(level)} \d+ {re.escape(median)} {re.escape(p90)} ", text), (level, median, p90)


def test_service_pages_list_the_incidents_of_pmkb_brief(example_site):
    services = {pair["service"] for pair in cli_json("stats")["recurring"]}
    services |= {"order-db", "payments", "edge-proxy", "search"}
    for service in sorted(services):
        brief = cli_json("brief", service)
        page = example_site.html(f"services/{service}/")
        linked = set(POSTMORTEM_HREF.findall(page))
        assert linked == {incident["id"] for incident in brief["incidents"]}, service


def test_actions_page_order_matches_pmkb_actions(example_site):
    items = cli_json("actions")["items"]
    page = example_site.html("actions/")
    bodies = re.findall(r"<tbody>(.*?)</tbody>", page, re.S)
    rows = [row for body in bodies for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
    titles = [text_of(re.findall(r"<td>(.*?)</td>", row, re.S)[1]).strip() for row in rows]
    assert titles == [item["title"] for item in items]


def test_service_pages_show_root_causes_and_lessons_of_pmkb_brief(example_site):
    for service in ("checkout-api", "order-db", "payments"):
        brief = cli_json("brief", service)
        page = example_site.html(f"services/{service}/")
        incidents = text_of(page.split('id="incidents"')[1].split('id="lessons"')[0])
        for incident in brief["incidents"]:
            if incident["status"] == "final":
                assert incident["root_cause"], incident["id"]  # the example writes every final one
            assert (incident["root_cause"] or "Root cause not written yet.") in incidents, incident["id"]
        lessons = page.split('id="lessons"')[1].split('id="open-action-items"')[0]
        items = re.findall(r"<li>(.*?)</li>", lessons, re.S)
        assert [text_of(item.split("<span")[0]).strip() for item in items] == [
            lesson["text"] for lesson in brief["lessons"]
        ]
        assert [POSTMORTEM_HREF.search(item).group(1) for item in items] == [
            lesson["postmortem_id"] for lesson in brief["lessons"]
        ]


def test_service_pages_list_the_open_action_items_of_pmkb_brief(example_site):
    listed = 0
    for service in ("checkout-api", "order-db", "payments", "edge-proxy"):
        items = cli_json("brief", service)["action_items"]
        listed += len(items)
        page = example_site.html(f"services/{service}/")
        lead = text_of(page.split('class="pmkb-lead"')[1].split("</p>")[0])
        count = len(items)
        assert f"{count} open action item{'s' if count != 1 else ''}" in lead, service
        section = page.split('id="open-action-items"')[1].split('id="runbooks"')[0]
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", section.split("<tbody>", 1)[-1], re.S)
        titles = [text_of(re.findall(r"<td>(.*?)</td>", row, re.S)[1]).strip() for row in rows]
        assert titles == [item["title"] for item in items], service
    assert listed > 3

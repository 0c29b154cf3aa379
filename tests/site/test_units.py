"""Small pieces of the site code that need no build: the chart, toc entries, recurrences, slugs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from datetime import date

from pmkb.reports import Recurrence
from pmkb.site.chart import _ticks, incidents_chart
from pmkb.site.pages import value_uri
from pmkb.site.toc import anchor_links
from pmkb.site.view_models import group_recurrences


def test_chart_stacks_one_bar_segment_per_severity_and_month():
    months = [
        ("2024-01", {"SEV-1": 1, "SEV-2": 2}),
        ("2024-02", {"SEV-1": 0, "SEV-2": 0}),
        ("2024-03", {"SEV-1": 0, "SEV-2": 3}),
    ]
    svg = str(incidents_chart(months, ["SEV-1", "SEV-2"]))
    chart = etree.fromstring(svg[: svg.index("</svg>") + 6])
    bars = [
        rect
        for rect in chart.iter("{http://www.w3.org/2000/svg}rect")
        if rect.get("class", "").startswith("pmkb-fill-")
    ]
    assert [rect.get("class") for rect in bars] == ["pmkb-fill-0", "pmkb-fill-1", "pmkb-fill-1"]
    titles = [title.text for title in chart.iter("{http://www.w3.org/2000/svg}title")]
    assert "2024-01: 3 incidents (SEV-1 1, SEV-2 2)" in titles and "2024-02: 0 incidents" in titles
    # Heights are proportional: three incidents stand three times as tall as one.
    heights = [float(rect.get("height")) for rect in bars]
    assert abs(heights[2] - 3 * heights[0]) < 0.2
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_chart_escapes_configured_severity_names():
    svg = str(incidents_chart([("2024-01", {"<b>sev</b>": 1})], ["<b>sev</b>"]))
    assert "<b>" not in svg and "&lt;b&gt;sev&lt;/b&gt;" in svg
    assert str(incidents_chart([], ["SEV-1"])) == ""


def test_ticks_are_whole_numbers_covering_the_maximum():
    assert _ticks(2) == [0, 1, 2]
    assert _ticks(7) == [0, 2, 4, 6, 8]
    assert _ticks(42)[-1] >= 42 and len(_ticks(42)) <= 7


def test_anchor_links_nest_h3_under_h2_and_escape_titles():
    html = '<h2 id="year-2024">2024</h2><h3 id="month-2024-03">March <em>2024</em></h3><h2 id="x">A &amp; &lt;B&gt;</h2><h2>no id</h2>'
    links = anchor_links(html)
    assert [(link.id, link.title, link.level) for link in links] == [
        ("year-2024", "2024", 2),
        ("x", "A &amp; &lt;B&gt;", 2),
    ]
    assert [(child.id, child.title) for child in links[0].children] == [("month-2024-03", "March 2024")]


def test_recurrences_over_the_same_incidents_become_one_row():
    found = [
        Recurrence("checkout-api", "database", ("a", "b"), date(2024, 1, 1), date(2024, 2, 1)),
        Recurrence("order-db", "database", ("a", "b"), date(2024, 1, 1), date(2024, 2, 1)),
        Recurrence("order-db", "deploy", ("c", "d"), date(2024, 3, 1), date(2024, 4, 1)),
    ]
    groups = group_recurrences(found, lambda pm_id: pm_id)  # ids stand in for incident rows
    assert [(group.services, group.category, group.incidents) for group in groups] == [
        (("checkout-api", "order-db"), "database", ("a", "b")),
        (("order-db",), "deploy", ("c", "d")),
    ]


def test_value_pages_never_take_the_folder_index():
    assert value_uri("tags", "database") == "tags/database.md"
    assert value_uri("tags", "index") == "tags/index/index.md"
    assert re.fullmatch(r"postmortems/[a-z0-9-]+\.md", value_uri("postmortems", "2024-03-05-x"))


def test_id_search_tag_keeps_the_words_of_an_id():
    from pmkb.site.pages import id_words

    assert id_words("2024-05-30-order-db-failover") == ["order-db-failover"]
    assert id_words("db-pool") == ["db-pool"]
    assert id_words("2024-05-30") == []
    assert id_words("sev2-2024-review") == ["sev2-review"]

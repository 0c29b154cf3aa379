"""Layout in a real browser: pmkb's tables fit their column at desktop widths, and read
as cards on a phone; a runbook's Symptoms are on a phone's first screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from browser_helpers import ALERT_RUNBOOK, POSTMORTEM_ID, SERVICE, TAG, Sites, Tab, open_tab

# Every page with a pmkb table, by URL under the site root.
TABLE_PAGES = [
    "",
    "postmortems/",
    f"postmortems/{POSTMORTEM_ID}/",
    "runbooks/",
    f"runbooks/{ALERT_RUNBOOK}/",
    "services/",
    f"services/{SERVICE}/",
    "severity/",
    "severity/sev-1/",
    f"tags/{TAG}/",
    "actions/",
    "alerts/",
]
DESKTOP_WIDTHS = (1280, 1440, 1920)
PHONE = (390, 844)

# For each pmkb table: its own overflow, and that of Material's scrolling wrapper around it.
MEASURE = """() => Array.from(document.querySelectorAll('article .pmkb-table table')).map((table, index) => {
  const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
  const heading = table.closest('.pmkb-table').previousElementSibling;
  return {
    index, heading: heading ? heading.textContent.trim().slice(0, 40) : '',
    table: [table.scrollWidth, table.clientWidth], wrap: [wrap.scrollWidth, wrap.clientWidth],
  };
})"""


@pytest.fixture(scope="module")
def width_tabs(browser: Browser) -> Iterator[dict[int, Tab]]:
    tabs: dict[int, Tab] = {}
    try:
        yield tabs
    finally:
        for tab in tabs.values():
            tab.page.context.close()


def page_at(browser: Browser, tabs: dict[int, Tab], width: int, height: int = 900) -> Page:
    if width not in tabs:
        tabs[width] = open_tab(browser, width=width, height=height)
    return tabs[width].page


@pytest.mark.parametrize("width", DESKTOP_WIDTHS)
def test_pmkb_tables_fit_their_column_on_desktops(browser: Browser, sites: Sites, width_tabs: dict[int, Tab], width: int) -> None:
    page = page_at(browser, width_tabs, width)
    overflowing = []
    measured = 0
    for path in TABLE_PAGES:
        page.goto(sites.root + path)
        page.locator("article.md-content__inner h1").first.wait_for()
        for table in page.evaluate(MEASURE):
            measured += 1
            (table_scroll, table_client), (wrap_scroll, wrap_client) = table["table"], table["wrap"]
            if table_scroll > table_client or wrap_scroll > wrap_client:
                overflowing.append(f"/{path} table {table['index']} ({table['heading']!r}): table {table_scroll}>{table_client} or wrapper {wrap_scroll}>{wrap_client}")
    assert measured >= len(TABLE_PAGES), "fewer pmkb tables than pages: the selector no longer matches"
    assert not overflowing, f"at {width}px:\n" + "\n".join(overflowing)


def test_the_overflow_check_catches_a_wide_table(browser: Browser, sites: Sites, width_tabs: dict[int, Tab]) -> None:
    page = page_at(browser, width_tabs, DESKTOP_WIDTHS[0])
    page.goto(sites.root + "runbooks/")
    page.add_style_tag(content=".md-typeset .pmkb-table td.pmkb-title { min-width: 40em; }")
    table = page.evaluate(MEASURE)[0]
    assert table["wrap"][0] > table["wrap"][1] or table["table"][0] > table["table"][1]

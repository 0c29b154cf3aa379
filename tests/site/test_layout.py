"""Layout in a real browser: pmkb's tables fit their column at desktop widths, and read
as cards on a phone; a runbook's Symptoms are on a phone's first screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_helpers import ALERT_RUNBOOK, POSTMORTEM_ID, SERVICE, TAG, Sites, Tab, open_tab
from playwright.sync_api import Browser, Page

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
def test_pmkb_tables_fit_their_column_on_desktops(
    browser: Browser, sites: Sites, width_tabs: dict[int, Tab], width: int
) -> None:
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
                overflowing.append(
                    f"/{path} table {table['index']} ({table['heading']!r}): table {table_scroll}>{table_client} or wrapper {wrap_scroll}>{wrap_client}"
                )
    assert measured >= len(TABLE_PAGES), "fewer pmkb tables than pages: the selector no longer matches"
    assert not overflowing, f"at {width}px:\n" + "\n".join(overflowing)


def test_the_overflow_check_catches_a_wide_table(browser: Browser, sites: Sites, width_tabs: dict[int, Tab]) -> None:
    page = page_at(browser, width_tabs, DESKTOP_WIDTHS[0])
    page.goto(sites.root + "runbooks/")
    page.add_style_tag(content=".md-typeset .pmkb-table td.pmkb-title { min-width: 40em; }")
    table = page.evaluate(MEASURE)[0]
    assert table["wrap"][0] > table["wrap"][1] or table["table"][0] > table["table"][1]


def phone_page(browser: Browser, tabs: dict[int, Tab]) -> Page:
    return page_at(browser, tabs, PHONE[0], PHONE[1])


@pytest.mark.parametrize("path", ["runbooks/", f"runbooks/{ALERT_RUNBOOK}/", "actions/", f"services/{SERVICE}/"])
def test_tables_read_as_labelled_cards_on_a_phone(
    browser: Browser, sites: Sites, width_tabs: dict[int, Tab], path: str
) -> None:
    page = phone_page(browser, width_tabs)
    page.goto(sites.root + path)
    page.locator(".pmkb-table table[data-pmkb-cards]").first.wait_for(state="attached")
    # Nothing needs sideways scrolling: not the page, not a table.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    cards = page.evaluate(
        """() => Array.from(document.querySelectorAll('article .pmkb-table table')).map(table => {
          const headings = Array.from(table.tHead.rows[0].cells).map(cell => cell.textContent.trim());
          const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
          return {
            headings, overflow: wrap.scrollWidth - wrap.clientWidth,
            headVisible: getComputedStyle(table.tHead).display !== 'none',
            cells: Array.from(table.tBodies[0].rows[0].cells).map(cell => [
              cell.dataset.label, getComputedStyle(cell, '::before').content, cell.getBoundingClientRect().right]),
          };
        })"""
    )
    assert cards
    for table in cards:
        assert table["overflow"] <= 0 and not table["headVisible"], table
        assert [label for label, _, _ in table["cells"]] == table["headings"][: len(table["cells"])]
        for label, before, right in table["cells"]:
            assert before == f'"{label}"' and right <= PHONE[0], table
    # The severity of an incident citing the runbook is on screen without scrolling sideways.
    if path.startswith("runbooks/") and path != "runbooks/":
        badge = page.locator("#pmkb-incidents + .pmkb-table .pmkb-sev").first
        box = badge.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE[0]


def test_runbook_symptoms_are_one_tap_from_the_first_phone_screen(
    browser: Browser, sites: Sites, width_tabs: dict[int, Tab]
) -> None:
    page = phone_page(browser, width_tabs)
    page.goto(sites.root + f"runbooks/{ALERT_RUNBOOK}/")
    header = page.locator(".pmkb-header").bounding_box()
    assert header is not None and header["y"] + header["height"] <= PHONE[1], (
        "the metadata block fills the first screen"
    )
    jump = page.locator("nav.pmkb-jump a", has_text="Symptoms")
    box = jump.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE[1]
    jump.click()
    page.wait_for_function("location.hash === '#symptoms'")
    page.wait_for_function(
        "() => { const top = document.getElementById('symptoms').getBoundingClientRect().top; return top >= 0 && top < innerHeight / 2; }"
    )


def test_alert_anchor_highlights_its_rows(browser: Browser, sites: Sites, width_tabs: dict[int, Tab]) -> None:
    page = page_at(browser, width_tabs, DESKTOP_WIDTHS[0])
    page.goto(sites.root + "alerts/")
    anchors = page.eval_on_selector_all("article .pmkb-table tbody[id]", "bodies => bodies.map(body => body.id)")
    assert len(anchors) >= 2
    target, other = anchors[1], anchors[0]
    page.goto(sites.root + f"alerts/#{target}")
    colours = page.evaluate(
        """([target, other]) => [target, other].map(id =>
          getComputedStyle(document.getElementById(id).rows[0].cells[1]).backgroundColor)""",
        [target, other],
    )
    assert colours[0] != colours[1], colours
    top = page.evaluate(f"document.getElementById({target!r}).getBoundingClientRect().top")
    assert 0 <= top < 900

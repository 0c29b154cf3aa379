"""The example site in a real browser: Material's search, the /postmortems/ filter,
navigation (with and without instant navigation), console errors, and a sub-path.

The builds, servers and Chromium are shared by every browser test module (see
tests/browser_helpers.py and the session fixtures in tests/site/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_helpers import (
    ALERT,
    ALERT_RUNBOOK,
    POSTMORTEM_ID,
    SERVICE,
    TAG,
    Sites,
    Tab,
    documents,
    mark_document,
    open_tab,
    path_of,
    postmortems,
    query_of,
    runbooks,
    same_document,
    visible_ids,
    wait_for_heading,
)
from playwright.sync_api import Browser, Page

# 1. Material's search ---------------------------------------------------------------


def expected_hits(sites: Sites, query: str) -> set[str]:
    """URLs of the documents that carry `query` as id, service, tag, severity or alert."""
    hits = set()
    for doc in documents(sites):
        values = [doc["id"], doc.get("severity"), *doc["services"], *doc.get("tags", []), *doc.get("alerts", [])]
        if query in values:
            hits.add(path_of(doc["url"]))
    return hits


@pytest.fixture(scope="module")
def search_tab(browser: Browser, sites: Sites) -> Iterator[Tab]:
    """One browser page shared by the search tests; it starts on the dashboard."""
    tab = open_tab(browser)
    try:
        tab.page.goto(sites.root)
        yield tab
    finally:
        tab.page.context.close()


def search(page: Page, query: str) -> list[str]:
    """Type a query into Material's search; the result pages' paths, best first."""
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__list > li.md-search-result__item")
    box.click()  # opens the search overlay (a no-op when it is open)
    # Material searches on keyup: fill, then press a key that does not change the text.
    box.fill("")
    box.press("End")
    results.first.wait_for(state="detached")
    box.fill(query)
    box.press("End")
    results.first.wait_for()
    # Each item is one page: its first link is the page, the others are its sections.
    hrefs = page.eval_on_selector_all(
        ".md-search-result__list > li.md-search-result__item",
        "items => items.map(item => item.querySelector('a.md-search-result__link').getAttribute('href'))",
    )
    ranked: list[str] = []
    for href in hrefs:
        path = path_of(href)
        if path not in ranked:
            ranked.append(path)
    return ranked


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(POSTMORTEM_ID, id="postmortem-id"),
        pytest.param(SERVICE, id="service"),
        pytest.param(TAG, id="tag"),
        pytest.param("black-friday", id="tag-black-friday"),
        pytest.param("SEV-1", id="severity-1"),
        pytest.param("SEV-3", id="severity-3"),
        pytest.param(ALERT, id="alert"),
    ],
)
def test_search_ranks_the_documents_that_carry_the_value_first(search_tab: Tab, sites: Sites, query: str) -> None:
    expected = expected_hits(sites, query)
    assert expected, f"the example no longer has {query!r}: pick another value"
    # Material renders the first 10 results; more need scrolling.
    assert len(expected) <= 10
    ranked = search(search_tab.page, query)
    top = ranked[: len(expected)]
    assert set(top) == expected, (
        f"searching {query!r}: the first {len(expected)} results should be the documents carrying it, "
        f"not index pages\nexpected {sorted(expected)}\ngot {ranked}"
    )


def test_search_splits_words_on_punctuation_and_camel_case(search_tab: Tab, sites: Sites) -> None:
    """An alert name written in parentheses inside an action item is found by its name."""
    item = next(
        pm for pm in postmortems(sites) if any("(SearchPriceDrift)" in action["title"] for action in pm["action_items"])
    )
    ranked = search(search_tab.page, "SearchPriceDrift")
    assert path_of(item["url"]) in ranked[:3], ranked


def test_an_exact_id_ranks_its_document_first(search_tab: Tab, sites: Sites) -> None:
    wrong = []
    for doc in documents(sites):
        ranked = search(search_tab.page, doc["id"])
        if ranked[0] != path_of(doc["url"]):
            wrong.append(
                f"{doc['id']}: first is {ranked[0]}, document at {ranked.index(path_of(doc['url'])) if path_of(doc['url']) in ranked else 'none'}"
            )
    assert not wrong, "\n".join(wrong)


def test_search_result_opens_the_document(search_tab: Tab) -> None:
    page = search_tab.page
    search(page, ALERT)
    page.locator(".md-search-result__list > li.md-search-result__item > a.md-search-result__link").first.click()
    page.wait_for_url(f"**/runbooks/{ALERT_RUNBOOK}/**")
    assert page.locator("article code.pmkb-id").first.inner_text() == ALERT_RUNBOOK
    # search.highlight marks the query's words on the page it opens.
    assert page.locator("article mark").count() >= 1
    assert not search_tab.problems(), search_tab.problems()


# 2. The /postmortems/ filter --------------------------------------------------------


def ids_where(sites: Sites, **wanted: str) -> list[str]:
    """Postmortem ids matching every field, in the kb.json (newest first) order."""
    found = []
    for item in postmortems(sites):
        ok = True
        for name, value in wanted.items():
            if name == "service":
                ok = ok and value in item["services"]
            elif name == "tag":
                ok = ok and value in item["tags"]
            else:
                ok = ok and item[name] == value
        if ok:
            found.append(item["id"])
    return found


def ids_matching_text(sites: Sites, text: str) -> list[str]:
    """Postmortem ids the text box should keep: every word in id, title, impact, category, services or tags."""
    found = []
    for item in postmortems(sites):
        haystack = " ".join(
            [
                item["id"],
                item["title"],
                item.get("impact") or "",
                item.get("category") or "",
                *item["services"],
                *item["tags"],
            ]
        ).lower()
        if all(word in haystack for word in text.lower().split()):
            found.append(item["id"])
    return found


def open_filter(page: Page, url: str) -> None:
    page.goto(url)
    # pmkb.js reveals the form once it has set it up.
    page.locator("form[data-pmkb-filter]").wait_for(state="visible")


def test_filter_by_severity_service_and_text(tab: Tab, sites: Sites) -> None:
    page = tab.page
    open_filter(page, sites.root + "postmortems/")
    every = [item["id"] for item in postmortems(sites)]
    assert visible_ids(page) == every
    count = page.locator("form[data-pmkb-filter] output")
    assert count.inner_text() == f"{len(every)} postmortems"
    assert query_of(page) == {}

    page.select_option("form[data-pmkb-filter] select[name=severity]", "SEV-2")
    sev2 = ids_where(sites, severity="SEV-2")
    assert 0 < len(sev2) < len(every)
    assert visible_ids(page) == sev2
    assert count.inner_text() == f"{len(sev2)} of {len(every)}"
    assert query_of(page) == {"severity": ["SEV-2"]}

    page.select_option("form[data-pmkb-filter] select[name=severity]", "")
    page.select_option("form[data-pmkb-filter] select[name=service]", SERVICE)
    assert visible_ids(page) == ids_where(sites, service=SERVICE)
    assert query_of(page) == {"service": [SERVICE]}

    page.select_option("form[data-pmkb-filter] select[name=severity]", "SEV-1")
    both = ids_where(sites, service=SERVICE, severity="SEV-1")
    assert both and visible_ids(page) == both
    assert query_of(page) == {"service": [SERVICE], "severity": ["SEV-1"]}

    page.select_option("form[data-pmkb-filter] select[name=severity]", "")
    page.select_option("form[data-pmkb-filter] select[name=service]", "")
    text = page.locator("form[data-pmkb-filter] input[name=text]")
    text.press_sequentially("coredns")
    coredns = ids_matching_text(sites, "coredns")
    assert 0 < len(coredns) < len(every)
    assert visible_ids(page) == coredns
    assert query_of(page) == {"text": ["coredns"]}

    text.fill("no such incident anywhere")
    assert visible_ids(page) == []
    assert page.locator("[data-pmkb-filter-empty]").is_visible()
    assert count.inner_text() == f"0 of {len(every)}"

    text.fill("")
    assert visible_ids(page) == every
    assert not page.locator("[data-pmkb-filter-empty]").is_visible()
    assert path_of(page.url) == "/postmortems/" and query_of(page) == {}
    assert not tab.console_errors, tab.console_errors


def test_filter_state_loads_from_the_query_string(tab: Tab, sites: Sites) -> None:
    page = tab.page
    sev1 = ids_where(sites, severity="SEV-1")
    assert len(sev1) == 3  # the example's SEV-1 postmortems
    open_filter(page, sites.root + "postmortems/?severity=SEV-1")
    assert visible_ids(page) == sev1
    assert page.locator("form[data-pmkb-filter] select[name=severity]").input_value() == "SEV-1"
    assert page.locator("form[data-pmkb-filter] output").inner_text() == f"3 of {len(postmortems(sites))}"

    open_filter(page, sites.root + f"postmortems/?service={SERVICE}&tag={TAG}&status=final&type=incident")
    assert visible_ids(page) == ids_where(sites, service=SERVICE, tag=TAG, status="final", type="incident")

    open_filter(page, sites.root + "postmortems/?text=Black%20Friday")
    assert page.locator("form[data-pmkb-filter] input[name=text]").input_value() == "Black Friday"
    shown = visible_ids(page)
    assert shown == ids_matching_text(sites, "Black Friday")
    assert "2025-11-28-inventory-cache-stampede-black-friday" in shown and len(shown) < len(postmortems(sites))


def test_filter_value_that_matches_nothing_says_so(tab: Tab, sites: Sites) -> None:
    """A stale link (`?service=nonexistent`) shows no rows and names the value, not every postmortem."""
    page = tab.page
    every = [item["id"] for item in postmortems(sites)]
    open_filter(page, sites.root + "postmortems/?service=nonexistent")
    assert visible_ids(page) == []
    service = page.locator("form[data-pmkb-filter] select[name=service]")
    assert service.input_value() == "nonexistent"
    empty = page.locator("[data-pmkb-filter-empty]")
    assert empty.is_visible()
    assert "service \u201cnonexistent\u201d" in empty.inner_text()
    assert page.locator("form[data-pmkb-filter] output").inner_text() == f"0 of {len(every)}"
    assert query_of(page) == {"service": ["nonexistent"]}

    # Choosing "All" brings every postmortem back and the ordinary empty message returns.
    page.select_option("form[data-pmkb-filter] select[name=service]", "")
    assert visible_ids(page) == every
    page.locator("form[data-pmkb-filter] input[name=text]").fill("no such incident anywhere")
    assert empty.inner_text() == "No postmortem matches these filters."

    open_filter(page, sites.root + "postmortems/?severity=SEV-9&service=nope")
    assert visible_ids(page) == []
    text = empty.inner_text()
    assert "severity \u201cSEV-9\u201d" in text and "service \u201cnope\u201d" in text
    assert not tab.console_errors, tab.console_errors


# 3. Navigation ----------------------------------------------------------------------


def postmortem_for_navigation(sites: Sites, page: Page) -> dict[str, Any]:
    """The newest postmortem in the dashboard's recent incidents that cites a runbook."""
    # The href property: instant navigation rewrites relative hrefs into absolute ones.
    recent = page.eval_on_selector_all(
        "#recent-incidents + .pmkb-table td.pmkb-title > a", "links => links.map(a => a.href)"
    )
    assert recent, "the dashboard lists no recent incidents"
    for href in recent:
        for item in postmortems(sites):
            if path_of(href).endswith(f"/postmortems/{item['id']}/") and item["runbooks"]:
                return item
    raise AssertionError(f"no recent incident with a runbook among {recent}")


@pytest.mark.parametrize("where", ["root", "kb_sub"], ids=["full-page-loads", "instant-navigation"])
def test_dashboard_to_postmortem_to_runbook_and_back(tab: Tab, sites: Sites, where: str) -> None:
    page = tab.page
    base = getattr(sites, where)
    page.goto(base)
    mark_document(page)
    item = postmortem_for_navigation(sites, page)
    runbook = next(rb for rb in runbooks(sites) if rb["id"] == item["runbooks"][0])

    page.locator(f'#recent-incidents + .pmkb-table td.pmkb-title > a[href*="postmortems/{item["id"]}/"]').click()
    wait_for_heading(page, item["title"])
    assert path_of(page.url).endswith(f"/postmortems/{item['id']}/")
    assert page.locator("article code.pmkb-id").first.inner_text() == item["id"]

    page.locator(f'#pmkb-runbooks + ul a[href*="runbooks/{runbook["id"]}/"]').click()
    wait_for_heading(page, runbook["title"])
    assert path_of(page.url).endswith(f"/runbooks/{runbook['id']}/")
    back_link = page.locator(f'#pmkb-incidents + .pmkb-table a[href*="postmortems/{item["id"]}/"]')
    assert back_link.count() == 1, "the runbook page does not list the incident that cites it"
    back_link.click()
    wait_for_heading(page, item["title"])
    assert path_of(page.url).endswith(f"/postmortems/{item['id']}/")

    # Without site_url the sitemap is empty and Material navigates with full page loads;
    # with it, every click above must have stayed in the same document.
    assert same_document(page) == (where == "kb_sub")
    assert not tab.console_errors, tab.console_errors
    assert not tab.bad_responses, tab.bad_responses


def test_filter_works_after_instant_navigation(tab: Tab, sites: Sites) -> None:
    page = tab.page
    page.goto(sites.kb_sub)
    mark_document(page)
    sev1 = ids_where(sites, severity="SEV-1")

    page.locator('.pmkb-lead a[href$="postmortems/"]').click()
    page.locator("form[data-pmkb-filter]").wait_for(state="visible")
    assert same_document(page), "arriving at /postmortems/ reloaded the page: instant navigation is off"
    page.select_option("form[data-pmkb-filter] select[name=severity]", "SEV-1")
    assert visible_ids(page) == sev1
    assert path_of(page.url) == "/kb/postmortems/" and query_of(page) == {"severity": ["SEV-1"]}

    # Into a postmortem and back with the browser's button: the filter comes back from the URL.
    page.locator("table[data-pmkb-filter-table] tbody tr").filter(visible=True).first.locator("td a").first.click()
    wait_for_heading(page, next(item["title"] for item in postmortems(sites) if item["id"] == sev1[0]))
    page.go_back()
    page.locator("form[data-pmkb-filter]").wait_for(state="visible")
    page.wait_for_function("document.querySelector('form[data-pmkb-filter] select[name=severity]').value === 'SEV-1'")
    assert visible_ids(page) == sev1

    # Away through the navigation and back again: a second setup on a fresh document.
    page.locator(".md-sidebar--primary a.md-nav__link", has_text="Runbooks").first.click()
    wait_for_heading(page, "Runbooks")
    page.locator(".md-sidebar--primary a.md-nav__link", has_text="Postmortems").first.click()
    page.locator("form[data-pmkb-filter]").wait_for(state="visible")
    page.select_option("form[data-pmkb-filter] select[name=service]", SERVICE)
    assert visible_ids(page) == ids_where(sites, service=SERVICE)
    assert query_of(page) == {"service": [SERVICE]}
    assert same_document(page)
    assert not tab.console_errors, tab.console_errors


# 4. No console errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["", f"postmortems/{POSTMORTEM_ID}/", "postmortems/"], ids=["dashboard", "postmortem", "postmortems"]
)
def test_no_console_errors(tab: Tab, sites: Sites, path: str) -> None:
    tab.page.goto(sites.root + path, wait_until="networkidle")
    assert tab.page.locator("article.md-content__inner h1").count() >= 1
    assert not tab.problems(), "\n".join(tab.problems())


# 5. Sub-path ------------------------------------------------------------------------


def assert_styled_and_scripted(page: Page) -> None:
    """Material's and pmkb's stylesheets loaded and apply, and Material's bundle ran."""
    sheets = page.eval_on_selector_all(
        "link[rel=stylesheet]", "links => links.map(link => [link.getAttribute('href'), link.sheet !== null])"
    )
    assert any("pmkb.css" in href for href, _ in sheets), sheets
    assert all(loaded for _, loaded in sheets), f"stylesheets that did not load: {sheets}"
    # Material's CSS makes the header sticky or fixed.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    assert page.evaluate("typeof window.document$") == "object", "Material's bundle did not run"


@pytest.mark.parametrize("where", ["kb_sub", "plain_sub"], ids=["site_url-kb", "no-site_url"])
def test_sub_path(tab: Tab, sites: Sites, where: str) -> None:
    page = tab.page
    base = getattr(sites, where)
    prefix = path_of(base)
    page.goto(base)
    assert_styled_and_scripted(page)
    assert page.locator(".pmkb-card").first.evaluate("el => getComputedStyle(el).display") != "inline", (
        "pmkb.css does not apply to the dashboard cards"
    )

    page.locator('.pmkb-lead a[href$="postmortems/"]').click()
    page.locator("form[data-pmkb-filter]").wait_for(state="visible")
    assert path_of(page.url) == f"{prefix}postmortems/"
    page.select_option("form[data-pmkb-filter] select[name=severity]", "SEV-1")
    assert visible_ids(page) == ids_where(sites, severity="SEV-1")
    assert path_of(page.url) == f"{prefix}postmortems/"

    item = next(p for p in postmortems(sites) if p["id"] == POSTMORTEM_ID)
    page.locator(f'table[data-pmkb-filter-table] a[href*="{POSTMORTEM_ID}/"]').first.click()
    wait_for_heading(page, item["title"])
    assert path_of(page.url) == f"{prefix}postmortems/{POSTMORTEM_ID}/"
    page.locator(f'#pmkb-runbooks + ul a[href*="runbooks/{ALERT_RUNBOOK}/"]').click()
    page.locator("article code.pmkb-id", has_text=ALERT_RUNBOOK).wait_for()
    assert path_of(page.url) == f"{prefix}runbooks/{ALERT_RUNBOOK}/"

    # A full load of a deep page: its relative asset URLs must resolve under the prefix.
    page.goto(page.url)
    assert_styled_and_scripted(page)

    # Search loads its worker and index from under the prefix too.
    page.click("input.md-search__input")
    assert search(page, ALERT)[0] == f"{prefix}runbooks/{ALERT_RUNBOOK}/"
    assert not tab.problems(), "\n".join(tab.problems())

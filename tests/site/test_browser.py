"""The example site in a real browser: Material's search, the /postmortems/ filter,
navigation (with and without instant navigation), console errors, and a sub-path.

The example knowledge base at the repository root is built twice per module, in
parallel:

- as `mkdocs build --strict` builds it (no `site_url`), served at the root of one
  local server. Material's instant navigation only intercepts links listed in
  sitemap.xml, and without a `site_url` the sitemap is empty, so this build always
  navigates with full page loads;
- with `site_url: http://127.0.0.1:<port>/kb/`, built into `<root>/kb/` and served
  from `<root>` by a second server, whose port it names. Material resolves sitemap
  URLs against the page's protocol and hostname but keeps their port, so the
  `site_url` must carry the serving port for instant navigation to engage. The
  first build is also reachable under `<root>/site/`: a sub-path without `site_url`.

Chromium is Debian's (/usr/bin/chromium); Playwright's own browser download is not
used. Without it the module is skipped.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, sync_playwright  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TODAY = "2026-11-23"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
TIMEOUT_MS = 10_000

# Builds the example with one setting overridden; `mkdocs build` has no flag for site_url.
BUILD_WITH_SITE_URL = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(config_file="mkdocs.yml", site_dir=sys.argv[1], site_url=sys.argv[2], strict=True))
"""

# Example content the tests look up (checked against kb.json before use).
POSTMORTEM_ID = "2024-05-30-order-db-failover-connection-storm"
SERVICE = "order-db"
TAG = "pgbouncer"
ALERT = "OrderDbConnectionsSaturated"
ALERT_RUNBOOK = "order-db-connection-saturation"


# Serving and building ---------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class Server:
    """`python -m http.server` for one folder, in a thread, on a free localhost port."""

    def __init__(self, directory: Path) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Sites:
    kb: dict[str, Any]  # the plain build's kb.json
    root: str  # the plain build, served at a server's root
    kb_sub: str  # the site_url build, under /kb/ (instant navigation active)
    plain_sub: str  # the plain build, under /site/ (no site_url)


@dataclass
class _Builds:
    """The two builds, running, and the servers that serve them."""

    plain_dir: Path
    plain_server: Server
    parent_server: Server
    site_url: str
    processes: list[tuple[list[str], subprocess.Popen[str]]]

    def wait(self) -> Sites:
        for cmd, process in self.processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, f"{cmd} failed:\n{out}\n{err}"
        kb = json.loads((self.plain_dir / "kb.json").read_text(encoding="utf-8"))
        return Sites(kb=kb, root=self.plain_server.base, kb_sub=self.site_url, plain_sub=f"{self.parent_server.base}site/")


@pytest.fixture(scope="module")
def _builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Builds]:
    """Start both builds in the background (they take seconds; Chromium starts meanwhile)."""
    if not (REPO / "mkdocs.yml").is_file() or not (REPO / "postmortems").is_dir():
        pytest.skip("the example knowledge base is not in the repository")
    root = tmp_path_factory.mktemp("browser")
    plain_dir, sub_dir = root / "site", root / "kb"
    # The servers serve whatever their folder holds once a request comes: start them first,
    # since the second build has to know its server's port.
    plain_server, parent_server = Server(plain_dir), Server(root)
    site_url = f"{parent_server.base}kb/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PMKB_TODAY": TODAY}
    commands = [
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(plain_dir)],
        [sys.executable, "-c", BUILD_WITH_SITE_URL, str(sub_dir), site_url],
    ]
    processes = [
        (cmd, subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for cmd in commands
    ]
    try:
        yield _Builds(plain_dir, plain_server, parent_server, site_url, processes)
    finally:
        for _, process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        plain_server.close()
        parent_server.close()


@pytest.fixture(scope="module")
def browser(_builds: _Builds) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def sites(_builds: _Builds, browser: Browser) -> Sites:
    return _builds.wait()


@dataclass
class Tab:
    """A page and everything that went wrong while it was open."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return self.console_errors + self.page_errors + self.bad_responses + self.failed_requests


def open_tab(browser: Browser) -> Tab:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    tab = Tab(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.console_errors.append(f"console error on {page.url}: {message.text} ({message.location})")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            tab.bad_responses.append(f"HTTP {response.status} for {response.url}")

    def on_request_failed(request: Request) -> None:
        # Leaving a page aborts what it was still loading (a favicon, say): not a failure.
        if request.failure != "net::ERR_ABORTED":
            tab.failed_requests.append(f"request failed: {request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.page_errors.append(f"page error on {page.url}: {error}"))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    return tab


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    tab = open_tab(browser)
    try:
        yield tab
        # Whatever a test checks, an uncaught script error is never fine.
        assert not tab.page_errors, tab.page_errors
    finally:
        tab.page.context.close()


# Helpers ----------------------------------------------------------------------------


def postmortems(sites: Sites) -> list[dict[str, Any]]:
    return sites.kb["postmortems"]


def runbooks(sites: Sites) -> list[dict[str, Any]]:
    return sites.kb["runbooks"]


def documents(sites: Sites) -> list[dict[str, Any]]:
    return postmortems(sites) + runbooks(sites)


def path_of(url: str) -> str:
    """The path of a URL, without query and fragment: `/postmortems/x/`."""
    return urlsplit(url).path


def visible_ids(page: Page) -> list[str]:
    """Ids of the /postmortems/ table rows the browser actually shows."""
    rows = page.locator("table[data-pmkb-filter-table] tbody tr").filter(visible=True)
    return [text.strip() for text in rows.locator("code.pmkb-id").all_inner_texts()]


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def wait_for_heading(page: Page, text: str) -> None:
    # With instant navigation the URL changes on click, before the new content is in.
    page.locator("article.md-content__inner h1").first.filter(has_text=text).wait_for()


def mark_document(page: Page) -> None:
    page.evaluate("window.__pmkbSameDocument = true")


def same_document(page: Page) -> bool:
    return bool(page.evaluate("window.__pmkbSameDocument === true"))


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
            [item["id"], item["title"], item.get("impact") or "", item.get("category") or "", *item["services"], *item["tags"]]
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


def test_filter_ignores_unknown_values_in_the_query_string(tab: Tab, sites: Sites) -> None:
    page = tab.page
    open_filter(page, sites.root + "postmortems/?severity=SEV-9&service=nope")
    assert visible_ids(page) == [item["id"] for item in postmortems(sites)]
    assert page.locator("form[data-pmkb-filter] select[name=severity]").input_value() == ""


# 3. Navigation ----------------------------------------------------------------------


def postmortem_for_navigation(sites: Sites, page: Page) -> dict[str, Any]:
    """The newest postmortem in the dashboard's recent incidents that cites a runbook."""
    # The href property: instant navigation rewrites relative hrefs into absolute ones.
    recent = page.eval_on_selector_all("#recent-incidents + .pmkb-table td.pmkb-title > a", "links => links.map(a => a.href)")
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


@pytest.mark.parametrize("path", ["", f"postmortems/{POSTMORTEM_ID}/", "postmortems/"], ids=["dashboard", "postmortem", "postmortems"])
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

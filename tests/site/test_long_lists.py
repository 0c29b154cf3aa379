"""Lists longer than a page: numbered pages, every row reachable, light pages, no search entries.

The knowledge base is the benchmark's deterministic generator at a size that splits
every list (with a small `list_page_size`), built once per test session.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from kb_helpers import benchmark_generator

REPO = Path(__file__).resolve().parents[2]
POSTMORTEMS = 90
PAGE_SIZE = 10
# The largest list page here holds 10 rows: about 30 KB. Unsplit, /actions/ alone would
# be about 180 KB (225 items) and grow with the knowledge base.
SIZE_BOUND = 100_000
MKDOCS_YML = f"""site_name: Long lists
theme:
  name: material
  font: false  # no requests to Google Fonts from the browser tests
plugins:
  - search
  - pmkb:
      list_page_size: {PAGE_SIZE}
"""
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_BODY = re.compile(r"<tbody\b[^>]*>(.*?)</tbody>", re.S)
_PAGER = re.compile(r'<nav class="pmkb-pager"[^>]*>(.*?)</nav>', re.S)
_HREF = re.compile(r'href="([^"]*)"')


@pytest.fixture(scope="module")
def site(build_shared, tmp_path_factory):
    generate: Any = benchmark_generator()
    root = tmp_path_factory.mktemp("long-lists-source")
    _, config = generate.write_sites(root, POSTMORTEMS)
    source = config.parent
    files: dict[str, str | bytes] = {
        path.relative_to(source).as_posix(): path.read_text(encoding="utf-8")
        for folder in ("postmortems", "runbooks")
        for path in sorted((source / folder).rglob("*.md"))
    }
    return build_shared("long-lists", files, MKDOCS_YML)


@pytest.fixture(scope="module")
def kb(site) -> dict[str, Any]:
    return site.json("kb.json")


def _pages(site, first: str) -> list[str]:
    """The URL of a list's first page and of each of its numbered pages, in order."""
    content = site.page(first).content
    pager = _PAGER.search(content)
    if pager is None:
        return [first]
    urls: list[str] = []
    for href in _HREF.findall(pager.group(1)):
        url = urlsplit(urljoin(f"http://site/{first}", html.unescape(href))).path.lstrip("/")
        if url not in urls:
            urls.append(url)
    return urls


def _rows(site, url: str) -> list[str]:
    content = site.page(url).content
    return [row for body in _BODY.findall(content) for row in _ROW.findall(body)]


def _linked_postmortems(row: str) -> list[str]:
    return re.findall(r'href="[^"]*postmortems/([^/"#]+)/', row)


def test_every_postmortem_is_on_exactly_one_page_of_the_list(site, kb):
    pages = _pages(site, "postmortems/")
    assert pages[:2] == ["postmortems/", "postmortems/page/2/"]
    assert len(pages) == -(-POSTMORTEMS // PAGE_SIZE)
    listed: list[str] = []
    for url in pages:
        rows = _rows(site, url)
        assert 0 < len(rows) <= PAGE_SIZE, url
        listed += [re.search(r'<code class="pmkb-id">([^<]+)</code>', row).group(1) for row in rows]
    assert listed == [pm["id"] for pm in kb["postmortems"]]


def test_every_action_item_is_on_a_page_of_the_action_list(site, kb):
    pages = _pages(site, "actions/")
    assert len(pages) > 2
    found: Counter[tuple[str, str]] = Counter()
    for url in pages:
        rows = _rows(site, url)
        assert 0 < len(rows) <= PAGE_SIZE, url
        for row in rows:
            title = html.unescape(re.search(r"<td>([^<]*)</td>", row).group(1))
            found[(_linked_postmortems(row)[-1], title)] += 1
    expected = Counter((pm["id"], item["title"]) for pm in kb["postmortems"] for item in pm["action_items"])
    assert found == expected
    # Overdue first: the first page starts with that section, later sections are linked from it.
    first = site.page("actions/").content
    assert first.index('id="overdue"') < first.index('id="closed"')


@pytest.mark.parametrize("kind", ["timeline", "severity", "tag", "service"])
def test_split_lists_of_incidents_reach_every_incident(site, kb, kind):
    if kind == "timeline":
        lists = {"timeline/": [pm["id"] for pm in kb["postmortems"]]}
    else:
        field, folder = {
            "severity": ("severity", "severity"),
            "tag": ("tags", "tags"),
            "service": ("services", "services"),
        }[kind]
        values = Counter(v for pm in kb["postmortems"] for v in ([pm[field]] if kind == "severity" else pm[field]))
        value = values.most_common(1)[0][0]
        assert values[value] > PAGE_SIZE, "the generated knowledge base no longer splits this list"
        wanted = [pm["id"] for pm in kb["postmortems"] if value == pm[field] or value in pm[field]]
        lists = {f"{folder}/{value.lower()}/": wanted}
    size = PAGE_SIZE // 4 if kind == "service" else PAGE_SIZE  # a service's incident is a heavy row
    for first, wanted in lists.items():
        pages = _pages(site, first)
        assert len(pages) == -(-len(wanted) // size)
        seen: list[str] = []
        for url in pages:
            content = site.page(url).content
            incidents = _BODY.findall(content)[0] if kind != "timeline" else content
            ids = list(dict.fromkeys(re.findall(r'href="[^"]*postmortems/([^/"#]+)/"', incidents)))
            assert len(ids) <= size, url
            seen += ids
        assert seen == wanted, first


def test_no_generated_page_exceeds_the_size_bound(site, kb):
    documents = {pm["url"].strip("/") for pm in kb["postmortems"]} | {rb["url"].strip("/") for rb in kb["runbooks"]}
    sizes = {}
    for path in site.html_files():
        url = path.parent.relative_to(site.root).as_posix()
        if url not in documents and path.name == "index.html":
            sizes[url] = path.stat().st_size
    assert {"actions", "postmortems/page/2", "services"} <= set(sizes)
    too_big = {url: size for url, size in sizes.items() if size > SIZE_BOUND}
    assert not too_big


def test_small_lists_stay_on_one_page(site, kb):
    # /alerts/ keeps #alert-<name> links working: one page whatever its length.
    assert _PAGER.search(site.page("alerts/").content) is None
    assert not (site.root / "alerts" / "page").exists()
    small = Counter(tag for pm in kb["postmortems"] for tag in pm["tags"])
    tag = next(name for name, count in small.items() if count <= PAGE_SIZE)
    assert _PAGER.search(site.page(f"tags/{tag}/").content) is None


def test_generated_pages_are_not_in_the_search_index(site, kb):
    documents = {pm["url"].lstrip("/") for pm in kb["postmortems"]} | {rb["url"].lstrip("/") for rb in kb["runbooks"]}
    locations = {doc["location"].split("#")[0] for doc in site.search_docs()}
    assert locations == documents


# In a browser: the filter covers every page --------------------------------------------


@pytest.fixture(scope="module")
def served(site):
    from browser_helpers import Server

    server = Server(site.root)
    try:
        yield server.base
    finally:
        server.close()


@pytest.fixture
def tab(browser):
    from browser_helpers import tab_for_test

    yield from tab_for_test(browser)


def _all_loaded(page) -> None:
    page.wait_for_function("() => document.querySelector('[data-pmkb-pager]').hidden")


def test_the_filter_finds_rows_beyond_the_first_page(tab, served, kb):
    from browser_helpers import query_of, visible_ids

    page = tab.page
    every = [pm["id"] for pm in kb["postmortems"]]
    page.goto(served + "postmortems/")
    page.locator("form[data-pmkb-filter]").wait_for(state="visible")
    assert visible_ids(page) == every[:PAGE_SIZE]
    count = page.locator("form[data-pmkb-filter] output")
    assert count.inner_text() == f"{POSTMORTEMS} postmortems"

    last = every[-1]
    page.locator("form[data-pmkb-filter] input[name=text]").fill(last)
    _all_loaded(page)
    assert visible_ids(page) == [last]
    assert count.inner_text() == f"1 of {POSTMORTEMS}"
    assert query_of(page) == {"text": [last]}

    page.locator("form[data-pmkb-filter] input[name=text]").fill("")
    page.select_option("form[data-pmkb-filter] select[name=severity]", "SEV-1")
    assert visible_ids(page) == [pm["id"] for pm in kb["postmortems"] if pm["severity"] == "SEV-1"]
    page.select_option("form[data-pmkb-filter] select[name=severity]", "")
    assert visible_ids(page) == every

    # A row that came from another page links where it should.
    page.locator(f"table[data-pmkb-filter-table] a[href$='/postmortems/{last}/']").first.click()
    page.wait_for_url(f"**/postmortems/{last}/")
    assert page.locator("article code.pmkb-id").first.inner_text() == last
    assert not tab.problems(), tab.problems()


def test_show_all_and_filters_from_a_numbered_page(tab, served, kb):
    from browser_helpers import visible_ids

    page = tab.page
    every = [pm["id"] for pm in kb["postmortems"]]
    page.goto(served + "postmortems/page/2/")
    page.locator("form[data-pmkb-filter]").wait_for(state="visible")
    assert visible_ids(page) == every[PAGE_SIZE : 2 * PAGE_SIZE]
    page.locator("[data-pmkb-show-all]").click()
    _all_loaded(page)
    assert visible_ids(page) == every
    assert page.locator("[data-pmkb-show-all]").count() == 0

    # A filter in the query string loads every page too.
    service = kb["postmortems"][-1]["services"][0]
    page.goto(served + f"postmortems/page/3/?service={service}")
    _all_loaded(page)
    assert visible_ids(page) == [pm["id"] for pm in kb["postmortems"] if service in pm["services"]]
    assert not tab.problems(), tab.problems()


def test_without_javascript_the_pager_reaches_every_page(browser, served):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served + "postmortems/")
        seen = 1
        while page.locator("a[rel=next]").count():
            page.locator("a[rel=next]").click()
            seen += 1
            assert page.locator("[aria-current=page]").inner_text() == str(seen)
        assert seen == -(-POSTMORTEMS // PAGE_SIZE)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("url", ["postmortems/page/2/", "actions/"])
def test_numbered_pages_have_no_serious_accessibility_violations(browser, served, url, scheme):
    from axe_playwright_python.sync_playwright import Axe
    from browser_helpers import open_tab

    tab = open_tab(browser, colour_scheme=scheme)
    try:
        tab.page.goto(served + url)
        tab.page.locator("[data-pmkb-pager]").wait_for()
        results = Axe().run(tab.page)
        blocking = [item["id"] for item in results.response["violations"] if item["impact"] in ("serious", "critical")]
        assert not blocking, (url, scheme, blocking)
    finally:
        tab.page.context.close()


# The arithmetic -------------------------------------------------------------------------


def test_numbered_page_addresses():
    from pmkb.site.paging import part_uri

    assert part_uri("postmortems/index.md", 2) == "postmortems/page/2.md"
    assert part_uri("timeline.md", 3) == "timeline/page/3.md"
    assert part_uri("tags/database.md", 2) == "tags/database/page/2.md"
    assert part_uri("tags/index/index.md", 2) == "tags/index/page/2.md"


def test_pager_rows_and_sections_across_pages():
    from pmkb.site.paging import pager, section_windows

    assert pager(200, 200, 1) is None
    second = pager(450, 200, 3)
    assert second is not None and (second.count, second.first, second.last) == (3, 401, 450)
    # Sections of 5, 0 and 12 rows over pages of 10: the third starts on page 1 and ends on page 2.
    assert section_windows([5, 0, 12], 10, 1) == [(slice(0, 5), 1), (slice(0, 0), 1), (slice(0, 5), 1)]
    assert section_windows([5, 0, 12], 10, 2) == [(slice(0, 0), 1), (slice(0, 0), 1), (slice(5, 12), 1)]
    assert section_windows([25, 3], 10, 3) == [(slice(20, 25), 1), (slice(0, 3), 3)]
    assert section_windows([4, 3], 10, 1) == [(slice(None), 1), (slice(None), 1)]

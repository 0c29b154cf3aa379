"""The example site in a real browser: builds, servers, Chromium, and helpers shared by
the browser test modules (search and filter, accessibility, layout).

The example knowledge base at the repository root is built twice per test session, in
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
used. The session fixtures that use these (tests/site/conftest.py) skip without it.
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
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
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
    def log_message(self, format: str, *args: Any) -> None:
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
        return Sites(
            kb=kb, root=self.plain_server.base, kb_sub=self.site_url, plain_sub=f"{self.parent_server.base}site/"
        )


def start_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Builds]:
    """Start both builds in the background (they take seconds; Chromium starts meanwhile)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
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


def launch_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


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


def open_tab(browser: Browser, width: int = 1280, height: int = 900, colour_scheme: str = "light") -> Tab:
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=colour_scheme)  # type: ignore[arg-type]
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


def tab_for_test(browser: Browser) -> Iterator[Tab]:
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

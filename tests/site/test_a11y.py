"""Accessibility: axe-core on every kind of pmkb page, light and dark, desktop and phone.

axe-core comes bundled with axe-playwright-python (no network). Any violation of
impact "serious" or "critical" fails the test, listed with the elements it names.
Pages are loaded in one tab per viewport and colour scheme.

axe's colour-contrast rule is most of its run time (seconds per page). Colours do not
change with the width, so phone views run every rule but that one; contrast is checked
at desktop width in both schemes here, and for every colour pair in test_palette.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_helpers import ALERT_RUNBOOK, POSTMORTEM_ID, SERVICE, TAG, Sites, Tab, open_tab
from playwright.sync_api import Browser

# One of each page kind the plugin generates, by URL under the site root.
PAGES = {
    "dashboard": "",
    "postmortems": "postmortems/",
    "postmortem": f"postmortems/{POSTMORTEM_ID}/",
    "runbooks": "runbooks/",
    "runbook": f"runbooks/{ALERT_RUNBOOK}/",
    "services": "services/",
    "service": f"services/{SERVICE}/",
    "severities": "severity/",
    "severity": "severity/sev-2/",
    "tags": "tags/",
    "tag": f"tags/{TAG}/",
    "timeline": "timeline/",
    "actions": "actions/",
    "alerts": "alerts/",
}
# (width, height, Material scheme the browser's preference selects)
VIEWS = {
    "desktop-light": (1280, 900, "light"),
    "desktop-dark": (1280, 900, "dark"),
    "phone-light": (390, 844, "light"),
    "phone-dark": (390, 844, "dark"),
}
PHONE_WIDTH = 390
WITHOUT_CONTRAST = {"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": False}}}
SCHEME_ATTRIBUTE = {"light": "default", "dark": "slate"}
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture(scope="module")
def view_tabs(browser: Browser, sites: Sites) -> Iterator[dict[str, Tab]]:
    tabs: dict[str, Tab] = {}
    try:
        yield tabs
    finally:
        for tab in tabs.values():
            tab.page.context.close()


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:240]}")
    return "\n".join(lines)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_serious_accessibility_violations(
    browser: Browser, sites: Sites, view_tabs: dict[str, Tab], axe: Axe, kind: str, view: str
) -> None:
    width, height, scheme = VIEWS[view]
    if view not in view_tabs:
        view_tabs[view] = open_tab(browser, width=width, height=height, colour_scheme=scheme)
    page = view_tabs[view].page
    page.goto(sites.root + PAGES[kind])
    page.locator("article.md-content__inner h1").first.wait_for()
    # Material follows the browser's preference through the palette's media queries.
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == SCHEME_ATTRIBUTE[scheme]
    results = axe.run(page, options=WITHOUT_CONTRAST) if width == PHONE_WIDTH else axe.run(page)
    violations = [item for item in results.response["violations"] if item["impact"] in BLOCKING]
    assert not violations, f"{PAGES[kind] or '/'} at {width}px, {scheme}:\n{describe(violations)}"
    assert not view_tabs[view].page_errors, view_tabs[view].page_errors


def test_axe_finds_a_contrast_failure_when_there_is_one(browser: Browser, sites: Sites, axe: Axe) -> None:
    """The check above can fail: the old SEV-2 badge colour is reported as serious."""
    tab = open_tab(browser)
    try:
        tab.page.goto(sites.root + PAGES["severity"])
        tab.page.add_style_tag(content=":root, [data-md-color-scheme] { --pmkb-sev-1: #e65100 !important; }")
        results = axe.run(tab.page)
        ids = {item["id"] for item in results.response["violations"] if item["impact"] in BLOCKING}
        assert "color-contrast" in ids
    finally:
        tab.page.context.close()

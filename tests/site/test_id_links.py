"""Links by id in bodies: they lead to the document's page in every URL style, wherever its file is."""

from __future__ import annotations

import re

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML, SECTIONS

PM_ID = "2024-03-05-checkout"
FRONT = GOOD_POSTMORTEM.split("\n---\n", 1)[0] + "\n---\n"
BODY = (
    "Follow [the pool runbook][db-pool], or [db-pool][] for short; its\n"
    "[diagnosis](runbook:db-pool#diagnosis) comes first. Written as code, `[x][db-pool]` stays code.\n"
    "[The docs][docs-link] keep their own definition.\n\n"
    "[docs-link]: https://example.com/docs\n" + SECTIONS
)
RUNBOOK_BODY = "Seen in [the checkout incident][2024-03-05-checkout].\n"


def files(runbook_path: str = "runbooks/ops/db-pool.md") -> dict[str, str | bytes]:
    return {
        f"postmortems/2024/{PM_ID}.md": FRONT + BODY,
        runbook_path: GOOD_RUNBOOK.replace("## Symptoms\n", RUNBOOK_BODY + "\n## Symptoms\n"),
    }


SITES = {
    "directory": ("id-links-directory", MKDOCS_YML),
    "files": ("id-links-files", MKDOCS_YML + "use_directory_urls: false\n"),
    "subpath": ("id-links-subpath", MKDOCS_YML + "site_url: https://example.com/kb/\n"),
}


@pytest.fixture(params=list(SITES))
def site(request, build_shared):
    name, yml = SITES[request.param]
    return build_shared(name, files(), yml)


def body_links(site, folder: str, name: str) -> dict[str, str]:
    """Link text -> href in the body of a document page."""
    html = site.page(site.url_of(folder, name)).content
    body = html.split('<div class="pmkb-body">', 1)[1].split("</div>", 1)[0]
    return {text: href for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', body)}


def test_id_links_resolve_relative_to_the_page(site, check_links):
    assert site.warnings() == []
    assert check_links(site) == []
    links = body_links(site, "postmortems", PM_ID)
    page = "db-pool/" if site.use_directory_urls else "db-pool.html"
    up = "../../runbooks/" if site.use_directory_urls else "../runbooks/"
    assert links["the pool runbook"] == up + page
    assert links["db-pool"] == up + page
    assert links["diagnosis"] == up + page + "#diagnosis"
    assert links["The docs"] == "https://example.com/docs"
    back = body_links(site, "runbooks", "db-pool")
    assert back["the checkout incident"] == ("../../postmortems/" if site.use_directory_urls else "../postmortems/") + (
        f"{PM_ID}/" if site.use_directory_urls else f"{PM_ID}.html"
    )


def test_id_links_in_code_stay_code(build_shared):
    name, yml = SITES["directory"]
    site = build_shared(name, files(), yml)
    assert "<code>[x][db-pool]</code>" in site.page(f"postmortems/{PM_ID}/").content


def test_id_links_survive_moving_the_file(build_kb, check_links):
    # The runbook moves to another folder under another file name; its id stays.
    moved = files()
    runbook = moved.pop("runbooks/ops/db-pool.md")
    assert isinstance(runbook, str)
    moved["runbooks/archive/2023/pool-saturation.md"] = runbook.replace(
        "title: Database", "id: db-pool\ntitle: Database"
    )
    site = build_kb(moved)
    assert site.warnings() == []
    assert check_links(site) == []
    assert body_links(site, "postmortems", PM_ID)["the pool runbook"] == "../../runbooks/db-pool/"


def test_a_dangling_id_link_fails_the_build_with_path_and_line(build_kb, build_failed):
    broken = files()
    broken[f"postmortems/2024/{PM_ID}.md"] = FRONT + BODY.replace("[db-pool][] for short", "[db-pol][] for short")
    line = broken[f"postmortems/2024/{PM_ID}.md"].split("[db-pol]")[0].count("\n") + 1
    with pytest.raises(build_failed) as failure:
        build_kb(broken)
    errors = [record.getMessage() for record in failure.value.records if record.levelname == "ERROR"]
    assert any(f"postmortems/2024/{PM_ID}.md:{line}: error PMKB016" in message for message in errors)

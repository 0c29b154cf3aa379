"""Stable id-based URLs in both URL styles and under a sub-path, and bodies' own relative links."""

from __future__ import annotations

import json
import xml.etree.ElementTree as etree

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML, SECTIONS, postmortem

A = "2024-03-05-checkout"

# Written relative to postmortems/2024/deep/: a sibling postmortem whose id differs from
# its file name, a runbook section, a docs page, an image beside the file, raw HTML.
LINKING_BODY = (
    """
See [the follow-up](follow-up.md), [the pool runbook](../../../runbooks/ops/db-pool.md#diagnosis),
[how we write postmortems](../../../docs/guide/writing.md) and [upstream](https://example.org/x.md).

![latency graph](img/latency.svg)

<p><img src="img/latency.svg" alt="raw html image"> <a href="follow-up.md">raw link</a></p>
"""
    + SECTIONS
)

FOLLOW_UP = postmortem(
    """
    id: the-follow-up
    title: The follow-up
    severity: SEV-3
    started_at: 2024-04-01T10:00:00Z
    resolved_at: 2024-04-01T11:00:00Z
    services: [checkout-api]
    """
)

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def files(pm_body: str = LINKING_BODY) -> dict[str, str | bytes]:
    return {
        f"postmortems/2024/deep/{A}.md": GOOD_POSTMORTEM.split("\n---\n", 1)[0] + "\n---\n" + pm_body,
        "postmortems/2024/deep/follow-up.md": FOLLOW_UP,
        "postmortems/2024/deep/img/latency.svg": SVG,
        "runbooks/ops/db-pool.md": GOOD_RUNBOOK,
        "docs/guide/writing.md": "# Writing postmortems\n\nBlameless, with a timeline.\n",
    }


@pytest.fixture
def directory_site(build_shared):
    return build_shared("urls-directory", files())


@pytest.fixture
def file_site(build_shared):
    return build_shared("urls-files", files(), MKDOCS_YML + "use_directory_urls: false\n")


@pytest.fixture
def subpath_site(build_shared):
    return build_shared("urls-subpath", files(), MKDOCS_YML + "site_url: https://example.com/kb/\n")


def test_pages_live_at_id_urls_whatever_the_folder(directory_site):
    assert directory_site.page_path(f"postmortems/{A}/").is_file()
    assert directory_site.page_path("postmortems/the-follow-up/").is_file()
    assert directory_site.page_path("runbooks/db-pool/").is_file()
    beside = sorted(
        p.relative_to(directory_site.root).as_posix() for p in (directory_site.root / "postmortems" / "2024").rglob("*")
    )
    assert beside == ["postmortems/2024/deep", "postmortems/2024/deep/img", "postmortems/2024/deep/img/latency.svg"]
    assert not (directory_site.root / "postmortems" / "follow-up").exists()


@pytest.mark.parametrize("name", ["directory_site", "file_site", "subpath_site"])
def test_every_link_resolves(name, request, check_links):
    site = request.getfixturevalue(name)
    assert site.warnings() == []
    assert check_links(site) == []


def test_body_links_point_at_the_published_pages(directory_site):
    body = directory_site.page(f"postmortems/{A}/").content
    assert 'href="../the-follow-up/"' in body
    assert 'href="../../runbooks/db-pool/#diagnosis"' in body
    assert 'href="../../guide/writing/"' in body
    assert 'href="https://example.org/x.md"' in body
    assert body.count('src="../2024/deep/img/latency.svg"') == 2  # Markdown and raw HTML
    assert '<a href="../the-follow-up/">raw link</a>' in body
    assert (directory_site.root / "postmortems/2024/deep/img/latency.svg").read_bytes() == SVG


def test_file_urls(file_site):
    assert file_site.page_path(f"postmortems/{A}.html").is_file()
    assert file_site.page_path("severity/sev-2.html").is_file()
    assert file_site.page_path("index.html").is_file()
    content = file_site.page(f"postmortems/{A}.html").content
    assert 'href="the-follow-up.html"' in content
    assert 'href="../services/checkout-api.html"' in content
    assert 'href="../runbooks/db-pool.html"' in content
    data = json.loads((file_site.root / "kb.json").read_text(encoding="utf-8"))
    assert {item["url"] for item in data["postmortems"]} == {
        f"/postmortems/{A}.html",
        "/postmortems/the-follow-up.html",
    }


def test_sub_path_makes_exports_absolute(subpath_site):
    data = json.loads((subpath_site.root / "kb.json").read_text(encoding="utf-8"))
    assert data["postmortems"][0]["url"] == "https://example.com/kb/postmortems/the-follow-up/"
    root = etree.parse(subpath_site.root / "feed.xml").getroot()
    links = [link.get("href") for link in root.iter("{http://www.w3.org/2005/Atom}link")]
    assert "https://example.com/kb/feed.xml" in links
    assert "https://example.com/kb/postmortems/the-follow-up/" in links
    html = subpath_site.html(f"postmortems/{A}/")
    assert 'href="/' not in html.replace('href="/kb/', "")  # nothing escapes the sub-path


def test_feed_has_self_link_and_absolute_links_only_with_a_site_url(subpath_site, file_site):
    from pmkb.site.files import FEED_WITHOUT_SITE_URL

    atom = "{http://www.w3.org/2005/Atom}"
    root = etree.parse(subpath_site.root / "feed.xml").getroot()
    self_links = [link.get("href") for link in root.findall(f"{atom}link") if link.get("rel") == "self"]
    assert self_links == ["https://example.com/kb/feed.xml"]
    entry_links = [link.get("href") for link in root.iter(f"{atom}link") if link.get("rel") == "alternate"]
    assert entry_links and all(href.startswith("https://example.com/kb/") for href in entry_links)
    assert not [record for record in subpath_site.records if FEED_WITHOUT_SITE_URL in record.getMessage()]

    # Without a site_url: relative links, no rel="self", and the build says why (not as a
    # warning: `mkdocs build --strict` must still pass).
    root = etree.parse(file_site.root / "feed.xml").getroot()
    assert not [link for link in root.findall(f"{atom}link") if link.get("rel") == "self"]
    notes = [record for record in file_site.records if FEED_WITHOUT_SITE_URL in record.getMessage()]
    assert len(notes) == 1 and notes[0].levelname == "INFO"
    assert "site_url" in FEED_WITHOUT_SITE_URL and "feed.xml" in FEED_WITHOUT_SITE_URL


def test_unresolvable_body_link_is_reported(build_kb, build_failed):
    with pytest.raises(build_failed) as failure:
        build_kb(files("[gone](missing.md)\n" + SECTIONS))
    assert any("missing.md" in record.getMessage() for record in failure.value.records)


def test_knowledge_base_inside_docs_dir_is_published_once(build_kb, check_links):
    yml = MKDOCS_YML.replace(
        "  - pmkb\n", "  - pmkb:\n      postmortems_dir: docs/postmortems\n      runbooks_dir: docs/runbooks\n"
    )
    site = build_kb(
        {
            f"docs/postmortems/2024/{A}.md": GOOD_POSTMORTEM,
            "docs/postmortems/2024/img/x.svg": SVG,
            "docs/runbooks/db-pool.md": GOOD_RUNBOOK,
        },
        yml,
    )
    assert site.warnings() == []
    assert site.page_path(f"postmortems/{A}/").is_file()
    assert not (site.root / "postmortems" / "2024" / A).exists()
    assert (site.root / "postmortems/2024/img/x.svg").is_file()
    assert check_links(site) == []


def test_an_id_named_index_does_not_hide_the_list(build_kb, check_links):
    index_pm = GOOD_POSTMORTEM.replace(
        "title: Checkout errors after pool change", "id: index\ntitle: The index incident"
    )
    site = build_kb({f"postmortems/{A}.md": index_pm, "runbooks/db-pool.md": GOOD_RUNBOOK})
    assert site.warnings() == []
    assert "The index incident" in site.page("postmortems/index/").content
    assert "Every postmortem" in site.page("postmortems/").content
    assert check_links(site) == []

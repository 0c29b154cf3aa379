"""Ids, tags and services too long for a file name get a shortened, stable URL segment."""

from __future__ import annotations

import pytest
from kb_helpers import GOOD_RUNBOOK, MKDOCS_YML, postmortem
from pmkb.index import MAX_SEGMENT_BYTES, path_segment, slugify

LONG_ID = "a" + "-very-long-incident-name" * 12 + "-z"  # 300 characters
LONG_TAG = "t" * 300
LONG_SERVICE = "数据库" * 34  # 102 CJK characters, 306 bytes in UTF-8
OTHER_LONG_SERVICE = "数据库" * 34 + "二"


def _files() -> dict[str, str | bytes]:
    text = postmortem(
        f"""
        id: {LONG_ID}
        title: An incident with very long names
        severity: SEV-3
        started_at: 2024-03-05T14:00:00Z
        resolved_at: 2024-03-05T15:00:00Z
        services: ["{LONG_SERVICE}", "{OTHER_LONG_SERVICE}"]
        tags: ["{LONG_TAG}"]
        """
    )
    return {"postmortems/long.md": text, "runbooks/db-pool.md": GOOD_RUNBOOK}


@pytest.fixture(scope="module")
def long_site(build_shared):
    return build_shared("long-values", _files(), MKDOCS_YML)


def test_short_values_keep_the_spec_slug():
    assert path_segment("checkout-api") == "checkout-api"
    assert path_segment(slugify("数据库")) == "数据库"


def test_long_segments_are_bounded_stable_and_distinct():
    first, second = path_segment(slugify(LONG_SERVICE)), path_segment(slugify(OTHER_LONG_SERVICE))
    assert len(first.encode()) <= MAX_SEGMENT_BYTES and len(second.encode()) <= MAX_SEGMENT_BYTES
    assert first != second
    assert path_segment(slugify(LONG_SERVICE)) == first
    assert first.startswith("数据库数据库")


def test_pages_exist_at_the_shortened_urls(long_site):
    pm_url = f"postmortems/{path_segment(LONG_ID)}/"
    assert LONG_ID in long_site.page(pm_url).text
    assert long_site.page_path(f"tags/{path_segment(LONG_TAG)}/").exists()
    for service in (LONG_SERVICE, OTHER_LONG_SERVICE):
        page = long_site.page(f"services/{path_segment(slugify(service))}/")
        assert service in page.text
    assert long_site.warnings() == []


def test_kb_json_url_leads_to_the_page(long_site):
    data = long_site.json("kb.json")
    (pm,) = data["postmortems"]
    assert pm["id"] == LONG_ID
    assert pm["url"].rstrip("/").endswith(path_segment(LONG_ID))

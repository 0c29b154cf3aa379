"""The repository's example knowledge base builds under --strict into every page of SPEC's table."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from pathlib import Path

import pytest
from kb_helpers import TODAY
from pmkb.config import load_config
from pmkb.index import KnowledgeBase
from pmkb.pipeline import load_knowledge_base

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def kb(example_site) -> KnowledgeBase:
    """The example knowledge base as the CLI reads it, to compare the site against."""
    return load_knowledge_base(load_config(Path(__file__).resolve().parents[2] / "mkdocs.yml"), TODAY).kb


def test_builds_under_strict_without_warnings(example_site):
    assert example_site.warnings() == []


def test_every_page_of_the_site_table_exists(example_site, kb):
    urls = ["", "postmortems/", "runbooks/", "timeline/", "actions/", "alerts/", "services/", "tags/", "severity/"]
    urls += [f"postmortems/{pm_id}/" for pm_id in kb.postmortems]
    urls += [f"runbooks/{rb_id}/" for rb_id in kb.runbooks]
    urls += [f"severity/{kb.slugs['severity'][level]}/" for level in kb.config.severities]
    urls += [f"tags/{kb.slugs['tag'][tag]}/" for tag in kb.by_tag]
    urls += [f"services/{kb.slugs['service'][service]}/" for service in kb.services]
    missing = [url for url in urls if not example_site.page_path(url).is_file()]
    assert missing == []
    assert example_site.page_path("severity/sev-1/").is_file()
    assert (example_site.root / "kb.json").is_file() and (example_site.root / "feed.xml").is_file()


def test_every_internal_link_resolves(example_site, check_links):
    assert check_links(example_site) == []


def test_kb_json_is_the_export_with_site_urls(example_site, kb):
    data = example_site.json("kb.json")
    assert [item["id"] for item in data["postmortems"]] == list(kb.postmortems)
    assert [item["id"] for item in data["runbooks"]] == list(kb.runbooks)
    expected = kb.export()
    for kind in ("postmortems", "runbooks"):
        for ours, theirs in zip(data[kind], expected[kind], strict=False):
            # The same document as `pmkb export`; only `url` follows the site's settings.
            assert {**ours, "url": None} == {**theirs, "url": None}
    for item in data["postmortems"]:
        assert example_site.page_path(item["url"]).is_file()
        assert {"duration", "time_to_detect", "time_to_mitigate", "related", "similar", "url"} <= set(item)
    for item in data["runbooks"]:
        assert example_site.page_path(item["url"]).is_file()
        assert "incidents" in item


def test_feed_is_atom_with_every_postmortem_newest_first(example_site, kb):
    root = etree.parse(example_site.root / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(kb.postmortems)
    ids = set()
    for entry, (_pm_id, pm) in zip(entries, kb.postmortems.items(), strict=False):
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        assert pm.title in entry.findtext(f"{ATOM}title", "")
        href = entry.find(f"{ATOM}link").get("href")
        assert example_site.page_path(href).is_file()
        ids.add(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(entries)


def test_search_finds_documents_by_their_values(example_site, kb):
    docs = example_site.search_docs()
    by_location: dict[str, list[dict]] = {}
    for doc in docs:
        by_location.setdefault(doc["location"].split("#")[0], []).append(doc)
    for pm_id, pm in kb.postmortems.items():
        entries = by_location[f"postmortems/{pm_id}/"]
        indexed = " ".join(doc["text"] + " " + " ".join(doc.get("tags", [])) for doc in entries)
        for value in [pm_id, pm.severity, *pm.services, *pm.tags]:
            assert value in indexed, (pm_id, value)
    for rb_id, runbook in kb.runbooks.items():
        entries = by_location[f"runbooks/{rb_id}/"]
        tags = {tag for doc in entries for tag in doc.get("tags", [])}
        assert set(runbook.alerts) <= tags
    # Generated lists are navigation: only documents (and the user's own pages) are indexed.
    generated = ["", "postmortems/", "runbooks/", "timeline/", "actions/", "alerts/", "services/", "tags/", "severity/"]
    generated += [f"services/{kb.slugs['service'][name]}/" for name in kb.services]
    generated += [f"tags/{kb.slugs['tag'][name]}/" for name in kb.tags]
    generated += [f"severity/{kb.slugs['severity'][level]}/" for level in kb.config.severities]
    for url in generated:
        assert url not in by_location, url


def test_postmortems_stay_out_of_the_navigation(example_site, kb):
    html = example_site.html("runbooks/")
    nav = html[html.index('<nav class="md-nav md-nav--primary"') : html.index("md-sidebar--secondary")]
    for label in ("Postmortems", "Runbooks", "Services", "Severity", "Tags", "Timeline", "Action items", "Alerts"):
        assert label in nav
    assert not any(pm_id in nav for pm_id in kb.postmortems)
    assert not any(f'"{rb_id}/"' in nav for rb_id in kb.runbooks)


def test_file_urls_under_a_sub_path(example_site_variant, check_links):
    site = example_site_variant(use_directory_urls=False, site_url="https://example.com/kb/")
    assert site.warnings() == []
    assert site.page_path("postmortems/index.html").is_file()
    assert check_links(site) == []


def test_example_and_pmkb_init_use_the_same_search_separator():
    import yaml
    from pmkb.init import SEARCH_SEPARATOR

    config = yaml.safe_load((Path(__file__).resolve().parents[2] / "mkdocs.yml").read_text(encoding="utf-8"))
    search = next(plugin["search"] for plugin in config["plugins"] if isinstance(plugin, dict) and "search" in plugin)
    assert search["separator"] == SEARCH_SEPARATOR
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"separator: '{SEARCH_SEPARATOR}'" in readme

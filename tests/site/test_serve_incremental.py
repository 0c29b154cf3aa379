"""Under `mkdocs serve`, an edit rebuilds only the pages it changes, and the site is still whole.

A real server serves a generated knowledge base. The test renames an incident, waits
for its page, and checks that the rebuild skipped pages; once the similar incidents are
worked out (after the rebuild, see similar_worker.py), that the new title reached the
search index, the index pages, the feed and kb.json, and that the search index kept
its size. Then it forces a full rebuild (mkdocs.yml changed) and expects every
page, the search index, kb.json, the feed and the sitemap to be exactly what the
incremental rebuild served. Both with MkDocs' default rebuilds and with `--dirty`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from kb_helpers import benchmark_generator
from serve_helpers import Server, serving

REPO = Path(__file__).resolve().parents[2]
SIZE = 24  # postmortems; enough for related links, shared runbooks and similar incidents
NEW_TITLE = "Checkout queue drained by a runaway retry loop"
_REBUILT = re.compile(r"rebuilding (\d+) of the (\d+) pages pmkb generates")
# What legitimately differs between two builds a minute apart: the build time, and the
# server's reload counters it puts into every page it serves.
_BUILD_TIME = re.compile(r'(this site was built <time datetime=")[^"]*(">)[^<]*(</time>)')
_RELOAD_EPOCH = re.compile(r"livereload\(\d+, \d+\);")


def snapshot(server: Server) -> dict[str, str]:
    """Every page the sitemap lists, plus the search index, kb.json and the feed."""
    urls = re.findall(r"<loc>[^<]*?//[^/]+/([^<]*)</loc>", server.page("sitemap.xml"))
    assert len(urls) > SIZE
    pages = {url: _RELOAD_EPOCH.sub("", _BUILD_TIME.sub(r"\1\2\3", server.page(url))) for url in urls}
    for extra in ("search/search_index.json", "kb.json", "feed.xml", "sitemap.xml"):
        pages[extra] = server.page(extra)
    return pages


def search_docs(server: Server) -> list[dict[str, str]]:
    docs: list[dict[str, str]] = json.loads(server.page("search/search_index.json"))["docs"]
    return docs


@pytest.fixture(scope="module", params=[(), ("--dirty",)], ids=["default", "dirty"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("incremental")
    _, config = benchmark_generator().write_sites(root, SIZE)
    with serving(config, root / "serve.log", *request.param) as server:
        yield server


def test_an_edit_rebuilds_only_what_it_changes_and_the_site_stays_whole(served: Server) -> None:
    generator = benchmark_generator()
    pm_id = generator.postmortem_id(1)
    source = served.root / "postmortems" / f"{pm_id}.md"
    original = source.read_text(encoding="utf-8")
    entries_before = len(search_docs(served))

    builds, similar = served.builds(), served.similar_results()
    logged_before = len(served.log.read_text(errors="replace"))
    source.write_text(re.sub(r"^title: .*$", f"title: {NEW_TITLE}", original, count=1, flags=re.M), encoding="utf-8")
    served.wait_for_build(builds)
    assert NEW_TITLE in served.page(f"postmortems/{pm_id}/")
    log = served.log.read_text(errors="replace")[logged_before:]
    assert "showing the similar incidents of the build before" in log
    rebuilt = [(int(done), int(total)) for done, total in _REBUILT.findall(log)]
    assert rebuilt, log
    done, total = rebuilt[-1]
    assert 1 <= done < total / 2, f"the rebuild made {done} of {total} pages"
    # Similar incidents are worked out after the rebuild; the site is whole once they are.
    served.wait_for_similar(similar)

    incremental = snapshot(served)
    docs = json.loads(incremental["search/search_index.json"])["docs"]
    assert len(docs) == entries_before
    assert any(doc["location"] == f"postmortems/{pm_id}/" and doc["title"] == NEW_TITLE for doc in docs)
    assert NEW_TITLE in incremental["postmortems/"] and NEW_TITLE in incremental["feed.xml"]
    assert NEW_TITLE in incremental["kb.json"]

    # A change to mkdocs.yml makes the next rebuild a full one: it must serve the same site.
    mkdocs_yml = served.root / "mkdocs.yml"
    settings = mkdocs_yml.read_text(encoding="utf-8")
    builds = served.builds()
    mkdocs_yml.write_text(settings + "# changed\n", encoding="utf-8")
    try:
        served.wait_for_build(builds)
        assert "rebuilding every page" in served.tail()
        full = snapshot(served)
    finally:
        builds = served.builds()
        mkdocs_yml.write_text(settings, encoding="utf-8")
        source.write_text(original, encoding="utf-8")
        served.wait_for_build(builds)
    assert full.keys() == incremental.keys()
    differing = [url for url in full if full[url] != incremental[url]]
    assert not differing, f"the incremental rebuild served other content at {differing[:5]}"

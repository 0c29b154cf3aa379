"""`mkdocs serve` itself: a knowledge-base error never freezes the preview.

Before, a rebuild that failed on a knowledge-base error left MkDocs' server waiting
for a good build: every request hung. Here a real server runs on a free port; the test
breaks a document, expects the page to answer with the finding in its banner and on
/problems/, then fixes it and expects the banner to go. Every wait is bounded.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, write_kb
from serve_helpers import REBUILD_SECONDS, Server, serving

PM_ID = "2024-03-05-checkout"
PM = f"postmortems/{PM_ID}.md"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module; each test leaves the knowledge base as it found it."""
    tmp_path = tmp_path_factory.mktemp("serve")
    config = write_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK})
    with serving(config, tmp_path / "serve.log") as served:
        yield served


def has_banner(html: str) -> bool:
    return "pmkb-problems-banner" in html


def test_an_error_shows_on_the_page_and_goes_when_fixed(server: Server):
    page = f"postmortems/{PM_ID}/"
    first = server.page(page)
    assert not has_banner(first)
    assert "livereload" in first  # the server watches files and reloads the browser

    source = server.root / PM
    good = source.read_text(encoding="utf-8")
    broken = good.replace("## Impact\n", "## Impact\n\nAs the [pool runbook][db-pol] says.\n")
    line = broken.split("[db-pol]")[0].count("\n") + 1
    source.write_text(broken, encoding="utf-8")

    html = server.wait_for(page, has_banner, REBUILD_SECONDS)
    assert "<code>PMKB016</code>" in html and f"line {line}</span>" in html and "db-pol" in html
    problems = server.page("problems/")
    assert f"<code>{PM}</code>" in problems and "PMKB016" in problems

    source.write_text(good, encoding="utf-8")
    server.wait_for(page, lambda html: not has_banner(html), REBUILD_SECONDS)
    assert "No problems" in server.page("problems/")


def test_a_document_that_fails_validation_gets_a_page(server: Server):
    draft = server.root / "postmortems" / "half-written.md"
    draft.write_text(
        "---\ntitle: Half written\n---\n\n## Summary\n\nStill typing.\n",
        encoding="utf-8",
    )
    html = server.wait_for("postmortems/half-written/", has_banner, REBUILD_SECONDS)
    assert "PMKB003" in html and "Still typing." in html
    assert server.page("").count("pmkb-problems-banner") == 1

    draft.unlink()
    server.wait_for("", lambda html: not has_banner(html), REBUILD_SECONDS)

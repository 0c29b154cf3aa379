"""Generated pages' HTML held compressed between the build steps that need it
(`pmkb.site.held_content`): empty while other pages are read and written, the page's
own HTML, unchanged, while it is built; the user's own pages are left alone."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML
from pmkb.site.held_content import HeldContent

# A hooks file that notes, for every page, how long page.content is at each step.
OBSERVER = """
import json
from pathlib import Path
from mkdocs.plugins import event_priority

seen = {"env": {}, "context": {}, "markdown": {}, "post_page": {}, "post_build": {}}
pages = []

def on_page_content(html, page, config, files):
    pages.append(page)

def on_env(env, config, files):
    for page in pages:
        seen["env"][page.file.src_uri] = len(page.content or "") + len(page.markdown or "")

def on_page_context(context, page, config, nav):
    seen["context"][page.file.src_uri] = page.content
    seen["markdown"][page.file.src_uri] = page.markdown

def on_post_page(output, page, config):
    seen["post_page"][page.file.src_uri] = output

@event_priority(-2000)
def on_post_build(config):
    for page in pages:
        seen["post_build"][page.file.src_uri] = len(page.content or "") + len(page.markdown or "")
    Path(config.config_file_path).with_name("seen.json").write_text(json.dumps(seen))
"""

USER_PAGE = "# About\n\nHow this team writes postmortems.\n"


@pytest.fixture(scope="module")
def seen(build_shared: Any) -> dict[str, dict[str, Any]]:
    files = {
        "postmortems/2024-03-05-checkout.md": GOOD_POSTMORTEM,
        "runbooks/db-pool.md": GOOD_RUNBOOK,
        "docs/about.md": USER_PAGE,
        "observer.py": OBSERVER,
    }
    site = build_shared("held-content", files, MKDOCS_YML + "hooks:\n  - observer.py\n")
    observed: dict[str, dict[str, Any]] = json.loads((site.root.parent / "kb" / "seen.json").read_text())
    return observed


POSTMORTEM_PAGE = "postmortems/2024-03-05-checkout.md"


def test_generated_pages_hold_no_html_or_markdown_between_their_steps(seen: dict[str, dict[str, Any]]) -> None:
    generated = [uri for uri in seen["env"] if uri != "about.md"]
    assert POSTMORTEM_PAGE in generated and len(generated) > 5
    assert {uri: seen["env"][uri] for uri in generated} == dict.fromkeys(generated, 0)
    assert {uri: seen["post_build"][uri] for uri in generated} == dict.fromkeys(generated, 0)


def test_a_generated_page_has_its_html_while_it_is_built(seen: dict[str, dict[str, Any]]) -> None:
    content = seen["context"][POSTMORTEM_PAGE]
    assert "The checkout API returned errors for a quarter of requests." in content
    assert "Canary pool size changes" in content  # the header's action items, from pmkb's templates
    assert content in seen["post_page"][POSTMORTEM_PAGE]
    markdown = seen["markdown"][POSTMORTEM_PAGE]
    assert "## Summary\n\nThe checkout API returned errors for a quarter of requests." in markdown


def test_the_users_own_pages_are_left_as_mkdocs_keeps_them(seen: dict[str, dict[str, Any]]) -> None:
    assert seen["env"]["about.md"] > 0
    assert seen["post_build"]["about.md"] == seen["env"]["about.md"]


def test_the_site_is_the_same_with_pages_held(build_kb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"postmortems/2024-03-05-checkout.md": GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795435200")
    held = build_kb(files)
    monkeypatch.setattr(HeldContent, "hold", lambda self, page, html: html)
    kept = build_kb(files)
    pages = sorted(path.relative_to(held.root) for path in held.html_files())
    assert pages == sorted(path.relative_to(kept.root) for path in kept.html_files())
    for page in pages:
        assert (held.root / page).read_bytes() == (kept.root / page).read_bytes(), page
    assert held.json("search/search_index.json") == kept.json("search/search_index.json")


@pytest.mark.parametrize("text", ["", "<p>plain</p>", "<p>caf\u00e9 \u2014 \U0001f525</p>", "<p>\ud800 alone</p>"])
def test_held_html_and_markdown_come_back_unchanged(text: str) -> None:
    held = HeldContent()
    markdown = f"# Title\n\n{text}\n"
    page: Any = SimpleNamespace(file=SimpleNamespace(src_uri="postmortems/a.md"), content=text, markdown=markdown)
    page.content = held.hold(page, text)
    assert page.content == "" and page.markdown == "" and len(held) == 1
    held.restore(page)
    assert page.content == text and page.markdown == markdown and len(held) == 0
    held.release(page)
    assert page.content == "" and page.markdown == ""


def test_a_page_never_held_keeps_its_content() -> None:
    page: Any = SimpleNamespace(file=SimpleNamespace(src_uri="about.md"), content="<p>mine</p>", markdown="mine")
    HeldContent().restore(page)
    assert page.content == "<p>mine</p>" and page.markdown == "mine"

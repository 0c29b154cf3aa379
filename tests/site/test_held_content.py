"""Generated pages' HTML and Markdown held compressed between the build steps that need
them (`pmkb.site.held_content`): empty while other pages are read and written, the
page's own, unchanged, while it is built; the user's own pages are left alone, and
nothing is held when a plugin pmkb does not know is configured."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML
from material.plugins.search import plugin as search_plugin
from pmkb.site.held_content import HeldContent, may_hold
from pmkb.site.page_cache import RenderedPages
from pmkb.site.plugin import PmkbPlugin

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
FILES = {
    "postmortems/2024-03-05-checkout.md": GOOD_POSTMORTEM,
    "runbooks/db-pool.md": GOOD_RUNBOOK,
    "docs/about.md": USER_PAGE,
}
POSTMORTEM_PAGE = "postmortems/2024-03-05-checkout.md"


def _size(page: Any) -> int:
    return len(page.content or "") + len(page.markdown or "")


@pytest.fixture(scope="module")
def seen_by_a_hook(build_shared: Any) -> dict[str, dict[str, Any]]:
    files = {**FILES, "observer.py": OBSERVER}
    site = build_shared("held-content", files, MKDOCS_YML + "hooks:\n  - observer.py\n")
    observed: dict[str, dict[str, Any]] = json.loads((site.root.parent / "kb" / "seen.json").read_text())
    return observed


@pytest.fixture
def seen_in_process(build_kb: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """The same observations with only search and pmkb configured, taken by wrapping their code."""
    seen: dict[str, dict[str, Any]] = {"env": {}, "context": {}, "markdown": {}, "post_build": {}}
    pages: list[Any] = []
    on_env, add_entry, save = PmkbPlugin.on_env, search_plugin.SearchIndex.add_entry_from_context, RenderedPages.save

    def noting_on_env(plugin: Any, env: Any, *, config: Any, files: Any) -> Any:
        pages.extend(file.page for file in files.documentation_pages())
        seen["env"].update((page.file.src_uri, _size(page)) for page in pages)
        return on_env(plugin, env, config=config, files=files)

    def noting_add_entry(index: Any, page: Any) -> None:  # Material's search, at on_page_context
        seen["context"][page.file.src_uri] = page.content
        seen["markdown"][page.file.src_uri] = page.markdown
        add_entry(index, page)

    def noting_save(store: Any, urls: Any) -> None:  # at on_post_build
        seen["post_build"].update((page.file.src_uri, _size(page)) for page in pages)
        save(store, urls)

    monkeypatch.setattr(PmkbPlugin, "on_env", noting_on_env)
    monkeypatch.setattr(search_plugin.SearchIndex, "add_entry_from_context", noting_add_entry)
    monkeypatch.setattr(RenderedPages, "save", noting_save)
    build_kb(FILES)
    return seen


def test_generated_pages_hold_no_html_or_markdown_between_their_steps(
    seen_in_process: dict[str, dict[str, Any]],
) -> None:
    seen = seen_in_process
    generated = [uri for uri in seen["env"] if uri != "about.md"]
    assert POSTMORTEM_PAGE in generated and len(generated) > 5
    assert {uri: seen["env"][uri] for uri in generated} == dict.fromkeys(generated, 0)
    assert {uri: seen["post_build"][uri] for uri in generated} == dict.fromkeys(generated, 0)


def test_a_generated_page_has_its_html_while_it_is_built(seen_in_process: dict[str, dict[str, Any]]) -> None:
    content = seen_in_process["context"][POSTMORTEM_PAGE]
    assert "The checkout API returned errors for a quarter of requests." in content
    assert "Canary pool size changes" in content  # the header's action items, from pmkb's templates
    markdown = seen_in_process["markdown"][POSTMORTEM_PAGE]
    assert "## Summary\n\nThe checkout API returned errors for a quarter of requests." in markdown


def test_the_users_own_pages_are_left_as_mkdocs_keeps_them(seen_in_process: dict[str, dict[str, Any]]) -> None:
    assert seen_in_process["env"]["about.md"] > 0
    assert seen_in_process["post_build"]["about.md"] == seen_in_process["env"]["about.md"]


def test_with_another_plugin_configured_nothing_is_held(seen_by_a_hook: dict[str, dict[str, Any]]) -> None:
    # A hook, like any plugin pmkb does not know, may read every page at once.
    seen = seen_by_a_hook
    assert POSTMORTEM_PAGE in seen["env"] and len(seen["env"]) > 5
    assert all(size > 0 for size in seen["env"].values())
    assert seen["post_build"] == seen["env"]
    assert seen["context"][POSTMORTEM_PAGE] in seen["post_page"][POSTMORTEM_PAGE]


def test_which_plugins_let_a_build_hold_pages() -> None:
    assert may_hold(["search", "pmkb"]) and may_hold(["material/search", "pmkb"])
    assert not may_hold(["search", "pmkb", "material/tags"])
    assert not may_hold(["pmkb", "observer.py"])


def test_the_site_is_the_same_with_pages_held(build_kb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"postmortems/2024-03-05-checkout.md": GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795435200")
    held = build_kb(files)
    monkeypatch.setattr(HeldContent, "hold", lambda self, page, html, reread=None: html)
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


def test_html_the_page_store_holds_is_read_again_from_there(build_kb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    packed: list[str] = []
    hold = HeldContent.hold

    def noting_hold(held: HeldContent, page: Any, html: str, reread: Any = None) -> str:
        if reread is None:
            packed.append(page.file.src_uri)
        else:
            assert reread() == html
        return hold(held, page, html, reread)

    monkeypatch.setattr(HeldContent, "hold", noting_hold)
    files = {"postmortems/2024-03-05-checkout.md": GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK}
    build_kb(files)
    assert packed == []
    build_kb(files, MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      cache: false\n"))
    assert POSTMORTEM_PAGE in packed, "without a page store, the HTML is packed"


def test_held_html_that_can_be_read_again_is_not_packed() -> None:
    held = HeldContent()
    page: Any = SimpleNamespace(file=SimpleNamespace(src_uri="postmortems/a.md"), content="<p>x</p>", markdown="x")
    page.content = held.hold(page, "<p>x</p>", lambda: "<p>again</p>")
    held.restore(page)
    assert page.content == "<p>again</p>" and page.markdown == "x"

"""What a build does to stay light while it writes its pages: it lets go of the knowledge
base once every page is read (with no plugin pmkb does not know configured), copies
kb.json and feed.xml from a folder of its own instead of keeping them in memory, and
writes Material's search index entry by entry. None of it changes a byte of the site."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML, write_kb
from material.plugins.search.plugin import SearchIndex
from mkdocs.config import load_config as load_mkdocs_config
from pmkb.site.files import ScratchFolder
from pmkb.site.incremental import search_plugin
from pmkb.site.pages import PageSpec
from pmkb.site.plugin import PmkbPlugin
from pmkb.site.search_index import write_in_pieces, write_search_index

FILES = {"postmortems/2024-03-05-checkout.md": GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK}
SEARCH_SETTINGS = {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": ["stemmer"], "fields": {"title": {"boost": 1}}}


def _state_after_on_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    on_env = PmkbPlugin.on_env

    def noting_on_env(plugin: PmkbPlugin, env: Any, *, config: Any, files: Any) -> Any:
        result = on_env(plugin, env, config=config, files=files)
        seen["kb"], seen["renderer"] = plugin.kb, plugin.renderer
        seen["specs"] = [spec for _, spec in plugin.site_files.pages()]
        return result

    monkeypatch.setattr(PmkbPlugin, "on_env", noting_on_env)
    return seen


def test_a_build_lets_go_of_the_knowledge_base_once_every_page_is_read(
    build_kb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _state_after_on_env(monkeypatch)
    site = build_kb(FILES)
    assert seen["kb"] is None and seen["renderer"] is None
    documents = [spec for spec in seen["specs"] if spec.is_document]
    assert len(documents) == 2 and len(seen["specs"]) > 5
    assert all(spec.read_for_good and spec.source is None for spec in seen["specs"])
    assert "The checkout API returned errors" in site.html("postmortems/2024-03-05-checkout/")


def test_with_another_plugin_configured_the_build_keeps_it(build_kb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # A hook, like any plugin pmkb does not know, may ask for a page's Markdown at any time.
    seen = _state_after_on_env(monkeypatch)
    build_kb(
        {**FILES, "observer.py": "def on_post_build(config):\n    pass\n"}, MKDOCS_YML + "hooks:\n  - observer.py\n"
    )
    assert seen["kb"] is not None and seen["renderer"] is not None
    assert not any(spec.read_for_good for spec in seen["specs"])
    assert any(spec.source is not None for spec in seen["specs"])


def test_the_site_is_the_same_when_the_build_lets_go(build_kb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795435200")
    light = build_kb(FILES)
    monkeypatch.setattr(PmkbPlugin, "_let_go_of_knowledge_base", lambda plugin: None)
    monkeypatch.setattr("pmkb.site.plugin.write_in_pieces", lambda config: False)
    kept = build_kb(FILES)
    written = sorted(path.relative_to(light.root) for path in light.root.rglob("*") if path.is_file())
    assert written == sorted(path.relative_to(kept.root) for path in kept.root.rglob("*") if path.is_file())
    assert {"kb.json", "feed.xml", "search/search_index.json"} <= {path.as_posix() for path in written}
    for path in written:
        if path.suffix != ".gz":  # gzip stamps its own time
            assert (light.root / path).read_bytes() == (kept.root / path).read_bytes(), path


def test_a_pages_markdown_asked_for_after_the_build_let_go_is_an_error() -> None:
    spec = PageSpec(
        key=("postmortem", "x"), src_uri="postmortems/x.md", title="X", template="postmortem.html", body="b"
    )
    assert spec.markdown().endswith("\n\nb")
    spec.let_go_of_source()
    with pytest.raises(RuntimeError, match="postmortems/x.md"):
        spec.markdown()


def test_kb_json_and_the_feed_are_copied_from_a_folder_the_build_removes(
    build_kb: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    site = build_kb(FILES)
    assert site.json("kb.json")["postmortems"][0]["id"] == "2024-03-05-checkout"
    assert "<feed" in (site.root / "feed.xml").read_text(encoding="utf-8")
    assert list(scratch.iterdir()) == []


def test_the_scratch_folder_writes_text_piece_by_piece_and_is_removed() -> None:
    folder = ScratchFolder()
    path = Path(folder.write("feed.xml", ["<a>", "caf\u00e9 \ud800", "</a>\r\n"], errors="xmlcharrefreplace"))
    assert path.read_bytes() == "<a>caf\u00e9 &#55296;</a>\r\n".encode()
    folder.remove()
    assert not path.parent.exists()
    folder.remove()  # twice is fine: after a failed build and at shutdown


def _material_bytes(entries: list[dict[str, Any]]) -> bytes:
    index = SearchIndex(**SEARCH_SETTINGS)
    index.entries = entries
    return str(index.generate_search_index(None)).encode("utf-8")


def _written_bytes(entries: list[dict[str, Any]], tmp_path: Path) -> bytes:
    index = SearchIndex(**SEARCH_SETTINGS)
    index.entries = entries
    path = tmp_path / "search" / "search_index.json"
    write_search_index(index, str(path))
    return path.read_bytes()


ENTRIES = [
    {"location": "postmortems/a/", "title": "Checkout \u2014 caf\u00e9 \U0001f525", "text": "<p>a\nb</p>"},
    {"location": "postmortems/a/#summary", "title": "Summary", "text": "", "tags": ["SEV1", "checkout"]},
    {"location": "runbooks/db/", "title": "DB", "text": "x", "boost": 2, "when": Path("not/json")},
]


def test_the_search_index_written_in_pieces_is_materials_own(tmp_path: Path) -> None:
    assert _written_bytes(ENTRIES, tmp_path) == _material_bytes(ENTRIES)
    assert _written_bytes([], tmp_path) == _material_bytes([])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({"location": st.text(), "title": st.text(), "text": st.text()}), max_size=5))
def test_any_entries_are_written_as_material_writes_them(entries: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert _written_bytes(entries, Path(folder)) == _material_bytes(entries)


def _built_config(config_file: Path) -> Any:
    config = load_mkdocs_config(config_file=str(config_file))
    config.plugins.on_startup(command="build", dirty=False)
    return config.plugins.on_config(config)


def _search_handlers(config: Any) -> list[Any]:
    search = search_plugin(config)
    return [handler for handler in config.plugins.events["post_build"] if getattr(handler, "__self__", None) is search]


def test_the_search_plugins_handler_is_replaced_once(tmp_path: Path) -> None:
    config = _built_config(write_kb(tmp_path / "kb", FILES, MKDOCS_YML))
    try:
        [handler] = _search_handlers(config)
        assert type(handler).__name__ == "_PieceWriter"
        assert write_in_pieces(config) and _search_handlers(config) == [handler]
        assert config.plugins._event_origins[handler] == "material/search"
    finally:
        config.plugins.on_shutdown()


def test_a_dirty_reload_leaves_the_index_to_the_search_plugin(tmp_path: Path) -> None:
    # Material's own `--dirty` reload merges this build's entries into the last index.
    config = _built_config(write_kb(tmp_path / "kb", FILES, MKDOCS_YML))
    try:
        [handler] = _search_handlers(config)
        calls: list[Any] = []
        handler.own = lambda *, config: calls.append(config)
        search = search_plugin(config)
        search.search_index_prev = SearchIndex(**SEARCH_SETTINGS)
        handler(config=config)
        assert calls == [config]
        search.search_index_prev = None
        handler(config=config)
        assert calls == [config] and Path(config.site_dir, "search", "search_index.json").is_file()
    finally:
        config.plugins.on_shutdown()

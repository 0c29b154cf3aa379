"""What a site build keeps for the next (`pmkb.site.page_cache`): each page's search
entries and pmkb's HTML. A build that reuses them writes the very site a build without
them writes, and parses or renders again exactly the pages whose inputs changed."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kb_helpers import TODAY, benchmark_generator
from material.plugins.search import plugin as search_plugin
from mkdocs.commands.build import build
from mkdocs.config import load_config
from pmkb import cache
from pmkb.site import page_cache
from pmkb.site.page_cache import BuildTime, forget_reads, was_read
from pmkb.site.render import Renderer, iso

TARGET = "incident-00001"
# 2026-11-23 12:00 UTC, and two hours later.
EPOCH = 1795435200


class Work:
    """Pages parsed by the search plugin and rendered by pmkb, by URL, in one build."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed: Counter[str] = Counter()
        self.rendered: Counter[str] = Counter()
        work = self
        add_entry = search_plugin.SearchIndex.add_entry_from_context
        render = Renderer.render

        def counting_add_entry(index: Any, page: Any) -> None:
            work.parsed[page.url] += 1
            add_entry(index, page)

        def counting_render(renderer: Renderer, spec: Any, file: Any, body: Any = None, views: Any = None) -> str:
            work.rendered[file.url.removeprefix("./")] += 1
            return render(renderer, spec, file, body, views)

        monkeypatch.setattr(search_plugin.SearchIndex, "add_entry_from_context", counting_add_entry)
        monkeypatch.setattr(Renderer, "render", counting_render)

    def clear(self) -> None:
        self.parsed.clear()
        self.rendered.clear()


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Work:
    monkeypatch.setenv("PMKB_TODAY", TODAY.isoformat())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    return Work(monkeypatch)


def _generated(root: Path, extra_yml: str = "") -> Path:
    _plain, mkdocs_yml = benchmark_generator().write_sites(root, 12)
    if extra_yml:
        mkdocs_yml.write_text(mkdocs_yml.read_text(encoding="utf-8") + extra_yml, encoding="utf-8")
    return mkdocs_yml


def _build(mkdocs_yml: Path, site: Path) -> dict[str, bytes]:
    shutil.rmtree(site, ignore_errors=True)
    build(load_config(config_file=str(mkdocs_yml), site_dir=str(site), strict=True))
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def _override(mkdocs_yml: Path, template: str, text: str) -> Path:
    """Give the site a custom_dir with this pmkb template override; return the override's path."""
    theme = mkdocs_yml.read_text(encoding="utf-8").replace(
        "name: material\n", "name: material\n  custom_dir: overrides\n", 1
    )
    mkdocs_yml.write_text(theme, encoding="utf-8")
    override = mkdocs_yml.parent / "overrides" / "pmkb" / template
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(text, encoding="utf-8")
    return override


def _without_cache(mkdocs_yml: Path) -> None:
    text = mkdocs_yml.read_text(encoding="utf-8")
    mkdocs_yml.write_text(text.replace("  - pmkb\n", "  - pmkb:\n      cache: false\n"), encoding="utf-8")


def _uncached(mkdocs_yml: Path, site: Path) -> dict[str, bytes]:
    """The same knowledge base built from a copy, with the cache turned off."""
    copy = site.with_name(site.name + "-source")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(mkdocs_yml.parent, copy, ignore=shutil.ignore_patterns(".cache", "site"))
    _without_cache(copy / "mkdocs.yml")
    built = _build(copy / "mkdocs.yml", site)
    assert not (copy / ".cache").exists()
    return built


def _store(mkdocs_yml: Path, name: str) -> Path:
    return mkdocs_yml.parent / cache.CACHE_FOLDER / name


def _changed(left: dict[str, bytes], right: dict[str, bytes]) -> list[str]:
    return sorted(name for name in left.keys() | right.keys() if left.get(name) != right.get(name))


def test_a_build_that_reuses_the_stores_writes_the_same_site_without_parsing_or_rendering(
    tmp_path: Path, work: Work
) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    cold = _build(mkdocs_yml, tmp_path / "cold")
    pages = set(work.parsed)
    assert len(pages) > 20 and work.rendered.keys() <= pages
    for name in (page_cache.SEARCH_STORE_NAME, page_cache.PAGES_STORE_NAME):
        assert _store(mkdocs_yml, name).read_bytes().startswith(cache._MAGIC)
    work.clear()
    warm = _build(mkdocs_yml, tmp_path / "warm")
    assert _changed(cold, warm) == []
    assert not work.parsed and not work.rendered, "nothing changed, so nothing is parsed or rendered again"
    assert _changed(_uncached(mkdocs_yml, tmp_path / "uncached"), warm) == []


def test_an_edit_parses_and_renders_again_only_the_pages_it_changes(tmp_path: Path, work: Work) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    before = _build(mkdocs_yml, tmp_path / "before")
    target = mkdocs_yml.parent / "postmortems" / f"{TARGET}.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(re.sub(r"^title: .*$", "title: Zebra herd stampedes the quagga pens", text, count=1, flags=re.M))
    work.clear()
    after = _build(mkdocs_yml, tmp_path / "after")
    parsed, rendered = dict(work.parsed), dict(work.rendered)
    page = f"postmortems/{TARGET}/"
    assert "Zebra herd stampedes" in after[f"{page}index.html"].decode()
    assert parsed[page] == 1 and rendered[page] == 1
    # Every page's navigation changed (the title is in it), but not every page's content.
    assert "postmortems/incident-00002/index.html" in _changed(before, after)
    assert parsed.keys() < set(_page_urls(before)), "unchanged pages are not parsed again"
    assert rendered.keys() < set(_page_urls(before)), "unchanged pages are not rendered again"
    assert _changed(_uncached(mkdocs_yml, tmp_path / "uncached"), after) == []


def _page_urls(site: dict[str, bytes]) -> list[str]:
    """The URL of every page of a built site."""
    return [name.removesuffix("index.html") for name in site if name.endswith("index.html")]


def test_pages_that_show_the_build_time_are_kept_and_get_each_builds_time(
    tmp_path: Path, work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    first = _build(mkdocs_yml, tmp_path / "first")
    assert "2026-11-23 12:00 UTC" in first["actions/index.html"].decode()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 7200))
    work.clear()
    second = _build(mkdocs_yml, tmp_path / "second")
    assert not work.rendered, "the lists with an 'as of' note are kept, only their build time is new"
    for page in ("actions/index.html", "index.html", "runbooks/index.html"):
        html = second[page].decode()
        assert '<time datetime="2026-11-23T14:00:00Z">2026-11-23 14:00 UTC</time>' in html, page
        assert "\ue000" not in html and "12:00 UTC" not in html
    assert _changed(_uncached(mkdocs_yml, tmp_path / "uncached"), second) == []


def test_a_template_that_reads_the_build_time_itself_is_rendered_in_each_build(
    tmp_path: Path, work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    _override(mkdocs_yml, "actions.html", '{% include "pmkb/actions.html" %}\n<p>Hour {{ built_at.hour }}</p>\n')
    _build(mkdocs_yml, tmp_path / "first")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 7200))
    work.clear()
    second = _build(mkdocs_yml, tmp_path / "second")
    assert work.rendered.keys() == {"actions/"}
    assert "<p>Hour 14</p>" in second["actions/index.html"].decode()


def test_an_edited_template_override_renders_every_page_afresh(tmp_path: Path, work: Work) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    override = _override(mkdocs_yml, "postmortem.html", '{% extends "pmkb/postmortem.html" %}\n')
    _build(mkdocs_yml, tmp_path / "first")
    override.write_text(
        '{% extends "pmkb/postmortem.html" %}\n{% block header %}<p>Reviewed by the board</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8",
    )
    work.clear()
    second = _build(mkdocs_yml, tmp_path / "second")
    assert "Reviewed by the board" in second[f"postmortems/{TARGET}/index.html"].decode()
    assert f"postmortems/{TARGET}/" in work.rendered and f"postmortems/{TARGET}/" in work.parsed


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign"])
def test_a_damaged_or_foreign_store_is_ignored(tmp_path: Path, work: Work, damage: str) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    cold = _build(mkdocs_yml, tmp_path / "cold")
    for name in (page_cache.SEARCH_STORE_NAME, page_cache.PAGES_STORE_NAME):
        store = _store(mkdocs_yml, name)
        data = store.read_bytes()
        if damage == "garbage":
            store.write_bytes(b"not a store")
        elif damage == "truncated":
            store.write_bytes(data[: len(data) // 2])
        else:  # signed with another key: someone else's cache, committed or copied
            cache.write_store(store.parent, name, b"k" * 32, ("key", {}))
    work.clear()
    again = _build(mkdocs_yml, tmp_path / "again")
    assert _changed(cold, again) == []
    assert work.parsed.keys() == set(_page_urls(cold)), "every page is parsed again"


def test_the_cache_option_turns_the_stores_off(tmp_path: Path, work: Work) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    _without_cache(mkdocs_yml)
    first = _build(mkdocs_yml, tmp_path / "first")
    assert not (mkdocs_yml.parent / ".cache").exists()
    work.clear()
    assert _changed(first, _build(mkdocs_yml, tmp_path / "second")) == []
    assert f"postmortems/{TARGET}/" in work.parsed and f"postmortems/{TARGET}/" in work.rendered


def test_the_build_time_notes_when_a_template_reads_it() -> None:
    moment = BuildTime.of(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert moment == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for read in (str, repr, iso, lambda value: value.year, lambda value: f"{value:%Y}", lambda value: value < value):
        forget_reads(moment)
        assert not was_read(moment)
        read(moment)
        assert was_read(moment), read
    forget_reads(moment)
    # Being handed around is not reading.
    assert isinstance(moment, datetime) and bool(moment) and [moment][0] is moment
    assert not was_read(moment)


def test_a_preview_rebuild_keeps_the_records_of_the_pages_it_left_out(tmp_path: Path, work: Work) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    site = tmp_path / "site"

    def serve_build() -> None:
        config = load_config(config_file=str(mkdocs_yml), site_dir=str(site))
        build(config, serve_url="http://127.0.0.1:8000/")

    first = load_config(config_file=str(mkdocs_yml), site_dir=str(site))
    first.plugins.on_startup(command="serve", dirty=False)
    try:
        serve_build()
        pages = set(work.parsed)
        target = mkdocs_yml.parent / "postmortems" / f"{TARGET}.md"
        target.write_text(target.read_text(encoding="utf-8").replace("\n## Summary\n", "\n## Summary\n\nEdited.\n", 1))
        work.clear()
        serve_build()
        assert work.parsed and work.parsed.keys() < pages, "the preview rebuilt some pages, not all"
    finally:
        first.plugins.on_shutdown()
    for name in (page_cache.SEARCH_STORE_NAME, page_cache.PAGES_STORE_NAME):
        stored = cache.read_store(_store(mkdocs_yml, name), cache.signing_key())
        assert isinstance(stored, tuple)
        kept = set(stored[1])
        assert kept <= pages and len(kept) >= len(pages) - 1, f"{name} lost the pages the preview left out"


def test_pages_whose_inputs_are_known_are_stored_by_them_without_their_views(
    tmp_path: Path, work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pmkb.site.plugin import PmkbPlugin

    fingerprinted: Counter[str] = Counter()
    fingerprint = PmkbPlugin.fingerprint

    def counting_fingerprint(plugin: Any, spec: Any) -> str:
        fingerprinted[spec.kind] += 1
        return str(fingerprint(plugin, spec))

    monkeypatch.setattr(PmkbPlugin, "fingerprint", counting_fingerprint)
    mkdocs_yml = _generated(tmp_path / "kb")
    _build(mkdocs_yml, tmp_path / "cold")
    assert fingerprinted["dashboard"] == 1, "a page made of every document is known by its views"
    assert not {"postmortem", "runbook", "service", "tag", "severity"} & fingerprinted.keys()
    work.clear()
    _build(mkdocs_yml, tmp_path / "warm")
    assert not work.rendered

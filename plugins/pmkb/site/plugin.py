"""The MkDocs plugin `pmkb`: a thin shell over the same core as the CLI.

Build order, as MkDocs runs it:

- `on_config`: load and check the knowledge base (errors fail the build), register
  the body-link rewriter, the stylesheet and the script.
- `on_files`: add every generated page, asset, kb.json and feed.xml as virtual files
  (`File.generated`); nothing is written into docs_dir.
- `on_nav`: add the section pages to the navigation.
- `on_page_markdown` / `on_page_content`: rewrite document bodies' links, then wrap
  them in their header and footer, or render an index page.
- `on_serve`: watch the knowledge-base folders so `mkdocs serve` rebuilds on edits.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import Markup
from mkdocs.config.base import LegacyConfig
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from pmkb.config import ConfigError, KBConfig, check_folders, resolve_today
from pmkb.index import KnowledgeBase
from pmkb.plaintext import plain
from pmkb.pipeline import load_knowledge_base
from pmkb.rules import rule_settings
from pmkb.site import nav as site_nav
from pmkb.site.feed import atom_feed, kb_json
from pmkb.site.links import BodyLinks, Links
from pmkb.site.pages import SECTIONS, PageSpec, plan
from pmkb.site.render import Renderer, template_environment
from pmkb.site.sanitize import sanitize_body
from pmkb.site.toc import anchor_links

log = get_plugin_logger("pmkb")

ASSETS = Path(__file__).parent / "assets"
CSS_URI = "assets/pmkb/pmkb.css"
JS_URI = "assets/pmkb/pmkb.js"


def today_from_environment() -> date:
    try:
        return resolve_today()
    except ConfigError as exc:
        raise PluginError(str(exc)) from None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


class PmkbPlugin(BasePlugin):
    """Validates the knowledge base on every build and publishes it as site pages."""

    kb_config: KBConfig
    kb: KnowledgeBase | None = None

    def load_config(self, options: dict[str, Any], config_file_path: str | None = None) -> tuple[list, list]:
        # One options model for the plugin and the CLI, so both accept exactly the same keys.
        self.config = LegacyConfig((), config_file_path=config_file_path)
        root = Path(config_file_path).parent.resolve() if config_file_path else Path.cwd()
        try:
            self.kb_config = KBConfig.from_options(options, root, source=Path(config_file_path or "mkdocs.yml").name)
            rule_settings(self.kb_config)
        except ConfigError as exc:
            return list(exc.problems), []
        return [], []

    # Configuration -----------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            # Before anything else: MkDocs empties site_dir right after on_config.
            check_folders(self.kb_config, Path(config.site_dir), Path(config.docs_dir))
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        self.kb = self.load_knowledge_base()
        self.links = Links(self.kb_config.root)
        self.specs: dict[str, tuple[File, PageSpec]] = {}
        self.current: tuple[File, Path] | None = None
        self.user_nav = config.nav is not None
        self.home: File | None = None
        self.user_dests: dict[str, File] = {}
        # Template overrides live beside Material's: <custom_dir>/pmkb/<template>.html.
        overrides = [Path(config.theme.custom_dir) / "pmkb"] if config.theme.custom_dir else []
        env = template_environment(folder for folder in overrides if folder.is_dir())
        self.renderer = Renderer(self.kb, self.links, env, config.site_name)
        config.markdown_extensions.append(BodyLinks(lambda: self.current, self.links))  # type: ignore[arg-type]
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        if JS_URI not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(JS_URI)  # type: ignore[arg-type]
        return config

    def load_knowledge_base(self) -> KnowledgeBase:
        kb, findings = load_knowledge_base(self.kb_config, today_from_environment())
        errors = [item for item in findings if item.level == "error"]
        for item in findings:
            if item.level == "warning":
                # Knowledge-base warnings are advice; only an opted-in setting makes --strict fail on them.
                (log.warning if self.kb_config.strict_warnings else log.info)(item.as_text())
        if errors:
            listing = "\n".join(item.as_text() for item in errors)
            raise PluginError(f"the knowledge base has {len(errors)} error{'s' * (len(errors) != 1)}:\n{listing}")
        return kb

    # Files -------------------------------------------------------------------------

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.kb is not None
        folders = [self.kb_config.postmortems_path, self.kb_config.runbooks_path]
        for file in list(files):
            # A knowledge base kept inside docs_dir would otherwise also publish its raw files.
            if file.abs_src_path and file.is_documentation_page():
                if any(_inside(Path(file.abs_src_path).resolve(), folder) for folder in folders):
                    files.remove(file)
        self.links.index_files(files)
        self.user_dests = {file.dest_uri: file for file in files.documentation_pages()}
        has_index = "index.html" in self.user_dests
        for spec in plan(self.kb, "dashboard.md" if has_index else "index.md"):
            self._add_page(files, config, spec)
        self._add_assets(files, config)
        for src_uri, content in (
            (CSS_URI, (ASSETS / "pmkb.css").read_bytes()),
            (JS_URI, (ASSETS / "pmkb.js").read_bytes()),
        ):
            self._add_file(files, File.generated(config, src_uri, content=content))
        self._add_exports(files, config)
        return files

    def _add_page(self, files: Files, config: MkDocsConfig, spec: PageSpec) -> None:
        file = File.generated(config, spec.src_uri, content=spec.markdown(), inclusion=InclusionLevel.NOT_IN_NAV)
        # docs/postmortems.md and a generated postmortems/index.md would both be postmortems/index.html.
        existing = files.get_file_from_path(spec.src_uri) or self.user_dests.get(file.dest_uri)
        if existing is not None:
            # The user's own page at that address wins, and links meant for ours lead to it;
            # a document hidden that way deserves a warning.
            (log.warning if spec.is_document else log.info)(
                plain(f"docs_dir has its own '{spec.src_uri}', which replaces the page pmkb generates there")
            )
            self.links.add_page(spec.key, existing)
            return
        files.append(file)
        self.links.add_page(spec.key, file)
        self.specs[spec.src_uri] = (file, spec)
        if spec.origin is not None:
            self.links.add_source(spec.origin, file)
        if spec.src_uri == "index.md":
            self.home = file

    def _add_file(self, files: Files, file: File) -> File | None:
        if files.get_file_from_path(file.src_uri) is not None:
            log.info(plain(f"docs_dir has its own '{file.src_uri}'; pmkb does not replace it"))
            return None
        files.append(file)
        return file

    def _add_assets(self, files: Files, config: MkDocsConfig) -> None:
        """Images and other files beside postmortems and runbooks, under their kind's URL prefix."""
        for prefix, folder in (("postmortems", self.kb_config.postmortems_path), ("runbooks", self.kb_config.runbooks_path)):
            if not folder.is_dir():
                continue
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or name.endswith(".md"):
                        continue
                    path = Path(dirpath) / name
                    # Files of a knowledge base kept inside docs_dir are published by MkDocs already.
                    known = self.links.file_for_source(str(path))
                    if known is None:
                        src_uri = f"{prefix}/{path.relative_to(folder).as_posix()}"
                        known = self._add_file(files, File.generated(config, src_uri, abs_src_path=str(path)))
                    if known is not None:
                        self.links.add_source(path, known)

    def _add_exports(self, files: Files, config: MkDocsConfig) -> None:
        assert self.kb is not None
        site_url = config.site_url or ""
        if site_url and not site_url.endswith("/"):
            site_url += "/"

        def published(kind: str, doc_id: str) -> str:
            # Absolute with a site_url; otherwise root-relative, as `pmkb export` writes it.
            return (site_url or "/") + self.links.pages[(kind, doc_id)].url

        kb_file = File.generated(
            config,
            "kb.json",
            content=kb_json(
                self.kb,
                lambda pm_id: published("postmortem", pm_id),
                lambda rb_id: published("runbook", rb_id),
            ),
        )
        if self._add_file(files, kb_file) is not None:
            self.links.add_page(("file", "kb.json"), kb_file)
        pages = self.links.pages
        home = pages.get(("dashboard", ""))

        def entry_url(pm_id: str) -> str:
            # The feed sits at the site root; without a site_url its links are relative to it.
            url = pages[("postmortem", pm_id)].url
            return site_url + url if site_url else get_relative_url(url, "feed.xml")

        feed = atom_feed(
            self.kb,
            site_name=config.site_name,
            site_url=site_url or None,
            author=config.site_author,
            page_url=entry_url,
            home_url=site_url or (get_relative_url(home.url, "feed.xml") if home is not None else "./"),
        )
        feed_file = File.generated(config, "feed.xml", content=feed)
        if self._add_file(files, feed_file) is not None:
            self.links.add_page(("file", "feed.xml"), feed_file)

    # Navigation --------------------------------------------------------------------

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.links.index_files(files)
        if not self.kb_config.nav:
            return nav
        order = [("dashboard", "")] + [(kind, "") for kind, _, _ in SECTIONS]
        sections: list[Page] = []
        for key in order:
            file = self.links.pages.get(key)
            if file is not None and file.page is not None and file is not self.home:
                sections.append(file.page)
        home_file = self.home or files.get_file_from_path("index.md") or files.get_file_from_path("README.md")
        home = home_file.page if home_file is not None else None
        return site_nav.build(nav, sections, home, self.user_nav)

    # Pages -------------------------------------------------------------------------

    def _spec(self, page: Page) -> PageSpec | None:
        found = self.specs.get(page.file.src_uri)
        return found[1] if found is not None and found[0] is page.file else None

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        spec = self._spec(page)
        # The Markdown extension rewrites links only while a document's body is being rendered.
        self.current = (page.file, spec.origin) if spec is not None and spec.origin is not None else None
        return markdown

    @event_priority(50)
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Early, so that other plugins (search among them) see the finished page.
        self.current = None
        spec = self._spec(page)
        if spec is None:
            return html
        if spec.is_document:
            if self.kb_config.html == "sanitize":
                html = sanitize_body(html)
            content = self.renderer.render(spec, page.file, body=Markup(html))
            page.toc.items.extend(link for link in anchor_links(content) if link.id.startswith("pmkb-"))
        else:
            content = self.renderer.render(spec, page.file)
            page.toc.items.extend(anchor_links(content))
        return content

    # Serving -----------------------------------------------------------------------

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        docs_dir = Path(config.docs_dir).resolve()
        watched = [self.kb_config.postmortems_path, self.kb_config.runbooks_path]
        if config.theme.custom_dir:
            watched.append(Path(config.theme.custom_dir) / "pmkb")
        for folder in watched:
            # docs_dir is watched already; a missing folder cannot be watched (create it, then restart).
            if folder.is_dir() and not _inside(folder.resolve(), docs_dir):
                server.watch(str(folder))
        return server

"""The MkDocs plugin `pmkb`: a thin shell over the same core as the CLI.

Build order, as MkDocs runs it:

- `on_startup`: remember whether MkDocs is serving; under `mkdocs serve` findings are
  shown on the site instead of failing the build (see `preview.py`).
- `on_config`: load and check the knowledge base (errors fail the build), register
  the body-link rewriter, the stylesheet and the script. Material's search plugin's
  `on_post_build` is replaced by one that writes the same index in pieces.
- `on_files`: add every generated page, asset, kb.json and feed.xml as virtual files
  (`files.py`); nothing is written into docs_dir.
- `on_nav`: add the section pages to the navigation.
- `on_page_markdown` / `on_page_content`: rewrite document bodies' links, then wrap
  them in their header and footer, or render an index page; while serving, add the
  findings banner. Last of all, a generated page's HTML is held compressed until its
  `on_page_context` and let go after its `on_post_page` (`held_content.py`).
- `on_env`: every page is read; a build with no plugin pmkb does not know lets go of
  the knowledge base and the pages' Markdown sources before MkDocs writes the pages.
- `on_post_build`: Material's search index is written entry by entry (`search_index.py`);
  the folder kb.json and feed.xml were copied from is removed.
- `on_serve`: watch the knowledge-base folders so `mkdocs serve` rebuilds on edits.

Under `mkdocs serve`, `on_pre_build`, `on_files`, `on_page_context` and `on_post_build`
also let a rebuild skip the postmortem and runbook pages an edit did not change, and
complete the search index with their entries (`incremental.py`); a rebuild shows the
similar incidents last worked out, and a worker works out the exact ones after it,
asking the server for one more rebuild when they differ (`similar_worker.py`).

With the `cache` option on, every build also reuses, from `.cache/pmkb/`, pmkb's HTML of
each generated page and every page's search entries whose inputs are unchanged since
the build before (`page_cache.py`): `on_files` opens both stores and hands the search
index its kept entries, `on_page_content` renders only the pages whose inputs changed,
and `on_post_build` keeps this build's records for the next.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from markupsafe import Markup
from mkdocs.config.base import ConfigErrors, ConfigWarnings, LegacyConfig, ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from pmkb.cache import CACHE_FOLDER, LoadedRecords, cache_key
from pmkb.config import ConfigError, KBConfig, check_folders, resolve_today
from pmkb.findings import Finding
from pmkb.index import KnowledgeBase
from pmkb.pipeline import forget_check_inputs, load_knowledge_base
from pmkb.rules import rule_settings
from pmkb.site import nav as site_nav
from pmkb.site.collector import CollectorPause
from pmkb.site.feed import ExportTexts
from pmkb.site.files import CSS_URI, JS_URI, ScratchFolder, SiteFiles, inside
from pmkb.site.held_content import HeldContent, may_hold
from pmkb.site.incremental import IncrementalPreview, fingerprint, search_plugin, shared_fingerprint
from pmkb.site.links import BodyLinks, Links, RenderingDocument
from pmkb.site.page_cache import (
    PageRecords,
    RenderedPages,
    forget_reads,
    reuse_search_entries,
    search_entry_records,
)
from pmkb.site.pages import PageSpec
from pmkb.site.preview import PROBLEMS, Preview, log_errors
from pmkb.site.render import Renderer, template_environment
from pmkb.site.search_index import write_in_pieces
from pmkb.site.similar_worker import SimilarWorker, request_rebuild_of
from pmkb.site.toc import generated_toc

if TYPE_CHECKING:
    # Only for its type: a build has no server, and importing one costs 2 MB of memory.
    from mkdocs.livereload import LiveReloadServer

log = get_plugin_logger("pmkb")


def today_from_environment() -> date:
    try:
        return resolve_today()
    except ConfigError as exc:
        raise PluginError(str(exc)) from None


def checked_knowledge_base(
    kb_config: KBConfig, *, serving: bool, strict: bool, loaded: LoadedRecords | None = None
) -> tuple[KnowledgeBase, list[Finding]]:
    """The knowledge base and its findings, logged; errors fail the build, each with path and line.

    Under `mkdocs serve` errors are listed without failing it: the preview shows them.
    """
    kb, findings = load_knowledge_base(kb_config, today_from_environment(), loaded=loaded)
    errors = [item for item in findings if item.level == "error"]
    # Under `serve --strict` a logged warning would stop the preview, as an error would.
    warn_loudly = kb_config.strict_warnings and not (serving and strict)
    for item in findings:
        if item.level == "warning":
            # Knowledge-base warnings are advice; only an opted-in setting makes --strict fail on them.
            (log.warning if warn_loudly else log.info)(item.as_text())
    if errors and serving:
        log_errors(errors, log, strict=strict)
    elif errors:
        listing = "\n".join(item.as_text() for item in errors)
        raise PluginError(f"the knowledge base has {len(errors)} error{'s' * (len(errors) != 1)}:\n{listing}")
    return kb, findings


class PmkbPlugin(BasePlugin[LegacyConfig]):  # type: ignore[no-untyped-call]
    """Validates the knowledge base on every build and publishes it as site pages."""

    kb_config: KBConfig
    kb: KnowledgeBase | None = None
    # MkDocs keeps a plugin with `on_startup` across the rebuilds of `mkdocs serve`.
    serving = False
    preview: Preview | None = None
    incremental: IncrementalPreview | None = None
    similar_worker: SimilarWorker | None = None
    export_texts: ExportTexts | None = None
    config_of_build: MkDocsConfig | None = None
    search_entries: PageRecords | None = None
    rendered_pages: RenderedPages | None = None
    last_views: tuple[str, dict[str, Any]] = ("", {})
    last_stored: tuple[str, str] = ("", "")  # a page's source URI and the HTML `render` gave it
    collector: CollectorPause | None = None  # under `mkdocs serve` (`collector.py`)
    loaded_records: LoadedRecords | None = None  # under `mkdocs serve`: records kept between rebuilds
    held_content: HeldContent | None = None  # generated pages' HTML between their steps (`held_content.py`)
    renderer: Renderer | None = None  # until every page is read (see `_let_go_of_knowledge_base`)
    scratch: ScratchFolder | None = None  # kb.json and feed.xml until MkDocs has copied them

    def load_config(
        self, options: dict[str, Any], config_file_path: str | None = None
    ) -> tuple[ConfigErrors, ConfigWarnings]:
        # One options model for the plugin and the CLI, so both accept exactly the same keys.
        self.config = LegacyConfig((), config_file_path=config_file_path)
        root = Path(config_file_path).parent.resolve() if config_file_path else Path.cwd()
        try:
            self.kb_config = KBConfig.from_options(options, root, source=Path(config_file_path or "mkdocs.yml").name)
            rule_settings(self.kb_config)
        except ConfigError as exc:
            return [(option, ValidationError(message)) for option, message in exc.problems], []
        return [], []

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # `mkdocs serve --clean` reports "build" and, like `mkdocs build`, fails on errors.
        self.serving = command == "serve"
        self.incremental = IncrementalPreview(dirty=dirty) if self.serving else None
        self.similar_worker = SimilarWorker() if self.serving else None
        self.export_texts = ExportTexts() if self.serving else None
        self.collector = CollectorPause() if self.serving else None
        self.loaded_records = LoadedRecords() if self.serving else None

    def on_shutdown(self) -> None:
        self._remove_scratch()
        # The instance outlives the command: a later build in the same process is no preview.
        self.serving = False
        self.incremental = None
        if self.collector is not None:
            self.collector.resume()
            self.collector = None
        self.loaded_records = None
        if self.similar_worker is not None:
            self.similar_worker.stop()
            self.similar_worker = None
        self.export_texts = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.collector is not None:
            self.collector.pause()
        try:
            # Before anything else: MkDocs empties site_dir right after on_config.
            check_folders(self.kb_config, Path(config.site_dir), Path(config.docs_dir))
        except ConfigError as exc:
            raise PluginError(str(exc)) from None
        self.kb, findings = checked_knowledge_base(
            self.kb_config, serving=self.serving, strict=config.strict, loaded=self.loaded_records
        )
        if self.loaded_records is None:
            forget_check_inputs(self.kb)
        if self.similar_worker is not None:
            self.similar_worker.prepare(self.kb)
        self.links = Links(self.kb_config.root)
        self.rendering = RenderingDocument()
        self.user_nav = config.nav is not None
        # Template overrides live beside Material's: <custom_dir>/pmkb/<template>.html.
        overrides = [Path(config.theme.custom_dir) / "pmkb"] if config.theme.custom_dir else []
        compiled = self.incremental.templates if self.incremental is not None else None
        env = template_environment((folder for folder in overrides if folder.is_dir()), compiled)
        self.renderer = Renderer(self.kb, self.links, env, config.site_name)
        self.stamp = self.renderer.stamp
        self.preview = Preview(self.kb, findings, self.renderer) if self.serving else None
        config.markdown_extensions.append(BodyLinks(self.rendering, self.links))  # type: ignore[arg-type]
        self.config_of_build = config
        write_in_pieces(config)
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        if JS_URI not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(JS_URI)
        return config

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        if self.incremental is not None:
            env.bytecode_cache = self.incremental.templates
        if not self.serving and may_hold(config.plugins):
            self._let_go_of_knowledge_base()
        return env

    def _let_go_of_knowledge_base(self) -> None:
        """MkDocs has read and rendered every page before `on_env` and only writes them
        from here on, holding this plugin, and with it the knowledge base, until the build
        ends (about 20 MB at a thousand postmortems). With no other plugin (`may_hold`),
        nothing asks for a document or a page's Markdown again, and no preview rebuild
        follows a build. So the build lets go of them."""
        self.kb = None
        self.renderer = None
        self.last_views = ("", {})
        self.site_files.let_go_of_sources()

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self.incremental is not None:
            self.incremental.before_build(config)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.kb is not None
        self._remove_scratch()
        self.scratch = ScratchFolder()
        self.site_files = SiteFiles(self.kb_config, self.links, config, self.scratch, self.export_texts)
        self.site_files.add_to(files, self.kb, self.preview.specs() if self.preview is not None else ())
        self.files_of_build = files
        self.held_content = HeldContent() if may_hold(config.plugins) else None
        self.fingerprints: dict[str, str] = {}
        self.search_entries = self._search_entries(config)
        pages = self.site_files.pages()
        self.rendered_pages = None
        # What every generated page shares, for the page store and the preview's rebuilds.
        shared = shared_fingerprint(config, files, [file.src_uri for file, _ in pages])
        if self.kb_config.cache:
            # The settings pages show or link by, as loaded: mkdocs.yml may take them from !ENV.
            # (Not site_url: pages link relatively, and `mkdocs serve` sets its own.)
            shown = repr((config.site_name, config.use_directory_urls))
            key = f"{cache_key(self.kb_config.cache_settings())} {shown}"
            self.rendered_pages = RenderedPages(self.kb_config.root / CACHE_FOLDER, key, shared)
        if self.incremental is not None:
            preview = self.preview
            # Pages in the navigation need their Page objects, and the preview's own pages
            # (/problems/, invalid documents) change with every finding: both are always rebuilt.
            in_nav = set(site_nav.section_keys())
            reusable = [
                (file, spec)
                for file, spec in pages
                if spec.key not in in_nav and not (preview is not None and preview.owns(spec))
            ]
            self.incremental.plan(config, files, shared, reusable, self.fingerprint, self.page_inputs)
        return files

    def _search_entries(self, config: MkDocsConfig) -> PageRecords | None:
        """The kept search entries, given to Material's search index (`page_cache.py`)."""
        search = search_plugin(config)
        if not self.kb_config.cache or search is None or not search.config.enabled:
            return None
        if search.config.jieba_dict or search.config.jieba_dict_user:
            return None
        records = search_entry_records(self.kb_config.root / CACHE_FOLDER, sorted(dict(search.config).items()))
        reuse_search_entries(search.search_index, records)
        return records

    def fingerprint(self, spec: PageSpec) -> str:
        """Everything pmkb puts into a page: its Markdown, its view models, its findings, today's date."""
        found = self.fingerprints.get(spec.src_uri)
        if found is None:
            assert self.kb is not None and self.renderer is not None
            banner = self.preview.banner_names(spec) if self.preview is not None else None
            views = self.renderer.views.page(spec.kind, spec.subject, spec.part)
            found = fingerprint(spec.markdown(), spec.template, views, banner, self.kb.today)
            self.fingerprints[spec.src_uri] = found
            # A page rendered right after it is fingerprinted needs these views again.
            self.last_views = (spec.src_uri, views)
        return found

    def page_inputs(self, spec: PageSpec) -> object | None:
        """What a page is made of, when that is known without its views (`Views.inputs`),
        with the findings its banner shows (values, compared as such)."""
        assert self.renderer is not None
        inputs = self.renderer.views.inputs(spec.kind, spec.subject, spec.part)
        if inputs is None:
            return None
        return inputs, self.preview.banner_names(spec) if self.preview is not None else None

    def page_identity(self, spec: PageSpec) -> str:
        """What the page store knows a page by: what it is made of, when that is known
        without its views (`page_inputs`: values that read the same in any process, so
        equal inputs give equal views under the store's key and the shared fingerprint,
        as they do for a preview rebuild), else its fingerprint."""
        inputs = self.page_inputs(spec)
        if inputs is None:
            return self.fingerprint(spec)
        return f"inputs {(spec.markdown(), spec.template, inputs)!r}"

    def render(self, spec: PageSpec, page: Page, body: Markup | None) -> str:
        """pmkb's HTML of a generated page, kept from an earlier build when nothing it is made of changed."""
        html = self.stamp(self._content(spec, page, body))
        if self.rendered_pages is not None:
            self.last_stored = (page.file.src_uri, html)
        return html

    def _reread(self, url: str) -> str:
        """A page's HTML as `render` gave it, from the page store."""
        assert self.rendered_pages is not None
        return self.stamp(self.rendered_pages.reread(url))

    def _content(self, spec: PageSpec, page: Page, body: Markup | None) -> str:
        assert self.renderer is not None
        cache = self.rendered_pages
        if cache is None:
            return self.renderer.render(spec, page.file, body=body)
        digest = cache.digest(self.page_identity(spec), body)
        built_at = self.renderer.built_at
        kept = cache.get(page.url, digest, built_at)
        if kept is not None:
            return kept
        forget_reads(built_at)
        source, views = self.last_views
        self.last_views = ("", {})
        content = self.renderer.render(spec, page.file, body=body, views=views if source == spec.src_uri else None)
        cache.put(page.url, digest, content, built_at)
        return content

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.links.index_files(files)
        if not self.kb_config.nav:
            return nav
        extra = [PROBLEMS] if self.preview is not None else []
        return site_nav.with_sections(nav, self.links, self.site_files.home, files, self.user_nav, extra)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # The Markdown extension rewrites links only while a document's body is being rendered.
        spec = self.site_files.spec(page.file)
        self.rendering.clear()
        if spec is not None and spec.origin is not None:
            self.rendering.start(page.file, spec.origin)
        return markdown

    @event_priority(50)
    def _page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Early, so that other plugins (search among them) see the finished page.
        try:
            spec = self.site_files.spec(page.file)
            if spec is None:
                return html
            if spec.is_document and self.kb_config.html == "sanitize":
                from pmkb.site.sanitize import sanitize_body

                html = sanitize_body(html)
            body = Markup(html) if spec.is_document else None
            if self.preview is not None and self.preview.owns(spec):
                content = self.preview.render(spec, page.file, Markup(html))
            else:
                content = self.render(spec, page, body)
            page.toc.items.extend(generated_toc(content, spec.is_document))
            if self.preview is not None:
                content = self.preview.with_banner(spec, page.file, content)
            return content
        finally:
            self.rendering.clear()

    @event_priority(-1000)
    def _hold_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Last of all handlers, even those at -100 ("last"): page.content is then final.
        if self.held_content is None or self.site_files.spec(page.file) is None:
            return html
        source, stored = self.last_stored
        self.last_stored = ("", "")
        # The very HTML the page store holds: read again from there, not packed twice.
        reread = partial(self._reread, page.url) if source == page.file.src_uri and stored is html else None
        return self.held_content.hold(page, html, reread)

    on_page_content = CombinedEvent(_page_content, _hold_content)

    @event_priority(1000)
    def _restore_content(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
        # First of all handlers: Material's search plugin reads page.content here.
        if self.held_content is not None:
            self.held_content.restore(page)
        return context

    def _page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Navigation) -> Any:
        if self.incremental is not None:
            self.incremental.page_built(page.url)
        return context

    on_page_context = CombinedEvent(_restore_content, _page_context)

    @event_priority(-1000)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self.held_content is not None and self.site_files.spec(page.file) is not None:
            self.held_content.release(page)
        return output

    @event_priority(50)
    def _complete_site(self, *, config: MkDocsConfig) -> None:
        # Before the search plugin writes its index: the index must have every page's entries.
        if self.incremental is not None:
            self.incremental.after_build(config)
        # Pages a preview rebuild left out are excluded from this build, not from the site.
        urls = [file.url for file in self.files_of_build.documentation_pages(inclusion=lambda _: True)]
        for store in (self.search_entries, self.rendered_pages):
            if store is not None:
                store.save(urls)

    @event_priority(-100)
    def _after_site(self, *, config: MkDocsConfig) -> None:
        # Last: the worker's job starts when the build has nothing left to do.
        self._remove_scratch()
        if self.similar_worker is not None and self.kb is not None:
            self.similar_worker.after_build(self.kb)
        if self.collector is not None:
            self.collector.build_done()

    on_post_build = CombinedEvent(_complete_site, _after_site)

    def _remove_scratch(self) -> None:
        if self.scratch is not None:
            self.scratch.remove()
            self.scratch = None

    def on_build_error(self, *, error: Exception) -> None:
        self._remove_scratch()
        if self.collector is not None:
            self.collector.resume()
        if self.incremental is not None and self.config_of_build is not None:
            self.incremental.build_failed(self.config_of_build)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        if self.similar_worker is not None:
            self.similar_worker.request_rebuild = request_rebuild_of(server)
        docs_dir = Path(config.docs_dir).resolve()
        watched = [self.kb_config.postmortems_path, self.kb_config.runbooks_path]
        if config.theme.custom_dir:
            watched.append(Path(config.theme.custom_dir) / "pmkb")
        for folder in watched:
            # docs_dir is watched already; a missing folder cannot be watched (create it, then restart).
            if folder.is_dir() and not inside(folder.resolve(), docs_dir):
                server.watch(str(folder))
        return server

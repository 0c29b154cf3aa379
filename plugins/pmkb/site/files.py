"""Every file pmkb adds to a build, as virtual files (`File.generated`).

The generated pages, the images and other files beside postmortems and runbooks,
pmkb's stylesheet and script, kb.json and feed.xml. Nothing is written into
docs_dir, and a file the user already has at an address wins over ours.

kb.json and feed.xml are written to a folder of the build's own (`ScratchFolder`) and
copied from there as MkDocs copies any file: MkDocs holds a file's content in memory
until the build ends, and these two are megabytes at a thousand postmortems.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_relative_url

from pmkb.config import KBConfig
from pmkb.index import KnowledgeBase
from pmkb.plaintext import plain
from pmkb.site.feed import FEED_ERRORS, ExportTexts, atom_feed_text, kb_json_text
from pmkb.site.links import Links
from pmkb.site.pages import PageSpec, plan

log = get_plugin_logger("pmkb")
FEED_WITHOUT_SITE_URL = (
    'mkdocs.yml sets no site_url: feed.xml gets relative entry links and no rel="self" link, '
    "which most feed readers cannot follow. Set site_url to the address the site is published at."
)

ASSETS = Path(__file__).parent / "assets"
CSS_URI = "assets/pmkb/pmkb.css"
JS_URI = "assets/pmkb/pmkb.js"


def inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


# MkDocs' own properties, for content that a plugin sets.
_STRING: Any = vars(File)["content_string"]
_BYTES: Any = vars(File)["content_bytes"]


class GeneratedPage(File):
    """A generated page whose Markdown is written when it is read (`PageSpec.markdown`),
    not kept in the file: MkDocs keeps its own copy, `page.markdown`, for the whole build.
    Setting the content, as any plugin may, keeps what was set."""

    spec: PageSpec | None = None

    @classmethod
    def of(cls, config: MkDocsConfig, spec: PageSpec) -> GeneratedPage:
        file = cls.generated(config, spec.src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
        assert isinstance(file, GeneratedPage)
        file.spec = spec
        return file

    @property
    def content_string(self) -> str:
        return self.spec.markdown() if self.spec is not None else _STRING.__get__(self)

    @content_string.setter
    def content_string(self, value: str) -> None:
        self.spec = None
        _STRING.__set__(self, value)

    @property
    def content_bytes(self) -> bytes:
        return self.spec.markdown().encode() if self.spec is not None else _BYTES.__get__(self)

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self.spec = None
        _BYTES.__set__(self, value)


class ScratchFolder:
    """A temporary folder for files of one build, removed when the build is over."""

    def __init__(self) -> None:
        self._path: Path | None = None

    def write(self, name: str, text: Iterable[str], errors: str = "strict") -> str:
        """Write `name` in the folder (made at the first write), piece by piece, UTF-8
        encoded; its absolute path."""
        if self._path is None:
            self._path = Path(tempfile.mkdtemp(prefix="pmkb-build-"))
        path = self._path / name
        with path.open("w", encoding="utf-8", errors=errors, newline="") as out:
            out.writelines(text)
        return str(path)

    def remove(self) -> None:
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None


class SiteFiles:
    """What pmkb publishes in one build, and which generated page each of its files is."""

    def __init__(
        self,
        kb_config: KBConfig,
        links: Links,
        config: MkDocsConfig,
        scratch: ScratchFolder,
        export_texts: ExportTexts | None = None,
    ) -> None:
        self.kb_config = kb_config
        self.scratch = scratch
        self.links = links
        self.config = config
        self.export_texts = export_texts  # kb.json's records and feed entries as the last preview rebuild wrote them
        self.home: File | None = None  # the generated dashboard when it is the site's home page
        self._specs: dict[str, tuple[File, PageSpec]] = {}

    def spec(self, file: File) -> PageSpec | None:
        """The generated page `file` publishes, if it is one of ours."""
        found = self._specs.get(file.src_uri)
        return found[1] if found is not None and found[0] is file else None

    def pages(self) -> list[tuple[File, PageSpec]]:
        """Every page pmkb added to this build, with its spec, in the order they were added."""
        return list(self._specs.values())

    def add_to(self, files: Files, kb: KnowledgeBase, extra_pages: Sequence[PageSpec] = ()) -> None:
        """Add the files that publish `kb` to `files`; `extra_pages` are the preview's own
        pages under `mkdocs serve`."""
        self._drop_raw_documents(files)
        self.links.index_files(files)
        user_dests = {file.dest_uri: file for file in files.documentation_pages()}
        dashboard_uri = "dashboard.md" if "index.html" in user_dests else "index.md"
        for spec in [*plan(kb, dashboard_uri), *extra_pages]:
            self._add_page(files, spec, user_dests)
        self._add_document_assets(files)
        for src_uri in (CSS_URI, JS_URI):
            content = (ASSETS / Path(src_uri).name).read_bytes()
            self._add_file(files, File.generated(self.config, src_uri, content=content))
        self._add_exports(files, kb)

    def let_go_of_sources(self) -> None:
        """Once MkDocs has read every page: their Markdown is not asked for again."""
        for _, spec in self._specs.values():
            spec.let_go_of_source()

    def _drop_raw_documents(self, files: Files) -> None:
        # A knowledge base kept inside docs_dir would otherwise also publish its raw files.
        folders = [self.kb_config.postmortems_path, self.kb_config.runbooks_path]
        for file in list(files):
            if not (file.abs_src_path and file.is_documentation_page()):
                continue
            if any(inside(Path(file.abs_src_path).resolve(), folder) for folder in folders):
                files.remove(file)

    def _add_page(self, files: Files, spec: PageSpec, user_dests: dict[str, File]) -> None:
        file = GeneratedPage.of(self.config, spec)
        # docs/postmortems.md and a generated postmortems/index.md would both be postmortems/index.html.
        existing = files.get_file_from_path(spec.src_uri) or user_dests.get(file.dest_uri)
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
        self._specs[spec.src_uri] = (file, spec)
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

    def _add_document_assets(self, files: Files) -> None:
        """Images and other files beside postmortems and runbooks, under their kind's URL prefix."""
        for prefix, folder in (
            ("postmortems", self.kb_config.postmortems_path),
            ("runbooks", self.kb_config.runbooks_path),
        ):
            for path in _asset_paths(folder):
                # Files of a knowledge base kept inside docs_dir are published by MkDocs already.
                known = self.links.file_for_source(str(path))
                if known is None:
                    src_uri = f"{prefix}/{path.relative_to(folder).as_posix()}"
                    known = self._add_file(files, File.generated(self.config, src_uri, abs_src_path=str(path)))
                if known is not None:
                    self.links.add_source(path, known)

    def _add_exports(self, files: Files, kb: KnowledgeBase) -> None:
        site_url = self.config.site_url or ""
        if site_url and not site_url.endswith("/"):
            site_url += "/"
        pages = self.links.pages

        def published(kind: str, doc_id: str) -> str:
            # Absolute with a site_url; otherwise root-relative, as `pmkb export` writes it.
            return (site_url or "/") + pages[(kind, doc_id)].url

        content = kb_json_text(
            kb,
            lambda pm_id: published("postmortem", pm_id),
            lambda rb_id: published("runbook", rb_id),
            self.export_texts.records if self.export_texts is not None else None,
        )
        kb_file = File.generated(self.config, "kb.json", abs_src_path=self.scratch.write("kb.json", content))
        if self._add_file(files, kb_file) is not None:
            self.links.add_page(("file", "kb.json"), kb_file)
        home = pages.get(("dashboard", ""))

        def entry_url(pm_id: str) -> str:
            # The feed sits at the site root; without a site_url its links are relative to it.
            url = pages[("postmortem", pm_id)].url
            return site_url + url if site_url else get_relative_url(url, "feed.xml")

        feed = atom_feed_text(
            kb,
            site_name=self.config.site_name,
            site_url=site_url or None,
            author=self.config.site_author,
            page_url=entry_url,
            home_url=site_url or (get_relative_url(home.url, "feed.xml") if home is not None else "./"),
            entries=self.export_texts.entries if self.export_texts is not None else None,
        )
        written = self.scratch.write("feed.xml", feed, errors=FEED_ERRORS)
        feed_file = File.generated(self.config, "feed.xml", abs_src_path=written)
        if self._add_file(files, feed_file) is not None:
            self.links.add_page(("file", "feed.xml"), feed_file)
            if not site_url:
                # Info, not warning: `mkdocs build --strict` fails on warnings, and a site
                # without a site_url (a preview, an intranet share) is still a good site.
                log.info(FEED_WITHOUT_SITE_URL)


def _asset_paths(folder: Path) -> list[Path]:
    """Every file under `folder` that is not a Markdown document or hidden, in a stable order."""
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        found.extend(
            Path(dirpath) / name for name in sorted(filenames) if not name.startswith(".") and not name.endswith(".md")
        )
    return found

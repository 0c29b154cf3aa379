"""Relative URLs between generated pages, and links inside postmortem and runbook bodies.

Every link the site writes is relative to the page it appears on, so the site works
with `use_directory_urls: false` and when served from a sub-path.

Bodies were written relative to their own file (`postmortems/2024/x.md`), but are
published at `postmortems/<id>/`. `BodyLinks` rewrites their relative links before
MkDocs validates them: to the generated page of a linked postmortem or runbook, to a
page of `docs_dir`, or to a file beside the knowledge-base documents. Links by id
(`[text][id]`, `[id][]`, `[text](runbook:id)`, see `pmkb.rules.id_links`) become
links to the document's generated page the same way, so they survive file moves.
"""

from __future__ import annotations

import os
import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from pmkb.plaintext import plain
from pmkb.rules.id_links import ID_SCHEMES, IdLink, find_id_links
from pmkb.site.pages import PageKey

log = get_plugin_logger("pmkb")
# Attributes of raw HTML in a body that name another file.
_RAW_ATTRIBUTE = re.compile(
    r"""(?P<before>\s(?:href|src)\s*=\s*)(?P<quote>["'])(?P<url>.*?)(?P=quote)""", re.IGNORECASE
)


class Links:
    """Where each generated page and knowledge-base file ended up, and links between them."""

    def __init__(self, root: Path) -> None:
        self.root = root  # the folder of mkdocs.yml, for messages naming files
        self.pages: dict[PageKey, File] = {}
        self._by_source: dict[str, File] = {}

    def add_page(self, key: PageKey, file: File) -> None:
        self.pages[key] = file

    def add_source(self, path: Path, file: File) -> None:
        """Map a file on disk (a postmortem, a runbook, an asset) to the File publishing it."""
        self._by_source[os.path.normcase(os.path.normpath(path))] = file

    def index_files(self, files: Files) -> None:
        """Learn every real file MkDocs publishes, so bodies can link into docs_dir."""
        for file in files:
            if file.abs_src_path and file.inclusion.is_included():  # type: ignore[no-untyped-call]
                self._by_source.setdefault(os.path.normcase(os.path.normpath(file.abs_src_path)), file)

    def file_for_source(self, path: str) -> File | None:
        return self._by_source.get(os.path.normcase(os.path.normpath(path)))

    def has(self, kind: str, subject: str = "") -> bool:
        return (kind, subject) in self.pages

    def id_target(self, link: IdLink) -> PageKey | None:
        """The page a link by id leads to, or None when no page has that id."""
        kind = link.resolve(_PagesOfKind(self.pages, "postmortem"), _PagesOfKind(self.pages, "runbook"))
        return (kind, link.id) if kind is not None else None

    def url(self, origin: File, kind: str, subject: str = "", fragment: str = "") -> str:
        """The link from `origin`'s page to a generated page, e.g. url(page, "tag", "database")."""
        target = self.pages[(kind, subject)]
        return relative(origin, target) + (f"#{fragment}" if fragment else "")


class _PagesOfKind:
    """The ids of one kind that have a page, as a container."""

    def __init__(self, pages: dict[PageKey, File], kind: str) -> None:
        self.pages = pages
        self.kind = kind

    def __contains__(self, doc_id: object) -> bool:
        return (self.kind, doc_id) in self.pages


def relative(origin: File, target: File) -> str:
    """A relative URL from one file's page to another file; never empty."""
    url = get_relative_url(target.url, origin.url)
    return url or "./"


def resolve_body_link(url: str, origin: Path, lookup: Callable[[str], File | None]) -> tuple[File, str, str] | None:
    """The published file a relative link of a knowledge-base document points to.

    Returns (file, query, fragment), or None for external, absolute, self and
    unresolvable links, which are left as written.
    """
    scheme, netloc, path, query, fragment = urlsplit(url)
    if scheme or netloc or not path or path.startswith(("/", "\\")):
        return None
    target = os.path.join(os.path.dirname(origin), unquote(path))
    file = lookup(target)
    return (file, query, fragment) if file is not None else None


class RenderingDocument:
    """The postmortem or runbook whose body Markdown is converting right now, if any.

    The plugin starts it before a document page's Markdown is converted and clears it
    once the page's HTML is back, so no other Markdown has its links rewritten.
    """

    def __init__(self) -> None:
        self.current: tuple[File, Path] | None = None  # the generated page's File, the source file

    def start(self, page_file: File, origin: Path) -> None:
        self.current = (page_file, origin)

    def clear(self) -> None:
        self.current = None


class _IdReferencesProcessor(Preprocessor):
    """Defines each id reference of the body (`[text][id]`) as a link to `<kind>:<id>`.

    Python-Markdown makes a link of a reference only when it has a definition; the
    tree processor below then turns `<kind>:<id>` into the document's page.
    """

    def __init__(self, md: Markdown, rendering: RenderingDocument, links: Links) -> None:
        super().__init__(md)
        self.rendering = rendering
        self.links = links

    def run(self, lines: list[str]) -> list[str]:
        if self.rendering.current is None:
            return lines
        definitions: dict[str, str] = {}
        for link in find_id_links("\n".join(lines)):
            target = self.links.id_target(link) if link.label else None
            if target is not None:
                definitions.setdefault(link.label, f"[{link.label}]: {target[0]}:{target[1]}")
        # At the top, so that no unclosed block of the body can swallow them.
        return [*definitions.values(), "", *lines] if definitions else lines


class _BodyLinksProcessor(Treeprocessor):
    def __init__(self, md: Markdown, rendering: RenderingDocument, links: Links) -> None:
        super().__init__(md)
        self.rendering = rendering
        self.links = links

    def run(self, root: etree.Element) -> None:
        if self.rendering.current is None:
            return
        page_file, origin = self.rendering.current
        # The generated header carries the title; a leading `# Title` in the body would repeat it.
        if len(root) and root[0].tag == "h1":
            root.remove(root[0])
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(str(element.tag))
            value = element.get(attribute) if attribute else None
            if attribute is None or value is None:
                continue
            by_id = self._by_id(value, page_file) if attribute == "href" else None
            if by_id is not None:
                element.set(attribute, by_id)
                continue
            resolved = resolve_body_link(value, origin, self.links.file_for_source)
            if resolved is None:
                self._explain(value, origin)
                continue
            target, query, fragment = resolved
            # Stay a link to a source file, relative to the generated page's source URI,
            # so MkDocs validates it and turns it into the final URL as for any page.
            path = posixpath.relpath(target.src_uri, posixpath.dirname(page_file.src_uri) or ".")
            element.set(attribute, urlunsplit(("", "", quote(path), query, fragment)))
        # MkDocs leaves raw HTML alone, so its links get their final URL here.
        stash = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(stash):
            if isinstance(block, str):
                stash[index] = _RAW_ATTRIBUTE.sub(lambda match: self._raw(match, page_file, origin), block)

    def _by_id(self, url: str, page_file: File) -> str | None:
        """`postmortem:<id>` or `runbook:<id>` as a link to that page's source, else None."""
        scheme, _, rest = url.partition(":")
        if scheme not in ID_SCHEMES or not rest:
            return None
        doc_id, _, fragment = rest.partition("#")
        target = self.links.pages.get((scheme, doc_id))
        if target is None:
            return None  # an unknown id: PMKB016 reports it
        path = posixpath.relpath(target.src_uri, posixpath.dirname(page_file.src_uri) or ".")
        return urlunsplit(("", "", quote(path), "", fragment))

    def _explain(self, url: str, origin: Path) -> None:
        # MkDocs names the generated page in its warning; say which file the link is in.
        scheme, netloc, path, _, _ = urlsplit(url)
        if scheme or netloc or not path.endswith(".md") or path.startswith(("/", "\\")):
            return
        target = os.path.normpath(os.path.join(os.path.dirname(origin), unquote(path)))
        shown = [Path(os.path.relpath(name, self.links.root)).as_posix() for name in (origin, target)]
        log.info(
            plain(f"{shown[0]}: link '{url}' points to {shown[1]}, which is no postmortem, runbook or docs_dir page")
        )

    def _raw(self, match: re.Match[str], page_file: File, origin: Path) -> str:
        resolved = resolve_body_link(match["url"], origin, self.links.file_for_source)
        if resolved is None:
            return match.group(0)
        target, query, fragment = resolved
        url = urlunsplit(("", "", relative(page_file, target), query, fragment))
        return f"{match['before']}{match['quote']}{url}{match['quote']}"


class BodyLinks(Extension):
    """Markdown extension rewriting the links of the postmortem or runbook being rendered."""

    def __init__(self, rendering: RenderingDocument, links: Links) -> None:
        super().__init__()
        self.rendering = rendering
        self.links = links

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's API
        # Before any other preprocessor changes the lines the id references are found in.
        md.preprocessors.register(_IdReferencesProcessor(md, self.rendering, self.links), "pmkb_id_references", 40)
        # After inline patterns created the links (20), before `toc` (5) and MkDocs' relpath (0).
        md.treeprocessors.register(_BodyLinksProcessor(md, self.rendering, self.links), "pmkb_body_links", 10)

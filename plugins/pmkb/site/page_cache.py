"""What a site build keeps for the next one: each page's search entries and pmkb's HTML.

Most pages of a knowledge base's site are the same from one build to the next, and two
steps of building each page cost more than the rest of pmkb's work together:

- **Search entries.** Material's search plugin finds each page's entries by parsing
  the page's HTML with Python's `html.parser`, one tag at a time. A page's entries
  depend only on what that parser reads (the page's HTML, URL, title, table of
  contents, and its `tags` and `search` front matter) and on the plugin's version and
  settings. They are kept in `.cache/pmkb/search.pickle`, and a later build gives
  the search plugin the kept entries of a page whose digest of those is unchanged
  instead of parsing it again. Not used when the plugin segments Chinese text with
  jieba's dictionaries, files whose content the digest would not cover.
- **pmkb's HTML of a generated page** (its header and footer around the body, or a
  list). It is made of the page's view models and Markdown, the body's HTML, the
  templates and what the whole site shares, the same parts that let a preview rebuild
  skip a page (`incremental.py`). It is kept in `.cache/pmkb/pages.pickle` under a
  digest of those parts. The "as of" notes of the lists show the build time through
  the `build_time()` helper, a mark each build fills in (`Renderer.stamp`); a page
  whose template reads `built_at` itself is reused only by a build of the same time,
  as with `SOURCE_DATE_EPOCH`.

Each store keeps one record per page of the site: a page gone from the site is
dropped, and a page that a preview rebuild left out keeps its record. The stores are
signed, read and written like pmkb's other stores (`pmkb.cache`), and the `cache`
option turns them off.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from pmkb.cache import DocumentCache, installed_version, read_keyed_records, signing_key, write_store

SEARCH_STORE_NAME = "search.pickle"
PAGES_STORE_NAME = "pages.pickle"
_FORMAT = 1


class PageRecords:
    """One record per page URL, each valid while the digest stored with it is the page's.

    Records are kept compressed: HTML and search text shrink about sixfold, and the
    store is in memory for the whole build.
    """

    def __init__(self, folder: Path, name: str, key: str) -> None:
        self.folder = folder
        self.name = name
        self.key = key
        self._signing = signing_key()
        # page URL -> (digest of what the record was made from, the record pickled)
        self._stored = self._read()
        self._kept: dict[str, tuple[bytes, bytes]] = {}

    def _read(self) -> dict[str, tuple[bytes, bytes]]:
        pages = read_keyed_records(self.folder / self.name, self._signing, self.key)
        return {
            url: record
            for url, record in pages.items()
            if isinstance(record, tuple) and len(record) == 2 and all(isinstance(part, bytes) for part in record)
        }

    def get(self, url: str, digest: bytes) -> Any | None:
        """The record kept for this page and digest, or None."""
        stored = self._stored.get(url)
        if stored is None or stored[0] != digest:
            return None
        try:
            pickled = zlib.decompress(stored[1])
        except zlib.error:
            return None
        record = DocumentCache.record(pickled)
        if record is not None:
            self._kept[url] = stored
        return record

    def put(self, url: str, digest: bytes, record: Any) -> None:
        self._kept[url] = (digest, zlib.compress(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL), 1))

    def reread(self, url: str) -> Any | None:
        """The record this build took from the store or put into it for the page, read again."""
        kept = self._kept.get(url)
        return DocumentCache.record(zlib.decompress(kept[1])) if kept is not None else None

    def save(self, page_urls: Iterable[str]) -> None:
        """Keep one record for each of the site's pages: this build's, or the stored one of
        a page this build did not make; nothing is written when none changed."""
        kept = dict(self._kept)
        for url in page_urls:
            if url not in kept and url in self._stored:
                kept[url] = self._stored[url]
        if kept != self._stored:
            write_store(self.folder, self.name, self._signing, (self.key, kept))


# Search entries -------------------------------------------------------------------------


def _toc_anchors(items: Iterable[AnchorLink], into: list[str]) -> list[str]:
    for item in items:
        into.append(f"{item.id}\x1f{item.url}")
        _toc_anchors(item.children, into)
    return into


def search_digest(page: Page) -> bytes:
    """The identity of everything Material's search plugin reads of a page."""
    meta = page.meta
    hasher = hashlib.blake2b(digest_size=16)
    described = repr((page.url, page.title, meta.get("title"), meta.get("tags"), meta.get("search")))
    hasher.update(described.encode("utf-8", "surrogatepass"))
    hasher.update(b"\x00")
    hasher.update("\x1e".join(_toc_anchors(page.toc, [])).encode("utf-8", "surrogatepass"))
    hasher.update(b"\x00")
    hasher.update((page.content or "").encode("utf-8", "surrogatepass"))
    return hasher.digest()


def search_entry_records(folder: Path, search_settings: object) -> PageRecords:
    key = f"format {_FORMAT}; mkdocs-material {installed_version('mkdocs-material')}; {search_settings!r}"
    return PageRecords(folder, SEARCH_STORE_NAME, key)


def reuse_search_entries(index: Any, records: PageRecords) -> None:
    """Make a Material search index take a page's kept entries instead of parsing it again."""
    parse: Callable[[Page], None] = index.add_entry_from_context

    def add_entry_from_context(page: Page) -> None:
        digest = search_digest(page)
        kept = records.get(page.url, digest)
        if isinstance(kept, list) and all(isinstance(entry, dict) for entry in kept):
            index.entries.extend(kept)
            return
        first = len(index.entries)
        parse(page)
        records.put(page.url, digest, index.entries[first:])

    index.add_entry_from_context = add_entry_from_context


# pmkb's HTML of each page ---------------------------------------------------------------


class BuildTime(datetime):
    """The build time as templates get it, noting when one reads it: a page that shows
    the build time is not the same page in a build of another time."""

    def __getattribute__(self, name: str) -> Any:
        if name != "__dict__":
            object.__getattribute__(self, "__dict__")["read"] = True
        return super().__getattribute__(name)

    @classmethod
    def of(cls, moment: datetime) -> BuildTime:
        return cls.combine(moment.date(), moment.timetz())


# Functions, not methods: looking a method up on a BuildTime would count as reading it.
def forget_reads(moment: BuildTime) -> None:
    object.__getattribute__(moment, "__dict__")["read"] = False


def was_read(moment: BuildTime) -> bool:
    return bool(object.__getattribute__(moment, "__dict__").get("read", False))


def _noting(name: str) -> Callable[..., Any]:
    method = getattr(datetime, name)

    def noted(self: BuildTime, *args: Any) -> Any:
        object.__getattribute__(self, "__dict__")["read"] = True
        return method(self, *args)

    noted.__name__ = name
    return noted


# Operations Python looks up on the type, not through __getattribute__.
for _name in (
    *("__str__", "__repr__", "__format__", "__hash__"),
    *("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"),
    *("__add__", "__radd__", "__sub__", "__rsub__"),
):
    setattr(BuildTime, _name, _noting(_name))


class RenderedPages:
    """pmkb's HTML of each generated page, reused while what it is made of is unchanged."""

    def __init__(self, folder: Path, key: str, shared: str) -> None:
        self.records = PageRecords(
            folder, PAGES_STORE_NAME, f"format {_FORMAT}; jinja2 {installed_version('Jinja2')}; {key}"
        )
        self.shared = shared.encode()

    def digest(self, page_fingerprint: str, body: str | None) -> bytes:
        hasher = hashlib.blake2b(self.shared, digest_size=16)
        hasher.update(b"\x00" + page_fingerprint.encode() + b"\x00")
        if body is not None:
            hasher.update(body.encode("utf-8", "surrogatepass"))
        return hasher.digest()

    def get(self, url: str, digest: bytes, built_at: datetime) -> str | None:
        kept = self.records.get(url, digest)
        if not (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], str)):
            return None
        read_build_time, html = kept
        if read_build_time is not None and read_build_time != datetime.isoformat(built_at):
            return None
        return str(html)

    def put(self, url: str, digest: bytes, html: str, built_at: BuildTime) -> None:
        read_build_time = datetime.isoformat(built_at) if was_read(built_at) else None
        self.records.put(url, digest, (read_build_time, html))

    def reread(self, url: str) -> str:
        """The HTML this build took or put for the page (see `get` and `put`), read again."""
        kept = self.records.reread(url)
        if not (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], str)):
            raise LookupError(f"no HTML of {url!r} in this build's page store")
        return str(kept[1])

    def save(self, page_urls: Iterable[str]) -> None:
        self.records.save(page_urls)

"""Generated pages' HTML and Markdown held compressed while the build does not need them.

MkDocs reads every page first (its Markdown rendered, `page.content` set) and only then
writes the pages, one by one; every page's HTML and Markdown stay in memory from the
moment it is read until the build ends. pmkb's pages are heavier than plain ones (a
postmortem's page carries its header, action items and related incidents; the lists are
pages of their own), and at a thousand postmortems their HTML is about 25 MB, four times
the bodies alone.

So a generated page's `page.content` and `page.markdown` are held here, compressed,
from the end of its `on_page_content` (after every plugin's handler has run) to the
start of its `on_page_context`, when its own build step begins, and are let go once the
page is written (`on_post_page`). Outside those steps both are empty; inside them, as
Material's search plugin and the theme read them, they are the page's own, unchanged.
Other pages (the user's own in docs_dir) are left as MkDocs keeps them.

Only when every configured plugin is known to look at a page during its own steps alone
(`incremental.other_plugins`, the same rule as for incremental rebuilds): another
plugin may read or rewrite every page's HTML at once (Material's tags plugin fills in
listings at `on_env`), and with one configured a build holds nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable

from mkdocs.structure.pages import Page

from pmkb.site.incremental import other_plugins

# zlib's fastest level: HTML still shrinks about fivefold, for about 5 ms per MB.
_LEVEL = 1


def may_hold(plugin_names: Iterable[str]) -> bool:
    """Whether a build with these plugins may hold generated pages' HTML between their steps."""
    return not other_plugins(plugin_names)


class HeldContent:
    """The HTML and Markdown of the pages whose build step has not started yet, by source URI."""

    def __init__(self) -> None:
        # source URI -> (the HTML packed, or how to read it again; the Markdown packed)
        self._held: dict[str, tuple[bytes | Callable[[], str], bytes]] = {}

    def __len__(self) -> int:
        return len(self._held)

    def hold(self, page: Page, html: str, reread: Callable[[], str] | None = None) -> str:
        """Keep a page's finished HTML and its Markdown; returns what `page.content` is
        until the page is built. `reread` gives the same HTML again from where it is kept
        already (the page store, compressed): then it is not packed a second time."""
        self._held[page.file.src_uri] = (reread or _packed(html), _packed(page.markdown or ""))
        page.markdown = ""
        return ""

    def restore(self, page: Page) -> None:
        """Give the page its HTML and Markdown back for its own build step."""
        held = self._held.pop(page.file.src_uri, None)
        if held is not None:
            html, markdown = held
            page.content = html() if callable(html) else _unpacked(html)
            page.markdown = _unpacked(markdown)

    @staticmethod
    def release(page: Page) -> None:
        """Let go of a page's HTML and Markdown once it is written."""
        page.content = page.markdown = ""


def _packed(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8", "surrogatepass"), _LEVEL)


def _unpacked(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8", "surrogatepass")

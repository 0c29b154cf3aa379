"""Generated pages' HTML held compressed while the build does not need it.

MkDocs reads every page first (its Markdown rendered, `page.content` set) and only then
writes the pages, one by one; every page's HTML stays in memory from the moment it is
read until the build ends. pmkb's pages are heavier than plain ones (a postmortem's page
carries its header, action items and related incidents; the lists are pages of their
own), and at a thousand postmortems their HTML is about 25 MB, four times the bodies
alone.

So a generated page's `page.content` is held here, compressed, from the end of its
`on_page_content` (after every plugin's handler has run) to the start of its
`on_page_context`, when its own build step begins, and is let go once the page is
written (`on_post_page`). Outside those steps a generated page's `content` is empty;
inside them, as Material's search plugin and the theme read it, it is the page's HTML,
unchanged. Other pages (the user's own in docs_dir) are left as MkDocs keeps them.
"""

from __future__ import annotations

import zlib

from mkdocs.structure.pages import Page

# zlib's fastest level: HTML still shrinks about fivefold, for about 5 ms per MB.
_LEVEL = 1


class HeldContent:
    """The HTML of the pages whose build step has not started yet, by source URI."""

    def __init__(self) -> None:
        self._held: dict[str, bytes] = {}

    def __len__(self) -> int:
        return len(self._held)

    def hold(self, page: Page, html: str) -> str:
        """Keep a page's finished HTML; what `page.content` is until the page is built."""
        self._held[page.file.src_uri] = zlib.compress(html.encode("utf-8", "surrogatepass"), _LEVEL)
        return ""

    def restore(self, page: Page) -> None:
        """Give the page its HTML back for its own build step."""
        held = self._held.pop(page.file.src_uri, None)
        if held is not None:
            page.content = zlib.decompress(held).decode("utf-8", "surrogatepass")

    @staticmethod
    def release(page: Page) -> None:
        """Let go of a page's HTML once it is written."""
        page.content = ""

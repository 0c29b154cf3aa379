"""Material's `search_index.json`, written entry by entry.

Material's search plugin writes its index at `on_post_build` as one JSON string, then
encodes that string to bytes: two whole copies of the index in memory at once, beside
the entries themselves, at the very end of the build, when memory is highest. At a
thousand postmortems the index is about 10 MB, and the copies are most of the build's
peak above what it holds anyway.

pmkb writes the same bytes one entry at a time instead, in place of the plugin's own
`on_post_build`, and does everything else that handler does. Only for the index of a
full build: when the search plugin merges entries into the index of the build before
(its own `--dirty` reload), its handler runs unchanged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from pmkb.site.incremental import search_plugin

# What Material's `SearchIndex.generate_search_index` takes from its settings, in order.
_SETTINGS = ("lang", "separator", "pipeline", "fields")
_SEARCH_MODULE = "material.plugins.search.plugin"
_EVENT = "post_build"


def write_in_pieces(config: MkDocsConfig) -> bool:
    """Have `search_index.json` written entry by entry in this build; False when the
    search plugin is not Material's or its `on_post_build` is not its own."""
    search = search_plugin(config)
    if search is None:
        return False
    handlers: list[Callable[..., Any]] = config.plugins.events[_EVENT]
    for position, handler in enumerate(handlers):
        if getattr(handler, "__self__", None) is not search:
            continue
        if isinstance(handler, _PieceWriter):
            return True
        if getattr(handler, "__module__", None) != _SEARCH_MODULE or handler.__name__ != "on_post_build":
            return False
        writer = _PieceWriter(search, handler)
        handlers[position] = writer
        # MkDocs names the plugin whose handler runs in its log messages.
        origins: dict[Callable[..., Any], str] = config.plugins._event_origins
        if handler in origins:
            origins[writer] = origins[handler]
        return True
    return False


class _PieceWriter:
    """The search plugin's `on_post_build`, writing the index in pieces."""

    def __init__(self, search: Any, own: Callable[..., None]) -> None:
        self.__self__ = search
        self.own = own
        self.mkdocs_priority = getattr(own, "mkdocs_priority", 0)

    def __call__(self, *, config: MkDocsConfig) -> None:
        search = self.__self__
        if not search.config.enabled:
            return
        if search.search_index_prev is not None:
            self.own(config=config)
            return
        write_search_index(search.search_index, os.path.join(config.site_dir, "search", "search_index.json"))
        # As the plugin's own handler does, for its next `--dirty` reload.
        if search.is_dirty:
            search.search_index_prev = search.search_index


def write_search_index(index: Any, path: str) -> None:
    """The bytes `index.generate_search_index(None)` gives, UTF-8 encoded, written to `path`."""
    encode = json.JSONEncoder(separators=(",", ":"), default=str).encode
    settings = {key: index.config[key] for key in _SETTINGS}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(f'{{"config":{encode(settings)},"docs":['.encode())
        separator = b""
        for entry in index.entries:
            out.write(separator)
            out.write(encode(entry).encode())
            separator = b","
        out.write(b"]}")

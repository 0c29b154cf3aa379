"""Load, index, check: the one way the CLI and the site get a knowledge base.

Each step reads only what the step before produced: files become validated entries,
entries become the index, and the rules run over the finished index. With the cache
on, a file whose content and configuration are unchanged since an earlier run is not
parsed again: its entry and the findings of the per-file rules come from the cache,
and only the rules that compare files or read today run afresh. The knowledge base
also gets the cache's store of similar-incident lists, which an export or a site build
reads when the lists' inputs are unchanged and writes when they had to be found.
"""

from __future__ import annotations

import gc
from datetime import date
from typing import NamedTuple

from pmkb.cache import DocumentCache, LoadedRecords
from pmkb.config import KBConfig
from pmkb.findings import Finding
from pmkb.index import SIMILARITY_SECTIONS, KnowledgeBase, Scope
from pmkb.model import Postmortem
from pmkb.rules import run_rules
from pmkb.sections import Placeholders, excerpts, section_words
from pmkb.validation import entry_record, entry_summary, load_entries, record_changed


class CheckedKnowledgeBase(NamedTuple):
    """The knowledge base and every finding in it, at its configured level."""

    kb: KnowledgeBase
    findings: list[Finding]


def load_knowledge_base(
    config: KBConfig,
    today: date,
    scope: Scope | None = None,
    *,
    use_cache: bool = True,
    loaded: LoadedRecords | None = None,
) -> CheckedKnowledgeBase:
    """Read and validate every document, index them, then run the rules over the index.

    With a scope (a test on a file's path), only the findings of files in scope are
    wanted: the rules look into those files alone, and every file still lends its ids
    to the index. The findings are those of the whole check, kept for files in scope.

    The cache is used when the `cache` option is on and `use_cache` (the CLI's
    `--no-cache` turns it off); findings are the same either way. `loaded` keeps the
    records unpickled from one load to the next (a preview's rebuilds, `LoadedRecords`).
    """
    use = config.cache and use_cache
    cache = DocumentCache.open(config.root, config.cache_settings(), loaded) if use else None
    # Loading and checking make objects that live as long as the knowledge base and little
    # cyclic garbage: collection passes would find nothing and, with the records of thousands
    # of files in memory, take a large part of a cached run. They resume afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        similar_store = cache.similar_store() if cache is not None else None
        kb = KnowledgeBase(config, load_entries(config, cache, scope), today, scope, similar_store=similar_store)
        findings = run_rules(kb)
        if cache is not None:
            _store(kb, cache)
    finally:
        if collecting:
            gc.enable()
    for entry in kb.entries:
        entry.source.forget_blocks()
    return CheckedKnowledgeBase(kb, findings)


def forget_check_inputs(kb: KnowledgeBase) -> None:
    """Drop what only the checks read of each file, its front matter as parsed and the
    line of each value, once they have run: a site build keeps the knowledge base for
    its whole length, and these are a third of its records. The documents, their bodies
    and the findings stay. Not for a knowledge base whose records the next load hands out
    again (`LoadedRecords`), which restores its findings from them."""
    for entry in kb.entries:
        entry.source.data = None
        entry.source.lines = {}


def _store(kb: KnowledgeBase, cache: DocumentCache) -> None:
    """Keep every readable file's record, with the excerpts pages and exports will ask for."""
    placeholders = Placeholders.from_config(kb.config)
    aliases = kb.config.section_aliases
    for entry in kb.entries:
        if entry.source.digest is None:
            continue
        path = f"{entry.kind}:{entry.path}"
        if entry.summarised or not record_changed(entry):
            cache.keep(path, entry.source.stat_key)
            continue
        if entry.restored is None and isinstance(entry.document, Postmortem):
            excerpts(entry.source, aliases, placeholders)
            section_words(entry.source, SIMILARITY_SECTIONS, aliases)
        cache.put(path, entry.source.digest, entry_summary(entry), entry_record(entry), entry.source.stat_key)
    cache.save()

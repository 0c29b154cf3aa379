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
import hashlib
from datetime import date
from typing import NamedTuple

from pmkb.cache import CheckStore, DocumentCache, LoadedRecords
from pmkb.config import KBConfig
from pmkb.findings import Finding
from pmkb.index import SIMILARITY_SECTIONS, KnowledgeBase, Scope
from pmkb.loader import file_stat_key
from pmkb.model import Postmortem
from pmkb.rules import run_rules
from pmkb.sections import Placeholders, excerpts, section_words
from pmkb.validation import DocumentFile, document_files, entry_record, entry_summary, load_entries, record_changed


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
    files: list[DocumentFile] | None = None,
) -> CheckedKnowledgeBase:
    """Read and validate every document, index them, then run the rules over the index.

    With a scope (a test on a file's path), only the findings of files in scope are
    wanted: the rules look into those files alone, and every file still lends its ids
    to the index. The findings are those of the whole check, kept for files in scope.

    The cache is used when the `cache` option is on and `use_cache` (the CLI's
    `--no-cache` turns it off); findings are the same either way. `loaded` keeps the
    records unpickled from one load to the next (a preview's rebuilds, `LoadedRecords`);
    `files` are the document files when they have been found already (`document_files`).
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
        entries = load_entries(config, cache, scope, files)
        kb = KnowledgeBase(config, entries, today, scope, similar_store=similar_store)
        findings = run_rules(kb)
        if cache is not None:
            _store(kb, cache)
    finally:
        if collecting:
            gc.enable()
    for entry in kb.entries:
        entry.source.forget_blocks()
    return CheckedKnowledgeBase(kb, findings)


class CheckResult(NamedTuple):
    """What `pmkb check` reports: every finding in scope, and how many documents there are."""

    findings: list[Finding]
    documents: int


def check_knowledge_base(
    config: KBConfig, today: date, scope: Scope | None = None, *, use_cache: bool = True
) -> CheckResult:
    """The findings of `load_knowledge_base` and the number of documents; with the cache
    on, those of an earlier check when nothing it was worked out from has changed since
    (`CheckStore`)."""
    if not (config.cache and use_cache):
        checked = load_knowledge_base(config, today, scope, use_cache=use_cache)
        return CheckResult(checked.findings, len(checked.kb.entries))
    files = [file._replace(stat_key=file_stat_key(file.path)) for file in document_files(config)]
    inputs = check_inputs(today, scope, files)
    store = CheckStore.open(config.root, config.cache_settings())
    kept = _check_result(store.get(inputs)) if inputs is not None else None
    if kept is not None:
        return kept
    checked = load_knowledge_base(config, today, scope, files=files)
    result = CheckResult(checked.findings, len(checked.kb.entries))
    if inputs is not None:
        store.put(inputs, tuple(result))
    return result


def check_inputs(today: date, scope: Scope | None, files: list[DocumentFile]) -> bytes | None:
    """A digest of everything a check's findings depend on besides the configuration and
    pmkb's code (the store's key): each file's path and stat (`files` with their stat
    keys), which files are looked into, and today. None when a file's stat can't be
    trusted (`loader.stat_key`): one written within the last two seconds, or not a
    regular file."""
    described: list[object] = [today.isoformat()]
    for file in files:
        if file.stat_key is None:
            return None
        described.append((file.kind, file.relpath, file.stat_key, scope is None or scope(file.relpath)))
    return hashlib.blake2b(repr(described).encode("utf-8", "surrogatepass"), digest_size=32).digest()


def _check_result(kept: object) -> CheckResult | None:
    if not (isinstance(kept, tuple) and len(kept) == 2):
        return None
    findings, documents = kept
    if not (isinstance(findings, list) and all(isinstance(item, Finding) for item in findings)):
        return None
    return CheckResult(findings, documents) if isinstance(documents, int) else None


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

"""Load, index, check: the one way the CLI and the site get a knowledge base.

Each step reads only what the step before produced: files become validated entries,
entries become the index, and the rules run over the finished index.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from pmkb.config import KBConfig
from pmkb.findings import Finding
from pmkb.index import KnowledgeBase, Scope
from pmkb.rules import run_rules
from pmkb.validation import load_entries


class CheckedKnowledgeBase(NamedTuple):
    """The knowledge base and every finding in it, at its configured level."""

    kb: KnowledgeBase
    findings: list[Finding]


def load_knowledge_base(config: KBConfig, today: date, scope: Scope | None = None) -> CheckedKnowledgeBase:
    """Read and validate every document, index them, then run the rules over the index.

    With a scope (a test on a file's path), only the findings of files in scope are
    wanted: the rules look into those files alone, and every file still lends its ids
    to the index. The findings are those of the whole check, kept for files in scope.
    """
    kb = KnowledgeBase(config, load_entries(config), today, scope)
    return CheckedKnowledgeBase(kb, run_rules(kb))

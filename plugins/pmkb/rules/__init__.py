"""The rules: every rule is declared once, beside the code that finds it.

A declaration is a `Rule` (code, name, default level, when it reports, why it matters,
an example) in its module's `RULES`. The loader and validation declare the rules a
file breaks while being read; each family module here declares the rules it checks
over the finished index and yields `RULE.finding(...)` from `check(kb, enabled)`.
A family that looks into each file reads `kb.entries_in_scope` (under `pmkb check PATH`,
only those files); one that compares files reads `kb.entries`. The runner keeps only
findings in scope either way. A family whose findings depend on one file and the
configuration alone (not on other files, nor on today) is in `PER_FILE` and has
`check_entries(config, entries, enabled)`: the runner runs it once per file content and
the cache keeps its findings with the file's record.

To add a rule: declare it in its family module and add it to that module's `RULES`
(a new family module also joins `FAMILIES` below), then run `python -m pmkb.rules.docs`
to regenerate the README's rule table; a test fails while the two differ.

The runner alone reads the `rules:` settings of mkdocs.yml: it tells each family which
rules are on, drops findings of rules that are off and re-levels the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Protocol

from pmkb import loader, validation
from pmkb.config import KBConfig, RuleSetting
from pmkb.findings import Finding, Rule
from pmkb.index import KnowledgeBase
from pmkb.rules import actions, content, hollow, id_links, identity, references, runbooks, sections, timestamps
from pmkb.suggest import closest
from pmkb.validation import Entry


class Declares(Protocol):
    """A module that declares rules."""

    @property
    def RULES(self) -> tuple[Rule, ...]: ...


class Family(Declares, Protocol):
    """A module that declares rules and checks them over the finished index."""

    def check(self, kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]: ...


class FileFamily(Family, Protocol):
    """A family whose findings in a file depend on that file and the configuration alone."""

    def check_entries(
        self, config: KBConfig, entries: Iterable[Entry], enabled: frozenset[str]
    ) -> Iterator[Finding]: ...


PER_FILE: tuple[FileFamily, ...] = (sections, hollow, timestamps, content)
# These compare files (ids, references, links by id) or read today (overdue, stale).
ACROSS_FILES: tuple[Family, ...] = (identity, references, id_links, actions, runbooks)
FAMILIES: tuple[Family, ...] = (*PER_FILE, *ACROSS_FILES)

_DECLARING: tuple[Declares, ...] = (loader, validation, *FAMILIES)
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in sorted((rule for module in _DECLARING for rule in module.RULES), key=lambda rule: rule.code)
}
RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}


def rule_settings(config: KBConfig) -> dict[str, RuleSetting]:
    """mkdocs.yml's `rules:` by rule code; raises ConfigError on a rule that does not exist."""
    settings: dict[str, RuleSetting] = {}
    for key, setting in config.rules.items():
        rule = RULES.get(key.upper()) or RULES_BY_NAME.get(key.lower())
        if rule is None:
            close = closest(key, [*RULES, *RULES_BY_NAME])
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise config.option_error("rules", f"unknown rule {key!r}{hint}")
        settings[rule.code] = setting
    return settings


def run_rules(kb: KnowledgeBase) -> list[Finding]:
    """Every finding in the knowledge base at its configured level, sorted by path and line."""
    settings = rule_settings(kb.config)
    enabled = frozenset(code for code in RULES if settings.get(code) != "off")
    raw: list[Finding] = []
    run_per_file_rules(kb.config, [entry for entry in kb.entries_in_scope if entry.file_findings is None], enabled)
    for entry in kb.entries_in_scope:
        raw.extend(entry.source.findings)
        raw.extend(entry.findings)
        raw.extend(entry.file_findings or ())
    for family in ACROSS_FILES:
        if any(rule.code in enabled for rule in family.RULES):
            raw.extend(family.check(kb, enabled))
    findings = []
    for item in raw:
        # Only an explicit setting re-levels: drafts' missing sections stay warnings by default.
        setting = settings.get(item.code)
        if setting == "off" or not kb.in_scope(item.path):
            continue
        if setting is not None and setting != item.level:
            item = item.relevelled(setting)
        findings.append(item)
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.code, f.message))


def run_per_file_rules(config: KBConfig, entries: list[Entry], enabled: frozenset[str]) -> None:
    """Set each entry's `file_findings`: what the PER_FILE families find in it."""
    families = [family for family in PER_FILE if any(rule.code in enabled for rule in family.RULES)]
    if len({entry.path for entry in entries}) < len(entries):
        # One folder for postmortems and runbooks: a path names two entries.
        for entry in entries:
            entry.file_findings = [
                item for family in families for item in family.check_entries(config, [entry], enabled)
            ]
        return
    found: dict[str, list[Finding]] = defaultdict(list)
    for family in families:
        for item in family.check_entries(config, entries, enabled):
            found[item.path].append(item)
    for entry in entries:
        entry.file_findings = found.get(entry.path, [])

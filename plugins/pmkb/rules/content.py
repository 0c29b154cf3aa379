"""PMKB012 blame-language and PMKB013 secret: they read the whole file, drafts included."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pmkb.config import KBConfig
from pmkb.findings import Finding, Rule
from pmkb.index import KnowledgeBase
from pmkb.validation import Entry

BLAME_LANGUAGE = Rule(
    "PMKB012",
    "blame-language",
    "warning",
    when="wording that blames a person rather than a system",
    why="people who expect blame stop telling the whole story, and the next postmortem learns less",
    example='"Dana forgot to drain the node before the upgrade"',
)
SECRET = Rule(
    "PMKB013",
    "secret",
    "error",
    when="text that looks like a credential",
    why="a postmortem is read by many and kept for years; a pasted key stays leaked as long",
    example="`psql postgres://admin:hunter2@db.internal/orders`",
)
RULES = (BLAME_LANGUAGE, SECRET)


def check(kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]:
    return check_entries(kb.config, kb.entries_in_scope, enabled)


def check_entries(config: KBConfig, entries: Iterable[Entry], enabled: frozenset[str]) -> Iterator[Finding]:
    entries = list(entries)
    if not entries:
        return
    # Imported here: compiling the detectors' patterns is a cost only a check should pay.
    from pmkb.rules.blame import BlamePhrases, find_blame
    from pmkb.rules.secrets import SecretOptions, find_secrets

    phrases = BlamePhrases(
        extra=tuple(config.blame.extra), allow=tuple(config.blame.allow), use_defaults=config.blame.defaults
    )
    secret_options = SecretOptions(allow=tuple(config.secrets.allow))
    # The detectors are the costly part of a check: skip the ones switched off.
    blame_on = BLAME_LANGUAGE.code in enabled
    secrets_on = SECRET.code in enabled
    for entry in entries:
        text = entry.source.text
        if not text:
            continue
        if blame_on:
            for hit in find_blame(text, phrases, entry.source.code):
                yield BLAME_LANGUAGE.finding(entry.path, hit.line, f"blaming wording {hit.phrase!r}: {hit.hint}")
        if secrets_on:
            for secret in find_secrets(text, secret_options):
                yield SECRET.finding(
                    entry.path,
                    secret.line,
                    f"possible {secret.kind} ({secret.masked}): remove it, rotate the credential, "
                    "and write <redacted> instead",
                )

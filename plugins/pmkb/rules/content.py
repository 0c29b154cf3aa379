"""PMKB012 blame-language and PMKB013 secret: they read the whole file, drafts included."""

from __future__ import annotations

from typing import Iterator

from pmkb.findings import Finding, finding
from pmkb.index import KnowledgeBase
from pmkb.rules.blame import BlamePhrases, find_blame
from pmkb.rules.secrets import SecretOptions, find_secrets


def check(kb: KnowledgeBase) -> Iterator[Finding]:
    config = kb.config
    phrases = BlamePhrases(
        extra=tuple(config.blame.extra), allow=tuple(config.blame.allow), use_defaults=config.blame.defaults
    )
    secret_options = SecretOptions(allow=tuple(config.secrets.allow))
    blame_on = config.rules.get("PMKB012") != "off"
    secrets_on = config.rules.get("PMKB013") != "off"
    for entry in kb.entries:
        text = entry.source.text
        if not text:
            continue
        if blame_on:
            for hit in find_blame(text, phrases):
                yield finding(
                    entry.path,
                    hit.line,
                    "PMKB012",
                    f"blaming wording {hit.phrase!r}: {hit.hint}",
                )
        if secrets_on:
            for secret in find_secrets(text, secret_options):
                yield finding(
                    entry.path,
                    secret.line,
                    "PMKB013",
                    f"possible {secret.kind} ({secret.masked}): remove it, rotate the credential, "
                    "and write <redacted> instead",
                )

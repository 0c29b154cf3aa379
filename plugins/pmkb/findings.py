"""What a rule is and what it reports.

A `Rule` is declared once, in the module that finds it (the loader, validation, or a
family under `pmkb.rules`); `pmkb.rules` collects the declarations. A `Finding` is one
problem at one line of one file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from pmkb.plaintext import plain

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    """A rule as users see it: the README's rule table is generated from these fields."""

    code: str
    name: str
    level: Level
    # When the rule reports, as the README's table says it.
    when: str
    # Why it matters, in one line.
    why: str
    # A short example of text the rule reports.
    example: str
    # Set when the level depends on the document, e.g. "error (warning on drafts)".
    level_note: str | None = None

    def finding(self, path: str, line: int, message: str, level: Level | None = None) -> Finding:
        """A finding at this rule's default level (or the one given); the runner applies settings."""
        return Finding(
            path=path, line=max(1, line), level=level or self.level, code=self.code, rule=self.name, message=message
        )


@dataclass(frozen=True)
class Finding:
    # Field order is the order of `pmkb check --format json`.
    path: str
    line: int
    level: Level
    code: str
    rule: str
    message: str

    def relevelled(self, level: Level) -> Finding:
        return replace(self, level=level)

    def as_text(self) -> str:
        """One line, whatever the path or message hold (see pmkb.plaintext)."""
        return plain(f"{self.path}:{self.line}: {self.level} {self.code} {self.message}")

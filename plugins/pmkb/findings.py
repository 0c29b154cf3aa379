"""The rule catalogue and the finding every rule reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pmkb.plaintext import plain

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    level: Level
    summary: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("PMKB001", "unreadable-file", "error", "the file can't be read or is not UTF-8"),
        Rule("PMKB002", "front-matter-syntax", "error", "no front matter, invalid YAML, or not a mapping"),
        Rule("PMKB003", "invalid-field", "error", "a required field is missing or a value is invalid"),
        Rule("PMKB004", "duplicate-id", "error", "two documents of one kind share an id"),
        Rule("PMKB005", "missing-section", "error", "a required section is absent"),
        Rule("PMKB006", "missing-recommended-section", "warning", "a recommended section is absent"),
        Rule("PMKB007", "timestamp-order", "error", "timestamps are out of order"),
        Rule("PMKB008", "unknown-reference", "error", "related or runbooks names an unknown id"),
        Rule("PMKB009", "action-items", "error", "an action item lacks a key, or required items are missing"),
        Rule("PMKB010", "overdue-action-item", "warning", "an open action item is past its due date"),
        Rule("PMKB011", "stale-runbook", "warning", "a runbook is past its review date"),
        Rule("PMKB012", "blame-language", "warning", "wording blames a person rather than a system"),
        Rule("PMKB013", "secret", "error", "text looks like a credential"),
        Rule("PMKB014", "unknown-field", "warning", "a front matter key the schema does not know"),
    )
}
RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    code: str
    message: str
    level: Level = "error"

    @property
    def rule(self) -> str:
        return RULES[self.code].name

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "level": self.level,
            "code": self.code,
            "rule": self.rule,
            "message": self.message,
        }

    def as_text(self) -> str:
        """One line, whatever the path or message hold (see pmkb.plaintext)."""
        return plain(f"{self.path}:{self.line}: {self.level} {self.code} {self.message}")


def finding(path: str, line: int, code: str, message: str) -> Finding:
    """A finding at the rule's default level; the runner applies configured levels."""
    return Finding(path=path, line=max(1, line), code=code, message=message, level=RULES[code].level)

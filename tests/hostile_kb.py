"""A knowledge base whose values try to break out of plain-text output lines.

Shared by the CLI tests and the build-log test: an owner that starts a GitHub
Actions workflow command, a front matter key with a line break, a file name with a
line break, and a title that retitles the terminal.
"""

from __future__ import annotations

import re

from kb_helpers import GOOD_RUNBOOK, postmortem

INJECTED_OWNER = "team-db\n::error file=mkdocs.yml,line=1::INJECTED"
TERMINAL_TITLE = "Checkout down \x1b]0;PWNED\x07 again"
NEWLINE_FILE = "postmortems/evil\n::error::name.md"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")

HOSTILE_POSTMORTEM = postmortem(
    """
    title: "Checkout down \\e]0;PWNED\\a again"
    impact: "Orders \\x9b2J lost \\u2028::error::split \\u202e"
    severity: SEV-2
    started_at: 2024-03-05T14:00:00Z
    resolved_at: 2024-03-05T16:05:00Z
    services: ["checkout-api"]
    "extra\\n::warning::X": 1
    action_items:
      - title: "Fix the pool \\e[2J"
        owner: "team-db\\n::error file=mkdocs.yml,line=1::INJECTED"
        priority: P1
        due: 2024-04-01
    """
)

NEWLINE_NAMED = postmortem(
    """
    id: evil-name
    title: A file whose name holds a line break
    severity: SEV-3
    started_at: 2024-02-05T14:00:00Z
    resolved_at: 2024-02-05T15:00:00Z
    services: [checkout-api]
    tagz: [typo]
    """
)

HOSTILE_RUNBOOK = GOOD_RUNBOOK.replace("title: Database pool saturation", 'title: "Pool \\e]0;PWNED\\a"').replace(
    "owner: team-db", 'owner: "team-db\\n::error::OWNER"'
)

FILES: dict[str, str | bytes] = {
    "postmortems/2024-03-05-hostile.md": HOSTILE_POSTMORTEM,
    NEWLINE_FILE: NEWLINE_NAMED,
    "runbooks/db-pool.md": HOSTILE_RUNBOOK,
}


def assert_plain(output: str, allow_annotations: bool = False) -> None:
    """No control character but line breaks, and no line a CI system reads as a command."""
    assert not CONTROL.search(output), repr(CONTROL.search(output))
    for line in output.split("\n"):
        if not allow_annotations:
            assert "::error" not in line[:8] and "::warning" not in line[:10], line
        assert not line.startswith("::error file=mkdocs.yml"), line
        assert not line.startswith("::warning::X"), line
        assert not line.startswith("::error::name"), line

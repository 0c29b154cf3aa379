"""The bad-input regression corpus: each case is one change to a small valid knowledge base.

A case names the files it writes (or the special files it makes: a FIFO, a link to a
device), the mkdocs.yml it uses, and what pmkb must answer: the finding `pmkb check`
reports (code, path, line), or the configuration error (exit 2) and words of its
message. Every case runs through every command and must end without a traceback,
within bounded time and memory, leaving the source tree as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hostile_kb import FILES as HOSTILE_FILES
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML, postmortem

PM = "postmortems/2024-03-05-checkout.md"
RB = "runbooks/db-pool.md"
BAD = "postmortems/bad.md"
BAD_RB = "runbooks/bad.md"
BASE: dict[str, str | bytes] = {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK}


def _options(**options: str) -> str:
    lines = "".join(f"      {key}: {value}\n" for key, value in options.items())
    return MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n" + lines)


def _pm(old: str, new: str) -> str:
    assert old in GOOD_POSTMORTEM, old
    return GOOD_POSTMORTEM.replace(old, new).replace("runbooks: [db-pool]\n", "")


def _rb(old: str, new: str) -> str:
    assert old in GOOD_RUNBOOK, old
    return GOOD_RUNBOOK.replace(old, new)


def _line(text: str, start: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), 1) if line.lstrip().startswith(start))


def _make_fifo(root: Path) -> None:
    os.mkfifo(root / "postmortems" / "x.md")


def _link_to_dev_zero(root: Path) -> None:
    (root / "postmortems" / "zero.md").symlink_to("/dev/zero")


ALIAS_BOMB_LINES = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + ALIAS_BOMB_LINES


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    mkdocs_yml: str = MKDOCS_YML
    # The finding `pmkb check` must report: (code, path, line); line None when any line will do.
    finding: tuple[str, str, int | None] | None = None
    # Words of the message of that finding, or of the configuration error.
    message: str = ""
    # A configuration error: every command exits 2.
    config_error: bool = False
    setup: Callable[[Path], None] | None = None
    # Whether `pmkb check` exits 1 (an error) rather than 0 (warnings at most).
    has_errors: bool = True

    def all_files(self) -> dict[str, str | bytes]:
        return {**BASE, **self.files}


def _finding_case(name: str, path: str, text: str, code: str, line_start: str | None, message: str) -> Case:
    line = _line(text, line_start) if line_start else None
    return Case(name, {path: text}, finding=(code, path, line), message=message)


_DAY_30 = _pm("started_at: 2024-03-05T14:00:00Z", "started_at: 2024-02-30T11:52:00Z")
_MONTH_13 = _pm("due: 2027-01-10", "due: 2024-13-01")
_DUE_30 = _pm("due: 2027-01-10", "due: 2024-02-30")
_LEAP = _rb("last_reviewed: 2026-06-01", "last_reviewed: 2023-02-29")
_REVIEWED_9999 = _rb("last_reviewed: 2026-06-01", "last_reviewed: 9999-12-31")
_EARLY_OFFSET = _pm("started_at: 2024-03-05T14:00:00Z", "started_at: 0001-01-01T00:30:00+01:00")
_LATE_OFFSET = _pm("resolved_at: 2024-03-05T16:05:00Z", "resolved_at: 9999-12-31T23:00:00-05:00")
_YEAR_9999 = (
    _pm("started_at: 2024-03-05T14:00:00Z", "started_at: 9999-12-01T00:00:00Z")
    .replace("resolved_at: 2024-03-05T16:05:00Z", "resolved_at: 9999-12-01T01:00:00Z")
    .replace("detected_at: 2024-03-05T14:02:00Z\n", "")
    .replace("mitigated_at: 2024-03-05T14:40:00Z\n", "")
)
_YEAR_999 = _pm("started_at: 2024-03-05T14:00:00Z", "started_at: 0999-06-01T00:00:00Z")
_HUGE_DAYS = _rb("alerts:", "review_every_days: 10000000000\nalerts:")
_BIG_DAYS = _rb("alerts:", "review_every_days: 3000000\nalerts:")
_SEVERITY_LIST = _pm("severity: SEV-2", "severity: [SEV-2]")
_ITEM_STATUS_LIST = _pm("    status: open", "    status: [open]")
_DUPLICATE = _pm("severity: SEV-2\n", "severity: SEV-1\nseverity: SEV-3\n")
_BOMB_STATUS = postmortem(
    "title: Alias bomb\nseverity: SEV-3\nstarted_at: 2024-03-05T14:00:00Z\nresolved_at: 2024-03-05T15:00:00Z\n"
    "services: [checkout-api]\n" + ALIAS_BOMB + "status: *i\n"
)
_BOMB_ITEM = postmortem(
    "title: Alias bomb item\nseverity: SEV-3\nstarted_at: 2024-03-05T14:00:00Z\nresolved_at: 2024-03-05T15:00:00Z\n"
    "services: [checkout-api]\n" + ALIAS_BOMB + "action_items:\n  - *i\n"
)
_LONG_ID = "a" + "-very-long-incident-name" * 12 + "-z"
_LONG_VALUES = postmortem(
    f"""
    id: {_LONG_ID}
    title: Very long names
    severity: SEV-3
    started_at: 2024-04-05T14:00:00Z
    resolved_at: 2024-04-05T15:00:00Z
    services: ["{"数据库" * 34}", "checkout-api"]
    tags: ["{"t" * 300}"]
    """
)
_FORTY_YEARS = "## Summary\n\n" + "Plenty of text here. " * 60_000  # about 1.2 MB

CASES: list[Case] = [
    # Folders and configuration.
    Case(
        "site_dir is postmortems_dir",
        mkdocs_yml="site_dir: postmortems\n" + MKDOCS_YML,
        config_error=True,
        message="site_dir",
    ),
    Case(
        "postmortems_dir is site",
        {f"site/{PM.split('/', 1)[1]}": GOOD_POSTMORTEM},
        mkdocs_yml=_options(postmortems_dir="site"),
        config_error=True,
        message="postmortems_dir",
    ),
    Case(
        "runbooks_dir inside site_dir",
        {"public/runbooks/x.md": GOOD_RUNBOOK},
        mkdocs_yml="site_dir: public\n" + _options(runbooks_dir="public/runbooks"),
        config_error=True,
        message="runbooks_dir",
    ),
    Case(
        "postmortems_dir is a file",
        {"incidents": "a file\n"},
        mkdocs_yml=_options(postmortems_dir="incidents"),
        config_error=True,
        message="is not a folder",
    ),
    Case(
        "INHERIT loop",
        {"base.yml": "INHERIT: mkdocs.yml\n"},
        mkdocs_yml="INHERIT: base.yml\n" + MKDOCS_YML,
        config_error=True,
        message="INHERIT loops",
    ),
    Case(
        "INHERIT missing", mkdocs_yml="INHERIT: nowhere.yml\n" + MKDOCS_YML, config_error=True, message="INHERIT names"
    ),
    Case(
        "runbook_review_days huge",
        mkdocs_yml=_options(runbook_review_days="10000000000"),
        config_error=True,
        message="option 'runbook_review_days'",
    ),
    # Values that reach a date, a number or a lookup.
    _finding_case("impossible day", BAD, _DAY_30, "PMKB003", "started_at:", "day is out of range"),
    _finding_case("month 13", BAD, _MONTH_13, "PMKB003", "due:", "month must be in 1..12"),
    _finding_case("impossible due day", BAD, _DUE_30, "PMKB003", "due:", "day is out of range"),
    _finding_case("leap day of a common year", BAD_RB, _LEAP, "PMKB003", "last_reviewed:", "day is out of range"),
    _finding_case("reviewed in 9999", BAD_RB, _REVIEWED_9999, "PMKB003", "last_reviewed:", "year 9999"),
    _finding_case("offset before year 1", BAD, _EARLY_OFFSET, "PMKB003", "started_at:", "outside the calendar"),
    _finding_case("offset after year 9999", BAD, _LATE_OFFSET, "PMKB003", "resolved_at:", "outside the calendar"),
    _finding_case("started in 9999", BAD, _YEAR_9999, "PMKB003", "started_at:", "year 9999 is outside"),
    _finding_case("started in 999", BAD, _YEAR_999, "PMKB003", "started_at:", "year 999 is outside"),
    _finding_case("review every 10^10 days", BAD_RB, _HUGE_DAYS, "PMKB003", "review_every_days:", "at most"),
    _finding_case("review every 3,000,000 days", BAD_RB, _BIG_DAYS, "PMKB003", "review_every_days:", "at most"),
    _finding_case("severity as a list", BAD, _SEVERITY_LIST, "PMKB003", "severity:", "single text value"),
    _finding_case("item status as a list", BAD, _ITEM_STATUS_LIST, "PMKB003", "status:", "action_items[0].status"),
    Case(
        "duplicate key",
        {BAD: _DUPLICATE},
        finding=("PMKB003", BAD, _line(_DUPLICATE, "severity: SEV-3")),
        message="duplicate key `severity`",
    ),
    # Files that are not documents to read.
    Case("FIFO", setup=_make_fifo, finding=("PMKB001", "postmortems/x.md", 1), message="named pipe"),
    Case(
        "link to /dev/zero",
        setup=_link_to_dev_zero,
        finding=("PMKB001", "postmortems/zero.md", 1),
        message="character device",
    ),
    Case(
        "file over the size limit",
        {BAD: GOOD_POSTMORTEM + _FORTY_YEARS},
        finding=("PMKB001", BAD, 1),
        message="max_file_bytes",
    ),
    Case("alias bomb as status", {BAD: _BOMB_STATUS}, finding=("PMKB002", BAD, None), message="through aliases"),
    Case("alias bomb as an action item", {BAD: _BOMB_ITEM}, finding=("PMKB002", BAD, None), message="through aliases"),
    # Values that try to leave their line, and values too long for a file name.
    Case(
        "injection",
        dict(HOSTILE_FILES),
        finding=("PMKB014", "postmortems/2024-03-05-hostile.md", None),
        message="`extra\n::warning::X`",
        has_errors=False,
    ),
    Case("long id, tag and service", {"postmortems/long.md": _LONG_VALUES}, has_errors=False),
]
CASES_BY_NAME = {case.name: case for case in CASES}

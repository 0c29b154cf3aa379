"""Dates, instants and numbers outside what the calendar or pmkb can handle are findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from kb_helpers import (
    GOOD_POSTMORTEM,
    GOOD_RUNBOOK,
    MKDOCS_YML,
    load_kb,
    only,
    write_kb,
)
from pmkb.cli import main

PM = "postmortems/2024-03-05-checkout.md"
RB = "runbooks/db-pool.md"


def _pm_line(text: str, prefix: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), 1) if line.lstrip().startswith(prefix))


POSTMORTEM_CASES = {
    "impossible day": ("started_at: 2024-03-05T14:00:00Z", "started_at: 2024-02-30T11:52:00Z", "day is out of range"),
    "impossible quoted day": (
        "started_at: 2024-03-05T14:00:00Z",
        'started_at: "2024-02-30T11:52:00Z"',
        "day is out of range",
    ),
    "impossible due": ("due: 2027-01-10", "due: 2024-02-30", "day is out of range"),
    "month 13": ("due: 2027-01-10", "due: 2024-13-01", "month must be in 1..12"),
    "offset before year 1": (
        "started_at: 2024-03-05T14:00:00Z",
        "started_at: 0001-01-01T00:30:00+01:00",
        "outside the calendar",
    ),
    "offset after year 9999": (
        "resolved_at: 2024-03-05T16:05:00Z",
        "resolved_at: 9999-12-31T23:00:00-05:00",
        "outside the calendar",
    ),
    "year 9999": (
        "started_at: 2024-03-05T14:00:00Z",
        "started_at: 9999-12-01T00:00:00Z",
        "year 9999 is outside 1970..2100",
    ),
    "year 999": (
        "started_at: 2024-03-05T14:00:00Z",
        "started_at: 0999-06-01T00:00:00Z",
        "year 999 is outside 1970..2100",
    ),
    "due in year 1": ("due: 2027-01-10", "due: 0001-01-01", "year 1 is outside"),
}


@pytest.mark.parametrize("case", list(POSTMORTEM_CASES))
def test_postmortem_value_is_an_invalid_field_finding(tmp_path: Path, case: str):
    old, new, expected = POSTMORTEM_CASES[case]
    text = GOOD_POSTMORTEM.replace(old, new)
    checked = load_kb(tmp_path / "kb", {PM: text, RB: GOOD_RUNBOOK})
    found = [f for f in only(checked.findings, "PMKB003") if expected in f.message]
    assert len(found) == 1, checked.findings
    assert found[0].line == _pm_line(text, new.split(":")[0] + ":")
    assert not checked.kb.postmortems


RUNBOOK_CASES = {
    "impossible leap day": ("last_reviewed: 2026-06-01", "last_reviewed: 2023-02-29", "day is out of range"),
    "year 9999": ("last_reviewed: 2026-06-01", "last_reviewed: 9999-12-31", "year 9999"),
    "huge interval": ("alerts:", "review_every_days: 10000000000\nalerts:", "must be at most 36500"),
    "large interval": ("alerts:", "review_every_days: 3000000\nalerts:", "must be at most 36500"),
}


@pytest.mark.parametrize("case", list(RUNBOOK_CASES))
def test_runbook_value_is_an_invalid_field_finding(tmp_path: Path, case: str):
    old, new, expected = RUNBOOK_CASES[case]
    text = GOOD_RUNBOOK.replace(old, new)
    checked = load_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM.replace("runbooks: [db-pool]\n", ""), RB: text})
    found = [f for f in only(checked.findings, "PMKB003") if expected in f.message]
    assert len(found) == 1, checked.findings
    assert not checked.kb.runbooks


def test_year_range_is_configurable(tmp_path: Path):
    yml = MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      earliest_year: 2025\n")
    checked = load_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK}, yml)
    assert any("year 2024 is outside 2025..2100" in f.message for f in only(checked.findings, "PMKB003"))


@pytest.mark.parametrize(
    "options",
    ["runbook_review_days: 10000000000", "earliest_year: 2100\n      latest_year: 2000", "latest_year: 10000"],
)
def test_option_out_of_range_is_a_configuration_error(tmp_path: Path, options: str):
    yml = MKDOCS_YML.replace("  - pmkb\n", f"  - pmkb:\n      {options}\n")
    config_file = write_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK}, yml)
    result = CliRunner().invoke(main, ["check", "-f", str(config_file)])
    assert result.exit_code == 2, result.output
    assert "pmkb plugin option" in result.output


def test_month_series_stays_bounded(tmp_path: Path):
    """Far-apart years inside the range give a long series, never an endless one."""
    early = GOOD_POSTMORTEM.replace("2024-03-05", "1970-01-05")
    late = GOOD_POSTMORTEM.replace("2024-03-05", "2100-12-05")
    config_file = write_kb(
        tmp_path / "kb",
        {PM: GOOD_POSTMORTEM, "postmortems/early.md": early, "postmortems/late.md": late, RB: GOOD_RUNBOOK},
    )
    result = CliRunner().invoke(main, ["stats", "-f", str(config_file), "--format", "json", "--today", "2026-11-23"])
    assert result.exit_code == 0, result.output
    import json

    months = [row["month"] for row in json.loads(result.output)["per_month"]]
    assert months[0] == "1970-01" and months[-1] == "2100-12" and len(months) == 131 * 12


SHAPES = {
    "severity list": ("severity: SEV-2", "severity: [SEV-2]", "`severity`: must be a single text value, not a list"),
    "status mapping": ("tags: [database]", "tags: [database]\nstatus: {a: 1}", "`status`"),
    "item status list": ("    status: open", "    status: [open]", "`action_items[0].status`"),
    "item due list": ("    due: 2027-01-10", "    due: [2027-01-10]", "`action_items[0].due`"),
    "started_at list": ("started_at: 2024-03-05T14:00:00Z", "started_at: [2024-03-05T14:00:00Z]", "`started_at`"),
    "services mapping": ("services: [checkout-api]", "services: {checkout-api: 1}", "`services`"),
    "number as title": ("title: Checkout errors after pool change", "title: 10000000000000000000000", "`title`"),
}


@pytest.mark.parametrize("case", list(SHAPES))
def test_wrong_shape_is_a_finding_in_every_command(tmp_path: Path, case: str):
    old, new, expected = SHAPES[case]
    text = GOOD_POSTMORTEM.replace(old, new)
    assert text != GOOD_POSTMORTEM
    config_file = write_kb(tmp_path / "kb", {PM: text, RB: GOOD_RUNBOOK})
    result = CliRunner().invoke(main, ["check", "-f", str(config_file), "--today", "2026-11-23"])
    assert result.exit_code == 1, result.output
    assert any(expected in line and "PMKB003" in line for line in result.output.split("\n")), result.output
    for command in (["export"], ["stats"], ["brief", "checkout-api"], ["actions"], ["check", "--format", "json"]):
        other = CliRunner().invoke(main, [*command, "-f", str(config_file), "--today", "2026-11-23"])
        assert isinstance(other.exception, SystemExit) or other.exception is None, (command, other.exception)


def test_check_of_a_path_outside_the_knowledge_base_says_so(tmp_path: Path):
    config_file = write_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK})
    (tmp_path / "elsewhere.md").write_text("# not ours\n")
    for outside in ("/etc/passwd", str(tmp_path / "elsewhere.md")):
        result = CliRunner().invoke(main, ["check", outside, "-f", str(config_file), "--today", "2026-11-23"])
        assert result.exit_code == 2, (outside, result.output)
        assert "not in the knowledge base" in result.output
    for inside in (PM, "postmortems", str(tmp_path / "kb"), "mkdocs.yml", "docs"):
        result = CliRunner().invoke(main, ["check", inside, "-f", str(config_file), "--today", "2026-11-23"])
        assert result.exit_code == 0, (inside, result.output)


LEFT_OUT_COMMANDS = [["export"], ["stats"], ["brief", "checkout-api"], ["actions"], ["stats", "--format", "json"]]


@pytest.mark.parametrize("command", LEFT_OUT_COMMANDS, ids=" ".join)
def test_documents_left_out_are_counted_on_stderr(tmp_path: Path, command: list[str]):
    broken = GOOD_POSTMORTEM.replace("severity: SEV-2", "severity: SEV-9")
    files = {PM: GOOD_POSTMORTEM, "postmortems/broken.md": broken, "postmortems/broken2.md": broken, RB: GOOD_RUNBOOK}
    config_file = write_kb(tmp_path / "kb", files)
    result = CliRunner().invoke(main, [*command, "-f", str(config_file), "--today", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert "2 files with errors left out" in result.stderr
    assert "postmortems/broken.md" in result.stderr
    strict = CliRunner().invoke(main, [*command, "--fail-on-invalid", "-f", str(config_file), "--today", "2026-11-23"])
    assert strict.exit_code == 1
    assert strict.stdout == ""
    assert "2 files with errors would be left out" in strict.stderr


def test_duplicate_id_leaves_one_document_out(tmp_path: Path):
    files = {
        PM: GOOD_POSTMORTEM,
        "postmortems/copy.md": "---\nid: 2024-03-05-checkout\n" + GOOD_POSTMORTEM[4:],
        RB: GOOD_RUNBOOK,
    }
    config_file = write_kb(tmp_path / "kb", files)
    result = CliRunner().invoke(main, ["export", "-f", str(config_file), "--today", "2026-11-23"])
    assert "1 file with errors left out" in result.stderr


def test_nothing_left_out_nothing_said(tmp_path: Path):
    config_file = write_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK})
    result = CliRunner().invoke(main, ["export", "--fail-on-invalid", "-f", str(config_file), "--today", "2026-11-23"])
    assert result.exit_code == 0 and result.stderr == ""

"""PMKB012 and PMKB013 through the whole pipeline: lines, drafts, front matter, every output format."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, codes, only, write_kb
from pmkb.cli import main

PM = "postmortems/2024/2024-03-05-checkout.md"
RB = "runbooks/db-pool.md"
# Built by concatenation so the repository itself holds no credential-shaped string.
TOKEN = "ghp_" + "Zq8wN3rT5yU7iO9pA1sD" + "4fG6hJ8kL0zX2cV4bN6m"
BLAME_LINE = "The outage happened because Dana forgot to renew the certificate."


def with_body_line(line: str) -> str:
    return GOOD_POSTMORTEM.replace("About 1,200 orders failed.", f"About 1,200 orders failed.\n{line}")


def body_line_number(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_pmkb012_blame_in_body(kb_factory):
    text = with_body_line(BLAME_LINE)
    kb = kb_factory({PM: text, RB: GOOD_RUNBOOK})
    assert codes(kb.findings) == [("PMKB012", PM, body_line_number(text, "Dana forgot"))]
    assert kb.findings[0].level == "warning"


def test_pmkb012_blame_in_front_matter_and_drafts(kb_factory):
    text = GOOD_POSTMORTEM.replace("tags: [database]", "tags: [database]\nimpact: Checkout down because of human error")
    text = text.replace("severity: SEV-2", "severity: SEV-2\nstatus: draft")
    kb = kb_factory({PM: text, RB: GOOD_RUNBOOK})
    assert codes(only(kb.findings, "PMKB012")) == [("PMKB012", PM, body_line_number(text, "impact:"))]


def test_pmkb012_system_focused_wording_passes(kb_factory):
    text = with_body_line("The deploy tool should have blocked this, and the check failed to run.")
    assert kb_factory({PM: text, RB: GOOD_RUNBOOK}).findings == []


def test_pmkb013_secret_in_code_block(kb_factory):
    text = with_body_line(f"```\n2024-03-05T14:03:00Z auth token={TOKEN}\n```")
    kb = kb_factory({PM: text, RB: GOOD_RUNBOOK})
    assert codes(kb.findings) == [("PMKB013", PM, body_line_number(text, "auth token"))]
    assert kb.findings[0].level == "error"
    assert TOKEN not in kb.findings[0].message


def test_pmkb013_in_runbooks_too(kb_factory):
    secret_url = "postgres://app:" + "N0tAR3alPassw0rd" + "@db.internal:5432/orders"
    text = GOOD_RUNBOOK.replace("Check the pool metrics.", f"Check the pool metrics.\n\n    psql {secret_url}")
    kb = kb_factory({PM: GOOD_POSTMORTEM, RB: text})
    assert codes(kb.findings) == [("PMKB013", RB, body_line_number(text, "psql"))]


def test_pmkb013_allow_comment(kb_factory):
    text = with_body_line(f"token={TOKEN} <!-- pmkb: allow-secret -->")
    assert kb_factory({PM: text, RB: GOOD_RUNBOOK}).findings == []


def test_rules_off_in_config(kb_factory):
    yml = "site_name: t\nplugins:\n  - pmkb:\n      rules: {blame-language: off, PMKB013: warning}\n"
    text = with_body_line(BLAME_LINE + f"\ntoken={TOKEN}")
    kb = kb_factory({PM: text, RB: GOOD_RUNBOOK}, mkdocs_yml=yml)
    assert [(f.code, f.level) for f in kb.findings] == [("PMKB013", "warning")]


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_secret_never_printed_whole(tmp_path: Path, output_format: str):
    text = with_body_line(f"export GITHUB_TOKEN={TOKEN}\n{BLAME_LINE}")
    config = write_kb(tmp_path / "kb", {PM: text, RB: GOOD_RUNBOOK})
    result = CliRunner().invoke(main, ["check", "-f", str(config), "--format", output_format, "--today", "2026-11-23"])
    assert result.exit_code == 1
    assert "PMKB013" in result.output and "PMKB012" in result.output
    assert TOKEN not in result.output
    assert TOKEN[:12] not in result.output


def test_pmkb012_sentence_wrapped_over_two_lines(kb_factory):
    text = with_body_line("The outage began when Bob's change\nbroke checkout for everyone.")
    kb = kb_factory({PM: text, RB: GOOD_RUNBOOK})
    assert codes(kb.findings) == [("PMKB012", PM, body_line_number(text, "Bob's change"))]

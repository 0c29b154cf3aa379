"""PMKB015 hollow-section: required sections that are there but say nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from kb_helpers import (
    GOOD_POSTMORTEM,
    GOOD_RUNBOOK,
    MKDOCS_YML,
    SECTIONS,
    codes,
    only,
    postmortem,
    runbook,
    write_kb,
)
from pmkb.cli import main

PM = "postmortems/2024/2024-03-05-checkout.md"
RB = "runbooks/db-pool.md"
FRONT = """
title: Checkout errors after pool change
severity: SEV-3
status: {status}
started_at: 2024-03-05T14:00:00Z
resolved_at: 2024-03-05T16:05:00Z
services: [checkout-api]
"""
# The body of the report that asked for this rule: a comment, TBD, and three empty sections.
HOLLOW_BODY = """
## Summary

<!-- Two or three sentences about what happened. -->

## Impact

TBD

## Timeline

## Root Cause

## Lessons Learned

"""


def heading_line(text: str, heading: str) -> int:
    return text.split("\n").index(f"## {heading}") + 1


def with_section(section: str, body: str) -> str:
    """SECTIONS with one section's body replaced."""
    start = SECTIONS.index(f"## {section}\n")
    end = SECTIONS.find("\n## ", start + 1)
    return SECTIONS[:start] + f"## {section}\n\n{body}\n" + (SECTIONS[end:] if end != -1 else "")


def hollow_findings(kb_factory, body: str, status: str = "final", mkdocs_yml: str = MKDOCS_YML):
    kb = kb_factory({PM: postmortem(FRONT.format(status=status), body), RB: GOOD_RUNBOOK}, mkdocs_yml)
    return only(kb.findings, "PMKB015")


def test_hollow_final_postmortem_fails_at_each_heading(kb_factory):
    text = postmortem(FRONT.format(status="final"), HOLLOW_BODY)
    findings = hollow_findings(kb_factory, HOLLOW_BODY)
    expected = [heading_line(text, name) for name in ("Summary", "Impact", "Timeline", "Root Cause", "Lessons Learned")]
    assert codes(findings) == [("PMKB015", PM, line) for line in expected]
    assert all(item.level == "error" for item in findings)
    messages = {item.line: item.message for item in findings}
    assert "only comments" in messages[expected[0]]
    assert "placeholder text ('TBD')" in messages[expected[1]]
    assert "is empty" in messages[expected[2]]


def test_review_warns_and_draft_is_silent(kb_factory):
    assert {item.level for item in hollow_findings(kb_factory, HOLLOW_BODY, "review")} == {"warning"}
    assert hollow_findings(kb_factory, HOLLOW_BODY, "draft") == []


def test_written_postmortem_passes(kb_factory):
    kb = kb_factory({PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK})
    assert only(kb.findings, "PMKB015") == []


@pytest.mark.parametrize(
    "placeholder",
    [
        "TBD",
        "TODO",
        "N/A",
        "...",
        "…",
        "To be written.",
        "_TBD_",
        "TODO: ask the vendor for their report",
        "- TBD\n- TBD",
        "The conditions in the system that made this outcome possible; ask why until you reach a design or process.",
    ],
)
def test_placeholder_root_cause_is_hollow(kb_factory, placeholder: str):
    findings = hollow_findings(kb_factory, with_section("Root Cause", placeholder))
    assert [item.message.split(" ")[1] for item in findings] == ["`Root"]


def test_words_around_a_placeholder_word_are_content(kb_factory):
    body = with_section("Root Cause", "The TODO list service ran out of file descriptors.")
    assert hollow_findings(kb_factory, body) == []


@pytest.mark.parametrize(
    "timeline",
    [
        "| Time (UTC) | Event |\n|---|---|\n| 14:02 | Alert fires |",
        "- 2024-03-05 14:02 Alert fires",
        "- 2024-03-05T14:02Z alert fires",
        "* **14:02:30 UTC** — alert fires",
        "| Time | Event |\n|---|---|\n| 2024-03-05 14:02 | Alert fires |",
    ],
)
def test_timeline_with_a_timed_entry_passes(kb_factory, timeline: str):
    assert hollow_findings(kb_factory, with_section("Timeline", timeline)) == []


@pytest.mark.parametrize(
    "timeline",
    [
        "The alert fired and we rolled back.",
        "| Time (UTC) | Event |\n|---|---|",
        "| Time (UTC) | Event |\n|---|---|\n| 00:00 | Impact starts: |\n| 00:00 | Detected: |",
        "- Alert fired at 14:02",
        "- 14:02",
    ],
)
def test_timeline_without_a_timed_entry_fails(kb_factory, timeline: str):
    (item,) = hollow_findings(kb_factory, with_section("Timeline", timeline))
    text = postmortem(FRONT.format(status="final"), with_section("Timeline", timeline))
    assert item.line == heading_line(text, "Timeline")


def test_lessons_need_an_item_or_sentence(kb_factory):
    assert hollow_findings(kb_factory, with_section("Lessons Learned", "- Canary pool changes.")) == []
    (item,) = hollow_findings(kb_factory, with_section("Lessons Learned", "```\nnothing\n```"))
    assert "no lesson" in item.message


def test_aliased_heading_and_sub_headings(kb_factory):
    body = with_section("Root Cause", "### Detail\n\n<!-- later -->").replace(
        "## Root Cause", "## 4. Root Cause Analysis:"
    )
    (item,) = hollow_findings(kb_factory, body)
    assert "`4. Root Cause Analysis:`" in item.message


def test_placeholders_are_configurable(kb_factory):
    yml = MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      hollow:\n        placeholders: [WIP]\n")
    assert len(hollow_findings(kb_factory, with_section("Impact", "WIP"), mkdocs_yml=yml)) == 1
    # The configured list replaces the defaults; the scaffold's prompts always count.
    assert hollow_findings(kb_factory, with_section("Impact", "TBD"), mkdocs_yml=yml) == []


def test_min_words_default_off_and_configurable(kb_factory):
    assert hollow_findings(kb_factory, SECTIONS) == []
    yml = MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      hollow:\n        min_words: {Root Cause: 12}\n")
    (item,) = hollow_findings(kb_factory, SECTIONS, mkdocs_yml=yml)
    assert "has 10 words; at least 12" in item.message
    everywhere = MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      hollow:\n        min_words: 6\n")
    findings = hollow_findings(kb_factory, SECTIONS, mkdocs_yml=everywhere)
    (short,) = [item for item in findings if item.path == PM]
    assert {item.path for item in findings} == {PM, RB}  # one number counts for runbooks too
    assert short.message.startswith("section `Impact` has 4 words; at least 6")


def test_rule_can_be_switched_off(kb_factory):
    yml = MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      rules: {hollow-section: off}\n")
    assert hollow_findings(kb_factory, HOLLOW_BODY, mkdocs_yml=yml) == []


def test_hollow_runbook_is_an_error(kb_factory):
    body = "\n## Symptoms\n\nConnections saturate.\n\n## Diagnosis\n\nTODO\n\n## Mitigation\n\nRestart the pool.\n\n## Escalation\n\n"
    text = runbook("title: Pool\nservices: [checkout-api]\nowner: team-db\nlast_reviewed: 2026-06-01", body)
    kb = kb_factory({PM: GOOD_POSTMORTEM, RB: text})
    findings = only(kb.findings, "PMKB015")
    assert codes(findings) == [
        ("PMKB015", RB, heading_line(text, "Diagnosis")),
        ("PMKB015", RB, heading_line(text, "Escalation")),
    ]
    assert {item.level for item in findings} == {"error"}


def test_new_postmortem_marked_final_fails_check(tmp_path: Path):
    config = write_kb(tmp_path / "kb", {})
    runner = CliRunner()
    created = runner.invoke(main, ["new", "postmortem", "Search latency", "--date", "2026-11-20", "-f", str(config)])
    assert created.exit_code == 0, created.output
    path = tmp_path / "kb" / created.output.strip().split("kb/")[-1]
    text = path.read_text().replace("status: draft", "status: final").replace("# resolved_at:", "resolved_at:")
    path.write_text(text)
    result = runner.invoke(main, ["check", "-f", str(config), "--format", "json", "--today", "2026-11-23"])
    assert result.exit_code == 1
    hollow = [item for item in json.loads(result.stdout) if item["code"] == "PMKB015"]
    assert [item["line"] for item in hollow] == [
        heading_line(text, name) for name in ("Summary", "Impact", "Timeline", "Root Cause", "Lessons Learned")
    ]

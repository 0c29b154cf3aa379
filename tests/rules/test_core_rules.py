"""PMKB001-PMKB011 and PMKB014: for each rule a failing and a passing knowledge base,
asserting code, path and line."""

from __future__ import annotations

import re
from datetime import date

from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, SECTIONS, codes, only, postmortem

PM = "postmortems/2024/2024-03-05-checkout.md"
RB = "runbooks/db-pool.md"


def good(**extra: str) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK}
    files.update(extra)
    return files


def test_good_knowledge_base_has_no_findings(kb_factory):
    kb = kb_factory(good())
    assert kb.findings == []
    assert list(kb.kb.postmortems) == ["2024-03-05-checkout"]
    assert kb.kb.postmortems["2024-03-05-checkout"].duration == 125


# PMKB001 unreadable-file --------------------------------------------------------------


def test_pmkb001_not_utf8_points_at_first_bad_byte(kb_factory):
    content = GOOD_POSTMORTEM.encode("utf-8").replace(b"## Impact\n\nAbout", b"## Impact\n\nAbout \xff\xfe")
    line = content[: content.index(b"\xff")].count(b"\n") + 1
    kb = kb_factory(good(**{PM: content}))
    assert codes(kb.findings) == [("PMKB001", PM, line)]


def test_pmkb001_bom_and_crlf_are_fine(kb_factory):
    content = "\ufeff" + GOOD_POSTMORTEM.replace("\n", "\r\n")
    kb = kb_factory(good(**{PM: content.encode("utf-8")}))
    assert kb.findings == []


def test_pmkb001_file_keeps_its_id_for_references(kb_factory):
    referring = GOOD_POSTMORTEM.replace("runbooks: [db-pool]", "related: [broken]\nrunbooks: [db-pool]")
    kb = kb_factory(good(**{PM: referring, "postmortems/broken.md": b"---\ntitle: \xff\n"}))
    assert codes(kb.findings) == [("PMKB001", "postmortems/broken.md", 2)]


# PMKB002 front-matter-syntax ----------------------------------------------------------


def test_pmkb002_no_front_matter(kb_factory):
    kb = kb_factory(good(**{"postmortems/x.md": "# Just a title\n" + SECTIONS}))
    assert codes(kb.findings) == [("PMKB002", "postmortems/x.md", 1)]


def test_pmkb002_yaml_error_line(kb_factory):
    text = "---\ntitle: ok\nseverity: [SEV-1\nservices: [a]\n---\n" + SECTIONS
    kb = kb_factory(good(**{"postmortems/x.md": text}))
    (item,) = kb.findings
    assert (item.code, item.path) == ("PMKB002", "postmortems/x.md")
    assert item.line in (3, 4)


def test_pmkb002_not_a_mapping(kb_factory):
    kb = kb_factory(good(**{"postmortems/x.md": "---\n- a\n- b\n---\n" + SECTIONS}))
    assert codes(kb.findings) == [("PMKB002", "postmortems/x.md", 2)]


def test_pmkb002_unclosed_front_matter(kb_factory):
    kb = kb_factory(good(**{"postmortems/x.md": "---\ntitle: x\n" + SECTIONS}))
    assert codes(kb.findings) == [("PMKB002", "postmortems/x.md", 1)]


# PMKB003 invalid-field ----------------------------------------------------------------


def test_pmkb003_bad_severity_points_at_field(kb_factory):
    kb = kb_factory(good(**{PM: GOOD_POSTMORTEM.replace("severity: SEV-2", "severity: SEV-9")}))
    assert codes(kb.findings) == [("PMKB003", PM, 3)]
    assert "SEV-9" in kb.findings[0].message


def test_pmkb003_missing_required_field_is_line_1(kb_factory):
    kb = kb_factory(good(**{PM: GOOD_POSTMORTEM.replace("title: Checkout errors after pool change\n", "")}))
    assert codes(kb.findings) == [("PMKB003", PM, 1)]
    assert "title" in kb.findings[0].message


def test_pmkb003_timestamp_without_timezone(kb_factory):
    kb = kb_factory(
        good(**{PM: GOOD_POSTMORTEM.replace("detected_at: 2024-03-05T14:02:00Z", "detected_at: 2024-03-05T14:02:00")})
    )
    assert codes(kb.findings) == [("PMKB003", PM, 5)]
    assert "timezone" in kb.findings[0].message


def test_pmkb003_date_alone_is_not_a_timestamp(kb_factory):
    kb = kb_factory(
        good(**{PM: GOOD_POSTMORTEM.replace("resolved_at: 2024-03-05T16:05:00Z", 'resolved_at: "2024-03-05"')})
    )
    assert codes(kb.findings) == [("PMKB003", PM, 7)]


def test_pmkb003_ticket_must_be_http(kb_factory):
    text = GOOD_POSTMORTEM.replace("    status: open\n", "    status: open\n    ticket: ftp://tracker/OPS-1\n")
    kb = kb_factory(good(**{PM: text}))
    assert codes(kb.findings) == [("PMKB003", PM, 18)]


def test_pmkb003_services_must_be_non_empty_list(kb_factory):
    kb = kb_factory(good(**{PM: GOOD_POSTMORTEM.replace("services: [checkout-api]", "services: []")}))
    assert codes(kb.findings) == [("PMKB003", PM, 8)]


def test_pmkb003_resolved_at_required_unless_draft(kb_factory):
    text = GOOD_POSTMORTEM.replace("resolved_at: 2024-03-05T16:05:00Z\n", "")
    kb = kb_factory(good(**{PM: text}))
    assert codes(kb.findings) == [("PMKB003", PM, 1)]
    draft = text.replace("severity: SEV-2", "severity: SEV-2\nstatus: draft")
    assert kb_factory(good(**{PM: draft})).findings == []


def test_pmkb003_invalid_file_name_needs_id(kb_factory):
    kb = kb_factory(good(**{"postmortems/Checkout Outage.md": GOOD_POSTMORTEM}))
    assert ("PMKB003", "postmortems/Checkout Outage.md", 1) in codes(kb.findings)
    fixed = GOOD_POSTMORTEM.replace("title:", "id: checkout-outage\ntitle:", 1)
    assert kb_factory(good(**{"postmortems/Checkout Outage.md": fixed})).findings == []


def test_timestamps_compare_instants_across_offsets(kb_factory):
    text = GOOD_POSTMORTEM.replace("detected_at: 2024-03-05T14:02:00Z", "detected_at: 2024-03-05T15:02:00+01:00")
    kb = kb_factory(good(**{PM: text}))
    assert kb.findings == []
    assert kb.kb.postmortems["2024-03-05-checkout"].time_to_detect == 2


def test_quoted_timestamps_and_fractional_minutes(kb_factory):
    text = GOOD_POSTMORTEM.replace("detected_at: 2024-03-05T14:02:00Z", 'detected_at: "2024-03-05T14:02:30Z"')
    kb = kb_factory(good(**{PM: text}))
    assert kb.findings == []
    assert kb.kb.postmortems["2024-03-05-checkout"].time_to_detect == 2.5


# PMKB004 duplicate-id -----------------------------------------------------------------


def test_pmkb004_reported_on_each(kb_factory):
    first = GOOD_POSTMORTEM.replace("title:", "id: checkout\ntitle:", 1)
    kb = kb_factory(good(**{PM: first, "postmortems/other.md": first}))
    assert codes(only(kb.findings, "PMKB004")) == [("PMKB004", PM, 2), ("PMKB004", "postmortems/other.md", 2)]


def test_pmkb004_runbook_and_postmortem_may_share_an_id(kb_factory):
    kb = kb_factory(good(**{"postmortems/db-pool.md": GOOD_POSTMORTEM}))
    assert only(kb.findings, "PMKB004") == []


# PMKB005 / PMKB006 sections -----------------------------------------------------------


def test_pmkb005_each_missing_section_is_a_finding(kb_factory):
    body = SECTIONS.replace("## Root Cause\n", "").replace("## Impact\n", "")
    kb = kb_factory(
        good(
            **{
                PM: GOOD_POSTMORTEM.split("---\n", 2)[0]
                + "---\n"
                + GOOD_POSTMORTEM.split("---\n", 2)[1]
                + "---\n"
                + body
            }
        )
    )
    assert codes(kb.findings) == [("PMKB005", PM, 1), ("PMKB005", PM, 1)]
    assert all(f.level == "error" for f in kb.findings)


def test_pmkb005_is_a_warning_on_drafts(kb_factory):
    text = postmortem(
        "title: Draft\nseverity: SEV-3\nstatus: draft\nstarted_at: 2024-01-01T00:00:00Z\nservices: [a]",
        body="\n## Summary\n\ntext\n",
    )
    kb = kb_factory(good(**{"postmortems/draft.md": text}))
    missing = only(kb.findings, "PMKB005")
    assert len(missing) == 4 and {f.level for f in missing} == {"warning"}


def test_pmkb005_heading_variants_match(kb_factory):
    body = (
        "\n## 1. summary:\n\nx\n\nImpact\n------\n\nx\n\n##   Timeline (UTC)  \n\n- 14:02 x\n\n## 3) Root Causes\n\nx\n\n"
        "## 10. LEARNINGS\n\nx\n\n## Contributing factors\n\n## What went well\n\n## What Went Wrong:\n\n"
        "## Detection\n\n## Resolution\n"
    )
    kb = kb_factory(good(**{PM: GOOD_POSTMORTEM.replace(SECTIONS, body)}))
    assert kb.findings == []


def test_pmkb005_headings_in_code_fences_do_not_count(kb_factory):
    body = SECTIONS.replace("## Root Cause\n", "```\n## Root Cause\n```\n").replace(
        "## Detection\n", "~~~md\n## Detection\n~~~\n"
    )
    kb = kb_factory(good(**{PM: GOOD_POSTMORTEM.replace(SECTIONS, body)}))
    assert [(f.code, f.line) for f in kb.findings] == [("PMKB005", 1), ("PMKB006", 1)]


def test_pmkb005_level_1_and_3_headings_do_not_count(kb_factory):
    body = SECTIONS.replace("## Root Cause", "### Root Cause").replace("## Impact", "# Impact")
    kb = kb_factory(good(**{PM: GOOD_POSTMORTEM.replace(SECTIONS, body)}))
    assert len(only(kb.findings, "PMKB005")) == 2


def test_pmkb005_runbook_sections_and_alias(kb_factory):
    kb = kb_factory(good(**{RB: GOOD_RUNBOOK.replace("## Mitigation", "## Remediation")}))
    assert kb.findings == []
    kb = kb_factory(good(**{RB: GOOD_RUNBOOK.replace("## Escalation", "## Contacts")}))
    assert codes(kb.findings) == [("PMKB005", RB, 1)]


def test_pmkb006_missing_recommended_is_warning(kb_factory):
    kb = kb_factory(good(**{PM: GOOD_POSTMORTEM.replace("## What Went Well\n", "")}))
    assert codes(kb.findings) == [("PMKB006", PM, 1)]
    assert kb.findings[0].level == "warning"


# PMKB007 timestamp-order --------------------------------------------------------------


def test_pmkb007_points_at_the_later_timestamp(kb_factory):
    text = GOOD_POSTMORTEM.replace("detected_at: 2024-03-05T14:02:00Z", "detected_at: 2024-03-05T13:02:00Z")
    kb = kb_factory(good(**{PM: text}))
    assert codes(kb.findings) == [("PMKB007", PM, 5)]


def test_pmkb007_resolved_before_mitigated(kb_factory):
    text = GOOD_POSTMORTEM.replace("resolved_at: 2024-03-05T16:05:00Z", "resolved_at: 2024-03-05T14:30:00Z")
    kb = kb_factory(good(**{PM: text}))
    assert codes(kb.findings) == [("PMKB007", PM, 7)]


def test_pmkb007_offsets_are_instants(kb_factory):
    # 14:30+01:00 is 13:30Z, before the 14:00Z start.
    text = GOOD_POSTMORTEM.replace("mitigated_at: 2024-03-05T14:40:00Z", "mitigated_at: 2024-03-05T14:30:00+01:00")
    kb = kb_factory(good(**{PM: text}))
    assert codes(kb.findings) == [("PMKB007", PM, 6)]


def test_pmkb007_documented_example_is_misordered(kb_factory):
    # The example shown in the README and rule docs must itself trigger the rule.
    from pmkb.rules.timestamps import TIMESTAMP_ORDER

    text = GOOD_POSTMORTEM
    for field, value in re.findall(r"`(\w+_at): ([^`]+)`", TIMESTAMP_ORDER.example):
        text = re.sub(rf"^{field}: .*$", f"{field}: {value}", text, flags=re.M)
    kb = kb_factory(good(**{PM: text}))
    assert codes(kb.findings) == [("PMKB007", PM, 5)]


# PMKB008 unknown-reference ------------------------------------------------------------


def test_pmkb008_unknown_runbook_and_related(kb_factory):
    text = GOOD_POSTMORTEM.replace(
        "runbooks: [db-pool]", "runbooks:\n  - db-pool\n  - db-pools-x\nrelated:\n  - nope\n  - 2024-03-05-checkout"
    )
    kb = kb_factory(good(**{PM: text}))
    assert codes(kb.findings) == [("PMKB008", PM, 13), ("PMKB008", PM, 15), ("PMKB008", PM, 16)]
    assert "itself" in kb.findings[2].message


def test_pmkb008_related_is_symmetric(kb_factory):
    other = GOOD_POSTMORTEM.replace("title:", "id: earlier\ntitle:", 1).replace(
        "runbooks: [db-pool]", "related: [2024-03-05-checkout]"
    )
    kb = kb_factory(good(**{"postmortems/earlier.md": other}))
    assert only(kb.findings, "PMKB008") == []
    assert kb.kb.related["2024-03-05-checkout"] == ["earlier"]
    assert kb.kb.related["earlier"] == ["2024-03-05-checkout"]


# PMKB009 action-items -----------------------------------------------------------------


def test_pmkb009_item_lacks_required_key(kb_factory):
    kb = kb_factory(good(**{PM: GOOD_POSTMORTEM.replace("    owner: team-checkout\n", "")}))
    assert codes(kb.findings) == [("PMKB009", PM, 13)]
    assert "owner" in kb.findings[0].message


def test_pmkb009_severity_needs_items(kb_factory):
    start = GOOD_POSTMORTEM.index("action_items:")
    end = GOOD_POSTMORTEM.index("---\n", start)
    text = GOOD_POSTMORTEM[:start] + GOOD_POSTMORTEM[end:]
    kb = kb_factory(good(**{PM: text}))
    assert codes(kb.findings) == [("PMKB009", PM, 3)]
    sev3 = text.replace("severity: SEV-2", "severity: SEV-3")
    assert kb_factory(good(**{PM: sev3})).findings == []


# PMKB010 overdue-action-item ----------------------------------------------------------


def test_pmkb010_overdue_against_today(kb_factory):
    kb = kb_factory(good(), today=date(2027, 2, 1))
    assert codes(only(kb.findings, "PMKB010")) == [("PMKB010", PM, 13)]
    assert kb.findings[0].level == "warning"
    done = GOOD_POSTMORTEM.replace("status: open", "status: done")
    assert only(kb_factory(good(**{PM: done}), today=date(2027, 2, 1)).findings, "PMKB010") == []


# PMKB011 stale-runbook ----------------------------------------------------------------


def test_pmkb011_stale_runbook(kb_factory):
    kb = kb_factory(good(), today=date(2026, 12, 15))
    assert codes(kb.findings) == [("PMKB011", RB, 5)]
    longer = GOOD_RUNBOOK.replace("alerts:", "review_every_days: 365\nalerts:")
    assert kb_factory(good(**{RB: longer}), today=date(2026, 12, 15)).findings == []


# PMKB014 unknown-field ----------------------------------------------------------------


def test_pmkb014_unknown_field_suggests_closest(kb_factory):
    kb = kb_factory(good(**{PM: GOOD_POSTMORTEM.replace("tags: [database]", "tagz: [database]")}))
    assert codes(kb.findings) == [("PMKB014", PM, 9)]
    assert "did you mean `tags`" in kb.findings[0].message


# configuration ------------------------------------------------------------------------


def test_rules_can_be_switched_off_and_relevelled(kb_factory):
    yml = "site_name: t\nplugins:\n  - pmkb:\n      rules:\n        PMKB006: off\n        unknown-field: error\n"
    text = GOOD_POSTMORTEM.replace("## What Went Well\n", "").replace("tags:", "tagz:")
    kb = kb_factory(good(**{PM: text}), mkdocs_yml=yml)
    assert [(f.code, f.level) for f in kb.findings] == [("PMKB014", "error")]


def test_configured_severities_and_sections(kb_factory):
    yml = (
        "site_name: t\nplugins:\n  - pmkb:\n      severities: [critical, major, minor]\n"
        "      action_items_required_for: [critical]\n      required_sections: [Summary]\n"
        "      recommended_sections: []\n"
    )
    text = GOOD_POSTMORTEM.replace("severity: SEV-2", "severity: major")
    assert kb_factory(good(**{PM: text}), mkdocs_yml=yml).findings == []


def test_pmkb003_each_invalid_field_is_its_own_finding(kb_factory):
    text = GOOD_POSTMORTEM.replace("severity: SEV-2", "severity: SEV-9").replace(
        "resolved_at: 2024-03-05T16:05:00Z\n", ""
    )
    kb = kb_factory(good(**{PM: text}))
    assert codes(kb.findings) == [("PMKB003", PM, 1), ("PMKB003", PM, 3)]

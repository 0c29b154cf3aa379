"""Rules declare themselves: one declaration per code, collected once, documented from there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, postmortem
from pmkb import loader, validation
from pmkb.config import ConfigError, KBConfig
from pmkb.rules import FAMILIES, RULES, RULES_BY_NAME, rule_settings
from pmkb.rules.docs import BEGIN, END, MarkersMissing, main, rewrite, rule_table

README = Path(__file__).resolve().parents[2] / "README.md"
PM, RB = "postmortems/2024-03-05-checkout.md", "runbooks/db-pool.md"


def test_every_rule_is_declared_once_with_everything_its_docs_need():
    declared = [rule for module in (loader, validation, *FAMILIES) for rule in module.RULES]
    assert len(declared) == len({rule.code for rule in declared}) == len(RULES)
    assert list(RULES) == sorted(RULES)
    assert len(RULES_BY_NAME) == len(RULES)
    for rule in RULES.values():
        assert re.fullmatch(r"PMKB\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert rule.level in ("error", "warning")
        assert rule.when and rule.why and rule.example
        assert "\n" not in rule.why and "|" not in rule.when


def test_the_readme_table_is_generated_from_the_declarations():
    readme = README.read_text(encoding="utf-8")
    assert rewrite(readme, list(RULES.values())) == readme, "run python -m pmkb.rules.docs"


def test_the_table_lists_every_rule_with_its_level(tmp_path: Path):
    table = rule_table(list(RULES.values()))
    for rule in RULES.values():
        assert f"| {rule.code} | {rule.name} | " in table
    assert "| PMKB005 | missing-section | error (warning on drafts) |" in table


def test_the_script_rewrites_a_stale_table_and_check_reports_it(tmp_path: Path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"# KB\n\n{BEGIN}\n| old | table |\n{END}\n\nMore text.\n", encoding="utf-8")
    assert main([str(readme), "--check"]) == 1
    assert "| old | table |" in readme.read_text(encoding="utf-8")
    assert main([str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert "| old | table |" not in text and "| PMKB013 | secret | error |" in text
    assert text.endswith(f"{END}\n\nMore text.\n")
    assert main([str(readme), "--check"]) == 0


def test_a_readme_without_markers_is_a_clear_error(tmp_path: Path, capsys):
    with pytest.raises(MarkersMissing):
        rewrite("# KB\n", list(RULES.values()))
    readme = tmp_path / "README.md"
    readme.write_text("# KB\n", encoding="utf-8")
    assert main([str(readme)]) == 2
    assert "rules:begin" in capsys.readouterr().err


def test_settings_accept_codes_and_names_and_reject_unknown_rules(tmp_path: Path):
    config = KBConfig.from_options({"rules": {"pmkb006": "off", "blame-language": "error"}}, tmp_path)
    assert rule_settings(config) == {"PMKB006": "off", "PMKB012": "error"}
    bad = KBConfig.from_options({"rules": {"PMKB099": "off"}}, tmp_path, source="site.yml")
    with pytest.raises(
        ConfigError, match=r"site\.yml: pmkb plugin option 'rules': unknown rule 'PMKB099' \(did you mean"
    ):
        rule_settings(bad)


def test_a_family_whose_rules_are_all_off_reports_nothing(kb_factory):
    text = GOOD_POSTMORTEM.replace("## Summary", "## Summary\n\nDana forgot to drain the node.\n\n## Extra")
    assert [f.code for f in kb_factory({PM: text, RB: GOOD_RUNBOOK}).findings] == ["PMKB012"]
    yml = "site_name: T\ntheme:\n  name: material\nplugins:\n  - pmkb:\n      rules: {PMKB012: off}\n"
    assert kb_factory({PM: text, RB: GOOD_RUNBOOK}, mkdocs_yml=yml).findings == []


def test_action_item_problems_all_come_from_one_rule(kb_factory):
    text = postmortem(
        """
        title: Checkout errors
        severity: SEV-2
        started_at: 2024-03-05T14:00:00Z
        resolved_at: 2024-03-05T16:05:00Z
        services: [checkout-api]
        runbooks: [db-pool]
        action_items:
          - title: Canary pool size changes
            priority: P1
          - just a sentence
        """
    )
    findings = kb_factory({PM: text, RB: GOOD_RUNBOOK}).findings
    assert [(f.code, f.rule, f.line) for f in findings] == [
        ("PMKB009", "action-items", 9),
        ("PMKB009", "action-items", 9),
        ("PMKB009", "action-items", 11),
    ]
    assert [f.message for f in findings] == [
        "action item 1 lacks `due`; every item needs title, owner, priority, due",
        "action item 1 lacks `owner`; every item needs title, owner, priority, due",
        "action item 2 must be a mapping with title, owner, priority, due (got 'just a sentence')",
    ]

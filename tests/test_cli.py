"""`pmkb check`, `export` and `schema`: exit codes, the three formats, PATH filtering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, write_kb
from pmkb.cli import main

PM = "postmortems/2024/2024-03-05-checkout.md"
RB = "runbooks/db-pool.md"
BAD = GOOD_POSTMORTEM.replace("severity: SEV-2", "severity: SEV-7").replace("## What Went Well\n", "")


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)


@pytest.fixture
def good_kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK})


@pytest.fixture
def bad_kb(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path / "kb", {PM: BAD, RB: GOOD_RUNBOOK, "postmortems/other.md": GOOD_POSTMORTEM.replace("tags:", "tagz:")}
    )


def test_clean_kb_exits_0_with_summary(good_kb: Path):
    result = run("check", "-f", str(good_kb), "--today", "2026-11-23")
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1].startswith("All checks passed")


def test_summary_counts_one_document_in_the_singular(tmp_path: Path):
    kb = write_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM.replace("runbooks: [db-pool]", "runbooks: []")})
    result = run("check", "-f", str(kb), "--today", "2026-11-23")
    assert result.output.strip().splitlines()[-1] == "All checks passed: 1 document, no errors, no warnings."


def test_errors_exit_1_text_format(bad_kb: Path):
    result = run("check", "-f", str(bad_kb), "--today", "2026-11-23")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[:3] == [
        f"{PM}:1: warning PMKB006 missing recommended section: add a `## What Went Well` heading",
        f"{PM}:3: error PMKB003 `severity`: severity 'SEV-7' is not one of SEV-1, SEV-2, SEV-3",
        "postmortems/other.md:9: warning PMKB014 unknown front matter field `tagz`; did you mean `tags`?",
    ]
    assert lines[-1] == "Found 1 error and 2 warnings in 2 files (3 documents checked)."


def test_summary_counts_are_plural_aware(tmp_path: Path):
    one = write_kb(tmp_path / "one", {PM: BAD})
    lines = run("check", "-f", str(one), "--today", "2026-11-23").output.strip().splitlines()
    assert lines[-1] == "Found 2 errors and 1 warning in 1 file (1 document checked)."
    clean = write_kb(tmp_path / "clean", {RB: GOOD_RUNBOOK})
    lines = run("check", "-f", str(clean), "--today", "2026-11-23").output.strip().splitlines()
    assert lines[-1] == "All checks passed: 1 document, no errors, no warnings."


def test_json_format(bad_kb: Path):
    result = run("check", "-f", str(bad_kb), "--format", "json", "--today", "2026-11-23")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data[1] == {
        "path": PM,
        "line": 3,
        "level": "error",
        "code": "PMKB003",
        "rule": "invalid-field",
        "message": "`severity`: severity 'SEV-7' is not one of SEV-1, SEV-2, SEV-3",
    }
    assert [set(item) for item in data] == [{"path", "line", "level", "code", "rule", "message"}] * 3


def test_github_format(bad_kb: Path):
    result = run("check", "-f", str(bad_kb), "--format", "github", "--today", "2026-11-23")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert (
        lines[1]
        == f"::error file={PM},line=3,title=PMKB003::`severity`: severity 'SEV-7' is not one of SEV-1, SEV-2, SEV-3"
    )
    assert lines[0].startswith(f"::warning file={PM},line=1,title=PMKB006::")


def test_github_format_escapes_newlines_and_percent(tmp_path: Path):
    text = GOOD_POSTMORTEM.replace("severity: SEV-2", 'severity: "100%\\nSEV"')
    config = write_kb(tmp_path / "kb", {PM: text, RB: GOOD_RUNBOOK})
    result = run("check", "-f", str(config), "--format", "github", "--today", "2026-11-23")
    line = result.output.strip().splitlines()[0]
    assert "%25" in line and "%0A" in line and "\n" not in line.strip()


def test_strict_fails_on_warnings(tmp_path: Path):
    config = write_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM.replace("## What Went Well\n", ""), RB: GOOD_RUNBOOK})
    assert run("check", "-f", str(config), "--today", "2026-11-23").exit_code == 0
    assert run("check", "-f", str(config), "--strict", "--today", "2026-11-23").exit_code == 1


def test_paths_filter_findings_but_resolve_references_globally(bad_kb: Path, monkeypatch):
    monkeypatch.chdir(bad_kb.parent)
    result = run("check", "postmortems/other.md", "--format", "json", "--today", "2026-11-23")
    assert result.exit_code == 0  # only a warning in that file
    assert [item["path"] for item in json.loads(result.output)] == ["postmortems/other.md"]
    folder = run("check", "postmortems/2024", "--format", "json", "--today", "2026-11-23")
    assert {item["path"] for item in json.loads(folder.output)} == {PM}
    assert folder.exit_code == 1
    outside = run("check", "mkdocs.yml", "--today", "2026-11-23")
    assert outside.exit_code == 0


def test_path_that_does_not_exist_is_a_usage_error(good_kb: Path):
    result = run("check", "-f", str(good_kb), "nope.md")
    assert result.exit_code == 2
    assert "nope.md" in result.output


def test_today_from_option_and_environment(good_kb: Path):
    # The action item is due 2027-01-10; the runbook review 2026-11-28.
    late = run("check", "-f", str(good_kb), "--today", "2027-02-01", "--format", "json")
    assert [item["code"] for item in json.loads(late.output)] == ["PMKB010", "PMKB011"]
    env = run("check", "-f", str(good_kb), "--format", "json", env={"PMKB_TODAY": "2027-02-01"})
    assert [item["code"] for item in json.loads(env.output)] == ["PMKB010", "PMKB011"]
    assert run("check", "-f", str(good_kb), "--today", "soon").exit_code == 2
    assert run("check", "-f", str(good_kb), env={"PMKB_TODAY": "31/12/2026"}).exit_code == 2


def test_group_level_options(good_kb: Path):
    result = run("-f", str(good_kb), "--today", "2027-02-01", "check", "--format", "json")
    assert [item["code"] for item in json.loads(result.output)] == ["PMKB010", "PMKB011"]


@pytest.mark.parametrize(
    ("yml", "message"),
    [
        ("site_name: [unclosed\n", "invalid YAML"),
        ("site_name: t\nplugins:\n  - pmkb:\n      postmortem_dir: x\n", "did you mean 'postmortems_dir'"),
        ("site_name: t\nplugins:\n  - pmkb:\n      rules: {PMKB099: off}\n", "unknown rule"),
        ("site_name: t\nplugins:\n  - pmkb:\n      rules: {PMKB006: loud}\n", "use error, warning or off"),
    ],
)
def test_configuration_errors_exit_2(tmp_path: Path, yml: str, message: str):
    config = write_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM}, mkdocs_yml=yml)
    result = run("check", "-f", str(config))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_config_file_exits_2(tmp_path: Path):
    result = run("check", "-f", str(tmp_path / "mkdocs.yml"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_mkdocs_yml_with_python_and_env_tags(tmp_path: Path):
    yml = (
        "site_name: t\nsite_url: !ENV [SITE_URL, 'https://example.com/']\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "plugins:\n  - search\n  - pmkb:\n      runbooks_dir: !ENV [RUNBOOKS, playbooks]\n"
    )
    config = write_kb(tmp_path / "kb", {PM: GOOD_POSTMORTEM, "playbooks/db-pool.md": GOOD_RUNBOOK}, mkdocs_yml=yml)
    result = run("check", "-f", str(config), "--today", "2026-11-23")
    assert result.exit_code == 0, result.output


def test_plugins_as_mapping(tmp_path: Path):
    yml = "site_name: t\nplugins:\n  search: {}\n  pmkb:\n    rules:\n      PMKB006: off\n"
    config = write_kb(
        tmp_path / "kb", {PM: GOOD_POSTMORTEM.replace("## What Went Well\n", ""), RB: GOOD_RUNBOOK}, mkdocs_yml=yml
    )
    assert run("check", "-f", str(config), "--strict", "--today", "2026-11-23").exit_code == 0


def test_export_matches_kb(good_kb: Path):
    result = run("export", "-f", str(good_kb), "--today", "2026-11-23")
    data = json.loads(result.output)
    (pm,) = data["postmortems"]
    assert pm["id"] == "2024-03-05-checkout"
    assert pm["url"] == "/postmortems/2024-03-05-checkout/"
    assert (pm["duration"], pm["time_to_detect"], pm["time_to_mitigate"]) == (125, 2, 40)
    assert pm["started_at"] == "2024-03-05T14:00:00Z"
    assert data["runbooks"][0]["incidents"] == ["2024-03-05-checkout"]


@pytest.mark.parametrize("kind", ["postmortem", "runbook"])
def test_schema(good_kb: Path, kind: str):
    result = run("schema", kind, "-f", str(good_kb))
    schema = json.loads(result.output)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "title" in schema["required"] and "id" not in schema["required"]
    if kind == "postmortem":
        assert schema["properties"]["severity"]["enum"] == ["SEV-1", "SEV-2", "SEV-3"]
        assert "started_at" in schema["required"]


def test_schema_without_mkdocs_yml(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("schema", "postmortem")
    assert result.exit_code == 0
    assert json.loads(result.output)["properties"]["severity"]["enum"] == ["SEV-1", "SEV-2", "SEV-3"]


def test_paths_relative_to_mkdocs_yml_folder(bad_kb: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "-f", str(bad_kb), "postmortems/other.md", "--format", "json", "--today", "2026-11-23")
    assert [item["path"] for item in json.loads(result.output)] == ["postmortems/other.md"]

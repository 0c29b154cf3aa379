"""`pmkb check PATH...` looks into the given files only, and reports exactly what the
whole check reports for them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pmkb.cli import main
from pmkb.config import KBConfig, load_config
from pmkb.findings import Finding
from pmkb.pipeline import load_knowledge_base
from pmkb.rules import blame

from tests.kb_helpers import TODAY, benchmark_generator, edit

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def broken_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated knowledge base with errors of every family, some across files."""
    root = tmp_path_factory.mktemp("scope")
    _plain, mkdocs_yml = benchmark_generator().write_sites(root, 30)
    kb = mkdocs_yml.parent
    pms, rbs = kb / "postmortems", kb / "runbooks"
    edit(pms / "incident-00001.md", "## Impact\n", "## Impact\n\nDana forgot to drain the node before the upgrade.\n")
    edit(
        pms / "incident-00002.md",
        "## Summary\n",
        "## Summary\n\nRan `psql postgres://admin:hunter2@db.internal/orders`.\n",
    )
    edit(pms / "incident-00003.md", "## Root Cause\n", "## Causes\n")
    edit(pms / "incident-00004.md", "services:", "id: incident-00005\nservices:")  # a duplicate id
    edit(pms / "incident-00006.md", "runbooks: [", "runbooks: [no-such-runbook, ")
    edit(pms / "incident-00006.md", "related: [", "related: [incident-00007, incident-09999, ")
    edit(pms / "incident-00007.md", "title:", "title: [unclosed\nx:")  # YAML that does not parse: still owns its id
    edit(pms / "incident-00008.md", "severity:", "serverity: SEV-1\nseverity:")
    edit(pms / "incident-00009.md", "## Lessons Learned\n", "## Lessons Learned\n\nTBD\n\n## Notes\n")
    (pms / "2024").mkdir()
    (pms / "2024" / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    edit(rbs / "runbook-0000.md", "last_reviewed:", "last_reviewed: 2020-01-01\nold_last_reviewed:")
    return mkdocs_yml


def _config(mkdocs_yml: Path) -> KBConfig:
    return load_config(mkdocs_yml)


def _scoped(mkdocs_yml: Path, wanted: set[str]) -> list[Finding]:
    return load_knowledge_base(_config(mkdocs_yml), TODAY, lambda path: path in wanted).findings


def _full_for(mkdocs_yml: Path, wanted: set[str]) -> list[Finding]:
    return [item for item in load_knowledge_base(_config(mkdocs_yml), TODAY).findings if item.path in wanted]


def _every_file(mkdocs_yml: Path) -> list[str]:
    kb = load_knowledge_base(_config(mkdocs_yml), TODAY).kb
    return [entry.path for entry in kb.entries]


def test_generated_kb_has_findings_of_many_rules(broken_kb: Path) -> None:
    codes = {item.code for item in load_knowledge_base(_config(broken_kb), TODAY).findings}
    assert {"PMKB001", "PMKB002", "PMKB004", "PMKB005", "PMKB008", "PMKB011", "PMKB012", "PMKB013", "PMKB014"} <= codes


@pytest.mark.parametrize("mkdocs", ["generated", "example"])
def test_each_file_alone_gets_exactly_the_full_checks_findings(mkdocs: str, broken_kb: Path) -> None:
    mkdocs_yml = broken_kb if mkdocs == "generated" else REPO / "mkdocs.yml"
    full = load_knowledge_base(_config(mkdocs_yml), TODAY).findings
    assert full, "the comparison needs findings to compare"
    for path in _every_file(mkdocs_yml):
        assert _scoped(mkdocs_yml, {path}) == [item for item in full if item.path == path], path


def test_several_files_and_a_folder(broken_kb: Path) -> None:
    files = _every_file(broken_kb)
    wanted = {path for path in files if path.startswith("runbooks/")} | {
        "postmortems/incident-00004.md",
        "postmortems/incident-00006.md",
        "postmortems/2024/latin1.md",
    }
    assert _scoped(broken_kb, wanted) == _full_for(broken_kb, wanted)


def test_out_of_scope_files_are_not_scanned_for_blame_or_secrets(
    broken_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned: list[str] = []
    real_find_blame = blame.find_blame

    def counting_find_blame(text: str, *args: object, **kwargs: object) -> object:
        scanned.append(text)
        return real_find_blame(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(blame, "find_blame", counting_find_blame)
    wanted = {"postmortems/incident-00001.md"}
    findings = load_knowledge_base(_config(broken_kb), TODAY, lambda path: path in wanted, use_cache=False).findings
    assert len(scanned) == 1
    assert [item.code for item in findings if item.code == "PMKB012"] == ["PMKB012"]
    # Once a run has cached the file's findings, the next one scans nothing at all.
    load_knowledge_base(_config(broken_kb), TODAY)
    scanned.clear()
    assert _scoped(broken_kb, wanted) == findings
    assert scanned == []


def test_cli_check_of_paths_prints_the_full_checks_findings_for_them(broken_kb: Path) -> None:
    runner = CliRunner()
    args = ["check", "-f", str(broken_kb), "--today", TODAY.isoformat(), "--format", "json"]
    everything = json.loads(runner.invoke(main, args).output)
    root = broken_kb.parent
    for relpaths in (["postmortems/incident-00006.md"], ["runbooks", "postmortems/incident-00007.md"]):
        result = runner.invoke(main, [*args, *(str(root / relpath) for relpath in relpaths)])
        assert result.exit_code == 1, result.output
        wanted = [item for item in everything if any(item["path"].startswith(relpath) for relpath in relpaths)]
        assert wanted and json.loads(result.output) == wanted

"""Reading mkdocs.yml the way MkDocs does: INHERIT, custom tags, plugin option errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK
from pmkb.cli import main
from pmkb.config import ConfigError, load_config, read_mkdocs_yml

PARENT = """\
site_name: Shared
theme:
  name: material
plugins:
  - search
  - pmkb:
      postmortems_dir: incidents
      severities: [critical, major, minor]
      rules:
        PMKB006: off
"""


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_child_inherits_the_parents_plugin_options(tmp_path: Path):
    _write(tmp_path, {"base/mkdocs.yml": PARENT, "site/mkdocs.yml": "INHERIT: ../base/mkdocs.yml\nsite_name: Child\n"})
    config = load_config(tmp_path / "site" / "mkdocs.yml")
    assert config.postmortems_dir == "incidents"
    assert config.severities == ["critical", "major", "minor"]
    assert config.rules == {"PMKB006": "off"}
    # Paths stay relative to the child: that is where `mkdocs build` runs.
    assert config.root == (tmp_path / "site").resolve()
    assert read_mkdocs_yml(tmp_path / "site" / "mkdocs.yml")["site_name"] == "Child"


def test_a_child_overrides_one_option_and_keeps_the_rest(tmp_path: Path):
    child = "INHERIT: base.yml\nplugins:\n  - search\n  - pmkb:\n      postmortems_dir: pm\n"
    _write(tmp_path, {"base.yml": PARENT.replace("plugins:", "extra: {team: sre}\nplugins:"), "mkdocs.yml": child})
    data = read_mkdocs_yml(tmp_path / "mkdocs.yml")
    # Lists are replaced as a whole, as MkDocs merges them; mappings merge key by key.
    assert load_config(tmp_path / "mkdocs.yml").postmortems_dir == "pm"
    assert load_config(tmp_path / "mkdocs.yml").severities == ["SEV-1", "SEV-2", "SEV-3"]
    assert data["extra"] == {"team": "sre"} and data["theme"] == {"name": "material"}


def test_inherited_chains_are_followed(tmp_path: Path):
    _write(
        tmp_path,
        {
            "a.yml": PARENT,
            "b.yml": "INHERIT: a.yml\nsite_name: B\n",
            "mkdocs.yml": "INHERIT: b.yml\n",
        },
    )
    assert load_config(tmp_path / "mkdocs.yml").postmortems_dir == "incidents"


def test_a_missing_parent_is_a_configuration_error(tmp_path: Path):
    _write(tmp_path, {"mkdocs.yml": "INHERIT: nowhere.yml\nsite_name: Child\n"})
    with pytest.raises(ConfigError, match="nowhere.yml: no such file"):
        load_config(tmp_path / "mkdocs.yml")


def test_the_cli_checks_with_inherited_options(tmp_path: Path):
    _write(
        tmp_path,
        {
            "base.yml": PARENT,
            "mkdocs.yml": "INHERIT: base.yml\n",
            "incidents/2024-03-05-checkout.md": GOOD_POSTMORTEM.replace("SEV-2", "major"),
            "runbooks/db-pool.md": GOOD_RUNBOOK,
        },
    )
    result = CliRunner().invoke(main, ["check", "-f", str(tmp_path / "mkdocs.yml"), "--today", "2026-11-23"])
    assert result.output.startswith("All checks passed: 2 documents"), result.output
    assert result.exit_code == 0

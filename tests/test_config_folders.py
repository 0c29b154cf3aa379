"""Folder and INHERIT configuration errors: refused before a build deletes anything."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML, write_kb
from mkdocs.commands.build import build
from mkdocs.config import load_config as load_mkdocs_config
from mkdocs.exceptions import Abort, PluginError
from pmkb.cli import main

PM = "postmortems/2024-03-05-checkout.md"
RB = "runbooks/db-pool.md"


def _files() -> dict[str, str | bytes]:
    return {PM: GOOD_POSTMORTEM, RB: GOOD_RUNBOOK, "docs/about.md": "# About\n"}


def _with_options(site_dir: str | None = None, docs_dir: str | None = None, **options: str) -> str:
    text = "site_name: Test KB\ntheme:\n  name: material\n"
    if site_dir is not None:
        text += f"site_dir: {site_dir}\n"
    if docs_dir is not None:
        text += f"docs_dir: {docs_dir}\n"
    text += "plugins:\n  - search\n"
    if options:
        text += "  - pmkb:\n" + "".join(f"      {key}: {value}\n" for key, value in options.items())
    else:
        text += "  - pmkb\n"
    return text


# case: (site_dir, folder options, the option the message names)
OVERLAPS: dict[str, tuple[str | None, dict[str, str], str]] = {
    "site_dir is postmortems_dir": ("postmortems", {}, "postmortems_dir"),
    "site_dir inside postmortems_dir": ("postmortems/site", {}, "postmortems_dir"),
    "postmortems_dir inside site_dir": (None, {"postmortems_dir": "site/postmortems"}, "postmortems_dir"),
    "postmortems_dir is site_dir": (None, {"postmortems_dir": "site"}, "postmortems_dir"),
    "site_dir is runbooks_dir": ("runbooks", {}, "runbooks_dir"),
    "site_dir inside runbooks_dir": ("runbooks/out", {}, "runbooks_dir"),
    "runbooks_dir inside site_dir": (None, {"runbooks_dir": "site/runbooks"}, "runbooks_dir"),
    "runbooks_dir is site_dir": (None, {"runbooks_dir": "site"}, "runbooks_dir"),
    "site_dir holds the whole project": (".", {}, "postmortems_dir"),
    "site_dir inside docs_dir": ("docs/site", {}, "docs_dir"),
    "docs_dir inside site_dir": (None, {"docs_dir": "site/docs"}, "docs_dir"),
}


def _write_overlap(root: Path, case: str) -> Path:
    site_dir, folders, _ = OVERLAPS[case]
    docs_dir = folders.get("docs_dir")
    options = {key: value for key, value in folders.items() if key != "docs_dir"}
    # The documents sit where this configuration looks for them, so there is something to lose.
    pm_dir = options.get("postmortems_dir", "postmortems")
    rb_dir = options.get("runbooks_dir", "runbooks")
    files: dict[str, str | bytes] = {
        f"{pm_dir}/2024-03-05-checkout.md": GOOD_POSTMORTEM,
        f"{rb_dir}/db-pool.md": GOOD_RUNBOOK,
        f"{docs_dir or 'docs'}/about.md": "# About\n",
    }
    return write_kb(root, files, _with_options(site_dir=site_dir, docs_dir=docs_dir, **options))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("case", list(OVERLAPS))
def test_overlap_refused_by_the_build_before_anything_is_deleted(
    tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch
):
    option = OVERLAPS[case][2]
    config_file = _write_overlap(tmp_path / "kb", case)
    before = _snapshot(tmp_path / "kb")
    monkeypatch.chdir(tmp_path / "kb")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    logging.getLogger("mkdocs").propagate = True
    with pytest.raises((PluginError, Abort)) as raised:
        build(load_mkdocs_config(config_file=str(config_file)))
    assert _snapshot(tmp_path / "kb") == before
    if isinstance(raised.value, PluginError):
        assert "site_dir" in str(raised.value) and option in str(raised.value)


@pytest.mark.parametrize("case", list(OVERLAPS))
def test_overlap_is_a_configuration_error_in_the_cli(tmp_path: Path, case: str):
    option = OVERLAPS[case][2]
    config_file = _write_overlap(tmp_path / "kb", case)
    for command in (["check"], ["export"], ["stats"], ["actions"], ["brief", "checkout-api"]):
        result = CliRunner().invoke(main, [*command, "-f", str(config_file)])
        assert result.exit_code == 2, (command, result.output)
        assert "site_dir" in result.output and option in result.output
        assert "Traceback" not in result.output


def test_neighbouring_folders_are_fine(tmp_path: Path):
    config_file = write_kb(tmp_path / "kb", _files(), _with_options(site_dir="public", postmortems_dir="postmortems"))
    result = CliRunner().invoke(main, ["check", "-f", str(config_file), "--today", "2026-11-23"])
    assert result.exit_code == 0, result.output


def test_source_folder_that_is_a_file_is_not_a_folder(tmp_path: Path):
    config_file = write_kb(tmp_path / "kb", {"postmortems": "not a folder\n", RB: GOOD_RUNBOOK})
    for command in (["check"], ["export"], ["new", "postmortem", "Database down"]):
        result = CliRunner().invoke(main, [*command, "-f", str(config_file)])
        assert result.exit_code == 2, result.output
        assert "is not a folder" in result.output and "postmortems_dir" in result.output
        assert "Traceback" not in result.output


def test_inherit_loop_is_a_configuration_error(tmp_path: Path):
    config_file = write_kb(tmp_path / "kb", _files(), "INHERIT: base.yml\n" + MKDOCS_YML)
    (tmp_path / "kb" / "base.yml").write_text("INHERIT: mkdocs.yml\nsite_name: Base\n")
    result = CliRunner().invoke(main, ["check", "-f", str(config_file)])
    assert result.exit_code == 2
    assert "INHERIT loops" in result.output and "base.yml" in result.output


def test_inherit_of_itself_is_a_loop(tmp_path: Path):
    config_file = write_kb(tmp_path / "kb", _files(), "INHERIT: mkdocs.yml\n" + MKDOCS_YML)
    result = CliRunner().invoke(main, ["check", "-f", str(config_file)])
    assert result.exit_code == 2 and "INHERIT loops" in result.output


def test_inherit_of_a_missing_file_names_it(tmp_path: Path):
    config_file = write_kb(tmp_path / "kb", _files(), "INHERIT: shared/base.yml\n" + MKDOCS_YML)
    result = CliRunner().invoke(main, ["check", "-f", str(config_file)])
    assert result.exit_code == 2
    assert "INHERIT names" in result.output and "shared/base.yml" in result.output
    assert "run in the folder" not in result.output


def test_plugin_option_errors_name_the_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    config_file = write_kb(tmp_path / "kb", _files(), _with_options(runbook_review_days="soon", severitys="[A]"))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    with pytest.raises(Abort):
        load_mkdocs_config(config_file=str(config_file))
    result = CliRunner().invoke(main, ["check", "-f", str(config_file)])
    assert result.exit_code == 2
    assert "option 'runbook_review_days'" in result.output
    assert "option 'severitys': unknown option; did you mean 'severities'?" in result.output


def test_mkdocs_report_names_the_option(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    config_file = write_kb(tmp_path / "kb", _files(), _with_options(runbook_review_days="soon"))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    logging.getLogger("mkdocs").propagate = True
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        load_mkdocs_config(config_file=str(config_file))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "option 'runbook_review_days'" in text
    assert "option ''" not in text

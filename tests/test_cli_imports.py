"""`pmkb check` imports only what a check needs: other commands' modules load when run."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner
from pmkb.cli import COMMAND_MODULES, main

from tests.kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, write_kb

# Imported by commands other than check, or by the check itself only once it runs.
NOT_AT_STARTUP = (
    "jinja2",
    "pmkb.incidents",
    "pmkb.reports",
    "pmkb.scaffold",
    "pmkb.init",
    "pmkb.cli.reports",
    "pmkb.cli.terminal",
    "pmkb.cli.new",
    "pmkb.cli.init",
    "pmkb.rules.blame",
    "pmkb.rules.secrets",
    "pmkb.rules.secret_values",
)


def _loaded_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_leaves_other_commands_modules_unloaded() -> None:
    loaded = _loaded_after("import pmkb.cli")
    assert not loaded & set(NOT_AT_STARTUP)


def test_every_command_module_defines_its_commands_under_their_names() -> None:
    for name, module in COMMAND_MODULES.items():
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command) and command.name == name


def test_checking_leaves_other_commands_modules_unloaded(tmp_path: Path) -> None:
    mkdocs_yml = write_kb(tmp_path, {"postmortems/db.md": GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK})
    code = (
        "from pmkb.cli import main\n"
        f"try:\n    main(['check', '-f', {str(mkdocs_yml)!r}, '--today', '2026-11-23'])\nexcept SystemExit:\n    pass"
    )
    loaded = _loaded_after(code)
    assert "pmkb.rules.blame" in loaded  # the check ran
    assert not loaded & {
        "jinja2",
        "pmkb.incidents",
        "pmkb.reports",
        "pmkb.cli.reports",
        "pmkb.cli.new",
        "pmkb.cli.init",
    }


def test_a_lazily_loaded_command_runs_and_shows_in_help() -> None:
    runner = CliRunner()
    help_text = runner.invoke(main, ["--help"]).output
    assert all(name in help_text for name in COMMAND_MODULES)
    result = runner.invoke(main, ["new", "--help"])
    assert result.exit_code == 0 and "postmortem" in result.output
    assert runner.invoke(main, ["no-such-command"]).exit_code == 2

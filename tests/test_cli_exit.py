"""The `pmkb` console script ends its process at once: the same output and exit codes
as the command itself, nothing lost when the output is piped or the reader stops early."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from pmkb.cli import main

from tests.kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, TODAY, write_kb


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the installed console script runs, under the script's name."""
    path = tmp_path_factory.mktemp("bin") / "pmkb"
    path.write_text("from pmkb.cli import run\n\nrun()\n", encoding="utf-8")
    return path


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def mkdocs_yml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kb(
        tmp_path_factory.mktemp("kb"),
        {
            "postmortems/pool.md": GOOD_POSTMORTEM,
            "postmortems/bad.md": "---\ntitle: [unclosed\n---\n## Summary\n",
            "runbooks/db-pool.md": GOOD_RUNBOOK,
        },
    )


def test_the_installed_script_is_the_one_that_ends_the_process_at_once() -> None:
    (script,) = [entry for entry in metadata.entry_points(group="console_scripts") if entry.name == "pmkb"]
    assert script.value == "pmkb.cli:run"


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("check", "--format", "json"),
        ("export",),
        ("check", "--no-such-option"),
        ("no-such-command",),
        ("--version",),
    ],
    ids=["findings", "json", "export", "bad-option", "bad-command", "version"],
)
def test_the_script_says_and_exits_as_the_command_does(script: Path, mkdocs_yml: Path, args: tuple[str, ...]) -> None:
    options = ("-f", str(mkdocs_yml), "--today", TODAY.isoformat())
    full = (*options, *args) if args[0] != "--version" else args
    ran = _run(script, *full)
    expected = CliRunner().invoke(main, list(full), prog_name="pmkb")
    assert ran.returncode == expected.exit_code
    assert ran.stdout == expected.stdout
    assert "Traceback" not in ran.stderr
    if expected.exit_code == 2:
        assert "Error:" in ran.stderr


@pytest.fixture(scope="module")
def long_export_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files: dict[str, str | bytes] = {f"postmortems/pool-{index:03}.md": GOOD_POSTMORTEM for index in range(60)}
    files["runbooks/db-pool.md"] = GOOD_RUNBOOK
    return write_kb(tmp_path_factory.mktemp("long"), files)


def test_a_long_output_reaches_a_pipe_whole(script: Path, long_export_kb: Path) -> None:
    ran = _run(script, "-f", str(long_export_kb), "--today", TODAY.isoformat(), "export")
    assert ran.returncode == 0, ran.stderr
    assert len(ran.stdout) > 65536  # more than a pipe holds at once
    assert len(json.loads(ran.stdout)["postmortems"]) == 60


def test_a_reader_that_stops_early_gets_no_traceback(script: Path, long_export_kb: Path) -> None:
    command = f"{sys.executable} {script} -f {long_export_kb} --today {TODAY.isoformat()} export | head -c 5"
    ran = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert ran.stdout == '{\n  "'
    assert "Traceback" not in ran.stderr
    assert "Exception ignored" not in ran.stderr


def test_the_script_runs_its_command_without_the_cyclic_collector(tmp_path: Path, mkdocs_yml: Path) -> None:
    probe = tmp_path / "pmkb"
    probe.write_text(
        "import gc, sys\n"
        "import pmkb.cli as cli\n"
        "command = cli.main\n"
        "def main():\n"
        "    print('collector running:', gc.isenabled(), file=sys.stderr)\n"
        "    command()\n"
        "cli.main = main\n"
        "cli.run()\n",
        encoding="utf-8",
    )
    done = _run(probe, "check", "-f", str(mkdocs_yml), "--today", TODAY.isoformat())
    assert "collector running: False" in done.stderr
    assert done.returncode == 1, "the findings still decide the exit status"

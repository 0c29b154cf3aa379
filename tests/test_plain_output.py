"""Values from files can't start a line or emit an escape sequence in any plain-text output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_kb import FILES, INJECTED_OWNER, TERMINAL_TITLE, assert_plain
from kb_helpers import write_kb
from pmkb.cli import main
from pmkb.plaintext import plain

COMMANDS = {
    "check text": ["check"],
    "check github": ["check", "--format", "github"],
    "check json": ["check", "--format", "json"],
    "export": ["export"],
    "stats": ["stats"],
    "brief": ["brief", "checkout-api"],
    "actions": ["actions"],
    "actions json": ["actions", "--format", "json"],
    "brief unknown service": ["brief", "checkout"],
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kb(tmp_path_factory.mktemp("hostile") / "kb", FILES)


@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.parametrize("color", [False, True])
def test_command_output_stays_plain(hostile: Path, name: str, color: bool):
    result = CliRunner().invoke(main, [*COMMANDS[name], "-f", str(hostile), "--today", "2026-11-23"], color=color)
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert_plain(result.stderr)
    if color and not name.endswith("json") and name != "export":
        # Colour codes are pmkb's own; with them removed nothing else may remain.
        import click

        assert_plain(click.unstyle(result.stdout), allow_annotations="github" in name)
    else:
        assert_plain(result.stdout, allow_annotations="github" in name)


def test_text_findings_show_the_escaped_values(hostile: Path):
    result = CliRunner().invoke(main, ["check", "-f", str(hostile), "--today", "2026-11-23"])
    lines = result.output.strip().split("\n")
    assert any("team-db\\n::error file=mkdocs.yml,line=1::INJECTED" in line for line in lines)
    assert any("`extra\\n::warning::X`" in line for line in lines)
    assert any(line.startswith("postmortems/evil\\n::error::name.md:") for line in lines)
    # Each finding is one line of the documented shape, then the summary.
    for line in lines[:-1]:
        assert " PMKB0" in line and line.split(":", 1)[0].startswith("postmortems/")


def test_json_keeps_the_real_values(hostile: Path):
    result = CliRunner().invoke(main, ["export", "-f", str(hostile), "--today", "2026-11-23"])
    data = json.loads(result.output)
    titles = [pm["title"] for pm in data["postmortems"]]
    owners = [item["owner"] for pm in data["postmortems"] for item in pm["action_items"]]
    assert TERMINAL_TITLE in titles and INJECTED_OWNER in owners


def test_brief_shows_the_title_escaped(hostile: Path):
    result = CliRunner().invoke(main, ["brief", "checkout-api", "-f", str(hostile), "--today", "2026-11-23"])
    assert "Checkout down \\x1b]0;PWNED\\x07 again" in result.output


def test_actions_table_shows_the_owner_escaped(hostile: Path):
    result = CliRunner().invoke(main, ["actions", "-f", str(hostile), "--today", "2026-11-23"])
    assert "team-db\\n::error" in result.output
    assert "\\x1b[2J" in result.output


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("tab\there", "tab\\there"),
        ("\x1b]0;PWNED\x07", "\\x1b]0;PWNED\\x07"),
        ("next\x85line", "next\\x85line"),
        ("sep\u2028arator", "sep\\u2028arator"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("数据库故障 — ok", "数据库故障 — ok"),
    ],
)
def test_plain(raw: str, shown: str):
    assert plain(raw) == shown

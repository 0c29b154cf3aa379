"""`pmkb stats`, `pmkb brief` and `pmkb actions` over the fixture of test_reports
(its docstring tabulates the postmortems; the figures are worked out there)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from kb_helpers import write_kb
from pmkb.cli import main, terminal
from test_reports import FILES, LONG_TITLE, P1, P2, P3, P4, P5, P6, P7, P8

ANSI = "\x1b["
TODAY = ("--today", "2026-11-23")


@pytest.fixture
def config(tmp_path: Path) -> str:
    return str(write_kb(tmp_path / "kb", FILES))


def run(config: str, *args: str, env: dict[str, str] | None = None, color: bool = False):
    return CliRunner().invoke(main, [*args, "-f", config, *TODAY], env=env or {}, catch_exceptions=False, color=color)


def assert_fits(output: str, width: int) -> None:
    too_wide = [line for line in output.splitlines() if len(line) > width]
    assert too_wide == []


def assert_whole(output: str) -> None:
    """Piped output is never cut: no ellipsis stands in for text."""
    assert "…" not in output


# stats -----------------------------------------------------------------------------------


def test_stats_text(config):
    result = run(config, "stats")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("8 postmortems (1 draft, 1 near-miss)\n")
    assert "By severity   SEV-1 2 · SEV-2 4 · SEV-3 2" in out
    assert "By category   database 3 · deploy 2 · capacity 2 · uncategorized 1" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("SEVERITY"))
    # The median leads: it comes before p90 and mean.
    assert header.split() == ["SEVERITY", "MEASURE", "N", "MEDIAN", "P90", "MEAN"]
    # SEV-1 resolve: median 810 min, p90 1362 min, mean 810 min.
    assert any(line.split() == "time to resolve 2 13 h 30 min 22 h 42 min 13 h 30 min".split() for line in lines)
    # SEV-2 resolve [45, 100.5, 200]: median 100.5 -> 1 h 41 min, p90 180.1 -> 3 h, mean 115.17 -> 1 h 55 min.
    assert any(line.split() == "time to resolve 3 1 h 41 min 3 h 1 h 55 min".split() for line in lines)
    assert "2024-07      0      0      0      0" in out  # an empty month is kept, without a bar
    assert "2024-05      2      1      0      1  ██" in out
    assert "checkout-api · database: 3 incidents, 2024-01-10 → 2024-05-10" in out
    assert f"    {P1}, {P2}, {P3}" in out
    assert "payments · deploy" not in out  # 91 days apart
    assert ANSI not in out
    assert_whole(out)


def test_stats_json_matches_reports(config):
    result = run(config, "stats", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["counts"]["severity"] == {"SEV-1": 2, "SEV-2": 4, "SEV-3": 2}
    assert data["durations"]["SEV-2"]["time_to_mitigate"] == {"count": 3, "median": 40, "p90": 56, "mean": 40}
    assert [month["total"] for month in data["per_month"]] == [1, 1, 1, 1, 2, 1, 0, 1]
    assert [item["incidents"] for item in data["recurring"]] == [[P1, P2, P3], [P7, P6]]


def test_stats_since(config):
    result = run(config, "stats", "--since", "2024-05-01", "--format", "json")
    data = json.loads(result.output)
    assert data["since"] == "2024-05-01" and data["counts"]["total"] == 4 and data["recurring"] == []
    text = run(config, "stats", "--since", "2024-05-01").output
    assert text.startswith("4 postmortems (1 draft) since 2024-05-01\n")
    assert "No recurring incidents." in text
    assert run(config, "stats", "--since", "2030-01-01").output == "No postmortems since 2030-01-01.\n"


@pytest.mark.parametrize("bad", ["2024-13-01", "yesterday", "2024/05/01"])
def test_invalid_since_exits_2(config, bad):
    result = run(config, "stats", "--since", bad)
    assert result.exit_code == 2
    assert "Invalid value for '--since'" in result.output
    assert "Traceback" not in result.output


def test_stats_empty_knowledge_base(tmp_path):
    config = str(write_kb(tmp_path / "empty", {"postmortems/.gitkeep": "", "runbooks/.gitkeep": ""}))
    result = run(config, "stats")
    assert (result.exit_code, result.output) == (0, "No postmortems yet.\n")
    assert json.loads(run(config, "stats", "--format", "json").output)["per_month"] == []


# brief -----------------------------------------------------------------------------------


def test_brief_text(config):
    result = run(config, "brief", "checkout-api")
    assert result.exit_code == 0, result.output
    out = result.output
    lines = out.splitlines()
    assert lines[:2] == [
        "Brief: checkout-api",
        "4 incidents · 4 lessons · 5 open action items (3 overdue) · 2 runbooks",
    ]
    # Sections in reading order, incidents newest first.
    headings = [
        "Incidents, newest first",
        "Lessons learned, newest first",
        "Open action items, overdue first",
        "Runbooks",
    ]
    assert [lines.index(heading) for heading in headings] == sorted(lines.index(heading) for heading in headings)
    urls = [line.strip() for line in lines if line.strip().startswith("/postmortems/")]
    assert urls == [f"/postmortems/{pm_id}/" for pm_id in (P8, P3, P2, P1)]
    assert "  2024-08-05  SEV-2  Config push broke checkout and payments [review]" in lines
    assert "                     Impact: 5% of payments failed for 100 minutes." in lines
    # Each incident's root cause (with its category) under its title.
    causes = [line.strip() for line in lines if line.strip().startswith("Root cause")]
    assert causes == [
        "Root cause: A connection pool limit was lowered by a config change.",
        *["Root cause (database): A connection pool limit was lowered by a config change."] * 3,
    ]
    # Piped, the long title is whole on one line.
    assert f"  2024-05-10  SEV-1  {LONG_TITLE}" in lines
    lessons = lines[lines.index("Lessons learned, newest first") + 1 : lines.index("Open action items, overdue first")]
    assert lessons[:2] == [f"  2024-08-05  /postmortems/{P8}/", "    • Config changes to pool sizes need a canary."]
    assert len([line for line in lessons if "•" in line]) == 4
    items = lines[lines.index("Open action items, overdue first") + 1 : lines.index("Runbooks")]
    assert items[0].split()[:6] == ["DUE", "STATUS", "PRI", "OWNER", "TITLE", "POSTMORTEM"]
    assert [line.split()[:2] for line in items[1:4]] == [
        ["2026-11-22", "overdue"],
        ["2026-10-01", "overdue"],
        ["2026-11-01", "overdue"],
    ]
    assert "Add pool saturation alert" not in out  # done
    runbooks = lines[lines.index("Runbooks") + 1 :]
    assert runbooks[:3] == [
        "  Checkout rollback · owner team-checkout · review overdue since 2025-06-30",
        "    /runbooks/checkout-rollback/",
        "    alerts: CheckoutErrorRate",
    ]
    assert "    alerts: DbPoolSaturated, DbConnectionsHigh" in runbooks
    assert_whole(out)


def test_brief_since_and_markers(config):
    out = run(config, "brief", "search", "--since", "2024-04-01").output
    assert "2 incidents since 2024-04-01 · 2 lessons · 0 open action items · 0 runbooks" in out
    assert "  2024-06-15  SEV-2  Search capacity (draft) [draft]" in out
    assert "  2024-04-01  SEV-3  Search index nearly full [near-miss]" in out
    assert "No open action items." in out
    assert "No runbooks for search." in out
    later = run(config, "brief", "search", "--since", "2024-07-01").output
    assert "No incidents touch search since 2024-07-01." in later


def test_brief_json(config):
    result = run(config, "brief", "payments", "--format", "json")
    data = json.loads(result.output)
    assert data["services"] == ["payments"]
    assert [incident["id"] for incident in data["incidents"]] == [P8, P5, P4]
    assert [item["title"] for item in data["action_items"]] == ["Review config diff tooling"]
    assert [runbook["id"] for runbook in data["runbooks"]] == ["checkout-rollback"]
    assert data["runbooks"][0]["stale"] is True
    assert {incident["root_cause"] for incident in data["incidents"]} == {
        "A connection pool limit was lowered by a config change."
    }
    assert [(lesson["postmortem_id"], lesson["text"]) for lesson in data["lessons"]] == [
        (pm_id, "Config changes to pool sizes need a canary.") for pm_id in (P8, P5, P4)
    ]
    assert data["lessons"][0]["postmortem_url"] == f"/postmortems/{P8}/"


def test_brief_unknown_service_exits_2_with_suggestion(config):
    result = run(config, "brief", "chekout-api")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "pmkb: unknown service 'chekout-api'; did you mean checkout-api?",
        "pmkb: known services: checkout-api, ledger, payments, search",
    ]
    nothing_close = run(config, "brief", "zzz", "--format", "json")
    assert nothing_close.exit_code == 2
    assert nothing_close.stderr.splitlines()[0] == "pmkb: unknown service 'zzz'"


def test_brief_needs_a_service(config):
    result = run(config, "brief")
    assert result.exit_code == 2
    assert "Missing argument 'SERVICE...'" in result.output


# actions ---------------------------------------------------------------------------------


def test_actions_text(config):
    result = run(config, "actions")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["DUE", "STATUS", "PRI", "OWNER", "TITLE", "POSTMORTEM"]
    titles = [
        "Automate failover",
        "Load test pool changes",
        "Review config diff",
        "Shard the orders table",
        "Document failover",
        "Add pool saturation alert",
        "Gate deploys on canary",
        "Alert on deploy error",
    ]
    assert [next(t for t in titles if t in line) for line in lines[1:9]] == titles
    assert lines[1].startswith("2026-11-22 overdue  open         P0   team-db")
    assert lines[-1] == "8 action items: 5 open, 3 overdue."
    assert_whole(result.output)


def test_actions_filters(config):
    out = run(config, "actions", "--owner", "TEAM-DB", "--status", "open").output
    assert [line.split()[0] for line in out.splitlines()[1:3]] == ["2026-11-22", "2026-11-23"]
    assert out.splitlines()[-1] == "2 action items: 2 open, 1 overdue."
    data = json.loads(run(config, "actions", "--overdue", "--format", "json").output)
    assert data["filters"] == {"status": None, "owner": None, "overdue": True}
    assert (data["count"], data["open"], data["overdue"]) == (3, 3, 3)
    assert [(item["postmortem_id"], item["index"]) for item in data["items"]] == [(P3, 0), (P2, 0), (P8, 0)]
    assert run(config, "actions", "--status", "done", "--owner", "nobody").output == (
        "No action items match (status done, owner nobody).\n"
    )


def test_actions_status_must_be_known(config):
    result = run(config, "actions", "--status", "closed")
    assert result.exit_code == 2
    assert "'closed' is not one of 'open', 'in-progress', 'done', 'wont-do'" in result.output


def test_fail_on_overdue_exit_codes(config):
    assert run(config, "actions", "--fail-on-overdue").exit_code == 1
    assert run(config, "actions", "--fail-on-overdue", "--format", "json").exit_code == 1
    # Only the listed items count: team-payments has nothing overdue.
    assert run(config, "actions", "--fail-on-overdue", "--owner", "team-payments").exit_code == 0
    assert run(config, "actions", "--fail-on-overdue", "--status", "done").exit_code == 0
    # Without the flag, overdue items are information, not failure.
    assert run(config, "actions", "--overdue").exit_code == 0
    # A day earlier the item due 2026-11-22 is due today, which is not overdue.
    earlier = CliRunner().invoke(
        main, ["actions", "--overdue", "--format", "json", "-f", config, "--today", "2026-11-22"]
    )
    assert [item["title"] for item in json.loads(earlier.output)["items"]] == [
        "Load test pool changes",
        "Review config diff tooling",
    ]


# colour and width ------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("stats",), ("brief", "checkout-api", "payments"), ("actions",)])
def test_no_ansi_when_piped_even_if_colour_allowed(config, args):
    # CliRunner's stdout is not a terminal; color=True stops click from stripping codes,
    # so any code in the output would be ours.
    result = run(config, *args, color=True)
    assert result.exit_code == 0
    assert ANSI not in result.output
    assert_whole(result.output)


def test_piped_output_ignores_columns_and_cuts_nothing(config):
    result = run(config, "actions", env={"COLUMNS": "40"})
    lines = result.output.splitlines()
    # One line per item, whole values: scripts and grep see each item on its line.
    assert len(lines) == 1 + 8 + 2
    assert any("Shard the orders table" in line and "Team-DB" in line for line in lines)
    assert_whole(result.output)


def test_columns_200_on_a_terminal_shows_whole_titles_and_owners(config, monkeypatch):
    piped_rows = run(config, "actions").output.splitlines()[1:9]
    monkeypatch.setattr(terminal, "_stdout_is_terminal", lambda: True)
    brief = run(config, "brief", "checkout-api", env={"COLUMNS": "200", "NO_COLOR": "1"}).output
    assert f"  2024-05-10  SEV-1  {LONG_TITLE}" in brief.splitlines()
    actions = run(config, "actions", env={"COLUMNS": "200", "NO_COLOR": "1"}).output
    rows = actions.splitlines()[1:9]
    assert all("…" not in line and len(line) <= 200 for line in rows)
    # Each item on one line: the table needed no wrapping at this width.
    assert rows == piped_rows
    assert_fits(brief + actions, 200)


@pytest.mark.parametrize("args", [("stats",), ("brief", "checkout-api", "payments"), ("actions",)])
def test_narrow_terminal_wraps_instead_of_cutting(config, args, monkeypatch):
    piped = run(config, *args).output
    monkeypatch.setattr(terminal, "_stdout_is_terminal", lambda: True)
    narrow = run(config, *args, env={"COLUMNS": "72", "NO_COLOR": "1"}).output
    assert_fits(narrow, 72)
    assert_whole(narrow)
    # Every character of the piped output is there: wrapped (table cells side by side), not lost.
    if args[0] == "stats":  # its bars scale with the width
        narrow, piped = narrow.replace("█", ""), piped.replace("█", "")
    assert sorted("".join(narrow.split())) == sorted("".join(piped.split()))


@pytest.mark.parametrize("args", [("stats",), ("brief", "checkout-api"), ("actions",)])
def test_colour_on_a_terminal_unless_no_color(config, args, monkeypatch):
    monkeypatch.setattr(terminal, "_stdout_is_terminal", lambda: True)
    coloured = run(config, *args, color=True)
    assert ANSI in coloured.output
    plain = run(config, *args, env={"NO_COLOR": "1"}, color=True).output
    assert ANSI not in plain
    # Styling never changes the layout: without its codes the text is the plain text.
    assert click.unstyle(coloured.output) == plain


def test_invalid_files_are_reported_as_left_out(tmp_path):
    files = dict(FILES)
    files["postmortems/broken.md"] = "---\ntitle: [unclosed\n---\n"
    config = str(write_kb(tmp_path / "kb", files))
    result = run(config, "stats", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["counts"]["total"] == 8
    assert "1 file with errors left out of these figures (run pmkb check): postmortems/broken.md" in result.stderr


def test_options_before_the_command_name(config):
    result = CliRunner().invoke(
        main, ["-f", config, "--today", "2026-11-23", "actions", "--overdue", "--format", "json"]
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["count"] == 3


def test_missing_config_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["stats", "-f", str(tmp_path / "nope.yml")])
    assert result.exit_code == 2
    assert "no such file" in result.output

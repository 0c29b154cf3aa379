"""`pmkb new postmortem --from`: drafts from generic, PagerDuty and Alertmanager incident data."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from click.testing import CliRunner, Result
from kb_helpers import write_kb
from pmkb.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "incidents"
TODAY = "2026-11-30"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", {})


def new_from(kb: Path, source: Path, *extra: str) -> tuple[Result, Path | None]:
    result = run("new", "postmortem", "--from", str(source), *extra, "-f", str(kb), "--today", TODAY)
    lines = result.stdout.strip().splitlines()
    path = Path(lines[-1]) if result.exit_code == 0 and lines else None
    if path is not None and not path.is_absolute():
        path = Path.cwd() / path
    return result, path


def front_matter(text: str) -> dict[str, Any]:
    block = text.split("---\n")[1]
    data = yaml.safe_load(block)
    assert isinstance(data, dict)
    return data


def timeline_rows(text: str) -> list[tuple[str, str]]:
    """The Timeline table as rendered HTML cells, so escaping is checked as a reader sees it."""
    section = text.split("## Timeline", 1)[1].split("\n## ", 1)[0]
    html = markdown.markdown(section, extensions=["tables"])
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", html, re.S)
    assert html.count("<tr>") == len(rows) + 1, html  # header + every row has exactly two cells
    return [(time, re.sub(r"<br\s*/?>", "\n", cell).replace("&lt;", "<").replace("&amp;", "&")) for time, cell in rows]


def utc(value: str) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def instant(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(UTC)


def check_passes(kb: Path) -> None:
    result = run("check", "-f", str(kb), "--format", "json", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert [item for item in json.loads(result.stdout) if item["level"] == "error"] == []


# The three sample formats ------------------------------------------------------------


def test_generic_sample_matches_its_input(kb: Path) -> None:
    source = EXAMPLES / "generic.json"
    data = json.loads(source.read_text())
    result, path = new_from(kb, source)
    assert result.exit_code == 0, result.output
    assert (
        path is not None and path.name == "2026-10-06-basket-totals-missing-the-delivery-fee-after-a-pricing-rules.md"
    )
    text = path.read_text()
    meta = front_matter(text)
    assert meta["status"] == "draft" and meta["title"] == data["title"] and meta["severity"] == "SEV-2"
    assert meta["services"] == data["services"] and meta["tags"] == data["tags"]
    for name in ("started_at", "detected_at", "mitigated_at", "resolved_at"):
        assert instant(meta[name]) == instant(data[name]), name
    expected = sorted((utc(event["time"]), event["text"]) for event in data["events"])
    rows = timeline_rows(text)
    assert [row[0] for row in rows] == [row[0] for row in expected]
    assert rows == expected
    assert data["impact"] in text and "Incident record: <https://status.fernhill.example/" in text
    check_passes(kb)


def test_pagerduty_sample_matches_its_input(kb: Path) -> None:
    source = EXAMPLES / "pagerduty.json"
    data = json.loads(source.read_text())
    result, path = new_from(kb, source)
    assert result.exit_code == 0, result.output
    assert "as pagerduty" in result.stderr
    assert path is not None
    text = path.read_text()
    meta = front_matter(text)
    incident = data["incident"]
    entries = {entry["type"]: entry for entry in data["log_entries"]}
    assert meta["title"] == incident["title"] and meta["status"] == "draft"
    assert meta["severity"] == "SEV-2"  # priority P2
    assert meta["services"] == ["payments-api"]  # "Payments API", slugified
    assert instant(meta["started_at"]) == instant(entries["trigger_log_entry"]["created_at"])
    assert instant(meta["detected_at"]) == instant(entries["trigger_log_entry"]["created_at"])
    assert instant(meta["resolved_at"]) == instant(entries["resolve_log_entry"]["created_at"])
    assert "mitigated_at" not in meta
    rows = timeline_rows(text)
    kept = [entry for entry in data["log_entries"] if entry["type"] != "notify_log_entry"]
    assert [time for time, _ in rows] == sorted(utc(entry["created_at"]) for entry in kept)
    texts = [event for _, event in rows]
    assert texts[0] == "Triggered through the API: card-gateway 5xx rate above 20% for 3 minutes"
    assert texts[1] == "Acknowledged by Tomasz Nowak."
    assert (
        texts[2]
        == "Note from Tomasz Nowak: "
        + [e for e in kept if e["created_at"].endswith("18:51:37Z")][0]["channel"]["summary"]
    )
    assert texts[3].startswith("Escalated to Level 2") and texts[-1] == "Resolved by Tomasz Nowak."
    assert "\n" in texts[4]  # the note's line break survives as <br>, inside its cell
    assert not any("Notified" in event for event in texts)
    check_passes(kb)


def test_alertmanager_sample_matches_its_input(kb: Path) -> None:
    source = EXAMPLES / "alertmanager.json"
    payloads = json.loads(source.read_text())
    result, path = new_from(kb, source)
    assert result.exit_code == 0, result.output
    assert path is not None and path.name.startswith("2026-09-21-delivery-slot-api-p99-latency")
    text = path.read_text()
    meta = front_matter(text)
    resolved_alerts = payloads[-1]["alerts"]
    assert meta["title"] == payloads[-1]["commonAnnotations"]["summary"]
    assert meta["severity"] == "SEV-1"  # severity: critical
    assert meta["services"] == ["delivery-slots"]
    assert instant(meta["started_at"]) == min(instant(alert["startsAt"]) for alert in resolved_alerts)
    assert instant(meta["resolved_at"]) == max(instant(alert["endsAt"]) for alert in resolved_alerts)
    expected = sorted(
        [(utc(a["startsAt"]), f"DeliverySlotsLatencyHigh on {a['labels']['instance']} firing") for a in resolved_alerts]
        + [
            (utc(a["endsAt"]), f"DeliverySlotsLatencyHigh on {a['labels']['instance']} resolved")
            for a in resolved_alerts
        ]
    )
    assert timeline_rows(text) == expected
    check_passes(kb)


def test_firing_alerts_leave_the_draft_unresolved(kb: Path, tmp_path: Path) -> None:
    firing = json.loads((EXAMPLES / "alertmanager.json").read_text())[0]
    source = tmp_path / "firing.json"
    source.write_text(json.dumps(firing))
    result, path = new_from(kb, source)
    assert result.exit_code == 0, result.output
    assert path is not None
    meta = front_matter(path.read_text())
    assert "resolved_at" not in meta
    assert [event for _, event in timeline_rows(path.read_text())][-1].endswith("firing")
    check_passes(kb)


# PagerDuty specifics -------------------------------------------------------------------


def test_pagerduty_incident_and_log_entries_in_two_files(kb: Path, tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "pagerduty.json").read_text())
    incident_file, entries_file = tmp_path / "incident.json", tmp_path / "log_entries.json"
    incident_file.write_text(json.dumps({"incident": data["incident"]}))
    entries_file.write_text(json.dumps({"log_entries": data["log_entries"], "limit": 25, "more": False}))
    result, path = new_from(kb, incident_file, "--log-entries", str(entries_file), "--format", "pagerduty")
    assert result.exit_code == 0, result.output
    assert path is not None
    assert len(timeline_rows(path.read_text())) == 6
    path.unlink()
    result, path = new_from(kb, incident_file)
    assert result.exit_code == 0, result.output
    assert path is not None
    rows = timeline_rows(path.read_text())
    # Without log entries: the trigger (created_at) and the resolution (last status change).
    assert rows == [("2026-11-03 18:42:10", "Incident triggered"), ("2026-11-03 19:31:44", "Incident resolved")]


@pytest.mark.parametrize(
    ("priority", "urgency", "expected"),
    [
        ("P1", "high", "SEV-1"),
        ("P2", "low", "SEV-2"),
        ("P4", "high", "SEV-3"),
        (None, "high", "SEV-2"),
        (None, "low", "SEV-3"),
    ],
)
def test_pagerduty_priority_and_urgency_map_to_severity(
    kb: Path, tmp_path: Path, priority: str | None, urgency: str, expected: str
) -> None:
    data = json.loads((EXAMPLES / "pagerduty.json").read_text())
    data["incident"]["priority"] = {"type": "priority", "summary": priority, "name": priority} if priority else None
    data["incident"]["urgency"] = urgency
    source = tmp_path / "pd.json"
    source.write_text(json.dumps(data))
    result, path = new_from(kb, source)
    assert result.exit_code == 0, result.output
    assert path is not None and front_matter(path.read_text())["severity"] == expected


def test_options_override_the_data(kb: Path) -> None:
    result, path = new_from(
        kb, EXAMPLES / "pagerduty.json", "--severity", "SEV-1", "--service", "card-gateway", "--service", "checkout-api"
    )
    assert result.exit_code == 0, result.output
    assert path is not None
    meta = front_matter(path.read_text())
    assert meta["severity"] == "SEV-1" and meta["services"] == ["card-gateway", "checkout-api"]
    result = run("new", "postmortem", "Card auth failures", "--from", str(EXAMPLES / "generic.json"), "-f", str(kb))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("2026-10-06-card-auth-failures.md")


def test_explicit_format_equals_detected(kb: Path, tmp_path: Path) -> None:
    for name in ("generic", "pagerduty", "alertmanager"):
        detected, path = new_from(kb, EXAMPLES / f"{name}.json")
        assert detected.exit_code == 0 and path is not None
        text = path.read_text()
        path.unlink()
        named, again = new_from(kb, EXAMPLES / f"{name}.json", "--format", name)
        assert named.exit_code == 0 and again == path and again.read_text() == text
        again.unlink()


# Escaping ----------------------------------------------------------------------------


def test_pipes_newlines_html_and_markdown_in_event_text_stay_text(kb: Path, tmp_path: Path) -> None:
    texts = [
        "a | b || c",
        "first line\nsecond line\r\nthird",
        "<script>alert(1)</script> & <b>bold</b>",
        "**not bold** _not em_ [not](a link) `not code` # not a heading",
        "back\\slash \\| escaped pipe",
    ]
    data = {
        "title": "Escaping",
        "events": [{"time": f"2026-01-01T10:0{n}:00Z", "text": text} for n, text in enumerate(texts)],
    }
    source = tmp_path / "escaping.json"
    source.write_text(json.dumps(data))
    result, path = new_from(kb, source)
    assert result.exit_code == 0, result.output
    assert path is not None
    text = path.read_text()
    section = text.split("## Timeline", 1)[1].split("\n## ", 1)[0]
    html = markdown.markdown(section, extensions=["tables"])
    assert "<script>" not in html and "<b>" not in html and "<strong>" not in html and "<em>" not in html
    assert "<code>" not in html and "<a " not in html
    rows = timeline_rows(text)
    assert [row[1].replace("&gt;", ">") for row in rows] == [
        "a | b || c",
        "first line\nsecond line\nthird",
        "<script>alert(1)</script> & <b>bold</b>",
        "**not bold** _not em_ [not](a link) `not code` # not a heading",
        "back\\slash \\| escaped pipe",
    ]
    check_passes(kb)


# Never overwrite, bad input ----------------------------------------------------------


def test_never_overwrites(kb: Path) -> None:
    result, path = new_from(kb, EXAMPLES / "generic.json")
    assert result.exit_code == 0 and path is not None
    path.write_text(path.read_text() + "\nmy notes\n")
    again = run("new", "postmortem", "--from", str(EXAMPLES / "generic.json"), "-f", str(kb))
    assert again.exit_code != 0 and "already exists" in again.output
    assert path.read_text().endswith("my notes\n")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", r"bad\.json: line 1 column 2: not JSON"),
        ('["a list"]', r"bad\.json: cannot tell the format"),
        (
            '{"title": "T", "events": [{"time": "2026-01-01T10:00:00", "text": "x"}]}',
            r"bad\.json: \$\.events\[0\]\.time: .*no timezone",
        ),
        ('{"severity": "SEV-1", "started_at": "2026-01-01T10:00:00Z"}', r"bad\.json: \$\.title: missing"),
        (
            '{"title": "T", "started_at": "2026-01-01T10:00:00Z", "severity": "SEV-9"}',
            r"bad\.json: \$\.severity: severity 'SEV-9' is not one of SEV-1, SEV-2, SEV-3",
        ),
        ('{"title": "T", "events": []}', r"bad\.json: \$: give started_at"),
        (
            '{"title": "T", "started_at": "2026-01-01T10:00:00Z", "resolved_at": "2026-01-01T09:00:00Z"}',
            r"resolved_at .* is before started_at",
        ),
        ('{"title": "T", "started_at": "2026-01-01T10:00:00Z", "owner": "x"}', r"\$\.owner: unknown field"),
        ('{"incident": {"created_at": "2026-01-01T10:00:00Z"}}', r"bad\.json: \$\.incident\.title: missing"),
        (
            '{"incident": {"title": "T"}, "log_entries": [{"type": "trigger_log_entry"}]}',
            r"\$\.log_entries\[0\]\.created_at: missing",
        ),
        (
            '{"incident": {"title": "T"}, "log_entries": {"x": 1}}',
            r"\$\.log_entries: expected an array, found an object",
        ),
        ('{"receiver": "r", "alerts": [{"labels": {"alertname": "A"}}]}', r"\$\.alerts\[0\]\.startsAt: missing"),
    ],
)
def test_bad_input_names_file_and_json_path_and_exits_2(kb: Path, tmp_path: Path, content: str, expected: str) -> None:
    source = tmp_path / "bad.json"
    source.write_text(content)
    result, path = new_from(kb, source)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert re.search(expected, result.stderr), result.stderr
    assert "Traceback" not in result.output
    assert not list((kb.parent / "postmortems").rglob("*.md"))


def test_wrong_explicit_format_and_usage_errors(kb: Path, tmp_path: Path) -> None:
    result, _ = new_from(kb, EXAMPLES / "generic.json", "--format", "pagerduty")
    assert result.exit_code == 2 and "$.incident: missing" in result.stderr
    result, _ = new_from(kb, EXAMPLES / "alertmanager.json", "--log-entries", str(EXAMPLES / "pagerduty.json"))
    assert result.exit_code == 2 and "--log-entries belongs to the pagerduty format" in result.stderr
    result, _ = new_from(kb, EXAMPLES / "generic.json", "--date", "2026-01-01")
    assert result.exit_code == 2 and "--date" in result.output
    result = run("new", "postmortem", "--format", "generic", "-f", str(kb))
    assert result.exit_code == 2 and "--from" in result.output
    result = run("new", "postmortem", "-f", str(kb))
    assert result.exit_code == 2 and "TITLE" in result.output
    result, _ = new_from(kb, tmp_path / "missing.json")
    assert result.exit_code == 2 and "missing.json" in result.output
    binary = tmp_path / "binary.json"
    binary.write_bytes(b'{"title": "\xff"}')
    result, _ = new_from(kb, binary)
    assert result.exit_code == 2 and "binary.json: line 1: not UTF-8" in result.stderr


# The schema ----------------------------------------------------------------------------


def test_schema_incident_describes_the_generic_format(tmp_path: Path) -> None:
    result = run("schema", "incident")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["required"] == ["title"]
    for name in (
        "title",
        "severity",
        "services",
        "impact",
        "summary",
        "started_at",
        "detected_at",
        "mitigated_at",
        "resolved_at",
        "events",
    ):
        assert name in schema["properties"], name
    event = schema["$defs"]["IncidentEvent"]
    assert set(event["required"]) == {"time", "text"}
    # The sample validates against the schema's own field list (no unknown keys).
    sample = json.loads((EXAMPLES / "generic.json").read_text())
    assert set(sample) <= set(schema["properties"])
    for kind in ("postmortem", "runbook"):
        assert run("schema", kind).exit_code == 0


def test_without_events_the_lifecycle_timestamps_are_the_timeline(kb: Path, tmp_path: Path) -> None:
    source = tmp_path / "lifecycle.json"
    source.write_text(
        json.dumps(
            {
                "title": "Search outage",
                "started_at": "2026-02-01T10:00:00+01:00",
                "resolved_at": "2026-02-01T10:40:00Z",
                "detected_at": "2026-02-01T09:05:00Z",
            }
        )
    )
    result, path = new_from(kb, source)
    assert result.exit_code == 0, result.output
    assert path is not None
    assert timeline_rows(path.read_text()) == [
        ("2026-02-01 09:00:00", "Impact starts"),
        ("2026-02-01 09:05:00", "Detected"),
        ("2026-02-01 10:40:00", "Resolved"),
    ]
    check_passes(kb)

"""`pmkb new`: predictable paths, every section, safe slugs, never overwrite, passes check."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from kb_helpers import write_kb
from pmkb.cli import main
from pmkb.loader import normalise_heading
from pmkb.model import ID_PATTERN
from pmkb.scaffold import slugify_title


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", {})


def test_new_postmortem_path_front_matter_and_sections(kb: Path):
    result = run(
        "new",
        "postmortem",
        "Checkout: 502s after deploy",
        "--severity",
        "SEV-1",
        "--service",
        "checkout-api",
        "--service",
        "payments",
        "--date",
        "2024-03-05",
        "-f",
        str(kb),
    )
    assert result.exit_code == 0, result.output
    path = kb.parent / "postmortems/2024/2024-03-05-checkout-502s-after-deploy.md"
    assert result.output.strip().endswith("postmortems/2024/2024-03-05-checkout-502s-after-deploy.md")
    text = path.read_text()
    assert 'title: "Checkout: 502s after deploy"' in text
    assert 'severity: "SEV-1"' in text and "status: draft" in text
    assert 'services: ["checkout-api", "payments"]' in text
    headings = [normalise_heading(line[3:]) for line in text.splitlines() if line.startswith("## ")]
    for section in [
        "summary",
        "impact",
        "timeline",
        "root cause",
        "lessons learned",
        "contributing factors",
        "what went well",
        "what went poorly",
        "detection",
        "resolution",
    ]:
        assert section in headings
    assert "| Time (UTC) | Event |" in text


def test_new_draft_postmortem_passes_check_and_new_runbook_asks_to_be_written(kb: Path):
    assert (
        run(
            "new", "postmortem", "Search latency spike", "--severity", "SEV-1", "-f", str(kb), "--today", "2026-11-23"
        ).exit_code
        == 0
    )
    assert (
        run(
            "new", "runbook", "Search index rebuild", "--service", "search", "-f", str(kb), "--today", "2026-11-23"
        ).exit_code
        == 0
    )
    result = run("check", "-f", str(kb), "--format", "json", "--today", "2026-11-23")
    findings = json.loads(result.stdout)
    # A draft may be hollow; a runbook has no draft state, so its empty sections are errors
    # (PMKB015) until written, and nothing else is wrong with either file.
    errors = [(item["path"], item["code"]) for item in findings if item["level"] == "error"]
    assert errors == [("runbooks/search-index-rebuild.md", "PMKB015")] * 4
    assert (kb.parent / "postmortems/2026/2026-11-23-search-latency-spike.md").exists()
    runbook = kb.parent / "runbooks/search-index-rebuild.md"
    text = runbook.read_text()
    for heading in ("Symptoms", "Diagnosis", "Mitigation", "Escalation"):
        text = text.replace(f"## {heading}\n", f"## {heading}\n\nWritten for {heading.lower()}.\n")
    runbook.write_text(text)
    result = run("check", "-f", str(kb), "--format", "json", "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert all(item["level"] == "warning" for item in json.loads(result.stdout))


def test_never_overwrites(kb: Path):
    args = ("new", "runbook", "Kafka lag", "-f", str(kb))
    assert run(*args).exit_code == 0
    path = kb.parent / "runbooks/kafka-lag.md"
    path.write_text("edited by hand")
    result = run(*args)
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert path.read_text() == "edited by hand"


def test_unsafe_titles_give_safe_slugs(kb: Path):
    result = run("new", "runbook", "../../etc/passwd <script>", "-f", str(kb))
    assert result.exit_code == 0
    assert (kb.parent / "runbooks/etc-passwd-script.md").exists()
    assert run("new", "runbook", "🔥🔥", "-f", str(kb)).exit_code == 0
    assert (kb.parent / "runbooks/fire-fire.md").exists()


@settings(max_examples=200, deadline=None)  # transliteration tables load on first use
@given(st.text())
def test_slug_is_always_a_valid_id(title: str):
    slug = slugify_title(title, date(2024, 3, 5))
    assert ID_PATTERN.match(slug)
    assert "/" not in slug and ".." not in slug and len(slug) <= 60


def test_bad_options_exit_2(kb: Path):
    assert run("new", "postmortem", "x", "--severity", "SEV-9", "-f", str(kb)).exit_code == 2
    assert run("new", "postmortem", "x", "--date", "05/03/2024", "-f", str(kb)).exit_code == 2
    assert run("new", "postmortem", "   ", "-f", str(kb)).exit_code == 2


def test_repository_can_override_templates(kb: Path):
    scaffolds = kb.parent / ".pmkb/scaffolds"
    scaffolds.mkdir(parents=True)
    (scaffolds / "runbook.md.j2").write_text("---\ntitle: {{ title | yaml }}\n---\n# Our own layout\n")
    assert run("new", "runbook", "Custom", "-f", str(kb)).exit_code == 0
    assert (kb.parent / "runbooks/custom.md").read_text() == '---\ntitle: "Custom"\n---\n# Our own layout\n'


def test_title_with_yaml_specials_round_trips(kb: Path):
    title = "Cache: 'quotes' \"double\" # not a comment & <b>"
    assert run("new", "postmortem", title, "--date", "2025-01-02", "-f", str(kb)).exit_code == 0
    result = run("export", "-f", str(kb))
    assert json.loads(result.output)["postmortems"][0]["title"] == title


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("数据库故障", "2024-03-05-shu-ju-ku-gu-zhang.md"),
        ("Ошибка базы данных", "2024-03-05-oshibka-bazy-dannykh.md"),
        ("Café à Zürich", "2024-03-05-cafe-a-zurich.md"),
    ],
)
def test_non_latin_titles_are_transliterated(kb: Path, title: str, name: str):
    result = run("new", "postmortem", title, "--date", "2024-03-05", "-f", str(kb))
    assert result.exit_code == 0, result.output
    assert (kb.parent / "postmortems/2024" / name).exists()


def test_punctuation_titles_get_the_date_and_a_hash_never_a_shared_name(kb: Path):
    first = run("new", "postmortem", "!!!", "--date", "2024-03-05", "-f", str(kb))
    second = run("new", "postmortem", "???", "--date", "2024-03-05", "-f", str(kb))
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    names = sorted(path.name for path in (kb.parent / "postmortems/2024").glob("2024-03-05-*.md"))
    assert len(names) == 2
    for path_name in names:
        assert re.fullmatch(r"2024-03-05-[0-9a-f]{8}\.md", path_name), path_name
    runbook = run("new", "runbook", "???", "-f", str(kb), "--today", "2026-11-23")
    assert runbook.exit_code == 0
    assert any(re.fullmatch(r"2026-11-23-[0-9a-f]{8}\.md", p.name) for p in (kb.parent / "runbooks").iterdir())
    assert run("check", "-f", str(kb), "--today", "2026-11-23").exit_code in (0, 1)


def test_date_outside_the_years_is_refused(kb: Path):
    result = run("new", "postmortem", "Old", "--date", "0001-01-01", "-f", str(kb))
    assert result.exit_code == 2 and "1970..2100" in result.output
    assert not list((kb.parent / "postmortems").rglob("0001-*"))


def test_file_in_the_way_of_the_year_folder_is_a_clear_error(kb: Path):
    (kb.parent / "postmortems").mkdir(exist_ok=True)
    (kb.parent / "postmortems/2024").write_text("in the way\n")
    result = run("new", "postmortem", "Down", "--date", "2024-03-05", "-f", str(kb))
    assert result.exit_code == 1 and "cannot create the folder" in result.output
    assert "Traceback" not in result.output

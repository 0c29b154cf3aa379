"""The loader: encodings, line endings, front matter lines and section headings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pmkb.loader import load_source, normalise_heading


def load(tmp_path: Path, content: str | bytes):
    path = tmp_path / "postmortems" / "x.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return load_source(path, tmp_path, "postmortem")


FRONT = "---\ntitle: T\nservices:\n  - a\n  - b\naction_items:\n  - title: x\n    owner: y\n---\n"


def test_lines_of_keys_and_list_items(tmp_path: Path):
    source = load(tmp_path, FRONT + "## Summary\n")
    assert source.lines[("title",)] == 2
    assert source.lines[("services", 1)] == 5
    assert source.lines[("action_items", 0)] == 7
    assert source.lines[("action_items", 0, "owner")] == 8
    assert source.line_of(("action_items", 0, "due")) == 7
    assert source.line_of(("nothing",)) == 1
    assert [(h.key, h.line) for h in source.headings] == [("summary", 10)]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: ("\ufeff" + text).encode("utf-8"),
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"),
        lambda text: text.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["bom", "crlf", "bom-crlf", "cr"],
)
def test_bom_and_line_endings_keep_lines(tmp_path: Path, encode):
    source = load(tmp_path, encode(FRONT + "\nIntro\n\n## Root Cause\n"))
    assert source.findings == []
    assert source.data is not None and source.data["title"] == "T"
    assert source.lines[("services", 1)] == 5
    assert [(h.key, h.line) for h in source.headings] == [("root cause", 13)]


def test_setext_and_atx_variants(tmp_path: Path):
    body = (
        "Summary\n-------\n\n## 1. Impact ##\n\n##   3)  Timeline (UTC):  \n\n"
        "```\n## Not A Section\n```\n\n    ## indented code\n\n### Deeper\n\n# Top\n\n"
        "<!--\n## Commented\n-->\n\n## **Root** `Cause`\n"
    )
    source = load(tmp_path, FRONT + body)
    assert [h.key for h in source.headings] == ["summary", "impact", "timeline (utc)", "root cause"]


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Root Cause", "root cause"),
        ("  ROOT CAUSE:  ", "root cause"),
        ("1. Summary", "summary"),
        ("10. Lessons Learned:", "lessons learned"),
        ("3) Timeline", "timeline"),
        ("What  Went\tWell", "what went well"),
    ],
)
def test_normalise_heading(heading: str, key: str):
    assert normalise_heading(heading) == key


def test_not_utf8_reports_line_of_first_bad_byte(tmp_path: Path):
    source = load(tmp_path, b"---\ntitle: ok\n---\n\nline five \xe9t\xe9\n")
    assert [(f.code, f.line) for f in source.findings] == [("PMKB001", 5)]


def test_front_matter_must_open_on_first_line(tmp_path: Path):
    source = load(tmp_path, "\n---\ntitle: x\n---\n")
    assert [(f.code, f.line) for f in source.findings] == [("PMKB002", 1)]


def test_empty_front_matter(tmp_path: Path):
    source = load(tmp_path, "---\n---\n## Summary\n")
    assert [f.code for f in source.findings] == ["PMKB002"]


def test_yaml_tags_are_not_executed(tmp_path: Path):
    source = load(tmp_path, "---\ntitle: !!python/object/apply:os.system ['true']\n---\n")
    assert [f.code for f in source.findings] == ["PMKB002"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: ("---\n" + t).encode("utf-8")))
def test_loader_never_raises(tmp_path: Path, content: bytes):
    source = load(tmp_path, content)
    assert all(f.line >= 1 for f in source.findings)
    assert (source.data is None) == bool(source.findings) or source.data is not None

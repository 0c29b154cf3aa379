"""PMKB016 unknown-link: which links count as links by id, and the line each is reported at."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from kb_helpers import (
    GOOD_POSTMORTEM,
    GOOD_RUNBOOK,
    SECTIONS,
    codes,
    only,
    postmortem,
    write_kb,
)
from pmkb.cli import main
from pmkb.rules.id_links import IdLink, find_id_links

PM = "postmortems/2024/2024-03-05-checkout.md"
RB = "runbooks/db-pool.md"
FRONT = GOOD_POSTMORTEM.split("\n---\n", 1)[0] + "\n---\n"


def with_body(body: str) -> dict[str, str | bytes]:
    return {PM: FRONT + body + SECTIONS, RB: GOOD_RUNBOOK}


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def ids(body: str) -> list[tuple[str, int, str | None]]:
    return [(link.id, link.line, link.kind) for link in find_id_links(body)]


def test_reference_forms_and_explicit_schemes_are_found_with_their_lines():
    body = (
        "Intro.\n\nSee [the pool runbook][db-pool] and\n[db-pool][], then [a *bold* one](runbook:db-pool#mitigation).\n"
    )
    assert ids(body) == [
        ("db-pool", 3, None),
        ("db-pool", 4, None),
        ("db-pool", 4, "runbook"),
    ]


def test_text_that_is_not_an_id_reference_is_ignored():
    body = (
        "- [x] a task box, a [shortcut] reference and a footnote[^1]\n"
        "- [Capitals][Not-An-Id], [spaces][two words], an image ![graph][graph-1]\n"
        "- [defined][pool-doc] has a definition, even inside a paragraph\n"
        "[pool-doc]: https://example.com/pool\n"
        "- [an inline link](https://example.com/x) and [a relative one](../x.md)\n"
    )
    assert ids(body) == []


def test_code_spans_fences_indented_code_and_html_are_ignored():
    body = (
        "Inline `[text][db-pool]` code.\n\n"
        "```\n[text][db-pool]\n```\n\n"
        "~~~markdown\n[db-pool][]\n~~~\n\n"
        "    [text][db-pool]\n\n"
        "<div>\n[text][db-pool]\n</div>\n"
    )
    assert ids(body) == []


def test_admonition_details_and_tab_content_is_read_but_its_code_is_not():
    body = (
        '!!! tip "Before you page"\n\n'
        "    Follow [the runbook][db-pool].\n\n"
        "    ```\n    [not][code-link]\n    ```\n\n"
        "??? note\n"
        '    === "Tab"\n\n'
        "        Nested: [db-pool][]\n\n"
        "After: [x][after]\n"
    )
    assert ids(body) == [
        ("db-pool", 3, None),
        ("db-pool", 12, None),
        ("after", 14, None),
    ]


def test_a_reference_resolves_to_a_postmortem_before_a_runbook():
    both = {"same"}
    assert IdLink("same", 1, None, "same").resolve(both, both) == "postmortem"
    assert IdLink("same", 1, "runbook", "").resolve(both, both) == "runbook"
    assert IdLink("same", 1, None, "same").resolve(set(), both) == "runbook"
    assert IdLink("same", 1, None, "same").resolve(set(), set()) is None


def test_links_to_existing_documents_are_no_finding(kb_factory):
    body = "See [the runbook][db-pool], [this very postmortem][2024-03-05-checkout] and [db](runbook:db-pool).\n"
    kb = kb_factory(with_body(body))
    assert only(kb.findings, "PMKB016") == []


def test_dangling_id_is_an_error_at_its_line_with_a_suggestion(kb_factory):
    files = with_body("Intro.\n\nThe [pool runbook][db-pol] helped.\n")
    kb = kb_factory(files)
    (item,) = only(kb.findings, "PMKB016")
    assert codes([item]) == [("PMKB016", PM, line_of(str(files[PM]), "[db-pol]"))]
    assert item.level == "error"
    assert "'db-pol'" in item.message and "did you mean 'db-pool'?" in item.message


def test_explicit_scheme_names_one_kind(kb_factory):
    files = with_body("Not a postmortem: [pool](postmortem:db-pool).\n")
    kb = kb_factory(files)
    (item,) = only(kb.findings, "PMKB016")
    assert item.line == line_of(str(files[PM]), "(postmortem:db-pool)")
    assert "no postmortem has the id 'db-pool'" in item.message


def test_dangling_links_in_code_are_no_finding(kb_factory):
    kb = kb_factory(with_body("Write `[text][some-id]` to link.\n\n```\n[text][other-id]\n```\n"))
    assert only(kb.findings, "PMKB016") == []


def test_drafts_runbooks_and_invalid_documents_are_checked_too(kb_factory):
    draft = postmortem(
        """
        title: Draft
        severity: SEV-3
        status: draft
        started_at: 2024-05-01T10:00:00Z
        services: [checkout-api]
        """,
        "See [x][nowhere-1].\n",
    )
    runbook = GOOD_RUNBOOK.replace("Check the pool metrics.", "Then [x][nowhere-2].")
    broken = "---\ntitle: [unclosed\n---\nSee [x][nowhere-3].\n"
    kb = kb_factory(
        {
            PM: GOOD_POSTMORTEM,
            "postmortems/draft.md": draft,
            RB: runbook,
            "postmortems/broken.md": broken,
        }
    )
    assert sorted((f.path, f.message.split("'")[1]) for f in only(kb.findings, "PMKB016")) == [
        ("postmortems/broken.md", "nowhere-3"),
        ("postmortems/draft.md", "nowhere-1"),
        ("runbooks/db-pool.md", "nowhere-2"),
    ]


def test_a_file_that_fails_to_parse_still_owns_its_id(kb_factory):
    files = with_body("See [the broken one][broken].\n")
    files["postmortems/broken.md"] = "no front matter\n"
    kb = kb_factory(files)
    assert only(kb.findings, "PMKB016") == []


def test_rule_can_be_switched_off_by_name(kb_factory):
    yml = "site_name: T\ntheme: {name: material}\nplugins:\n  - pmkb:\n      rules: {unknown-link: off}\n"
    kb = kb_factory(with_body("[x][nowhere]\n"), yml)
    assert only(kb.findings, "PMKB016") == []


def test_pmkb_check_reports_it(tmp_path: Path):
    files = with_body("The [pool runbook][db-pol] helped.\n")
    config = write_kb(tmp_path / "kb", files)
    result = CliRunner().invoke(
        main,
        ["-f", str(config), "check", "--format", "github"],
        env={"PMKB_TODAY": "2026-11-23"},
    )
    line = line_of(str(files[PM]), "[db-pol]")
    assert result.exit_code == 1
    assert f"::error file={PM},line={line},title=PMKB016::link to unknown id" in result.output

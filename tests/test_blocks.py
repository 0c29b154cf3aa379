"""The line scanner finds the same headings and code blocks as markdown-it."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pmkb.blocks import parse, scan

REPO = Path(__file__).resolve().parents[1]

# Lines of the shapes that decide block structure, including the awkward ones.
LINES = [
    "",
    " ",
    "text",
    "more text",
    "  indented text",
    "## Summary",
    "## Root Cause ##",
    "##",
    "## #",
    "# Title",
    "### Detail",
    "####### seven",
    "   ## three spaces",
    "    ## four spaces",
    "\t## tab",
    "##\tTabbed",
    "## Timeline (UTC):",
    "1. ## numbered",
    "```",
    "```python",
    "``` `bad`",
    "~~~",
    "~~~~",
    "  ```",
    "    ```",
    "    code",
    "        deeper code",
    "---",
    "===",
    "  ---",
    "    ---",
    "- - -",
    "***",
    "___",
    "- item",
    "* item",
    "+ item",
    "-",
    "1. first",
    "2. second",
    "1) first",
    "10. tenth",
    "  - nested",
    "    - nested deep",
    "- ## heading in item",
    "- ```",
    "- > quote",
    "> quote",
    "> ## quoted heading",
    "<!--",
    "-->",
    "<!-- one line -->",
    "<div>",
    "</div>",
    "<details>",
    "<span>",
    "<span>inline</span> text",
    "<script>",
    "</script>",
    "<?php",
    "?>",
    "[ref]: https://example.com",
    "[ref]:",
    "| a | b |",
    "|---|---|",
    "Timeline",
    "10:02 paged",
    "text ##",
    "\\## escaped",
    "`## in code span`",
    "  <!--",
    "    <!--",
    "1.  two spaces",
    "-    five spaces",
    "- \tab item",
    "\u00a0",
    "x\x00y",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=14))
def test_scanner_agrees_with_markdown_it(lines: list[str]) -> None:
    body = "\n".join(lines)
    assert scan(body) == parse(body)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("#-=*_`~<>! \n\t1.)[]:ab"), max_size=80))
def test_scanner_agrees_on_random_text(body: str) -> None:
    assert scan(body) == parse(body)


def test_scanner_agrees_on_every_markdown_file_in_the_repository() -> None:
    files = [path for path in REPO.rglob("*.md") if ".venv" not in path.parts and "site" not in path.parts]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert scan(text) == parse(text), path


def test_example_postmortems_take_the_fast_path() -> None:
    """The scanner's own path must serve ordinary postmortems, or it saves nothing."""
    from pmkb import blocks

    fast = 0
    files = sorted((REPO / "postmortems").rglob("*.md"))
    for path in files:
        try:
            body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
            blocks._scan_lines(body.split("\n"))
            fast += 1
        except blocks._NeedsParser:
            pass
    assert fast >= len(files) * 0.7


def test_headings_and_code_with_lines() -> None:
    body = "# Title\n\n## Summary\n\nText\n\n```\n## not a heading\n```\n\nSetext\n---\n\n    code\n"
    result = scan(body)
    assert [(h.level, h.content, h.line) for h in result.headings] == [
        (1, "Title", 1),
        (2, "Summary", 3),
        (2, "Setext", 11),
    ]
    assert result.code == ((7, 9), (14, 14))

"""Sections read line by line give the blocks markdown-it's parse gives."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pmkb.loader import load_source
from pmkb.markdown_text import _simple_blocks, blocks, parsed_blocks

REPO = Path(__file__).resolve().parents[1]

# Paragraph and item lines with and without inline syntax, and lines of every block
# construct the line reader must leave to markdown-it.
LINES = [
    "",
    "  ",
    "Plain text of a paragraph.",
    "more text, 42% of it: done",
    "The `pool_size` was *halved* by [the change](https://example.com) & more.",
    "**Bold** start",
    "*emphasis* start",
    "_under_ start",
    "__init__ start",
    "`code` start",
    "``double`` start",
    "[a link](x) start",
    "[text][ref] start",
    "[ref]: https://example.com",
    "![image](x.png)",
    "!!! note",
    "&amp; entity start",
    "\\- escaped",
    "ends with a hard break  ",
    "ends with a backslash\\",
    "html <b>inline</b>.",
    "<!-- a comment -->",
    "<div>",
    '"quoted" start',
    "'single' start",
    "(parenthesis) start",
    "1.5 seconds",
    "1. first",
    "2) second",
    "10. tenth",
    "- item",
    "- item with `code`",
    "* star item",
    "+ plus item",
    "-  two spaces",
    "-",
    "*",
    "- - -",
    "- * nested star",
    "- 1. nested number",
    "- # heading",
    "- > quote",
    "- ```",
    "***",
    "___",
    "**",
    "---",
    "===",
    "## Heading",
    "### Sub heading",
    "> quote",
    "```",
    "~~~",
    "    code",
    "  continued",
    " one space",
    "     five spaces",
    "  - nested",
    "  ---",
    "| a | b |",
    "|---|---|",
    "| Time | Event |",
    "| 14:02 | alert `x` fired |",
    "|:--|--:|",
    "| :-: | --- |",
    "|---|",
    "| a |",
    "| a | b | c |",
    "| esc \\| pipe | b |",
    "||",
    "|",
    "| - |",
    "|  | *x* |",
    "- |",
    "|-- |",
    "a | b",
    "--- | ---",
    "~~struck~~ text",
    "\u00a0",
    "\u00a0nbsp start",
    "tab\there",
    "14:02 alert fired",
    "- 14:02 alert fired",
    "Lessons: TBD",
]


# Only lines the line reader accepts (where they stand), so its own path is what is compared.
SIMPLE_LINES = [
    "",
    "Plain text of a paragraph.",
    "The `pool_size` was *halved* by [the change](https://example.com) & more.",
    "**Bold** start and ~~struck~~ <b>html</b>.",
    "_under_ start with a `code\nspan` \\ escape",
    "![image](x.png) and [text][ref]",
    "ends with a hard break  ",
    "- item",
    "- item with `code` and *emphasis",
    "* star item*",
    "+ plus item",
    "  continued **bold**",
    " one space",
    "     five spaces",
    "14:02 alert fired",
    "- 14:02 alert fired",
    "| Time | Event |",
    "|---|---|",
    "|:--|--:|",
    "| 14:02 | alert `x` fired |",
    "| 14:05 | *TBD* |",
    "| a | b | c |",
    "| one |",
    "|  |  |",
]


def _same(markdown: str) -> None:
    assert blocks(markdown) == parsed_blocks(markdown), repr(markdown)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=12))
@example(["|---|", "-"])  # a one-character delimiter row is a setext underline, not a table
def test_line_reader_agrees_with_markdown_it(lines: list[str]) -> None:
    _same("\n".join(lines))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(SIMPLE_LINES), max_size=12))
def test_line_reader_agrees_on_the_text_it_reads(lines: list[str]) -> None:
    _same("\n".join(lines))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("-*_+`[]()!<>&\\#=|~1. :ab\n\u00a0"), max_size=60))
def test_line_reader_agrees_on_random_text(markdown: str) -> None:
    _same(markdown)


def _generated_postmortems(tmp_path: Path) -> list[Path]:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _plain, mkdocs_yml = module.write_sites(tmp_path, 60)
    return sorted(mkdocs_yml.parent.rglob("*.md"))


def test_every_section_in_the_repository_and_a_generated_kb(tmp_path: Path) -> None:
    paths = [
        path
        for path in sorted(REPO.rglob("*.md"))
        if not any(part.startswith(".") or part in ("site", "node_modules") for part in path.relative_to(REPO).parts)
    ]
    paths += _generated_postmortems(tmp_path)
    sections = simple = 0
    for path in paths:
        source = load_source(path, path.parent, "postmortem")
        for heading in source.headings:
            text = source.section_text(heading)
            _same(text)
            sections += 1
            simple += _simple_blocks(text) is not None
    assert sections > 500
    # Most sections are read line by line, without markdown-it.
    assert simple > sections / 2, (simple, sections)


def test_simple_sections_take_the_line_reader() -> None:
    text = "A paragraph with `code` and\na second line.\n\n- one item\n- two *items*\n  continued\n\nAfter."
    assert _simple_blocks(text) == parsed_blocks(text)
    assert [block.kind for block in blocks(text)] == ["paragraph", "item", "item", "paragraph"]
    table = "| Time | Event |\n|---|---|\n| 14:02 | alert |\n| 14:09 | rollback |"
    assert _simple_blocks(table) == parsed_blocks(table) != []
    assert _simple_blocks("1. first\n2. second") is None
    assert _simple_blocks("> quoted") is None

"""Files to sources: decoded text, front matter with the line of every key, sections.

Each file is read and parsed once; everything later works on the `Source`. The two
rules a file can break before it has fields are declared here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Literal

import yaml

from pmkb.blocks import scan
from pmkb.findings import Finding, Rule
from pmkb.markdown_text import Block, blocks

try:
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _YamlLoader = yaml.SafeLoader

UNREADABLE_FILE = Rule(
    "PMKB001",
    "unreadable-file",
    "error",
    when="the file can't be read or is not UTF-8 (a BOM is fine)",
    why="a file pmkb cannot read is missing from the site without anyone noticing",
    example="a postmortem saved as Latin-1 by an old editor",
)
FRONT_MATTER_SYNTAX = Rule(
    "PMKB002",
    "front-matter-syntax",
    "error",
    when="no front matter, YAML that does not parse, or not a mapping",
    why="without front matter a document has no title, severity or dates to index",
    example="`title: Checkout down: again` (a colon inside an unquoted value)",
)
RULES = (UNREADABLE_FILE, FRONT_MATTER_SYNTAX)

Kind = Literal["postmortem", "runbook"]
# A location in the front matter: ("services", 2) or ("action_items", 0, "owner").
FieldPath = tuple[str | int, ...]

_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_LEADING_NUMBER = re.compile(r"^\d+\s*[.)]\s*")
_WHITESPACE = re.compile(r"\s+")
_INLINE_MARKUP = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)|`+")


@dataclass(frozen=True)
class Heading:
    """A level-2 heading and the span of its section's body, in file lines (1-based)."""

    text: str
    line: int
    body_start: int = 0  # the first line after the heading
    body_end: int = 0  # the line of the next level-1 or level-2 heading, or one past the last line

    @property
    def key(self) -> str:
        return normalise_heading(self.text)


@dataclass
class Source:
    """One Markdown file as read from disk; `data` is None when it could not be parsed."""

    path: Path
    relpath: str
    kind: Kind
    text: str = ""
    data: dict[str, Any] | None = None
    lines: dict[FieldPath, int] = field(default_factory=dict)
    body_line: int = 1
    headings: list[Heading] = field(default_factory=list)
    # Code blocks (fenced or indented) as (first line, last line) of the file, inclusive.
    code: tuple[tuple[int, int], ...] = ()
    findings: list[Finding] = field(default_factory=list)
    _section_blocks: dict[int, list[Block]] = field(default_factory=dict, repr=False)

    @property
    def stem(self) -> str:
        return self.path.stem

    def line_of(self, location: FieldPath) -> int:
        """The line of the longest known prefix of a front matter location, else 1."""
        for end in range(len(location), 0, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return 1

    @property
    def body(self) -> str:
        return "\n".join(self.text.split("\n")[self.body_line - 1 :])

    def section_text(self, heading: Heading) -> str:
        return "\n".join(self.text.split("\n")[heading.body_start - 1 : heading.body_end - 1])

    def section_blocks(self, heading: Heading) -> list[Block]:
        """The plain-text blocks of a section's body, parsed once; `Block.line` is a file line."""
        cached = self._section_blocks.get(heading.line)
        if cached is None:
            cached = [
                Block(block.kind, block.text, block.line + heading.body_start, block.depth, block.cells)
                for block in blocks(self.section_text(heading))
            ]
            self._section_blocks[heading.line] = cached
        return cached


def normalise_heading(text: str) -> str:
    """Case, surrounding space, a trailing colon and a leading `1.`/`3)` don't matter."""
    text = _WHITESPACE.sub(" ", text).strip().rstrip(":").strip()
    text = _LEADING_NUMBER.sub("", text)
    return text.casefold()


def relative_path(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def discover(folder: Path) -> Iterator[Path]:
    """Every *.md under folder, at any depth, skipping hidden files and folders."""
    if not folder.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                yield Path(dirpath) / name


def load_source(path: Path, root: Path, kind: Kind) -> Source:
    source = Source(path=path, relpath=relative_path(path, root), kind=kind)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        source.findings.append(UNREADABLE_FILE.finding(source.relpath, 1, f"cannot read the file: {exc.strerror or exc}"))
        return source
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        source.findings.append(
            UNREADABLE_FILE.finding(
                source.relpath,
                line,
                f"not UTF-8: byte 0x{raw[exc.start]:02x} at line {line} can't be decoded; save the file as UTF-8",
            )
        )
        return source
    source.text = text.replace("\r\n", "\n").replace("\r", "\n")
    _parse(source)
    return source


def _parse(source: Source) -> None:
    lines = source.text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        source.findings.append(
            FRONT_MATTER_SYNTAX.finding(
                source.relpath,
                1,
                "no front matter: start the file with a line `---`, the YAML fields, and another `---`",
            )
        )
        _read_headings(source, 1)
        return
    end = next((i for i in range(1, len(lines)) if _FENCE_END.match(lines[i])), None)
    if end is None:
        source.findings.append(
            FRONT_MATTER_SYNTAX.finding(source.relpath, 1, "front matter is not closed: add a line `---` after the YAML fields")
        )
        return
    _read_headings(source, end + 2)
    yaml_text = "\n".join(lines[1:end]) + "\n"
    try:
        node = yaml.compose(yaml_text, Loader=_YamlLoader)
        data = _YamlLoader(yaml_text).construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        context = getattr(exc, "context", None)
        detail = f"{problem} ({context})" if context else problem
        source.findings.append(FRONT_MATTER_SYNTAX.finding(source.relpath, line, f"front matter is not valid YAML: {detail}"))
        return
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}, not a mapping of fields"
        source.findings.append(
            FRONT_MATTER_SYNTAX.finding(source.relpath, 2 if data is not None else 1, f"front matter is {what}: write `key: value` lines")
        )
        return
    source.data = {str(key): value for key, value in data.items()}
    if node is not None:
        _record_lines(node, (), source.lines, offset=2)


def _record_lines(node: yaml.Node, prefix: FieldPath, lines: dict[FieldPath, int], offset: int) -> None:
    """Remember the line of every key and list item, two levels deep (action items)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            location = (*prefix, str(key_node.value))
            lines.setdefault(location, key_node.start_mark.line + offset)
            if len(location) < 4:
                _record_lines(value_node, location, lines, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            location = (*prefix, index)
            lines[location] = item.start_mark.line + offset
            if len(location) < 4:
                _record_lines(item, location, lines, offset)


def _read_headings(source: Source, body_line: int) -> None:
    """Level-2 headings (ATX or setext) outside code, with their file lines and body spans.

    A section runs to the next level-1 or level-2 heading; deeper headings belong to it.
    """
    source.body_line = body_line
    body = source.body
    lines = body.split("\n")
    end_of_file = body_line + len(lines)
    open_heading: Heading | None = None
    blocks = scan(body)
    source.code = tuple((body_line + first - 1, body_line + last - 1) for first, last in blocks.code)
    for heading in blocks.headings:
        start = body_line + heading.line - 1
        if open_heading is not None:
            source.headings.append(_ended(open_heading, start))
            open_heading = None
        if heading.level == 2:
            # An ATX heading is one line; a setext heading is its text lines and the underline.
            atx = lines[heading.line - 1].lstrip().startswith("#")
            height = 1 if atx else heading.content.count("\n") + 2
            open_heading = Heading(text=_INLINE_MARKUP.sub("", heading.content), line=start, body_start=start + height)
    if open_heading is not None:
        source.headings.append(_ended(open_heading, end_of_file))


def _ended(heading: Heading, end: int) -> Heading:
    return Heading(heading.text, heading.line, heading.body_start, end)

"""Files to sources: decoded text, front matter with the line of every key, sections.

Each file is read and parsed once; everything later works on the `Source`. The two
rules a file can break before it has fields are declared here.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml

from pmkb.blocks import scan
from pmkb.cache import digest
from pmkb.findings import Finding, Rule
from pmkb.markdown_text import Block, blocks

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it

# Generous for any document a person writes (the longest real postmortems are ~100 KB);
# a bound so a runaway file costs a finding, not the machine's memory.
DEFAULT_MAX_FILE_BYTES = 1024 * 1024
# Values after expanding every alias: a front matter has hundreds; a "billion laughs" has billions.
MAX_FRONT_MATTER_VALUES = 100_000


class _YamlLoader(_BaseLoader):  # type: ignore[misc]
    """Safe loading where a timestamp the calendar lacks stays text for validation to report."""


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        # e.g. 2024-02-30: YAML's pattern matches, the calendar does not.
        return loader.construct_scalar(node)


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)

_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}

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


class Heading(NamedTuple):
    """A level-2 heading and the span of its section's body, in file lines (1-based).

    A named tuple: a knowledge base has tens of thousands, and the cache reads them back
    several times faster than dataclass instances."""

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
    # (key, line, line of its first occurrence) for each key given twice in one mapping;
    # validation reports them.
    duplicate_keys: list[tuple[str, int, int]] = field(default_factory=list)
    # A digest of the file's bytes, None when it could not be read as text.
    digest: bytes | None = None
    # What stat said of the file when it was read (see `stat_key`), None when that can't
    # be trusted to tell a later change.
    stat_key: StatKey | None = None
    # Values worked out from the text and the configuration alone (excerpts, links by id),
    # by name; kept in the cache with the file's record.
    derived: dict[str, Any] = field(default_factory=dict)
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

    def forget_blocks(self) -> None:
        """Drop the parsed section blocks once what is needed of them is derived: they hold
        the whole text again, and a site keeps every source for the length of a build."""
        self._section_blocks.clear()

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


@lru_cache(maxsize=4096)  # the rules ask for the same few headings thousands of times
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


def load_source(path: Path, root: Path, kind: Kind, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Source:
    """A file read and parsed."""
    source = read_source(path, root, kind, max_bytes)
    if source.digest is not None:
        parse_source(source)
    return source


StatKey = tuple[int, int, int, int, int]
# A file written less than this long before it was read may be written again within the
# same tick of the file system's clock, with the same size: its stat is not kept.
_RACY_NS = 2_000_000_000


def stat_key(info: os.stat_result) -> StatKey | None:
    """What tells a later change of a regular file without reading it, as git's index keeps:
    size, modification and change times, inode and device (the change time moves on every
    write, even one that puts the modification time back). None for a file written too
    recently for its times to be trusted."""
    if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) < _RACY_NS:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def file_stat_key(path: Path) -> StatKey | None:
    """The stat key of a regular file, None for anything else or when it can't be trusted."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return stat_key(info) if stat.S_ISREG(info.st_mode) else None


def read_source(
    path: Path, root: Path, kind: Kind, max_bytes: int = DEFAULT_MAX_FILE_BYTES, relpath: str | None = None
) -> Source:
    """A file read and decoded, not yet parsed: its text and digest, or the PMKB001 finding.

    `relpath`: the path relative to root, when the caller has it already."""
    source = Source(path=path, relpath=relpath or relative_path(path, root), kind=kind)
    try:
        raw, info = _read_regular_file(path, max_bytes)
    except _Unreadable as problem:
        source.findings.append(UNREADABLE_FILE.finding(source.relpath, 1, str(problem)))
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
    source.text = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    source.digest = digest(raw)
    source.stat_key = stat_key(info)
    return source


class _Unreadable(Exception):
    """Why a file was not read; the message is the finding's."""


def _read_regular_file(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most max_bytes, with its stat from before they were
    read; anything else is _Unreadable.

    The type is checked with stat before opening: opening a FIFO blocks until a writer
    comes, and a device such as /dev/zero never ends.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        what = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        via = " (through a symbolic link)" if path.is_symlink() else ""
        raise _Unreadable(f"not a regular file: {what}{via}; only regular files are read")
    if info.st_size > max_bytes:
        raise _Unreadable(_too_large(info.st_size, max_bytes))
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO after the check, opening still returns.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            raw = _read_up_to(descriptor, max_bytes + 1, info.st_size + 1)
        finally:
            os.close(descriptor)
    except OSError as exc:
        raise _Unreadable(f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise _Unreadable(_too_large(len(raw), max_bytes))
    return raw, info


def _read_up_to(descriptor: int, limit: int, expected: int) -> bytes:
    """At most limit bytes, read until the end: the first read asks for the size stat gave
    and one byte more, so a file that did not grow since takes one read and one at its end."""
    chunks = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(descriptor, min(remaining, max(expected, 1 << 16)))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large(size: int, max_bytes: int) -> str:
    return (
        f"the file is {size:,} bytes, more than the limit of {max_bytes:,} (option max_file_bytes); "
        "split it or raise the limit"
    )


def parse_source(source: Source) -> None:
    """Front matter, its lines, headings and code blocks of a source read by read_source."""
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
            FRONT_MATTER_SYNTAX.finding(
                source.relpath, 1, "front matter is not closed: add a line `---` after the YAML fields"
            )
        )
        return
    _read_headings(source, end + 2)
    yaml_text = "\n".join(lines[1:end]) + "\n"
    try:
        node = yaml.compose(yaml_text, Loader=_YamlLoader)
        expansion = _expansion_problem(node) if node is not None else None
        if expansion is not None:
            source.findings.append(FRONT_MATTER_SYNTAX.finding(source.relpath, expansion[0] + 2, expansion[1]))
            return
        data = _YamlLoader(yaml_text).construct_document(node) if node is not None else None
    except RecursionError:
        source.findings.append(
            FRONT_MATTER_SYNTAX.finding(
                source.relpath, 2, "front matter is nested too deeply to read: flatten the lists and mappings"
            )
        )
        return
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        context = getattr(exc, "context", None)
        detail = f"{problem} ({context})" if context else problem
        source.findings.append(
            FRONT_MATTER_SYNTAX.finding(source.relpath, line, f"front matter is not valid YAML: {detail}")
        )
        return
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}, not a mapping of fields"
        source.findings.append(
            FRONT_MATTER_SYNTAX.finding(
                source.relpath, 2 if data is not None else 1, f"front matter is {what}: write `key: value` lines"
            )
        )
        return
    source.data = {str(key): value for key, value in data.items()}
    if node is not None:
        _record_lines(node, (), source.lines, offset=2)
        source.duplicate_keys = list(_duplicate_keys(node))


def _expansion_problem(root: yaml.Node) -> tuple[int, str] | None:
    """(line, message) when aliases make the front matter refer to itself or expand past the bound.

    An alias shares a node, so the graph stays small while its expansion can be
    exponential; every later step (validation, messages, JSON) walks the expansion.
    """
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise _SelfReference(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        visiting.add(key)
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_FRONT_MATTER_VALUES:
                raise _TooLarge(node)
        visiting.discard(key)
        sizes[key] = total
        return total

    try:
        size(root)
    except _SelfReference as problem:
        return problem.node.start_mark.line, "front matter refers to itself through an alias (*name inside &name)"
    except _TooLarge as problem:
        message = (
            f"front matter expands to more than {MAX_FRONT_MATTER_VALUES:,} values through aliases (*name); "
            "write the values out or use fewer aliases"
        )
        return problem.node.start_mark.line, message
    return None


class _NodeProblem(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


class _SelfReference(_NodeProblem):
    pass


class _TooLarge(_NodeProblem):
    pass


def _duplicate_keys(root: yaml.Node) -> Iterator[tuple[str, int, int]]:
    """(key, line, first line) for a key given twice in one mapping; merge keys (`<<`) aside."""
    stack = [root]
    seen_nodes: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                stack.append(value_node)
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                line = key_node.start_mark.line + 2
                if key_node.value in first_lines:
                    yield key_node.value, line, first_lines[key_node.value]
                else:
                    first_lines[key_node.value] = line
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


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

"""PMKB016 unknown-link: links by id in a body, and the ids they name.

A body links to a postmortem or runbook by its id in Markdown's reference syntax,
as mkdocs-autorefs users write it, or with an explicit scheme:

- `[text][id]` and `[id][]`, with nothing between the brackets: a reference link
  whose label is an id and which has no definition (`[id]: url`) in the file.
  Postmortem ids win over runbook ids.
- `[text](postmortem:id)` and `[text](runbook:id#section)`: one kind only, and
  room for a fragment.

Only labels that are ids as written (`^[a-z0-9][a-z0-9-]*$`, lower case) count, so
bracketed prose such as `[TBD]`, `[Note][A-1]`, task list boxes
(`[x]`) and footnotes (`[^1]`) are never id links. Shortcut references (`[id]`
alone) are not id links either: task lists would turn into links. Links in code
spans, fenced or indented code and raw HTML are ignored; the content of
admonitions, collapsible blocks and content tabs (`!!!`, `???`, `===`) is read
like the rest of the body.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from pmkb.findings import Finding, Rule
from pmkb.index import KnowledgeBase
from pmkb.loader import Source
from pmkb.model import ID_PATTERN
from pmkb.suggest import closest

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

UNKNOWN_LINK = Rule(
    "PMKB016",
    "unknown-link",
    "error",
    when="a link by id in a body (`[text][id]`, `[id][]`, `[text](runbook:id)`) names no document",
    why="the link renders as plain brackets or leads nowhere, exactly when on-call follows it",
    example="`follow [the failover runbook][payments-failover]` when the runbook's id is `payments-provider-failover`",
)
RULES = (UNKNOWN_LINK,)

LinkKind = Literal["postmortem", "runbook"]
# The explicit form's schemes, in the order a bare id is looked up.
ID_SCHEMES: tuple[LinkKind, ...] = ("postmortem", "runbook")
_EXPLICIT = re.compile(r"^(postmortem|runbook):([^#]*)(?:#.*)?$")
# `!!! note`, `??? tip "Title"`, `???+ info`, `=== "Tab"`: their content is indented by four.
_CONTAINER = re.compile(r"^(?P<indent>[ ]*)(?:!!!|\?\?\?\+?|===)[ \t]")
_CONTAINER_INDENT = 4
# Every link by id contains one of these; a body without any is not parsed at all.
_MAYBE_ID_LINK = re.compile(r"\]\[|\]\(\s*<?(?:postmortem|runbook):")
# A reference definition as Python-Markdown finds it: `[label]: url` at the start of any line.
_DERIVED_LINKS = "id_links"
_DEFINITION = re.compile(r"^[ ]{0,3}\[([^\[\]]*)\]:", re.MULTILINE)


@dataclass(frozen=True)
class IdLink:
    """A link by id in a body; `line` counts from the body's first line (1-based)."""

    id: str
    line: int
    kind: LinkKind | None  # None for the reference form: any kind, postmortems first
    label: str  # the reference label as written; empty for the explicit form

    def resolve(self, postmortem_ids: Container[str], runbook_ids: Container[str]) -> LinkKind | None:
        """The kind of document this link leads to, or None when no document has the id."""
        known = {"postmortem": postmortem_ids, "runbook": runbook_ids}
        for kind in (self.kind,) if self.kind else ID_SCHEMES:
            if self.id in known[kind]:
                return kind
        return None


def _id_reference(state: StateInline, silent: bool) -> bool:
    """An inline rule in place of `link`: id references become links that carry their id.

    Other links are parsed by markdown-it's own rule; every link token gets the
    offset of its `[` so that its line can be found.
    """
    from markdown_it.common.utils import normalizeReference

    start = state.pos
    if state.src[start] != "[":
        return False
    label_end = state.md.helpers.parseLinkLabel(state, start, True)
    if label_end >= 0 and label_end + 1 < state.posMax and state.src[label_end + 1] == "[":
        close = state.md.helpers.parseLinkLabel(state, label_end + 1)
        label = state.src[label_end + 2 : close] if close >= 0 else None
        if label == "":
            label = state.src[start + 1 : label_end]  # collapsed: `[id][]`
        preceded_by_bang = start > 0 and state.src[start - 1] == "!"
        if (
            label is not None
            and not preceded_by_bang
            and ID_PATTERN.match(label)
            and normalizeReference(label) not in state.env.get("references", {})
            and label not in state.env.get("pmkb_definitions", ())
        ):
            if not silent:
                token = state.push("link_open", "a", 1)
                token.meta = {"pmkb_id": label, "offset": start}
                maximum = state.posMax
                state.pos, state.posMax = start + 1, label_end
                state.linkLevel += 1
                state.md.inline.tokenize(state)
                state.linkLevel -= 1
                state.push("link_close", "a", -1)
                state.posMax = maximum
            state.pos = close + 1
            return True
    from markdown_it.rules_inline.link import link as inline_link

    pushed = len(state.tokens)
    if not inline_link(state, silent):
        return False
    # Pending text is flushed into a token of its own before the link's.
    for token in state.tokens[pushed:]:
        if token.type == "link_open":
            token.meta["offset"] = start
            break
    return True


@cache
def _parser() -> MarkdownIt:
    # Imported on first use: a run whose files all come from the cache parses no Markdown.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    md.inline.ruler.before("link", "pmkb_id_reference", _id_reference)
    md.inline.ruler.disable("link")
    return md


def unwrap_containers(text: str) -> str:
    """The body with admonition, details and tab content dedented, line for line.

    Python-Markdown reads their indented content as Markdown; CommonMark would read
    it as an indented code block. The opening line becomes blank.
    """
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        match = _CONTAINER.match(lines[index])
        if match is None:
            out.append(lines[index])
            index += 1
            continue
        inner = len(match["indent"]) + _CONTAINER_INDENT
        out.append("")
        index += 1
        block: list[str] = []
        while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) >= inner):
            block.append(lines[index])
            index += 1
        # Trailing blank lines belong to what follows.
        trailing = len(block) - len(_rstrip_blank(block))
        content = [_dedent(line) for line in block[: len(block) - trailing]]
        out.extend(unwrap_containers("\n".join(content)).split("\n") if content else [])
        out.extend([""] * trailing)
    return "\n".join(out)


def _indent(line: str) -> int:
    expanded = line.expandtabs(_CONTAINER_INDENT)
    return len(expanded) - len(expanded.lstrip(" "))


def _dedent(line: str) -> str:
    expanded = line.expandtabs(_CONTAINER_INDENT)
    return expanded[_CONTAINER_INDENT:] if expanded.startswith(" " * _CONTAINER_INDENT) else expanded.lstrip(" ")


def _rstrip_blank(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return lines[:end]


def find_id_links(body: str) -> list[IdLink]:
    """Every link by id in a Markdown body, in order, with its line in the body."""
    if _MAYBE_ID_LINK.search(body) is None:
        return []
    found: list[IdLink] = []
    text = unwrap_containers(body)
    # Python-Markdown, which renders the page, also takes definitions in the middle of a paragraph.
    definitions = {label.strip().lower() for label in _DEFINITION.findall(text)}
    tokens = _parser().parse(text, {"pmkb_definitions": definitions})
    for block in tokens:
        if block.type != "inline" or block.map is None or not block.children:
            continue
        for token in block.children:
            if token.type != "link_open" or "offset" not in token.meta:
                continue
            line = block.map[0] + 1 + block.content.count("\n", 0, token.meta["offset"])
            label = token.meta.get("pmkb_id")
            if label is not None:
                found.append(IdLink(id=label, line=line, kind=None, label=label))
                continue
            explicit = _EXPLICIT.match(str(token.attrGet("href") or ""))
            if explicit is not None:
                kind: LinkKind = "postmortem" if explicit[1] == "postmortem" else "runbook"
                found.append(IdLink(id=explicit[2], line=line, kind=kind, label=""))
    return found


def source_id_links(source: Source) -> list[IdLink]:
    """The links by id of a file's body, found once per content (the cache keeps them)."""
    links: list[IdLink] | None = source.derived.get(_DERIVED_LINKS)
    if links is None:
        links = source.derived[_DERIVED_LINKS] = find_id_links(source.body)
    return links


def check(kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]:
    postmortem_ids, runbook_ids = kb.postmortem_ids, kb.runbook_ids
    for entry in kb.entries_in_scope:
        if not entry.source.text:
            continue
        offset = entry.source.body_line - 1
        for link in source_id_links(entry.source):
            if link.resolve(postmortem_ids, runbook_ids) is not None:
                continue
            if link.kind is None:
                candidates, what = (
                    postmortem_ids | runbook_ids,
                    "no postmortem or runbook has the id",
                )
            else:
                candidates, what = (
                    (postmortem_ids if link.kind == "postmortem" else runbook_ids),
                    f"no {link.kind} has the id",
                )
            close = closest(link.id, sorted(candidates))
            hint = f"; did you mean {close[0]!r}?" if close else ""
            yield UNKNOWN_LINK.finding(
                entry.path,
                link.line + offset,
                f"link to unknown id: {what} {link.id!r}{hint}",
            )

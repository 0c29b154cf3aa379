"""PMKB008 unknown-reference."""

from __future__ import annotations

from collections.abc import Iterator

from pmkb.findings import Finding, Rule
from pmkb.index import KnowledgeBase
from pmkb.suggest import closest

UNKNOWN_REFERENCE = Rule(
    "PMKB008",
    "unknown-reference",
    "error",
    when="`related` or `runbooks` names an id that does not exist, or itself",
    why="a link to nothing is a dead end for the reader who followed it",
    example="`runbooks: [db-pool-saturaton]` (a typo)",
)
RULES = (UNKNOWN_REFERENCE,)


def check(kb: KnowledgeBase, enabled: frozenset[str]) -> Iterator[Finding]:
    targets = {"related": ("postmortem", kb.postmortem_ids), "runbooks": ("runbook", kb.runbook_ids)}
    for entry in kb.entries_in_scope:
        data = entry.source.data
        if entry.kind != "postmortem" or data is None:
            continue
        for field_name, (kind, known) in targets.items():
            values = data.get(field_name)
            if not isinstance(values, list):
                continue
            for index, value in enumerate(values):
                if not isinstance(value, str):
                    continue
                line = entry.source.line_of((field_name, index))
                if field_name == "related" and value == entry.id:
                    yield UNKNOWN_REFERENCE.finding(
                        entry.path, line, f"`related` names this postmortem itself ({value!r}); remove it"
                    )
                elif value not in known:
                    close = closest(value, sorted(known))
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    yield UNKNOWN_REFERENCE.finding(
                        entry.path, line, f"`{field_name}` names unknown {kind} id {value!r}{hint}"
                    )

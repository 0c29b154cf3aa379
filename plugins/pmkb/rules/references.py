"""PMKB008 unknown-reference."""

from __future__ import annotations

import difflib
from typing import Iterator

from pmkb.findings import Finding, finding
from pmkb.index import KnowledgeBase


def check(kb: KnowledgeBase) -> Iterator[Finding]:
    targets = {"related": ("postmortem", kb.postmortem_ids), "runbooks": ("runbook", kb.runbook_ids)}
    for entry in kb.entries:
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
                    yield finding(entry.path, line, "PMKB008", f"`related` names this postmortem itself ({value!r}); remove it")
                elif value not in known:
                    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    yield finding(entry.path, line, "PMKB008", f"`{field_name}` names unknown {kind} id {value!r}{hint}")

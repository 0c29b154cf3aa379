"""Edits of a generated knowledge base (benchmarks/generate.py) that reach pages and
records other than the edited file's, for the tests of what a preview rebuild keeps."""

from __future__ import annotations

import re
from pathlib import Path

from kb_helpers import edit


def retitle(folder: Path, doc: str, title: str) -> None:
    path = folder / f"{doc}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M), encoding="utf-8")


def edit_field(path: Path, name: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    edited = re.sub(rf"^{name}: .*$", f"{name}: {value}", text, count=1, flags=re.M)
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def close_action_items(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    closed = re.sub(r"^    status: (open|in-progress)$", "    status: done", text, flags=re.M)
    assert closed != text
    path.write_text(closed, encoding="utf-8")


def add_line(folder: Path, doc: str, line: str) -> None:
    edit(folder / f"{doc}.md", "\nservices:", f"\n{line}\nservices:")


EDITS = {
    # Its title is in the rows of the incidents it is related or similar to.
    "retitled incident": lambda pms, rbs: retitle(pms, "incident-00001", "Checkout pool exhausted"),
    # A link from one side is shown on both pages.
    "new related link": lambda pms, rbs: edit(
        pms / "incident-00005.md", "\nrelated: [", "\nrelated: [incident-00003, "
    ),
    # Postmortems citing the runbook show its title.
    "retitled runbook": lambda pms, rbs: retitle(rbs, "runbook-0001", "Order database pool saturated"),
    # The runbook's page lists it; every postmortem citing the runbook shows how many do.
    "new citation": lambda pms, rbs: add_line(pms, "incident-00007", "runbooks: [runbook-0002]"),
    # Rows show the first paragraph of Root Cause.
    "new root cause": lambda pms, rbs: edit(
        pms / "incident-00010.md", "## Root Cause\n\nThe ", "## Root Cause\n\nA certificate expired. The "
    ),
    # Similar incidents share services and words.
    "moved service": lambda pms, rbs: edit(pms / "incident-00012.md", "\nservices: [", "\nservices: [ledger, "),
    "removed incident": lambda pms, rbs: (pms / "incident-00022.md").unlink(),
    # Service and tag pages list the runbooks of their service or tag.
    "runbook of another service": lambda pms, rbs: edit(
        rbs / "runbook-0003.md", "\nservices: [", "\nservices: [ledger, "
    ),
    # Lists show an incident's severity; a severity's page its counts and durations.
    "new severity": lambda pms, rbs: edit_field(pms / "incident-00003.md", "severity", "SEV-1"),
    # Service pages list the open action items of their incidents.
    "closed action items": lambda pms, rbs: close_action_items(pms / "incident-00008.md"),
}

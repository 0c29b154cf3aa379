"""A page whose inputs (`Views.inputs`) are unchanged is unchanged.

A preview rebuild keeps such a page's fingerprint without building its views, so an
input left out would leave a page stale. Each edit below reaches pages other than the
edited file's; after each, every page whose inputs stayed the same must fingerprint the same.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from kb_helpers import TODAY, benchmark_generator, edit
from pmkb.config import load_config
from pmkb.pipeline import load_knowledge_base
from pmkb.site.incremental import fingerprint
from pmkb.site.pages import plan
from pmkb.site.views import Views

PageState = dict[str, tuple[object, str]]


# The pages whose inputs are known; every other page is made of every document.
KINDS_WITH_INPUTS = {"postmortem", "runbook", "service", "tag", "severity"}


def page_states(config_file: Path, today=TODAY) -> PageState:
    """Each page's inputs and full fingerprint, where its inputs are known, as a preview
    rebuild works them out."""
    kb = load_knowledge_base(load_config(config_file), today).kb
    views = Views(kb)
    states: PageState = {}
    for spec in plan(kb, "index.md"):
        inputs = views.inputs(spec.kind, spec.subject, spec.part)
        if spec.kind in KINDS_WITH_INPUTS:
            assert inputs is not None
            page = views.page(spec.kind, spec.subject, spec.part)
            states[spec.src_uri] = (inputs, fingerprint(spec.markdown(), spec.template, page, None, kb.today))
        else:
            assert inputs is None
    assert {uri.split("/")[0] for uri in states} >= {"postmortems", "runbooks", "services", "tags", "severity"}
    return states


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


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, config_file = benchmark_generator().write_sites(tmp_path_factory.mktemp("inputs"), 40)
    return config_file


@pytest.mark.parametrize("name", list(EDITS))
def test_pages_with_the_same_inputs_are_the_same(name: str, knowledge_base: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "kb"
    shutil.copytree(knowledge_base.parent, root)
    config_file = root / knowledge_base.name
    before = page_states(config_file)
    EDITS[name](root / "postmortems", root / "runbooks")
    after = page_states(config_file)
    kept = [uri for uri in after.keys() & before.keys() if after[uri][0] == before[uri][0]]
    assert [uri for uri in kept if after[uri][1] != before[uri][1]] == []
    # The edit changed pages besides its own file's, and each of them has new inputs.
    changed = {uri for uri in after.keys() & before.keys() if after[uri][1] != before[uri][1]}
    assert len(changed) >= 2
    assert kept, "most pages do not show the edited document"


def test_a_new_day_is_a_new_input(knowledge_base: Path) -> None:
    before = page_states(knowledge_base)
    after = page_states(knowledge_base, TODAY + timedelta(days=400))
    assert all(after[uri][0] != before[uri][0] for uri in after)

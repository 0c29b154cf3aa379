"""A page whose inputs (`Views.inputs`) are unchanged is unchanged.

A preview rebuild keeps such a page's fingerprint without building its views, so an
input left out would leave a page stale. Each edit below reaches pages other than the
edited file's; after each, every page whose inputs stayed the same must fingerprint the same.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from kb_edits import EDITS
from kb_helpers import TODAY, benchmark_generator, edit
from pmkb.config import load_config
from pmkb.pipeline import load_knowledge_base
from pmkb.site.incremental import fingerprint
from pmkb.site.pages import plan
from pmkb.site.views import Views

PageState = dict[str, tuple[object, str]]


# The pages whose inputs are known; every other page is made of every document.
KINDS_WITH_INPUTS = {"postmortem", "runbook", "service", "tag", "severity", "postmortems", "timeline"}


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
    assert {uri.split("/")[0] for uri in states} >= {
        "postmortems",
        "runbooks",
        "services",
        "tags",
        "severity",
        "timeline",
    }
    assert any("/page/" in uri for uri in states), "numbered pages are among them"
    return states


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, config_file = benchmark_generator().write_sites(tmp_path_factory.mktemp("inputs"), 40)
    # Lists of numbered pages, so that an edit reaches some pages of a list and not others.
    edit(config_file, "  - pmkb", "  - pmkb:\n      list_page_size: 8")
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

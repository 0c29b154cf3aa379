"""What a site build drops of the knowledge base once the checks have run
(`pipeline.forget_check_inputs`): each file's parsed front matter and value lines. What
the site shows of it, the export, the documents and their bodies, stays the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML, TODAY, benchmark_generator, write_kb
from mkdocs.config import load_config as load_mkdocs_config
from pmkb.config import load_config
from pmkb.pipeline import forget_check_inputs, load_knowledge_base


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, config_file = benchmark_generator().write_sites(tmp_path_factory.mktemp("forget"), 30)
    return config_file


def test_the_export_and_bodies_are_the_same_without_them(config_file: Path) -> None:
    kb, _ = load_knowledge_base(load_config(config_file), TODAY)
    export = json.dumps(kb.export(), sort_keys=True)
    bodies = [entry.source.body for entry in kb.entries]
    assert all(entry.source.data and entry.source.lines for entry in kb.entries)
    forget_check_inputs(kb)
    assert all(entry.source.data is None and entry.source.lines == {} for entry in kb.entries)
    assert json.dumps(kb.export(), sort_keys=True) == export
    assert [entry.source.body for entry in kb.entries] == bodies


def test_a_build_forgets_them_and_a_preview_keeps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A preview's next rebuild restores records the last one loaded (`LoadedRecords`).
    monkeypatch.setenv("PMKB_TODAY", TODAY.isoformat())
    config_file = write_kb(
        tmp_path,
        {"postmortems/2024-03-05-checkout.md": GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK},
        MKDOCS_YML,
    )
    for command, kept in (("build", False), ("serve", True)):
        config = load_mkdocs_config(config_file=str(config_file))
        config.plugins.on_startup(command=command, dirty=False)
        config = config.plugins.on_config(config)
        plugin = config.plugins["pmkb"]
        assert [entry.source.data is not None for entry in plugin.kb.entries] == [kept, kept], command
        config.plugins.on_shutdown()

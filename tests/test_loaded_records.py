"""Records a preview's load hands out again (`LoadedRecords`): each load of a sequence
with them finds and exports exactly what a load without them does."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from kb_edits import EDITS
from kb_helpers import TODAY, benchmark_generator, edit
from pmkb.cache import LoadedRecords
from pmkb.config import load_config
from pmkb.pipeline import load_knowledge_base


def state(config_file: Path, loaded: LoadedRecords | None = None, today=TODAY) -> tuple[list[str], str]:
    """Every finding and the whole export: what a build shows of a load."""
    kb, findings = load_knowledge_base(load_config(config_file), today, loaded=loaded)
    return [item.as_text() for item in findings], json.dumps(kb.export(), sort_keys=True)


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, config_file = benchmark_generator().write_sites(tmp_path_factory.mktemp("loaded"), 40)
    # A finding of every per-file kind, so that records carry findings too.
    pms = config_file.parent / "postmortems"
    edit(pms / "incident-00002.md", "## Impact\n", "## Impact\n\nDana forgot to drain the node.\n")
    edit(pms / "incident-00003.md", "## Summary\n", "## Summary\n\nRan `psql postgres://admin:hunter2@db/x`.\n")
    state(config_file)  # the cache every later load starts from
    return config_file


@pytest.fixture
def copied(knowledge_base: Path, tmp_path: Path) -> Path:
    shutil.copytree(knowledge_base.parent, tmp_path / "kb")
    return tmp_path / "kb" / knowledge_base.name


def test_a_sequence_of_edits_loads_as_fresh_loads_do(copied: Path) -> None:
    loaded = LoadedRecords()
    assert state(copied, loaded) == state(copied)
    for name, make in EDITS.items():
        make(copied.parent / "postmortems", copied.parent / "runbooks")
        assert state(copied, loaded) == state(copied), name
        assert state(copied, loaded) == state(copied), f"{name}, loaded again"
    later = TODAY + timedelta(days=400)
    assert state(copied, loaded, later) == state(copied, today=later)
    edit(copied, "  - pmkb", "  - pmkb:\n      rules:\n        PMKB010: error")
    assert state(copied, loaded) == state(copied)


def test_unchanged_files_records_are_not_unpickled_again(copied: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = LoadedRecords()
    state(copied, loaded)
    unpickled: list[bytes] = []
    original = LoadedRecords.restore

    def counted(self: LoadedRecords, pickled: bytes, unpickle):
        def counting(data: bytes):
            unpickled.append(data)
            return unpickle(data)

        return original(self, pickled, counting)

    monkeypatch.setattr(LoadedRecords, "restore", counted)
    state(copied, loaded)
    assert unpickled == []
    EDITS["retitled incident"](copied.parent / "postmortems", copied.parent / "runbooks")
    state(copied, loaded)
    assert unpickled == [], "the edited file is parsed, the others handed out again"
    state(copied, loaded)
    assert len(unpickled) == 1, "the edited file's new record, once"

"""kb.json written under `mkdocs serve`, from records kept from the rebuild before where
their inputs are unchanged, is exactly the document a full export writes."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from kb_edits import EDITS
from kb_helpers import TODAY, benchmark_generator, edit
from pmkb.config import load_config
from pmkb.index import KnowledgeBase
from pmkb.pipeline import load_knowledge_base
from pmkb.site.feed import RecordTexts, kb_json_text


def load(config_file: Path, today=TODAY) -> KnowledgeBase:
    return load_knowledge_base(load_config(config_file), today).kb


def site_urls(prefix: str):
    return (lambda pm_id: f"{prefix}postmortems/{pm_id}/", lambda rb_id: f"{prefix}runbooks/{rb_id}/")


def full_export(config_file: Path, prefix: str = "/", today=TODAY) -> bytes:
    """What `pmkb export` writes, with the site's URLs: json.dumps of the whole document."""
    data = load(config_file, today).export()
    postmortem_url, runbook_url = site_urls(prefix)
    for item in data["postmortems"]:
        item["url"] = postmortem_url(item["id"])
    for item in data["runbooks"]:
        item["url"] = runbook_url(item["id"])
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def with_texts(config_file: Path, texts: RecordTexts, prefix: str = "/", today=TODAY) -> bytes:
    return "".join(kb_json_text(load(config_file, today), *site_urls(prefix), texts)).encode("utf-8")


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, config_file = benchmark_generator().write_sites(tmp_path_factory.mktemp("records"), 40)
    return config_file


@pytest.fixture
def copied(knowledge_base: Path, tmp_path: Path) -> Path:
    shutil.copytree(knowledge_base.parent, tmp_path / "kb")
    return tmp_path / "kb" / knowledge_base.name


@pytest.mark.parametrize("name", list(EDITS))
def test_a_rebuild_after_an_edit_writes_the_full_export(name: str, copied: Path) -> None:
    texts = RecordTexts()
    assert with_texts(copied, texts) == full_export(copied)
    EDITS[name](copied.parent / "postmortems", copied.parent / "runbooks")
    assert with_texts(copied, texts) == full_export(copied)


@pytest.mark.parametrize("days", [-1000, 2000], ids=["action items not yet due", "runbooks gone stale"])
def test_a_new_day_is_written_afresh(copied: Path, days: int) -> None:
    texts = RecordTexts()
    with_texts(copied, texts)
    day = TODAY + timedelta(days=days)
    assert with_texts(copied, texts, today=day) == full_export(copied, today=day)


def test_new_urls_are_written_afresh(copied: Path) -> None:
    texts = RecordTexts()
    with_texts(copied, texts)
    assert with_texts(copied, texts, "https://kb.example.com/") == full_export(copied, "https://kb.example.com/")


def test_new_settings_are_written_afresh(copied: Path) -> None:
    texts = RecordTexts()
    with_texts(copied, texts)
    edit(copied, "  - pmkb", "  - pmkb:\n      runbook_review_days: 30")
    assert with_texts(copied, texts) == full_export(copied)


def test_records_are_kept_only_while_their_inputs_are_unchanged(copied: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = RecordTexts()
    with_texts(copied, texts)
    exported: list[str] = []
    original = KnowledgeBase.export_postmortem

    def counted(self: KnowledgeBase, pm_id: str) -> dict:
        exported.append(pm_id)
        return original(self, pm_id)

    monkeypatch.setattr(KnowledgeBase, "export_postmortem", counted)
    with_texts(copied, texts)
    assert exported == [], "nothing changed: every record is kept"
    EDITS["retitled incident"](copied.parent / "postmortems", copied.parent / "runbooks")
    with_texts(copied, texts)
    assert "incident-00001" in exported
    assert 1 <= len(exported) < 10, "the edited record, and those listing it as similar"

"""The similar-incident lists in .cache/pmkb/similar.pickle: an export or a site build
whose similarity inputs are unchanged reuses them without building the index, an edit to
an input finds them afresh, and what is printed is always what an uncached run prints."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mkdocs.commands.build import build
from mkdocs.config import load_config
from pmkb import cache, index
from pmkb.cli import main
from pmkb.config import load_config as load_kb_config
from pmkb.pipeline import load_knowledge_base
from pmkb.similarity import SimilarityIndex

from tests.kb_helpers import TODAY, benchmark_generator

# A postmortem of the generated knowledge base, with similar incidents and action items.
TARGET = "incident-00001"


class Built:
    """How many similarity indexes this test built."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        counter = self

        class CountingIndex(SimilarityIndex):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                counter.count += 1
                super().__init__(*args, **kwargs)

        monkeypatch.setattr(index, "SimilarityIndex", CountingIndex)

    def since(self, before: int) -> int:
        return self.count - before


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Built:
    return Built(monkeypatch)


def _generated(root: Path) -> Path:
    _plain, mkdocs_yml = benchmark_generator().write_sites(root, 20)
    return mkdocs_yml


def _export(mkdocs_yml: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["export", "-f", str(mkdocs_yml), "--today", TODAY.isoformat(), *extra])
    assert result.exit_code == 0, result.output
    exported: dict[str, Any] = json.loads(result.stdout)
    return exported


def _similar(exported: dict[str, Any]) -> dict[str, tuple[list[str], dict[str, list[str]]]]:
    return {pm["id"]: (pm["similar"], pm["similar_shared"]) for pm in exported["postmortems"]}


def _exported_twice(mkdocs_yml: Path, built: Built) -> dict[str, Any]:
    """The export of a run that found the lists and stored them, then of one that reused them."""
    before = built.count
    found = _export(mkdocs_yml)
    assert built.since(before) == 1
    assert _export(mkdocs_yml) == found
    assert built.since(before) == 1, "the second export reuses the stored lists"
    return found


def _store(mkdocs_yml: Path) -> Path:
    return mkdocs_yml.parent / cache.CACHE_FOLDER / cache.SIMILAR_STORE_NAME


def _pmfile(mkdocs_yml: Path, pm_id: str) -> Path:
    return mkdocs_yml.parent / "postmortems" / f"{pm_id}.md"


def test_an_export_is_the_same_cold_warm_and_without_cache(tmp_path: Path, built: Built) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    uncached = _export(mkdocs_yml, "--no-cache")
    assert not (mkdocs_yml.parent / ".cache").exists()
    assert sum(len(ids) for ids, _shared in _similar(uncached).values()) > 40, "lists worth keeping"
    assert _exported_twice(mkdocs_yml, built) == uncached
    stored = _store(mkdocs_yml).read_bytes()
    assert stored.startswith(cache._MAGIC)
    assert _export(mkdocs_yml, "--no-cache") == uncached
    assert _store(mkdocs_yml).read_bytes() == stored, "--no-cache leaves the store alone"


def _rewrite(pm: Path, pattern: str, replacement: str) -> None:
    """Replace the first line matching `pattern` in a file; there must be one."""
    text = pm.read_text(encoding="utf-8")
    changed, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{pm.name} has no line matching {pattern!r}"
    pm.write_text(changed, encoding="utf-8")


def _retitle(pm: Path, _similar_ids: list[str]) -> None:
    _rewrite(pm, r"^title: .*$", 'title: "Zebra herd stampedes the quagga pens"')


def _relate(pm: Path, similar_ids: list[str]) -> None:
    # Related incidents are listed as such, so they leave the similar list.
    _rewrite(pm, r"^related: \[", f"related: [{similar_ids[0]}, ")


def _reword_root_cause(pm: Path, _similar_ids: list[str]) -> None:
    _rewrite(pm, r"^## Root Cause\n", "## Root Cause\n\nA zebra herd stampeded through the quagga pens.\n")


def _retag(pm: Path, _similar_ids: list[str]) -> None:
    _rewrite(pm, r"^tags: \[", "tags: [memory, tls, feature-flag, cron, ")


def _move_services(pm: Path, _similar_ids: list[str]) -> None:
    _rewrite(pm, r"^services: \[.*$", "services: [search, recommendations, order-db]")


def _recategorise(pm: Path, _similar_ids: list[str]) -> None:
    _rewrite(pm, r"^category: .*$", "category: network")


@pytest.mark.parametrize("change", [_retitle, _relate, _reword_root_cause, _retag, _move_services, _recategorise])
def test_an_edit_to_a_similarity_input_finds_the_lists_afresh(change: Any, tmp_path: Path, built: Built) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    original = _exported_twice(mkdocs_yml, built)
    change(_pmfile(mkdocs_yml, TARGET), _similar(original)[TARGET][0])
    fresh = _export(mkdocs_yml, "--no-cache")
    assert _similar(fresh) != _similar(original), "the edit changes some list"
    assert _exported_twice(mkdocs_yml, built) == fresh


def test_an_edit_to_anything_else_reuses_the_stored_lists(tmp_path: Path, built: Built) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    original = _exported_twice(mkdocs_yml, built)
    pm = _pmfile(mkdocs_yml, TARGET)
    _rewrite(pm, r"^    status: .*$", "    status: wont-do")
    _rewrite(pm, r"^impact: ", "impact: Mostly harmless; ")
    _rewrite(pm, r"^## Summary\n", "## Summary\n\nA zebra herd stampeded through the quagga pens.\n")
    before = built.count
    edited = _export(mkdocs_yml)
    assert built.since(before) == 0, "no similarity input changed: the stored lists are used"
    assert edited != original
    assert edited == _export(mkdocs_yml, "--no-cache")


def _signed(key: bytes, content: object) -> bytes:
    payload = pickle.dumps(content)
    return cache._MAGIC + cache._signature(key, payload) + payload


def test_a_store_signed_by_someone_else_is_ignored(
    tmp_path: Path, built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    expected = _exported_twice(mkdocs_yml, built)
    store = _store(mkdocs_yml)
    settings_key, inputs, pickled = pickle.loads(store.read_bytes()[len(cache._MAGIC) + cache._SIGNATURE_BYTES :])
    lists = pickle.loads(pickled)
    assert set(lists) == {pm["id"] for pm in expected["postmortems"]}
    forged = (settings_key, inputs, pickle.dumps({pm_id: [] for pm_id in lists}))  # nothing like anything
    this_user = os.environ["XDG_CACHE_HOME"]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    other_key = cache.signing_key()
    assert other_key is not None
    store.write_bytes(_signed(other_key, forged))
    before = built.count
    assert all(not ids for ids, _ in _similar(_export(mkdocs_yml)).values()), "the signer would read it"
    assert built.since(before) == 0
    monkeypatch.setenv("XDG_CACHE_HOME", this_user)
    assert _exported_twice(mkdocs_yml, built) == expected, "this user ignores it, finds the lists and stores them"


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[: len(data) // 2], lambda data: data[:-1] + bytes([data[-1] ^ 1]), lambda data: b"junk"],
    ids=["truncated", "one bit flipped", "garbage"],
)
def test_a_damaged_store_is_ignored_and_rewritten(damage: Any, tmp_path: Path, built: Built) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    expected = _exported_twice(mkdocs_yml, built)
    store = _store(mkdocs_yml)
    store.write_bytes(damage(store.read_bytes()))
    assert _exported_twice(mkdocs_yml, built) == expected


def test_a_store_naming_other_types_is_refused(
    tmp_path: Path, built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    expected = _exported_twice(mkdocs_yml, built)
    store = _store(mkdocs_yml)
    settings_key, inputs, pickled = pickle.loads(store.read_bytes()[len(cache._MAGIC) + cache._SIGNATURE_BYTES :])
    lists = pickle.loads(pickled)
    key = cache.signing_key()
    assert key is not None
    hostile = {**lists, TARGET: [_RunsCode()]}
    # In the lists, which are pickled apart, and in the store around them.
    for content in ((settings_key, inputs, pickle.dumps(hostile)), (settings_key, inputs, hostile)):
        store.write_bytes(_signed(key, content))
        capsys.readouterr()
        assert _exported_twice(mkdocs_yml, built) == expected
        assert "code from the cache ran" not in capsys.readouterr().out


class _RunsCode:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("code from the cache ran",))


def test_the_cache_option_and_no_cache_find_the_lists_every_time(tmp_path: Path, built: Built) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    expected = _exported_twice(mkdocs_yml, built)
    before = built.count
    assert _export(mkdocs_yml, "--no-cache") == expected
    assert built.since(before) == 1
    yml = mkdocs_yml.read_text(encoding="utf-8")
    mkdocs_yml.write_text(yml.replace("  - pmkb\n", "  - pmkb:\n      cache: false\n"), encoding="utf-8")
    shutil.rmtree(mkdocs_yml.parent / ".cache")
    assert _export(mkdocs_yml) == expected
    assert _export(mkdocs_yml) == expected
    assert built.since(before) == 3
    assert not (mkdocs_yml.parent / ".cache").exists()


def test_a_store_that_cannot_be_written_leaves_the_export_as_it_was(tmp_path: Path, built: Built) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    expected = _exported_twice(mkdocs_yml, built)
    store = _store(mkdocs_yml)
    store.unlink()
    store.mkdir()  # in the way of the file
    before = built.count
    assert _export(mkdocs_yml) == expected
    assert _export(mkdocs_yml) == expected
    assert built.since(before) == 2
    folder = store.parent
    assert sorted(path.name for path in folder.iterdir()) == [".gitignore", cache.STORE_NAME, cache.SIMILAR_STORE_NAME]


def _build(mkdocs_yml: Path, site: Path) -> dict[str, Any]:
    build(load_config(str(mkdocs_yml), site_dir=str(site), strict=True))
    exported: dict[str, Any] = json.loads((site / "kb.json").read_text(encoding="utf-8"))
    return exported


def test_a_site_build_stores_the_lists_and_reuses_them(
    tmp_path: Path, built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    monkeypatch.setenv("PMKB_TODAY", TODAY.isoformat())
    cold = _build(mkdocs_yml, tmp_path / "cold")
    assert built.count == 1
    assert _store(mkdocs_yml).is_file()
    warm = _build(mkdocs_yml, tmp_path / "warm")
    assert built.count == 1, "the second build reuses the lists the first stored"
    assert warm == cold
    page = (tmp_path / "warm" / "postmortems" / TARGET / "index.html").read_text(encoding="utf-8")
    assert page == (tmp_path / "cold" / "postmortems" / TARGET / "index.html").read_text(encoding="utf-8")
    # `pmkb export` reads what the build stored: one store for both.
    assert _similar(_export(mkdocs_yml)) == _similar(cold)
    assert built.count == 1


def test_stored_lists_equal_fresh_ones_score_for_score(tmp_path: Path, built: Built) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    _exported_twice(mkdocs_yml, built)
    config = load_kb_config(mkdocs_yml)
    fresh = load_knowledge_base(config, TODAY, use_cache=False).kb
    before = built.count
    stored = load_knowledge_base(config, TODAY).kb
    for pm_id in fresh.postmortems:
        assert stored.similar(pm_id) == fresh.similar(pm_id)  # ids, scores and shared terms, in order
    assert built.since(before) == 1, "only the fresh knowledge base built an index"
    assert any(found.score < 1 for pm_id in fresh.postmortems for found in stored.similar(pm_id))


def _loaded(mkdocs_yml: Path) -> index.KnowledgeBase:
    kb, _findings = load_knowledge_base(load_kb_config(mkdocs_yml), TODAY)
    return kb


class MemoryLists:
    def __init__(self) -> None:
        self.kept: dict[bytes, dict[str, Any]] = {}

    def get(self, inputs: bytes) -> dict[str, Any] | None:
        return self.kept.get(inputs)

    def put(self, inputs: bytes, lists: dict[str, Any]) -> None:
        self.kept[inputs] = lists


def test_provisional_lists_leave_out_what_is_gone_or_related_and_are_never_stored(tmp_path: Path) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    earlier = _loaded(mkdocs_yml)
    lists = {pm_id: earlier.similar(pm_id) for pm_id in earlier.postmortems}
    related_id = lists[TARGET][0].id
    _relate(_pmfile(mkdocs_yml, TARGET), [related_id])
    gone = lists[TARGET][1].id
    _pmfile(mkdocs_yml, gone).unlink()
    store = MemoryLists()
    kb = _loaded(mkdocs_yml)
    kb.use_similar_from(store, lists)
    assert kb.similar_is_provisional
    shown = kb.similar(TARGET)
    assert shown == [item for item in lists[TARGET] if item.id not in (related_id, gone)]
    assert all(gone not in [item.id for item in kb.similar(pm_id)] for pm_id in kb.postmortems)
    kb.export()
    assert not store.kept, "provisional lists are not the lists of these inputs"


def test_stored_lists_of_these_inputs_win_over_provisional_ones(tmp_path: Path) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    exact = _loaded(mkdocs_yml)
    lists = {pm_id: exact.similar(pm_id) for pm_id in exact.postmortems}
    store = MemoryLists()
    store.put(exact.similarity_inputs, lists)
    kb = _loaded(mkdocs_yml)
    kb.use_similar_from(store, {pm_id: [] for pm_id in lists})
    assert not kb.similar_is_provisional
    assert {pm_id: kb.similar(pm_id) for pm_id in kb.postmortems} == lists

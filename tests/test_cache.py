"""The cache in .cache/pmkb/: the same output with and without it, cold, warm and after
edits; a cache that is corrupt, forged, from elsewhere or can't be written is ignored."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pmkb import cache, loader
from pmkb.cli import main

from tests.kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, TODAY, benchmark_generator, edit, write_kb

REPO = Path(__file__).resolve().parents[1]
FORMATS = ("text", "json", "github")


def _generated(root: Path) -> Path:
    """A generated knowledge base with findings of every kind, some across files."""
    _plain, mkdocs_yml = benchmark_generator().write_sites(root, 20)
    pms, rbs = mkdocs_yml.parent / "postmortems", mkdocs_yml.parent / "runbooks"
    edit(pms / "incident-00001.md", "## Impact\n", "## Impact\n\nDana forgot to drain the node before the upgrade.\n")
    edit(pms / "incident-00002.md", "## Summary\n", "## Summary\n\nRan `psql postgres://admin:hunter2@db/orders`.\n")
    edit(pms / "incident-00003.md", "## Root Cause\n", "## Causes\n")
    edit(pms / "incident-00004.md", "services:", "id: incident-00005\nservices:")
    edit(pms / "incident-00006.md", "runbooks: [", "runbooks: [no-such-runbook, ")
    edit(pms / "incident-00007.md", "title:", "title: [unclosed\nx:")
    edit(pms / "incident-00008.md", "## Impact\n", "## Impact\n\nSee [the runbook][runbook-9999].\n")
    edit(pms / "incident-00009.md", "## Lessons Learned\n", "## Lessons Learned\n\nTBD\n\n## Notes\n")
    (pms / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    edit(rbs / "runbook-0000.md", "last_reviewed:", "last_reviewed: 2020-01-01\nold_last_reviewed:")
    return mkdocs_yml


def _example(root: Path) -> Path:
    """A copy of the repository's example knowledge base."""
    for name in ("postmortems", "runbooks", "docs"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root / "mkdocs.yml"


def _small(root: Path) -> Path:
    return write_kb(
        root,
        {
            "postmortems/pool.md": GOOD_POSTMORTEM,
            "postmortems/draft.md": GOOD_POSTMORTEM.replace("severity: SEV-2", "severity: SEV-2\nstatus: draft"),
            "postmortems/bad.md": "---\ntitle: no colon here\nseverity: [SEV-9]\n---\n## Summary\n",
            "runbooks/db-pool.md": GOOD_RUNBOOK,
        },
    )


KNOWLEDGE_BASES = {"generated": _generated, "example": _example, "small": _small}


def _run(mkdocs_yml: Path, *args: str, today: str = TODAY.isoformat()) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "-f", str(mkdocs_yml), "--today", today])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _outputs(mkdocs_yml: Path, *extra: str, today: str = TODAY.isoformat()) -> dict[str, tuple[int, str]]:
    """Every format of the check, the check of one file, and the export."""
    one = next((mkdocs_yml.parent / "postmortems").rglob("*.md"))
    outputs = {fmt: _run(mkdocs_yml, "check", "--format", fmt, *extra, today=today) for fmt in FORMATS}
    outputs["one file"] = _run(mkdocs_yml, "check", str(one), *extra, today=today)
    outputs["export"] = _run(mkdocs_yml, "export", *extra, today=today)
    return outputs


def _checked(mkdocs_yml: Path, *extra: str) -> tuple[int, str]:
    return _run(mkdocs_yml, "check", "--format", "json", *extra)


def _store(mkdocs_yml: Path) -> Path:
    return mkdocs_yml.parent / cache.CACHE_FOLDER / cache.STORE_NAME


@pytest.mark.parametrize("name", sorted(KNOWLEDGE_BASES))
def test_cold_warm_and_edited_runs_print_what_an_uncached_run_prints(name: str, tmp_path: Path) -> None:
    mkdocs_yml = KNOWLEDGE_BASES[name](tmp_path / "kb")
    uncached = _outputs(mkdocs_yml, "--no-cache")
    assert not (mkdocs_yml.parent / ".cache").exists(), "--no-cache writes no cache"
    assert uncached["text"][0] == 1 or name == "example"
    assert _outputs(mkdocs_yml) == uncached  # cold: the cache is written
    assert _store(mkdocs_yml).is_file()
    assert _outputs(mkdocs_yml) == uncached  # warm: everything comes from it

    # Edit one file: it is read afresh, the others still come from the cache.
    target = sorted((mkdocs_yml.parent / "postmortems").rglob("*.md"))[0]
    text = target.read_text(encoding="utf-8")
    target.write_text(
        text.replace("\n## ", "\nDana forgot to drain the node before the upgrade.\n\n## ", 1), encoding="utf-8"
    )
    edited = _outputs(mkdocs_yml, "--no-cache")
    assert edited != uncached
    assert _outputs(mkdocs_yml) == edited
    # Another day: the rules that read today run afresh over cached files.
    assert _outputs(mkdocs_yml, today="2031-01-01") == _outputs(mkdocs_yml, "--no-cache", today="2031-01-01")


def test_a_changed_option_is_a_different_cache(tmp_path: Path) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    _checked(mkdocs_yml)
    yml = mkdocs_yml.read_text(encoding="utf-8")
    mkdocs_yml.write_text(
        yml.replace("  - pmkb\n", "  - pmkb:\n      rules: {PMKB006: off}\n      hollow: {min_words: 12}\n"),
        encoding="utf-8",
    )
    reconfigured = _checked(mkdocs_yml)
    assert reconfigured == _checked(mkdocs_yml, "--no-cache")
    assert "PMKB006" not in reconfigured[1] and "PMKB015" in reconfigured[1]


def test_the_cache_folder_is_ignored_by_git_and_holds_no_temporary_files(tmp_path: Path) -> None:
    mkdocs_yml = _small(tmp_path / "kb")
    _run(mkdocs_yml, "check")
    folder = mkdocs_yml.parent / cache.CACHE_FOLDER
    assert sorted(path.name for path in folder.iterdir()) == [".gitignore", cache.STORE_NAME]
    assert "*" in (folder / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_the_cache_option_turns_it_off(tmp_path: Path) -> None:
    mkdocs_yml = _small(tmp_path / "kb")
    yml = mkdocs_yml.read_text(encoding="utf-8")
    mkdocs_yml.write_text(yml.replace("  - pmkb\n", "  - pmkb:\n      cache: false\n"), encoding="utf-8")
    assert _run(mkdocs_yml, "check")[0] == 1
    assert not (mkdocs_yml.parent / ".cache").exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),
        lambda data: b"not a cache at all",
        lambda data: data.replace(b"pmkb-cache", b"pmkb-cachf", 1),
    ],
    ids=["empty", "truncated", "one bit flipped", "garbage", "other format"],
)
def test_a_damaged_cache_is_ignored_and_rewritten(damage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mkdocs_yml = _generated(tmp_path / "kb")
    expected = _checked(mkdocs_yml, "--no-cache")
    _checked(mkdocs_yml)
    store = _store(mkdocs_yml)
    store.write_bytes(damage(store.read_bytes()))
    assert _checked(mkdocs_yml) == expected
    assert store.read_bytes().startswith(b"pmkb-cache\n")


def test_a_cache_from_another_user_or_machine_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store signed with another key (committed to the repository, copied from a laptop)
    is ignored, even when it claims the file is clean."""
    mkdocs_yml = _generated(tmp_path / "kb")
    expected = _checked(mkdocs_yml, "--no-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-user"))
    _checked(mkdocs_yml)
    key = (tmp_path / "other-user" / "pmkb" / cache.SIGNING_KEY_NAME).read_bytes()
    store = _store(mkdocs_yml)
    payload = store.read_bytes()[len(cache._MAGIC) + cache._SIGNATURE_BYTES :]
    settings_key, records = pickle.loads(payload)
    for record_key, (file_digest, summary, pickled, stat_key) in records.items():
        record = pickle.loads(pickled)
        forged_record = pickle.dumps((*record[:-1], []))  # no per-file findings anywhere
        records[record_key] = (file_digest, summary, forged_record, stat_key)
    forged = pickle.dumps((settings_key, records))
    store.write_bytes(cache._MAGIC + cache._signature(key, forged) + forged)
    assert "PMKB013" not in _run(mkdocs_yml, "check")[1], "the forged store is read by the user who signed it"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "this-user"))
    assert _checked(mkdocs_yml) == expected


class _RunsCode:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("code from the cache ran",))


def test_a_store_naming_other_types_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mkdocs_yml = _small(tmp_path / "kb")
    expected = _checked(mkdocs_yml, "--no-cache")
    _checked(mkdocs_yml)
    key = cache.signing_key()
    assert key is not None
    store = _store(mkdocs_yml)
    settings_key, records = pickle.loads(store.read_bytes()[len(cache._MAGIC) + cache._SIGNATURE_BYTES :])
    file_digest, summary, _record, stat_key = records["postmortem:postmortems/pool.md"]
    records["postmortem:postmortems/pool.md"] = (file_digest, summary, pickle.dumps(_RunsCode()), stat_key)
    for outer in ((settings_key, records), (settings_key, {"postmortem:postmortems/pool.md": _RunsCode()})):
        payload = pickle.dumps(outer)
        store.write_bytes(cache._MAGIC + cache._signature(key, payload) + payload)
        assert _checked(mkdocs_yml) == expected
    assert "code from the cache ran" not in capsys.readouterr().out


def test_a_check_of_one_file_reads_only_its_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    one = mkdocs_yml.parent / "postmortems" / "incident-00006.md"
    expected = _run(mkdocs_yml, "check", "--no-cache", str(one))
    _checked(mkdocs_yml)
    read: list[bytes] = []
    real_record = cache.DocumentCache.record

    def counting_record(pickled: bytes) -> object:
        read.append(pickled)
        return real_record(pickled)

    monkeypatch.setattr(cache.DocumentCache, "record", staticmethod(counting_record))
    assert _run(mkdocs_yml, "check", str(one)) == expected
    assert len(read) == 1
    read.clear()
    assert _checked(mkdocs_yml) == _checked(mkdocs_yml, "--no-cache")
    assert len(read) > 20


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files pmkb reads from now on."""
    read: list[str] = []
    real_read = loader._read_regular_file

    def counting_read(path: Path, max_bytes: int) -> tuple[bytes, os.stat_result]:
        read.append(path.name)
        return real_read(path, max_bytes)

    monkeypatch.setattr(loader, "_read_regular_file", counting_read)
    return read


def test_a_check_of_one_file_does_not_read_files_unchanged_since_they_were_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    one = mkdocs_yml.parent / "postmortems" / "incident-00006.md"
    expected = _run(mkdocs_yml, "check", "--no-cache", str(one))
    # The files were all written a moment ago: as if the clock had moved on since.
    monkeypatch.setattr(loader, "_RACY_NS", 0)
    _checked(mkdocs_yml)
    read = _counting_reads(monkeypatch)
    assert _run(mkdocs_yml, "check", str(one)) == expected
    assert read == ["incident-00006.md", "latin1.md"]  # a file that is not text has no record
    # Rewritten with the same size and its old modification time: the change time still
    # tells, so the file is read and the id it now shares with the checked file is found.
    other = mkdocs_yml.parent / "postmortems" / "incident-00010.md"
    info = other.stat()
    text = other.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    claimed = "id: incident-00006\n"
    other.write_text(text.replace(title, claimed + title[: -len(claimed) - 1] + '"'), encoding="utf-8")
    os.utime(other, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert other.stat().st_size == info.st_size
    read.clear()
    code, output = _run(mkdocs_yml, "check", str(one))
    assert "incident-00010.md" in read
    assert (code, output) == _run(mkdocs_yml, "check", "--no-cache", str(one))
    assert "PMKB" in output and "incident-00010.md" in output


def test_a_file_written_just_before_it_was_read_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within the clock's resolution a second write can keep size and times: the stat of a
    file written moments before it was read is not trusted (git's racy-clean case)."""
    mkdocs_yml = _generated(tmp_path / "kb")
    one = mkdocs_yml.parent / "postmortems" / "incident-00006.md"
    _checked(mkdocs_yml)
    read = _counting_reads(monkeypatch)
    _run(mkdocs_yml, "check", str(one))
    assert len(read) > 20


def test_a_cache_that_cannot_be_written_does_not_fail_the_check(tmp_path: Path) -> None:
    mkdocs_yml = _generated(tmp_path / "kb")
    expected = _checked(mkdocs_yml, "--no-cache")
    (mkdocs_yml.parent / ".cache").write_text("a file where the cache folder would go", encoding="utf-8")
    assert _checked(mkdocs_yml) == expected


def test_no_signing_key_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mkdocs_yml = _small(tmp_path / "kb")
    expected = _checked(mkdocs_yml, "--no-cache")
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    assert _checked(mkdocs_yml) == expected
    assert not (mkdocs_yml.parent / ".cache").exists()


def test_the_key_names_the_settings_and_the_libraries_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.cache_key("settings")
    assert cache.cache_key("other settings") != key
    monkeypatch.setattr(cache, "_dist_info_versions", lambda: {"pydantic": "99.0"})
    cache._code_identity.cache_clear()
    try:
        assert cache.cache_key("settings") != key, "an upgrade of a library findings depend on"
    finally:
        monkeypatch.undo()
        cache._code_identity.cache_clear()
    assert cache.cache_key("settings") == key


def test_the_versions_in_the_key_are_the_installed_ones() -> None:
    from importlib import metadata

    found = cache._dist_info_versions()
    for library in ("pmkb", *cache._LIBRARIES):
        assert found[cache._distribution_key(library)] == metadata.version(library), library

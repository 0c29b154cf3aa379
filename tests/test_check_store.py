"""`pmkb check` answers from an earlier check's result when no file has been written since
(`cache.CheckStore`, `pipeline.check_knowledge_base`): the same output, with nothing
read or parsed. A changed, added or removed file, other files checked, another day or
another option check afresh; a file written moments ago keeps no result."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pmkb import cache, loader, pipeline, validation
from pmkb.cli import main

from tests.kb_helpers import TODAY, benchmark_generator, edit

FORMATS = ("text", "json", "github")


def _knowledge_base(root: Path) -> Path:
    """A generated knowledge base with findings in single files and across files."""
    _plain, mkdocs_yml = benchmark_generator().write_sites(root, 12)
    pms = mkdocs_yml.parent / "postmortems"
    edit(pms / "incident-00001.md", "## Impact\n", "## Impact\n\nDana forgot to drain the node before the upgrade.\n")
    edit(pms / "incident-00004.md", "services:", "id: incident-00005\nservices:")
    edit(pms / "incident-00006.md", "runbooks: [", "runbooks: [no-such-runbook, ")
    return mkdocs_yml


def _run(mkdocs_yml: Path, *args: str, today: str = TODAY.isoformat()) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args, "-f", str(mkdocs_yml), "--today", today])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _outputs(mkdocs_yml: Path, *args: str, today: str = TODAY.isoformat()) -> dict[str, tuple[int, str]]:
    return {fmt: _run(mkdocs_yml, "--format", fmt, *args, today=today) for fmt in FORMATS}


def _counting_loads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    loads: list[object] = []
    load = pipeline.load_knowledge_base

    def counting(*args: Any, **kwargs: Any) -> Any:
        loads.append(args)
        return load(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load_knowledge_base", counting)
    return loads


def _kept(mkdocs_yml: Path) -> dict[Any, Any]:
    stored = cache.read_store(mkdocs_yml.parent / cache.CACHE_FOLDER / cache.CHECK_STORE_NAME, cache.signing_key())
    assert isinstance(stored, tuple)
    kept: dict[Any, Any] = stored[1]
    return kept


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    # The files were all written a moment ago: as if the clock had moved on since.
    monkeypatch.setattr(loader, "_RACY_NS", 0)


@pytest.mark.usefixtures("trusted")
def test_an_unchanged_knowledge_base_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mkdocs_yml = _knowledge_base(tmp_path / "kb")
    expected = _outputs(mkdocs_yml, "--no-cache")
    assert expected["text"][0] == 1 and "PMKB" in expected["text"][1]
    assert _outputs(mkdocs_yml) == expected
    loads = _counting_loads(monkeypatch)
    reads: list[Path] = []
    monkeypatch.setattr(validation, "read_source", lambda path, *args, **kwargs: reads.append(path))
    assert _outputs(mkdocs_yml) == expected
    assert loads == [] and reads == []
    assert len(_kept(mkdocs_yml)) == 1


def _edit_a_file(kb: Path) -> None:
    edit(kb / "postmortems" / "incident-00002.md", "## Impact\n", "## Impact\n\nLee broke the deploy.\n")


def _rename_a_file(kb: Path) -> None:
    (kb / "postmortems" / "incident-00006.md").rename(kb / "postmortems" / "renamed.md")


def _remove_a_file(kb: Path) -> None:
    (kb / "postmortems" / "incident-00005.md").unlink()


def _turn_a_rule_off(kb: Path) -> None:
    edit(kb / "mkdocs.yml", "  - pmkb\n", "  - pmkb:\n      rules: {PMKB010: off}\n")


CHANGES: dict[str, Callable[[Path], None]] = {
    "a file's content": _edit_a_file,
    "a file's name": _rename_a_file,
    "a removed file": _remove_a_file,
    "an option": _turn_a_rule_off,
}


@pytest.mark.usefixtures("trusted")
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_checks_afresh(change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mkdocs_yml = _knowledge_base(tmp_path / "kb")
    before = _outputs(mkdocs_yml)
    CHANGES[change](mkdocs_yml.parent)
    loads = _counting_loads(monkeypatch)
    after = _outputs(mkdocs_yml)
    assert len(loads) == 1, "checked afresh once, then the result is kept"
    assert after == _outputs(mkdocs_yml, "--no-cache")
    assert after != before


@pytest.mark.usefixtures("trusted")
def test_another_day_and_other_files_checked_check_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mkdocs_yml = _knowledge_base(tmp_path / "kb")
    one = str(mkdocs_yml.parent / "postmortems" / "incident-00006.md")
    later = _outputs(mkdocs_yml, "--no-cache", today="2031-01-01")
    of_one = _run(mkdocs_yml, "--no-cache", one)
    _outputs(mkdocs_yml)
    loads = _counting_loads(monkeypatch)
    assert _outputs(mkdocs_yml, today="2031-01-01") == later
    assert _run(mkdocs_yml, one) == of_one
    assert len(loads) == 2, "each checked afresh once"
    assert later != _outputs(mkdocs_yml) and len(loads) == 2


@pytest.mark.usefixtures("trusted")
def test_the_last_four_results_are_kept(tmp_path: Path) -> None:
    mkdocs_yml = _knowledge_base(tmp_path / "kb")
    for day in range(1, 7):
        _run(mkdocs_yml, today=f"2030-01-0{day}")
    assert len(_kept(mkdocs_yml)) == 4


def test_a_file_written_moments_ago_keeps_no_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Within the clock's resolution a second write can keep size and times (git's racy-clean case).
    mkdocs_yml = _knowledge_base(tmp_path / "kb")
    _outputs(mkdocs_yml)
    loads = _counting_loads(monkeypatch)
    _outputs(mkdocs_yml)
    assert len(loads) == len(FORMATS)
    assert not (mkdocs_yml.parent / cache.CACHE_FOLDER / cache.CHECK_STORE_NAME).exists()

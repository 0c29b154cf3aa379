"""A generated page's Markdown is written when MkDocs reads it (`files.GeneratedPage`),
not kept beside the file's text and MkDocs' own copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, TODAY, write_kb
from mkdocs.config import load_config
from mkdocs.structure.files import Files, get_files
from pmkb.site.files import GeneratedPage

PM = "2024-03-05-checkout"
BODY_LINE = "The checkout API returned errors for a quarter of requests."


@pytest.fixture
def planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Files, Path]:
    monkeypatch.setenv("PMKB_TODAY", TODAY.isoformat())
    files = {f"postmortems/{PM}.md": GOOD_POSTMORTEM, "runbooks/db-pool.md": GOOD_RUNBOOK}
    config = load_config(config_file=str(write_kb(tmp_path, files)))
    config = config.plugins.on_config(config)
    return config, config.plugins.on_files(get_files(config), config=config), tmp_path / "postmortems" / f"{PM}.md"


def _strings(value: object) -> list[str]:
    found: list[str] = []
    for part in vars(value).values():
        if isinstance(part, str | bytes):
            found.append(part.decode() if isinstance(part, bytes) else part)
    return found


def test_the_page_reads_as_front_matter_and_the_documents_body(planned: tuple[Any, Files, Path]) -> None:
    _, files, source = planned
    file = files.get_file_from_path(f"postmortems/{PM}.md")
    assert isinstance(file, GeneratedPage)
    text = file.content_string
    assert text.startswith("---\ntitle: Checkout errors after pool change\n")
    assert text.endswith(source.read_text().split("---\n", 2)[2])
    assert file.content_bytes == text.encode()


def test_neither_the_file_nor_its_spec_keeps_the_markdown(planned: tuple[Any, Files, Path]) -> None:
    _, files, _ = planned
    file = files.get_file_from_path(f"postmortems/{PM}.md")
    assert isinstance(file, GeneratedPage) and file.spec is not None
    assert BODY_LINE in file.content_string
    assert not [text for text in _strings(file) + _strings(file.spec) if BODY_LINE in text]


def test_content_a_plugin_sets_is_kept(planned: tuple[Any, Files, Path]) -> None:
    _, files, _ = planned
    file = files.get_file_from_path(f"postmortems/{PM}.md")
    assert isinstance(file, GeneratedPage)
    file.content_string = "# Replaced\n"
    assert file.content_string == "# Replaced\n" and file.content_bytes == b"# Replaced\n"
    file.content_bytes = b"# Again\n"
    assert file.content_string == "# Again\n"

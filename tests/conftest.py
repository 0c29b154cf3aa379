"""Fixtures shared by the tests; helpers live in kb_helpers."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from kb_helpers import MKDOCS_YML, TODAY, load_kb
from pmkb.config import KBConfig
from pmkb.pipeline import CheckedKnowledgeBase


@pytest.fixture
def kb_factory(tmp_path: Path):
    def factory(
        files: dict[str, str | bytes], mkdocs_yml: str = MKDOCS_YML, today: date = TODAY
    ) -> CheckedKnowledgeBase:
        return load_kb(tmp_path / "kb", files, mkdocs_yml, today)

    return factory


@pytest.fixture
def default_config(tmp_path: Path) -> KBConfig:
    return KBConfig(root=tmp_path)


# Material 9.7+ prints a banner about MkDocs 2 on stderr; it is noise in build logs under test.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

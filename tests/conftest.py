"""Fixtures shared by the tests; helpers live in kb_helpers."""

from __future__ import annotations

import os
import tempfile
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


# The cache's signing key lives in the user's cache folder: keep the tests' out of the real one.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="pmkb-tests-user-cache-")

# Material 9.7+ prints a banner about MkDocs 2 on stderr; it is noise in build logs under test.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

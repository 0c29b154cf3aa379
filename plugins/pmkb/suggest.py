"""The "did you mean" of every message: the known names closest to a misspelt one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# How alike two names must be to be offered (difflib's ratio, 0 to 1).
SIMILARITY_CUTOFF = 0.6


def closest(word: str, known: Iterable[str], limit: int = 1) -> list[str]:
    """Up to `limit` known names most like `word`, best first; empty when none is close."""
    return difflib.get_close_matches(word, list(known), n=limit, cutoff=SIMILARITY_CUTOFF)

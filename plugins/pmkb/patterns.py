"""Regular expressions written by users (blame ``extra``/``allow``, secret ``allow``).

One place compiles and validates them, so the configuration, the blame detector and
the secret detector accept the same patterns and word their errors the same way.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def compile_user_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` compiled; ``ValueError`` naming the pattern when it is not valid."""
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None


def validate_patterns(patterns: list[str]) -> list[str]:
    """Every pattern compiles; for option validators that keep the text."""
    for pattern in patterns:
        compile_user_pattern(pattern)
    return patterns

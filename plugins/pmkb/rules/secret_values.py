"""Heuristics for free-form secrets (passwords, assignment values): a value people write
instead of a secret (a placeholder), and a value random enough to be one (entropy)."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

# Values people write instead of a secret: mask characters, redaction words,
# template and environment references, format strings.
_PLACEHOLDER_WORDS = frozenset(
    """
    password passwd pass pwd secret secrets token apikey api_key api-key key
    changeme change-me change_me redacted removed hidden masked censored omitted
    placeholder example sample dummy fake test none null nil undefined empty true false
    foo bar baz user username login
    yes no required optional string str value todo tbd fixme xxx
    """.split()
)
_PLACEHOLDER_FRAGMENTS = (
    "redacted",
    "masked",
    "removed",
    "hidden",
    "placeholder",
    "changeme",
    "censored",
    "omitted",
    "your_",
    "your-",
    "yourpass",
    "xxxx",
    "****",
    "…",
    "...",
    "{{",
    "${",
    "$(",
    "%(",
    "<",
    ">",
    "•",
)
_MASK_CHARS = frozenset("*xX•●#.-_?")
_ENV_REF = re.compile(r"process\.env|os\.environ|os\.getenv|env\(|env\[|secrets\.|vault:|ref\+", re.IGNORECASE)


@lru_cache(maxsize=4096)
def is_placeholder(value: str) -> bool:
    if value.startswith("{"):
        return True  # a template or format field: {password}, {{ .Values.x }}, {len(x)}
    v = value.strip("'\"`[](){}")
    if not v:
        return True
    lower = v.lower()
    if lower in _PLACEHOLDER_WORDS or len(set(v)) == 1 or set(v) <= _MASK_CHARS:
        return True
    if any(f in lower for f in _PLACEHOLDER_FRAGMENTS):
        return True
    # $VAR, ${VAR}, $(cmd), %s, %(name)s, %VAR%, and references into a secret store.
    return v.startswith(("$", "%")) or bool(_ENV_REF.match(v))


# Names and code rather than secrets: `payments-db-creds-v2`, `dbPassword`,
# `Whitespace`, `DEPLOY_TOKEN`, `settings.DB_PASSWORD`, `/etc/secrets/db`,
# `https://vault/...`, and in pasted code `get_token()`, `tokens[i]`, `Optional[str]`.
_SLUG = re.compile(r"[a-z]+\d{0,4}(?:[-_.:/](?:[a-z]+\d{0,4}|\d+))*")
_CAMEL = re.compile(r"_*[A-Za-z][a-z]+(?:[A-Z][a-z]+)*")
_CODE = re.compile(r"[\w.]*\(|[A-Za-z_][\w.]*\[")
# Each part of a dotted reference is itself name-like, so `ya29.a0AfH6SMBx...`
# (an OAuth token) is not mistaken for `settings.DB_PASSWORD`.
_NAME_PART = r"(?:_*[a-z][a-z0-9]*(?:_[a-z0-9]+)*|_*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*|_*[A-Za-z][a-z]+(?:[A-Z][a-z]+)*)"
_DOTTED = re.compile(rf"{_NAME_PART}(?:\.{_NAME_PART})+")
_URL_OR_PATH = re.compile(r"(?:[a-z][a-z0-9+.-]*://|~?\.{0,2}/)", re.IGNORECASE)

MIN_SECRET_LENGTH = 8
MAX_ENTROPY_THRESHOLD = 3.0


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value`` over its own symbols."""
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if n else 0.0


def is_high_entropy(value: str) -> bool:
    """Whether a free-form value looks random enough to be a secret.

    A fixed threshold cannot work for short strings: an 8-character string has at
    most 3 bits per character. The threshold therefore scales with the length (up to
    3.0 bits) and, because entropy does not separate `kubernetes` from `k8sPa55w`,
    the value must also mix at least two character classes and not look like a name.
    """
    n = len(value)
    if n < MIN_SECRET_LENGTH:
        return False
    threshold = min(MAX_ENTROPY_THRESHOLD, 0.85 * math.log2(n))
    if shannon_entropy(value) < threshold:
        return False
    classes = (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() and c not in "-_./:" for c in value)
    )
    if classes < 2:
        return False
    return not (
        _SLUG.fullmatch(value)
        or _CAMEL.fullmatch(value)
        or _DOTTED.fullmatch(value)
        or _URL_OR_PATH.match(value)
        or _CODE.match(value)
    )

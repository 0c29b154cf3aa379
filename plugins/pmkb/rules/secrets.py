"""Credential detection for rule PMKB013 (``secret``).

A pure detector: it takes the text of a Markdown file (front matter included) and
yields :class:`SecretHit` objects. No MkDocs, no file IO, no global state besides
compiled patterns, so the CLI, the MkDocs plugin and the tests share one code path.

Where detect-secrets maintains a pattern that fits, the pattern comes from its
plugin classes (``AWSKeyDetector``, ``GitHubTokenDetector``, ``GitLabTokenDetector``,
``SlackDetector``) and JWTs are validated with ``JwtTokenDetector.is_formally_valid``.
The plugins' own ``analyze_line`` is not used: it consults detect-secrets' global
settings, reports no column, and must be called once per line and per plugin, which
costs well over a second per megabyte (``KeywordDetector`` alone takes ~1 s and
flags ``password: ********``). Instead each pattern is run once over the whole text
and offsets are mapped to lines.

detect-secrets is imported lazily, on the first scan: importing it pulls in
``requests`` and its settings machinery (~0.2 s), which ``pmkb --help`` should not pay.
"""

from __future__ import annotations

import base64
import json
import os
import re
import string
import tempfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pmkb.patterns import compile_user_pattern
from pmkb.rules.secret_values import is_high_entropy, is_placeholder

__all__ = ["SecretHit", "SecretOptions", "find_secrets", "mask"]


@dataclass(frozen=True)
class SecretHit:
    """One credential-looking string.

    ``line`` is 1-based in the scanned text (a multi-line private key block is
    reported on its BEGIN line). ``masked`` keeps at most the first 4 characters of the secret, followed by
    ``…``; secrets without a public prefix (passwords, private keys) are shown as
    ``****`` only. The secret itself is deliberately not stored, so a hit can be
    logged, rendered or serialised without leaking it again.
    """

    line: int
    kind: str
    masked: str


@dataclass(frozen=True)
class SecretOptions:
    """``allow``: regular expressions searched (``re.search``) in each candidate
    secret value; a value that matches any of them is not reported. The value is
    the secret itself: the password of a connection URL, the right-hand side of an
    assignment, the whole token for typed tokens, the path after ``/services/`` for
    Slack webhooks and the base64 body for private keys."""

    allow: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------
# Masking


def mask(value: str, reveal: int = 4) -> str:
    """Mask ``value``, keeping at most ``reveal`` (≤ 4) leading characters.

    Never keeps the whole value: short values keep fewer characters so that at
    least three quarters of the secret stays hidden.
    """
    keep = max(0, min(reveal, 4, len(value) // 4))
    return value[:keep] + "…" if keep else "****"


# --------------------------------------------------------------------------------------
# Suppression comments

# A reason may follow the marker, e.g. `<!-- pmkb: allow-secret AWS docs example -->`.
_MARKER = re.compile(r"pmkb:[ \t]*allow-secret\b", re.IGNORECASE)
_COMMENT_ONLY = re.compile(
    r"\s*(?:<!--[ \t]*pmkb:[ \t]*allow-secret\b.*?-->|(?:#|//|--|;|%)[ \t]*pmkb:[ \t]*allow-secret\b.*)\s*",
    re.IGNORECASE,
)


def _suppressed_lines(text: str, line_starts: list[int]) -> set[int]:
    suppressed: set[int] = set()
    marked = {bisect_right(line_starts, m.start()) for m in _MARKER.finditer(text)}
    for line in marked:
        suppressed.add(line)
        start = line_starts[line - 1]
        end = text.find("\n", start)
        if _COMMENT_ONLY.fullmatch(text, start, len(text) if end < 0 else end):
            suppressed.add(line + 1)
    return suppressed


# --------------------------------------------------------------------------------------
# Detectors
#
# Speed matters (a knowledge base is scanned on every `mkdocs serve` rebuild), and
# CPython's `re` is fast only when a pattern starts with a literal: it then skips
# ahead with a string search (~1 ms per MB) instead of trying every position
# (~30 ms per MB with a leading look-behind, ~250 ms with IGNORECASE). So patterns
# start with their literal prefix, the left token boundary is checked in code, and
# case-insensitive patterns are written in lower case and run on a lower-cased copy
# of the text with the same offsets.


@dataclass(frozen=True)
class _Detector:
    kind: str
    regex: re.Pattern[str]
    group: int | str = 0  # the secret value; group 0 is the whole match
    reveal: int = 4  # 0 for secrets without a public, non-secret prefix
    lower: bool = False  # run on the lower-cased text; values are read from the original
    # Characters that may not precede a match: a token prefix in the middle of a
    # word (or of a base64 run, for prefixes that occur in base64) is not a token.
    not_after: frozenset[str] = frozenset()
    accept: Callable[[str], bool] | None = None
    kind_of: Callable[[str], str] | None = None  # a kind that depends on the value


_WORD = frozenset(string.ascii_letters + string.digits + "_")
# AKIA, AIza and eyJ are plain base64 and turn up inside data URIs and integrity
# hashes; prefixes with '_' or '-' (ghp_, glpat-, xoxb-) do not, and may follow
# a '/' in a URL.
_BASE64 = _WORD | frozenset("+/-")
_AFTER = r"(?![A-Za-z0-9_-])"


def _after(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A detect-secrets pattern with a right token boundary, keeping its flags."""
    return re.compile("(?:" + pattern.pattern + ")" + _AFTER, pattern.flags)


def _without_ignorecase(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A case-insensitive detect-secrets pattern (written in lower case) for the
    lower-cased text."""
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


def _basic_auth_valid(value: str) -> bool:
    # Only a header whose base64 decodes to user:password with a real password.
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    _user, sep, password = decoded.partition(":")
    return bool(sep) and not is_placeholder(password)


def _jwt_valid(token: str) -> bool:
    from detect_secrets.plugins.jwt import JwtTokenDetector

    return bool(JwtTokenDetector.is_formally_valid(token))


def _aws_secret_key(value: str) -> bool:
    # A 40-character git SHA next to "aws ... key" is hex in one case; real
    # secret access keys are base64 and mix cases.
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def _stripe_kind(value: str) -> str:
    mode = "live" if "_live_" in value else "test"
    role = "restricted" if value.startswith("rk") else "secret"
    return f"Stripe {mode} {role} key"


@lru_cache(maxsize=4096)
def _free_form(value: str) -> bool:
    return not is_placeholder(value) and is_high_entropy(value)


_PEM = re.compile(
    r"----(?:-BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"| BEGIN SSH2 ENCRYPTED PRIVATE KEY ----)"
)
_PUTTY = re.compile(r"PuTTY-User-Key-File-\d+:")
# Armour headers (Proc-Type:, Comment:, ...) may sit between the marker and the body;
# they are short, and bounding them keeps a line of repeated markers linear.
_KEY_BODY = re.compile(r"\s*(?:[A-Za-z][\w-]{0,64}:[^\n]{0,256}\n\s*){0,16}(?P<body>[A-Za-z0-9+/=]{16,})")

# scheme://user:password@host — the user may be empty (redis://:pw@host); the
# password may contain ':' but no whitespace or URL delimiter. The scheme is not
# part of the pattern so that the search can start from the literal "://".
_URL_PASSWORD = re.compile(r"://[^\s:/?#@\[\]'\"<>]*:(?P<value>[^\s/?#@'\"]+)@(?=[\w\[.-])")

# The key must *end* in a keyword (DB_PASSWORD, clientSecret, x-api-key), so that
# `token_url:`, `tokens:` and `secretName:` name something else; what precedes
# the keyword does not matter, which keeps the pattern anchored on a literal.
_ASSIGNMENT = re.compile(
    r"(?:pass(?:word|wd|_?phrase)|secret(?:[_-]?key)?|token|(?:api|access|auth|private)[_-]?key)"
    r"[\"'\]]{0,2}[ \t]*(?:=>|:=|=|:)[ \t]*"
    r"(?:(?P<q>[\"'`])(?P<quoted>[^\s\"'`]{1,512})(?P=q)|(?P<value>[^\s\"'`&]{1,512}))"
)
_BASIC_AUTH = re.compile(r"authorization:[ \t]*basic[ \t]+(?P<value>[a-z0-9+/]{8,}={0,2})(?![a-z0-9+/=])")
_BEARER = re.compile(r"bearer[ \t]+(?P<value>[a-z0-9._~+/-]{20,}=*)(?![a-z0-9._~+/=-])")
_AWS_SECRET = re.compile(
    # detect-secrets requires quotes around the value; credentials files and env
    # dumps (`aws_secret_access_key = ...`) have none.
    r"aws.{0,20}?(?:secret|key|pwd|pw|password|pass|token).{0,20}?[=:][ \t]*[\"']?"
    r"(?P<value>[a-z0-9/+]{40})(?![a-z0-9/+=])"
)


# The detect-secrets plugins whose patterns pmkb uses, by module and class.
_LIBRARY_PLUGINS = {
    "aws": "AWSKeyDetector",
    "github_token": "GitHubTokenDetector",
    "gitlab_token": "GitLabTokenDetector",
    "slack": "SlackDetector",
}
_Denylists = dict[str, list[tuple[str, int]]]


def library_denylists() -> _Denylists:
    """The patterns of detect-secrets' plugins, as (source, flags) by plugin module."""
    from importlib import import_module

    return {
        module: [
            (pattern.pattern, pattern.flags)
            for pattern in getattr(import_module(f"detect_secrets.plugins.{module}"), name).denylist
        ]
        for module, name in _LIBRARY_PLUGINS.items()
    }


def _denylists() -> dict[str, list[re.Pattern[str]]]:
    """detect-secrets' patterns, compiled. Importing detect-secrets takes longer than
    checking a file, so its patterns are kept in the user's cache folder, one file per
    version of the library, and read from there when that file is sound."""
    from importlib import metadata

    from pmkb.cache import user_cache_folder

    try:
        version = metadata.version("detect-secrets")
    except metadata.PackageNotFoundError:
        version = None
    memo = user_cache_folder() / f"detect-secrets-{version}-patterns.json" if version else None
    if memo is not None:
        try:
            kept = json.loads(memo.read_text(encoding="utf-8"))
            if _sound(kept):
                return _compiled(kept)
        except (OSError, ValueError, re.error):
            pass  # missing or damaged: read the library itself, and keep its patterns again
    denylists = library_denylists()
    if memo is not None:
        _write_memo(memo, json.dumps(denylists))
    return _compiled(denylists)


def _compiled(denylists: _Denylists) -> dict[str, list[re.Pattern[str]]]:
    return {module: [re.compile(source, flags) for source, flags in found] for module, found in denylists.items()}


def _sound(kept: Any) -> bool:
    """Whether a memo holds what `_detectors` reads: every plugin's patterns, each
    (source, flags), and the Slack plugin's two (token, webhook)."""
    return (
        isinstance(kept, dict)
        and kept.keys() == _LIBRARY_PLUGINS.keys()
        and all(
            isinstance(found, list)
            and found
            and all(
                isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) and isinstance(pair[1], int)
                for pair in found
            )
            for found in kept.values()
        )
        and len(kept["slack"]) == 2
    )


def _write_memo(path: Path, text: str) -> None:
    """Write in one step, or not at all (a read-only home folder)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".patterns-", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            output.write(text)
        os.replace(temporary, path)
    except OSError:
        return


@lru_cache(maxsize=1)
def _detectors() -> tuple[_Detector, ...]:
    """All detectors, most specific first: when two hits overlap on a line, the
    earlier detector wins (``api_key=sk_live_...`` is a Stripe key, not a generic
    assignment)."""
    denylists = _denylists()
    slack_token, slack_webhook = denylists["slack"]
    return (
        _Detector("AWS access key", _after(denylists["aws"][0]), not_after=_BASE64),
        _Detector("AWS secret access key", _AWS_SECRET, group="value", reveal=0, lower=True, accept=_aws_secret_key),
        *(_Detector("GitHub token", p, not_after=_WORD) for p in denylists["github_token"]),
        # Fine-grained personal access tokens are not in detect-secrets 1.5. The look-behind
        # (after the literal, so the search still skips ahead) rejects what ``not_after`` would,
        # before the long run is scanned.
        _Detector(
            "GitHub token",
            re.compile(r"github_pat_(?<![A-Za-z0-9_]github_pat_)[A-Za-z0-9_]{50,255}" + _AFTER),
            not_after=_WORD,
        ),
        # These patterns already end in (?!\w).
        *(_Detector("GitLab token", p, not_after=_WORD) for p in denylists["gitlab_token"]),
        _Detector("Slack webhook URL", slack_webhook),
        _Detector("Slack token", _without_ignorecase(slack_token), lower=True, not_after=_WORD),
        # App-level tokens are not in detect-secrets 1.5.
        _Detector("Slack token", re.compile(r"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{20,}" + _AFTER), not_after=_WORD),
        # detect-secrets only knows 24-character live keys; current keys are longer,
        # and a test key still opens the account's test data.
        _Detector(
            "Stripe key",
            re.compile(r"[rs]k_(?:live|test)_[0-9a-zA-Z]{24,}" + _AFTER),
            not_after=_WORD,
            kind_of=_stripe_kind,
        ),
        _Detector("Google API key", re.compile(r"AIza[0-9A-Za-z_-]{35}" + _AFTER), not_after=_BASE64),
        # Signed JWTs only; header and payload are JSON objects, so both start eyJ.
        _Detector(
            "JSON Web Token",
            re.compile(
                r"eyJ(?<![A-Za-z0-9_+/-]eyJ)[A-Za-z0-9_-]{8,}={0,2}\.eyJ[A-Za-z0-9_-]{8,}={0,2}"
                r"\.[A-Za-z0-9_-]{16,}={0,2}" + _AFTER
            ),
            not_after=_BASE64,
            accept=_jwt_valid,
        ),
        _Detector("private key", _PEM, reveal=0),
        _Detector("private key", _PUTTY, reveal=0, not_after=_WORD),
        _Detector(
            "password in connection URL",
            _URL_PASSWORD,
            group="value",
            reveal=0,
            accept=lambda v: not is_placeholder(v),
        ),
        _Detector("basic auth credentials", _BASIC_AUTH, group="value", reveal=0, lower=True, accept=_basic_auth_valid),
        _Detector("bearer token", _BEARER, group="value", reveal=0, lower=True, not_after=_WORD, accept=_free_form),
        _Detector("secret in assignment", _ASSIGNMENT, group="value", reveal=0, lower=True, accept=_free_form),
    )


def _value(det: _Detector, m: re.Match[str], text: str) -> str:
    """The secret itself, read from the original (not lower-cased) text."""
    if det.regex is _PEM or det.regex is _PUTTY:
        body = _KEY_BODY.match(text, m.end())
        return body.group("body") if body else m.group(0)
    if det.regex is _ASSIGNMENT:
        if m.group("quoted") is not None:
            return text[m.start("quoted") : m.end("quoted")]
        # Trailing sentence or list punctuation is not part of an unquoted value.
        return text[m.start("value") : m.end("value")].rstrip(",;.)]}")
    if det.kind == "Slack webhook URL":
        return m.group(0).split("/services/", 1)[-1]
    return text[m.start(det.group) : m.end(det.group)]


def _allow_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(compile_user_pattern(p) for p in patterns)
    except ValueError as exc:
        raise ValueError(f"secret allow pattern: {exc}") from None


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _lowered(text: str) -> str:
    lowered = text.lower()
    # A few characters lower-case to two (U+0130 İ); offsets must stay aligned.
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


_Hit = tuple[int, int, int, int, str, str]  # start, end, priority, line, kind, masked


def find_secrets(text: str, options: SecretOptions = SecretOptions()) -> Iterator[SecretHit]:
    """Yield credential-looking strings in ``text``, ordered by line then column.

    Every line is scanned, code blocks and front matter included, except lines
    carrying a ``pmkb: allow-secret`` marker and the line right after a line that
    holds only such a comment. Raises ``ValueError`` for an invalid allow pattern.
    """
    allow = _allow_patterns(options.allow)
    lowered = _lowered(text)
    line_starts = [0]
    line_starts.extend(m.end() for m in re.finditer("\n", text))
    suppressed = _suppressed_lines(text, line_starts) if "allow-secret" in lowered else set()

    found: list[_Hit] = []
    for priority, det in enumerate(_detectors()):
        for m in det.regex.finditer(lowered if det.lower else text):
            start = m.start()
            if start and text[start - 1] in det.not_after:
                continue
            line = bisect_right(line_starts, start)
            if line in suppressed:
                continue
            value = _value(det, m, text)
            if det.accept is not None and not det.accept(value):
                continue
            if any(p.search(value) for p in allow):
                continue
            kind = det.kind_of(value) if det.kind_of else det.kind
            found.append((start, m.end(), priority, line, kind, mask(value, det.reveal)))

    # Overlapping hits are one secret: keep the most specific detector's. No
    # pattern crosses a line break, so only hits on one line can overlap. The kept
    # hits of a line never overlap one another, so sorted by start their ends are
    # sorted too, and only the last one starting before a new hit ends can overlap it.
    found.sort(key=lambda h: (h[2], h[0]))
    by_line: dict[int, tuple[list[int], list[int]]] = {}
    kept: list[_Hit] = []
    for hit in found:
        starts, ends = by_line.setdefault(hit[3], ([], []))
        index = bisect_left(starts, hit[1])
        if index and ends[index - 1] > hit[0]:
            continue
        starts.insert(index, hit[0])
        ends.insert(index, hit[1])
        kept.append(hit)
    kept.sort(key=lambda h: (h[0], h[2]))
    for _start, _end, _priority, line, kind, masked in kept:
        yield SecretHit(line=line, kind=kind, masked=masked)

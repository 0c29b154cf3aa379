"""The blame and secret detectors take time linear in their input, whatever it is.

Each detector is fed 200 KB of each of its own trigger phrases repeated (the words
its rules look for, and whole blaming sentences or secrets), with and without
separators, and must finish within a generous multiple of the time it takes on
200 KB of ordinary postmortem prose. A quadratic pattern or loop takes minutes on
such input; a linear one takes about as long as the prose.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from pmkb.rules.blame import find_blame
from pmkb.rules.secrets import find_secrets

SIZE = 200_000
# Generous: a trigger every few bytes (200 KB of "blame\n") is a candidate the
# rules must look at every few bytes, and a loaded machine adds noise; quadratic
# work on 200 KB is still thousands of times slower than the prose.
MAX_RATIO = 50
# Below this, timer noise and start-up costs dominate the measured prose time.
FLOOR_SECONDS = 0.1

PROSE = (
    "The connection pool of the payments service reached its limit while a batch job held long transactions. "
    "Requests queued behind the pool and timed out at the load balancer after thirty seconds, "
    "and the alert fired when the error rate crossed five percent. "
    "The on-call engineer rolled back the config change, which was caused by a missing validation step. "
    "Nobody is to blame; the pipeline failed to run the check because the job was skipped.\n\n"
)

# One or two trigger words of every rule family, whole blaming phrases, and the
# Markdown the masker looks at.
BLAME_TRIGGERS = [
    "blame",
    "blame lies with",
    "caused by",
    "fault of",
    "Bob forgot",
    "forgot",
    "broke",
    "the intern",
    "@jdoe",
    "@jdoe's",
    "failed to",
    "should have",
    "because the engineer didn't",
    "if the on-call had",
    "pushed untested",
    "deleted it without testing",
    "by mistake",
    "this is on",
    "human error",
    "careless",
    "Alice's change broke",
    "made a mistake",
    "who wrote",
    "to blame",
    "...",
    "``",
    "](x",
    "http://x",
    "_",
    "a_",
]
SECRET_TRIGGERS = [
    "-----BEGIN PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED",
    "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
    "PuTTY-User-Key-File-2:",
    "AKIA",
    "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = ",
    "ghp_",
    "github_pat_",
    "glpat-",
    "glagent-",
    "xoxb-1-",
    "xapp-1-",
    "https://hooks.slack.com/services/T0/B0/",
    "sk_live_",
    "AIza",
    "eyJ",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.",
    "://user:",
    "://:pw@",
    "password=",
    "password: hunter2Xy9",
    "api_key: ",
    "Authorization: Basic ",
    "Bearer ",
    "pmkb: allow-secret",
    "<!-- pmkb: allow-secret",
]
# Glued, on one line (one long sentence), on many lines. Glued words are one long
# word to the blame detector, which the other two cover; tokens glue in secrets.
BLAME_SEPARATORS = (" ", "\n")
SECRET_SEPARATORS = ("", " ", "\n")


def _elapsed(scan: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    scan(text)
    return time.perf_counter() - started


def _repeated(phrase: str, separator: str) -> str:
    unit = phrase + separator
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


def _blame(text: str) -> object:
    return list(find_blame(text))


def _secrets(text: str) -> object:
    return list(find_secrets(text))


@pytest.fixture(scope="module")
def prose_seconds() -> dict[str, float]:
    prose = _repeated(PROSE, "")
    _secrets("warm up")  # the first scan imports detect-secrets
    return {
        name: max(FLOOR_SECONDS, min(_elapsed(scan, prose) for _ in range(3)))
        for name, scan in (("blame", _blame), ("secrets", _secrets))
    }


def _assert_linear(
    name: str, scan: Callable[[str], object], triggers: list[str], separators: tuple[str, ...], budget: float
) -> None:
    slow = {}
    for phrase in triggers:
        for separator in separators:
            seconds = _elapsed(scan, _repeated(phrase, separator))
            if seconds > budget:
                slow[f"{phrase!r} + {separator!r}"] = round(seconds, 2)
    assert not slow, f"{name}: over {budget:.2f} s on 200 KB: {slow}"


def test_blame_is_linear_on_its_own_triggers(prose_seconds: dict[str, float]) -> None:
    _assert_linear("blame", _blame, BLAME_TRIGGERS, BLAME_SEPARATORS, MAX_RATIO * prose_seconds["blame"])


def test_secrets_are_linear_on_their_own_triggers(prose_seconds: dict[str, float]) -> None:
    _assert_linear("secrets", _secrets, SECRET_TRIGGERS, SECRET_SEPARATORS, MAX_RATIO * prose_seconds["secrets"])

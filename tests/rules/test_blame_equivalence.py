"""PMKB012 blame-language: a document's hits are the hits of its sentences.

``find_blame`` skips files and sentences that lack a rule's keywords and masks
lines without markup characters without running the masking regex. Those shortcuts
must never change what is found, which the public function shows directly: a
sentence on its own and the same sentence inside any document (where other
sentences bring every keyword in) give the same hit, at the shifted line. The
keyword declarations the shortcuts rely on are checked against the rules' patterns.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from blame_sentences import BLAMEFUL, BLAMELESS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pmkb.rules.blame import BlameHit, BlamePhrases, find_blame
from pmkb.rules.blame.rules import DEFAULT_RULES, Rule
from pmkb.rules.blame.text import fold

SENTENCES = BLAMEFUL + BLAMELESS
RULES = DEFAULT_RULES
EXAMPLES = sorted((Path(__file__).parents[2] / "postmortems").rglob("*.md"))


def hits(text: str, phrases: BlamePhrases = BlamePhrases()) -> list[BlameHit]:
    return list(find_blame(text, phrases))


def shifted(found: list[BlameHit], lines: int) -> list[BlameHit]:
    return [BlameHit(h.line + lines, h.column, h.phrase, h.hint) for h in found]


def assert_sum_of_paragraphs(paragraphs: list[str], phrases: BlamePhrases = BlamePhrases()) -> list[BlameHit]:
    """Paragraphs joined by blank lines give each paragraph's own hits."""
    expected: list[BlameHit] = []
    line = 0
    for paragraph in paragraphs:
        expected += shifted(hits(paragraph, phrases), line)
        line += paragraph.count("\n") + 2
    found = hits("\n\n".join(paragraphs), phrases)
    assert found == expected
    return found


# ------------------------------------------------------------------ the keywords


def _keywords_in(rule: Rule, matched: str) -> bool:
    folded = fold(matched)
    groups_ok = all(any(word in folded for word in group) for group in rule.keywords)
    return groups_ok and (rule.gate is None or rule.gate.search(matched) is not None)


def _every_match(rule: Rule, text: str):
    for pos in range(len(text) + 1):
        m = rule.pattern.search(text, pos)
        if m is None:
            return
        yield m


def test_every_default_rule_has_keywords() -> None:
    for rule in RULES:
        assert rule.keywords, rule.pattern.pattern
        for group in rule.keywords:
            for word in group:
                assert word == fold(word) and word.split() == [word]


@pytest.mark.parametrize("index", range(len(RULES)))
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_keywords_are_in_every_generated_match(index: int, data: st.DataObject) -> None:
    rule = RULES[index]
    text = data.draw(st.from_regex(rule.pattern))
    matches = list(_every_match(rule, text))
    assert matches
    for m in matches:
        assert _keywords_in(rule, m.group()), (text, m.group())


@pytest.mark.parametrize("index", range(len(RULES)))
def test_keywords_are_in_every_match_in_the_fixture(index: int) -> None:
    rule = RULES[index]
    for sentence in SENTENCES:
        for variant in (sentence, sentence.upper(), sentence.lower(), sentence.title()):
            for m in _every_match(rule, variant):
                assert _keywords_in(rule, m.group()), (variant, m.group())


def test_fold_maps_what_ignorecase_matches() -> None:
    # Every character a case-insensitive keyword character matches folds to it.
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    keyword_chars = {c for rule in RULES for group in rule.keywords for word in group for c in word}
    for char in sorted(keyword_chars):
        for m in re.finditer(re.escape(char), everything, re.IGNORECASE):
            assert fold(m.group()) == char, (hex(ord(m.group())), char)


@given(st.text(max_size=200))
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text)
    assert len(fold(text + "\u0130ſK")) == len(text) + 3


# ----------------------------------------------------------------- whole results


def test_fixture_sentences_alone_and_together() -> None:
    for sentence in SENTENCES:
        for variant in (sentence, sentence.upper(), sentence.title(), f"- {sentence}", f"## {sentence}"):
            alone = hits(variant)
            assert assert_sum_of_paragraphs(["The cache warmed up.", variant, "Nothing else changed."]) == shifted(
                alone, 2
            )
    found = assert_sum_of_paragraphs(list(SENTENCES))
    assert len(found) == sum(1 for s in BLAMEFUL if hits(s))
    # One sentence per line in a single paragraph: the splitter finds each one.
    together = hits("\n".join(SENTENCES))
    assert together == [h for i, s in enumerate(SENTENCES) for h in shifted(hits(s), i)]
    table = [f"| {a} | {b} |" for a, b in zip(BLAMEFUL, BLAMELESS, strict=False)]
    assert [h.line for h in hits("\n".join(table))] == [i + 1 for i, a in enumerate(BLAMEFUL) if hits(a)]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_postmortems_with_blame_mixed_in(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert hits(text) == []
    body = text.split("\n---\n", 1)[1]
    paragraphs = [p for p in body.split("\n\n") if p.strip() and "```" not in p and "~~~" not in p]
    mixed = [p + "\n" + BLAMEFUL[i % len(BLAMEFUL)] for i, p in enumerate(paragraphs)]
    assert assert_sum_of_paragraphs(mixed)


_FILLER = (
    "The connection pool of the service reached its limit while a batch job held long transactions.",
    "Requests queued behind the pool and timed out at the load balancer after thirty seconds.",
    "See `kubectl rollout undo` and https://runbooks.example/blame-free for details.",
    "At 14:05 the *error rate* rose to 12% and [the alert](https://x.example/fault) fired.",
    "The replica was on the wrong version, which is why it failed to catch up.",
    "<!-- nobody forgot anything -->",
    "```\nBob forgot to run it\n```",
    "---",
    "Mitigated by failing over; the incident is on the status page.",
    "It's on Sam's list; the ball is in the vendor's court.",
)
_PREFIXES = ("", "", "", "- ", "1. ", "## ", "> ", "| ", "**", "_", "14:05 ", "  ")
_SEPARATORS = (" ", " ", "\n", "\n\n", "  \n", " | ", "\r\n", "\n\n- ")
_CASES = (str, str, str, str.upper, str.lower, str.title)

_piece = st.tuples(
    st.sampled_from(BLAMEFUL + BLAMELESS + _FILLER),
    st.sampled_from(_PREFIXES),
    st.sampled_from(_CASES),
    st.sampled_from(_SEPARATORS),
)


def _document(pieces: list[tuple[str, str, object, str]], front_matter: bool) -> str:
    body = "".join(prefix + case(sentence) + sep for sentence, prefix, case, sep in pieces)  # type: ignore[operator]
    return body


_documents = st.builds(_document, st.lists(_piece, min_size=1, max_size=6), st.just(False))

_TOKENS = sorted(
    {word for sentence in SENTENCES for word in sentence.split()}
    | {",", ".", "|", "`", "*", "_", "- ", "# ", "'s", "’s", "ſ", "\u0130", "K", "  ", "\t"}
)
_token_soup = st.lists(st.sampled_from(_TOKENS), max_size=40).map(" ".join)

_PHRASES = (
    BlamePhrases(),
    BlamePhrases(extra=(r"\bskipped\b", "x+"), allow=("vendor",)),
    BlamePhrases(allow=(r"\bintern\b", "nobody")),
    BlamePhrases(extra=("forgot",), use_defaults=False),
    BlamePhrases(use_defaults=False),
)


_PHRASES = (
    BlamePhrases(),
    BlamePhrases(extra=(r"\bskipped\b", "x+"), allow=("vendor",)),
    BlamePhrases(allow=(r"\bintern\b", "nobody")),
    BlamePhrases(extra=("forgot",), use_defaults=False),
    BlamePhrases(use_defaults=False),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_documents, min_size=1, max_size=4), st.sampled_from(_PHRASES))
def test_generated_documents(texts: list[str], phrases: BlamePhrases) -> None:
    # A paragraph that ends inside an open fence or front matter changes what follows.
    paragraphs = [t.strip("\n") for t in texts if t.count("```") % 2 == 0 and not t.startswith("---")]
    paragraphs = [p for p in paragraphs if p.strip() and "\n\n" not in p and "\r" not in p]
    assert_sum_of_paragraphs(paragraphs, phrases)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_token_soup, min_size=1, max_size=4), st.sampled_from(_PHRASES[:3]))
def test_token_soup(texts: list[str], phrases: BlamePhrases) -> None:
    paragraphs = [t.strip() for t in texts if t.strip() and "\n" not in t and "`" not in t]
    assert_sum_of_paragraphs(paragraphs, phrases)

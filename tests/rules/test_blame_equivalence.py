"""PMKB012 blame-language: the fast path of ``find_blame`` finds exactly what the
straightforward loop over every sentence and every rule finds.

``find_blame`` skips files and sentences that lack a rule's keywords
(``_Rule.keywords``, ``_Rule.gate``) and masks lines without markup characters
without running the masking regex. These tests check each shortcut on its own
(a keyword or gate is in every match a rule can produce; the sentence-end regex
and the inline masking behave as their plain forms) and the whole against a
reference loop.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blame_sentences import BLAMEFUL, BLAMELESS
from pmkb.rules import blame
from pmkb.rules.blame import EXTRA_HINT, BlameHit, BlamePhrases, find_blame


SENTENCES = BLAMEFUL + BLAMELESS
RULES = blame._DEFAULT_RULES
EXAMPLES = sorted((Path(__file__).parents[2] / "postmortems").rglob("*.md"))


# --------------------------------------------------------------------- reference


def reference(text: str, phrases: BlamePhrases = BlamePhrases()) -> list[BlameHit]:
    """Every rule on every sentence, with no keyword shortcuts."""
    masked, line_starts, breaks = blame._prepare(text)
    rules = RULES if phrases.use_defaults else ()
    extra = tuple(re.compile(p, re.IGNORECASE) for p in phrases.extra)
    allow = tuple(re.compile(p, re.IGNORECASE) for p in phrases.allow)
    found: list[BlameHit] = []
    for sentence in blame._sentences(masked, breaks):
        spans: list[tuple[int, int, str]] = []
        for rule in rules:
            if rule.prefilter is not None and not rule.prefilter.search(masked, sentence.start, sentence.end):
                continue
            for m in rule.pattern.finditer(masked, sentence.start, sentence.end):
                span = blame._apply(rule, sentence, m)
                if span is not None:
                    spans.append((*span, rule.hint))
                    break
        sentence_text = masked[sentence.start : sentence.end]
        for pattern in extra:
            for m in pattern.finditer(sentence_text):
                if m.group().strip():
                    lead = len(m.group()) - len(m.group().lstrip())
                    spans.append((sentence.start + m.start() + lead, sentence.start + m.end(), EXTRA_HINT))
                    break
        if not spans:
            continue
        if allow and any(p.search(" ".join(text[sentence.start : sentence.end].split())) for p in allow):
            continue
        seen_lines: set[int] = set()
        for start, end, hint in sorted(spans):
            line_index = max(i for i, s in enumerate(line_starts) if s <= start)
            if line_index in seen_lines:
                continue
            seen_lines.add(line_index)
            found.append(
                BlameHit(
                    line=line_index + 1,
                    column=start - line_starts[line_index] + 1,
                    phrase=" ".join(masked[start:end].split()),
                    hint=hint,
                )
            )
    return found


def assert_same(text: str, phrases: BlamePhrases = BlamePhrases()) -> list[BlameHit]:
    expected = reference(text, phrases)
    assert list(find_blame(text, phrases)) == expected, text
    return expected


# ------------------------------------------------------------------ the keywords


def _keywords_in(rule: blame._Rule, matched: str) -> bool:
    folded = blame._fold(matched)
    groups_ok = all(any(word in folded for word in group) for group in rule.keywords)
    return groups_ok and (rule.gate is None or rule.gate.search(matched) is not None)


def _every_match(rule: blame._Rule, text: str):
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
                assert word == blame._fold(word) and word.split() == [word]


@pytest.mark.parametrize("index", range(len(RULES)))
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
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
            assert blame._fold(m.group()) == char, (hex(ord(m.group())), char)


@given(st.text(max_size=200))
def test_fold_keeps_length(text: str) -> None:
    assert len(blame._fold(text)) == len(text)
    assert len(blame._fold(text + "\u0130ſK")) == len(text) + 3


# ------------------------------------------------------------ the other shortcuts

_PLAIN_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)|\|")


@given(st.text(alphabet=".!?|\"'”’)]x \n\t\r", max_size=60), st.integers(0, 60), st.integers(0, 60))
def test_sentence_end_regex_is_the_plain_one(text: str, pos: int, endpos: int) -> None:
    def spans(pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        return [m.span() for m in pattern.finditer(text, pos, endpos)]

    assert spans(blame._SENTENCE_END) == spans(_PLAIN_SENTENCE_END)


def _plain_blank(s: str) -> str:
    return "".join(c if c in "\r\n" else " " for c in s)


_MARKUP = st.text(alphabet="`<>!-[]()*~=_:/ \t\r\nhtps\"abx.", max_size=60)


@given(_MARKUP)
def test_inline_masking_is_the_plain_substitution(line: str) -> None:
    assert blame._blank(line) == _plain_blank(line)
    expected = blame._INLINE_MASKS.sub(lambda m: _plain_blank(m.group()), line)
    assert blame._mask_inline(line) == expected


# ----------------------------------------------------------------- whole results


def test_fixture_sentences_alone_and_together() -> None:
    for sentence in SENTENCES:
        for variant in (sentence, sentence.upper(), sentence.title(), f"- {sentence}", f"## {sentence}"):
            assert_same(variant)
    assert len(assert_same("\n\n".join(SENTENCES))) >= len(BLAMEFUL) // 2
    assert_same(" ".join(SENTENCES))
    assert_same("\n".join(f"| {a} | {b} |" for a, b in zip(BLAMEFUL, BLAMELESS)))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_postmortems_with_blame_mixed_in(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_same(text)
    paragraphs = text.split("\n\n")
    mixed = [p + " " + BLAMEFUL[i % len(BLAMEFUL)] for i, p in enumerate(paragraphs)]
    assert assert_same("\n\n".join(mixed))


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
_FRONT_MATTER = "---\ntitle: Checkout outage\nsummary: Bob forgot the flag\nowner: '@dana'\n---\n"


def _document(pieces: list[tuple[str, str, object, str]], front_matter: bool) -> str:
    body = "".join(prefix + case(sentence) + sep for sentence, prefix, case, sep in pieces)  # type: ignore[operator]
    return (_FRONT_MATTER if front_matter else "") + body


_documents = st.builds(_document, st.lists(_piece, min_size=1, max_size=12), st.booleans())

_TOKENS = sorted(
    {word for sentence in SENTENCES for word in sentence.split()}
    | {",", ".", "|", "`", "*", "_", "\n", "\n\n", "- ", "# ", "'s", "’s", "ſ", "\u0130", "K", "  ", "\t"}
)
_token_soup = st.lists(st.sampled_from(_TOKENS), max_size=40).map(" ".join)

_PHRASES = (
    BlamePhrases(),
    BlamePhrases(extra=(r"\bskipped\b", "x+"), allow=("vendor",)),
    BlamePhrases(allow=(r"\bintern\b", "nobody")),
    BlamePhrases(extra=("forgot",), use_defaults=False),
    BlamePhrases(use_defaults=False),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents, st.sampled_from(_PHRASES))
def test_generated_documents(text: str, phrases: BlamePhrases) -> None:
    assert_same(text, phrases)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_token_soup, st.text(max_size=200)), st.sampled_from(_PHRASES[:3]))
def test_token_soup_and_arbitrary_text(text: str, phrases: BlamePhrases) -> None:
    assert_same(text, phrases)

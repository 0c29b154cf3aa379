"""PMKB012 blame-language: the pure detector in pmkb.rules.blame."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from blame_sentences import BLAMEFUL, BLAMELESS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pmkb.rules.blame import BlameHit, BlamePhrases, find_blame

EXTRA_PATTERN = "a configured blame phrase"


def hits(text: str, phrases: BlamePhrases = BlamePhrases()) -> list[BlameHit]:
    return list(find_blame(text, phrases))


# ------------------------------------------------------------ labelled sentences


def test_fixture_set_is_large_enough() -> None:
    assert len(BLAMEFUL) >= 45
    assert len(BLAMELESS) >= 45
    assert not set(BLAMEFUL) & set(BLAMELESS)


@pytest.mark.parametrize("sentence", BLAMEFUL)
def test_blameful_sentence_gives_one_well_formed_hit(sentence: str) -> None:
    found = hits(sentence)
    assert len(found) == 1, "one sentence on one line gives exactly one hit"
    hit = found[0]
    assert hit.line == 1
    assert sentence[hit.column - 1 :].startswith(hit.phrase.split()[0])
    assert hit.phrase.strip() == hit.phrase and hit.phrase
    assert_hint_is_specific(hit)


def assert_hint_is_specific(hit: BlameHit) -> None:
    """A hint names the pattern, quotes the phrase and offers a rewording."""
    pattern, quoted, rest = hit.hint.partition(f' in "{hit.phrase}": ')
    assert quoted, hit.hint
    assert pattern in PATTERN_NAMES, pattern
    assert re.fullmatch(r'[^"]+, e\.g\. "[^"]+"', rest), hit.hint


PATTERN_NAMES = {
    "human error",
    "a lapse pinned on a person",
    "a failure pinned on a person",
    "a judgement of a person",
    "hindsight about a person",
    "an ignored signal pinned on a person",
    "fault assigned to a person",
    "breakage pinned on a person",
    "a bad change pinned on a person",
    "a destructive action pinned on a person",
    "a skipped step pinned on a person",
}


@pytest.mark.parametrize("sentence", BLAMELESS)
def test_blameless_sentence_gives_no_hit(sentence: str) -> None:
    assert [h.phrase for h in hits(sentence)] == []


def test_readme_states_the_measured_precision_and_recall() -> None:
    caught = sum(1 for s in BLAMEFUL if hits(s))
    false_alarms = sum(1 for s in BLAMELESS if hits(s))
    precision = caught / (caught + false_alarms)
    recall = caught / len(BLAMEFUL)
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8").split())
    stated = (
        f"({len(BLAMEFUL)} blaming, {len(BLAMELESS)} blameless, including look-alikes): "
        f"precision {precision:.2f} and recall {recall:.2f}"
    )
    assert stated in readme


@pytest.mark.parametrize(
    ("sentence", "pattern", "phrase", "rewording"),
    [
        (
            "John broke prod by pushing a bad config",
            "breakage pinned on a person",
            "John broke",
            "the bad config reached prod without a check that would have caught it",
        ),
        (
            "@jdoe pushed a bad config to prod",
            "a bad change pinned on a person",
            "@jdoe pushed a bad config",
            "the bad config reached prod without a check that would have caught it",
        ),
        (
            "The intern deleted the production table.",
            "a destructive action pinned on a person",
            "The intern deleted the production table",
            "the production table could be deleted without a confirmation or a second approval",
        ),
        (
            "The deployer made a critical error.",
            "a judgement of a person",
            "The deployer made a critical error",
            "the change went ahead without a safeguard that would have caught the problem",
        ),
        (
            "Bob forgot to run the database migration before deploying.",
            "a lapse pinned on a person",
            "Bob forgot",
            "nothing in the process or tooling made sure to run the database migration before deploying",
        ),
        (
            "Jenny ignored the disk space alert for two hours.",
            "an ignored signal pinned on a person",
            "Jenny ignored",
            "the disk space alert did not lead to action; say why (noise, unclear owner, no runbook)",
        ),
        (
            "Priya should have noticed the replica lag on the dashboard.",
            "hindsight about a person",
            "Priya should have noticed",
            "nothing made the replica lag visible at the time",
        ),
        (
            "@chris's bad config took down the edge proxies.",
            "breakage pinned on a person",
            "@chris's bad config took down",
            "the bad config reached the edge proxies without a check that would have caught it",
        ),
    ],
)
def test_hint_names_the_pattern_and_rewords_the_sentence(
    sentence: str, pattern: str, phrase: str, rewording: str
) -> None:
    (hit,) = hits(sentence)
    assert hit.phrase == phrase
    assert hit.hint.startswith(f'{pattern} in "{phrase}": ')
    assert hit.hint.endswith(f'e.g. "{rewording}"')


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Bob forgot to run the migration.", "Bob forgot"),
        ("The on-call engineer ignored the alert.", "The on-call engineer ignored"),
        ("It was Dave's fault.", "Dave's fault"),
        ("Root cause: human error.", "human error"),
        ("@jsmith broke prod.", "@jsmith broke"),
        ("Alice, the on-call engineer, failed to escalate.", "the on-call engineer, failed to"),
        ("Wei Zhang forgot to drain the node.", "Wei Zhang forgot"),
        ("The outage was caused by @alex pushing to main.", "caused by @alex"),
        ("Blame lies with the platform team.", "Blame lies with the platform team"),
    ],
)
def test_phrase_is_the_matched_text(sentence: str, phrase: str) -> None:
    (hit,) = hits(sentence)
    assert hit.phrase == phrase
    assert hit.column == sentence.index(phrase) + 1


# ------------------------------------------------------------- specific wording


@pytest.mark.parametrize(
    "sentence",
    [
        "This was not human error; the CLI accepted the wrong target.",
        "No one is to blame for this incident.",
        "Nobody is to blame.",
        "It wasn't anyone's fault.",
        "It was nobody's fault.",
        "We avoided blaming individuals.",
        "Rather than blame the on-call, we looked at the paging policy.",
        "There was no negligence involved.",
        "Bob was not at fault.",
        "This is a blameless review and the format is blame-free.",
        "Use git blame to find the commit that lowered the timeout.",
        "We initially blamed the load balancer.",
        "The stale cache was to blame.",
    ],
)
def test_negated_or_system_blame_is_not_reported(sentence: str) -> None:
    assert hits(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The operator failed to reconcile the custom resource.",
        "Certificate Manager failed to renew the certificate.",
        "GitHub Actions failed to start the runner.",
        "Cassandra accepted the write with a sloppy quorum.",
        "Lazy loading hid the bad value until the first request.",
        "A page fault storm slowed the database host.",
        "Ana broke the migration into three batches.",
        "Priya said that the job failed to start.",
        "The engineer's laptop failed to connect to the VPN.",
        "Because the on-call didn't have production access, mitigation waited.",
        "Sarah should have been paged, but the policy skipped her.",
        "## Cache Warmer Failed To Start",
    ],
)
def test_system_focused_wording_with_tricky_shapes(sentence: str) -> None:
    assert hits(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The developer who wrote the migration forgot the index.",
        "The developer, who wrote the migration, forgot the index.",
        "Mistakes by the on-call engineer extended the outage.",
        "The outage was caused by the contractor deleting the wrong volume.",
        "If the on-call had checked the dashboard, we would have caught it.",
        "Kate's change broke checkout.",
        "**Bob** forgot to run the migration.",
        "[Bob](https://example.com/people/bob) forgot to run the migration.",
        "The intern dropped the production table by mistake.",
        "Siobhan O'Brien failed to notify support.",
        "José simply forgot to update the allow-list.",
    ],
)
def test_blame_with_tricky_shapes(sentence: str) -> None:
    assert len(hits(sentence)) == 1


# --------------------------------------------------------- positions in a document

DOCUMENT = """\
---
title: Checkout outage
impact: "Checkout was down; Bob forgot to renew the cert"
authors: [priya]
tags:
  - tls
---

## Summary

The deploy tool failed to run the migration check.
Priya paged the database team at 14:05, and
the on-call engineer ignored the alert.

## Root Cause

Human error. Running `git blame` shows it; see https://github.com/o/r/blame/main/x.py.

```text
Bob forgot  # a quoted log is not prose
```

| time | event | note |
|------|-------|------|
| 14:05 | @dana broke prod | Alice failed to page |

- 14:10 **Tom** rolled back the deploy.
- 14:12 _Sam_ forgot to re-enable the flag. Jo ignored the alert.
> The reviewer should have caught
> the missing index.

It was not human error; the tooling allowed it. Nobody is to blame.
We blamed the CDN at first.
"""


def test_lines_and_columns_in_a_document_with_front_matter() -> None:
    found = [(h.line, h.column, h.phrase) for h in hits(DOCUMENT)]
    assert found == [
        (3, 29, "Bob forgot"),
        (13, 1, "the on-call engineer ignored"),
        (17, 1, "Human error"),
        (25, 11, "@dana broke"),
        (25, 30, "Alice failed to"),
        (28, 10, "Sam forgot"),
        (28, 45, "Jo ignored"),
        (29, 3, "The reviewer should have caught"),
    ]
    lines = DOCUMENT.split("\n")
    for hit in hits(DOCUMENT):
        assert lines[hit.line - 1][hit.column - 1 :].lstrip("*_").startswith(hit.phrase.split()[0])


BLAMELESS_POSTMORTEM = """\
---
id: 2024-03-12-checkout-latency
title: Checkout latency spike after connection pool change
severity: SEV-2
status: final
started_at: 2024-03-12T14:02:00Z
detected_at: 2024-03-12T14:09:00Z
resolved_at: 2024-03-12T15:20:00Z
services: [checkout, payments-api]
authors: [Priya Raman, Tom Becker]
impact: "p99 checkout latency rose to 8s for 78 minutes; 3% of orders failed"
action_items:
  - title: Add a pool-size check to the config validator
    owner: platform-team
    priority: P1
    due: 2024-04-01
---

## Summary

A configuration change reduced the payments-api database connection pool from 50 to 5.
Under the afternoon peak, requests queued for connections and checkout latency rose sharply.

## Impact

Customers saw slow checkouts; roughly 3% of orders timed out and were retried by the client.

## Timeline (UTC)

- 14:02 The config change merged and rolled out through the standard pipeline.
- 14:09 The latency alert fired and paged the on-call, Tom.
- 14:15 Tom joined the incident channel and started looking at the payments dashboard.
- 14:31 Priya noticed that connection wait time had risen and suggested checking the pool size.
- 14:40 Tom rolled back the config change; the rollback failed to apply because the deploy lock was held.
- 14:52 The deploy lock was released by the pipeline after its 10-minute timeout.
- 15:05 The rollback completed and latency began to recover.
- 15:20 Latency returned to baseline.

## Root Cause

The config validator accepted a pool size of 5 because it only checked for a positive integer.
The change was reviewed, but the diff showed only `pool_size: 5` without the previous value,
so the reduction was not visible in the review.

## Contributing Factors

- The dashboard did not show connection wait time by default.
- The runbook did not mention the deploy lock or how to release it.
- The alert threshold was set on p50 latency, which lagged the p99 by several minutes.

## What Went Well

- The on-call was paged within seven minutes.
- Priya's suggestion narrowed the search quickly.

## What Went Poorly

- Rolling back took 25 minutes because the deploy tool held a lock that nobody could see.
- The review tool did not show the previous value of the changed setting.

## Lessons Learned

We learned that our config validator should enforce sane ranges, and that the deploy tool
should surface who or what holds the lock. We did not find any individual at fault; the
system made the unsafe change easy and the safe rollback slow.
"""


def test_a_realistic_blameless_postmortem_has_no_hits() -> None:
    assert hits(BLAMELESS_POSTMORTEM) == []


def test_rewording_into_blame_is_caught_in_place() -> None:
    text = BLAMELESS_POSTMORTEM.replace(
        "- 14:15 Tom joined the incident channel",
        "- 14:15 Tom ignored the page, then joined the incident channel",
    ).replace("We did not find any individual at fault;", "It was Tom's fault;")
    lines = text.split("\n")
    expected = [n for n, line in enumerate(lines, 1) if "Tom ignored" in line or "Tom's fault" in line]
    assert len(expected) == 2
    assert [h.line for h in hits(text)] == expected


def test_crlf_and_bom_keep_positions() -> None:
    text = "\ufeff---\r\ntitle: x\r\n---\r\n\r\nAll good here.\r\n  Then Bob forgot the flag.\r\n"
    (hit,) = hits(text)
    assert (hit.line, hit.column, hit.phrase) == (6, 8, "Bob forgot")


def test_sentence_wrapped_over_lines_is_reported_where_the_phrase_starts() -> None:
    text = "The rollback was slow, and in the end\nthe intern\nforgot to drain the node.\n"
    (hit,) = hits(text)
    assert (hit.line, hit.column) == (2, 1)
    assert hit.phrase == "the intern forgot"


def test_one_hit_per_sentence_but_each_sentence_counts() -> None:
    assert len(hits("Bob forgot the flag and ignored the alert.")) == 1
    assert len(hits("Bob forgot the flag. Alice ignored the alert.")) == 2
    assert [h.line for h in hits("Bob forgot the flag.\nAlice ignored the alert.\n")] == [1, 2]
    assert [h.line for h in hits("- Bob forgot the flag\n- Alice ignored the alert\n")] == [1, 2]


def test_code_is_not_prose() -> None:
    text = "Intro.\n\n~~~\nBob forgot\n~~~\n\n    plain text\n\nRun `operator error` checks.\n"
    assert hits(text) == []


def test_code_is_what_the_loader_calls_code() -> None:
    # Indented blocks and fences nested in list items are code, as for the section rules.
    text = "Intro.\n\n    Bob forgot the flag\n\n- step one\n\n  ```\n  Tom broke prod\n  ```\n\nDone.\n"
    assert hits(text) == []
    assert [h.line for h in hits(text.replace("    Bob forgot", "Bob forgot"))] == [3]


def test_code_lines_given_by_the_caller_are_not_prose() -> None:
    # pmkb check hands over the loader's code blocks instead of finding them again.
    text = "Intro.\n\nBob forgot the flag.\nThe check failed to run.\n"
    assert len(hits(text)) == 1
    assert list(find_blame(text, code=((3, 3),))) == []
    assert len(list(find_blame(text, code=((4, 4),)))) == 1


def test_headings_and_tables_are_their_own_spans() -> None:
    text = "## Bob forgot\nThe check failed to run.\n\n| a | b |\n|---|---|\n| ok | Tom broke prod |\n"
    assert [(h.line, h.phrase) for h in hits(text)] == [(1, "Bob forgot"), (6, "Tom broke")]


# ------------------------------------------------------------------- configuration


def test_extra_patterns_count_as_blame() -> None:
    phrases = BlamePhrases(extra=(r"\bwent\s+rogue\b", r"cowboy(?:-|\s)?deploy"))
    found = hits("The release went out.\nThe team Went Rogue on testing.\nA COWBOY deploy.\n", phrases)
    assert [(h.line, h.column, h.phrase) for h in found] == [
        (2, 10, "Went Rogue"),
        (3, 3, "COWBOY deploy"),
    ]
    assert all(h.hint.startswith(f'{EXTRA_PATTERN} in "{h.phrase}"') for h in found)
    assert hits("The team went rogue.") == []


def test_extra_patterns_alone_when_defaults_are_off() -> None:
    text = "Bob forgot the flag.\nWe went rogue.\n"
    phrases = BlamePhrases(extra=("went rogue",), use_defaults=False)
    assert [(h.line, h.phrase) for h in hits(text, phrases)] == [(2, "went rogue")]
    assert hits(text, BlamePhrases(use_defaults=False)) == []


def test_extra_patterns_ignore_code_and_empty_matches() -> None:
    phrases = BlamePhrases(extra=("went rogue", r"x*", r"\s+"))
    assert hits("Run `went rogue` now.\n", phrases) == []


def test_extra_and_default_hits_share_the_one_per_sentence_limit() -> None:
    phrases = BlamePhrases(extra=("went rogue",))
    (hit,) = hits("Bob forgot the flag and went rogue.", phrases)
    assert (hit.column, hit.phrase) == (1, "Bob forgot")
    assert hit.hint.startswith("a lapse pinned on a person")
    (hit,) = hits("We went rogue and Bob forgot the flag.", phrases)
    assert (hit.column, hit.phrase) == (4, "went rogue")
    assert hit.hint.startswith(EXTRA_PATTERN)


def test_allow_drops_only_matching_sentences() -> None:
    text = "Bob forgot the flag, per the drill script. Alice forgot the flag.\nCarol forgot it.\n"
    phrases = BlamePhrases(allow=(r"drill\s+script",))
    assert [(h.line, h.phrase) for h in hits(text, phrases)] == [(1, "Alice forgot"), (2, "Carol forgot")]


def test_allow_matches_a_sentence_across_line_breaks_and_case() -> None:
    text = "During the game day Bob\nforgot the flag on purpose.\n"
    assert len(hits(text)) == 1
    assert hits(text, BlamePhrases(allow=("GAME DAY bob forgot",))) == []


def test_allow_also_drops_extra_hits() -> None:
    phrases = BlamePhrases(extra=("went rogue",), allow=("quote:",))
    assert hits("Quote: we went rogue.", phrases) == []
    assert len(hits("We went rogue.", phrases)) == 1


def test_configuration_is_normalised_and_validated() -> None:
    phrases = BlamePhrases(extra=["a", "b"], allow="c")  # type: ignore[arg-type]
    assert phrases.extra == ("a", "b")
    assert phrases.allow == ("c",)
    with pytest.raises(ValueError, match="extra"):
        BlamePhrases(extra=("(unclosed",))
    with pytest.raises(ValueError, match="allow"):
        BlamePhrases(allow=("[z-a]",))


def test_hits_are_immutable_values() -> None:
    (hit,) = hits("Bob forgot.")
    assert hit == BlameHit(line=1, column=1, phrase="Bob forgot", hint=hit.hint)
    with pytest.raises(AttributeError):
        hit.line = 2  # type: ignore[misc]


# ------------------------------------------------------------------ properties

_WORDS = [
    "Bob",
    "the",
    "on-call",
    "engineer",
    "forgot",
    "failed",
    "to",
    "blame",
    "fault",
    "'s",
    "human",
    "error",
    "not",
    "nobody",
    "@dana",
    "broke",
    "prod",
    "should",
    "have",
    "caught",
    "because",
    "didn't",
    "who",
    "if",
    "had",
    "Kubernetes",
    "check",
    "careless",
    "lazy",
    "sloppy",
    "quorum",
    "git",
    "caused",
    "by",
    ",",
    ".",
    "!",
    "?",
    ";",
    "|",
    "`",
    "```",
    "---",
    "#",
    "-",
    "*",
    "_",
    ">",
    "[",
    "](http://x.y/blame)",
    "<br>",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "  ",
    "\t",
    "\ufeff",
    "é",
    "Zoë",
    "14:05",
]
_mixed_text = st.lists(st.sampled_from(_WORDS), max_size=60).map(" ".join)
_any_text = st.one_of(st.text(max_size=300), _mixed_text)


def _check_positions(text: str, found: list[BlameHit]) -> None:
    lines = text.split("\n")
    assert found == sorted(found, key=lambda h: (h.line, h.column))
    for hit in found:
        assert 1 <= hit.line <= len(lines)
        line = lines[hit.line - 1]
        assert 1 <= hit.column <= len(line)
        assert hit.phrase and hit.phrase == " ".join(hit.phrase.split())
        assert line[hit.column - 1] == hit.phrase[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_any_text)
def test_never_raises_and_positions_are_in_range(text: str) -> None:
    _check_positions(text, hits(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_any_text, st.lists(st.sampled_from(["blame", "forgot", "x+"]), max_size=3))
def test_never_raises_with_configuration(text: str, patterns: list[str]) -> None:
    phrases = BlamePhrases(extra=tuple(patterns), allow=tuple(patterns[:1]))
    _check_positions(text, hits(text, phrases))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_any_text)
def test_leading_lines_shift_hits_without_changing_them(text: str) -> None:
    # Front matter only counts on the first line, so leave it out of this property.
    assume(not text.lstrip("\ufeff").startswith("---"))
    before = hits(text)
    after = hits("\n\n" + text)
    assert [(h.line + 2, h.column, h.phrase, h.hint) for h in before] == [
        (h.line, h.column, h.phrase, h.hint) for h in after
    ]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(BLAMEFUL), st.sampled_from(BLAMELESS), st.integers(min_value=0, max_value=5))
def test_blame_is_found_wherever_it_sits(blameful: str, blameless: str, blank_lines: int) -> None:
    assume(hits(blameful))
    text = blameless + "\n" * (blank_lines + 1) + blameful + "\n"
    found = hits(text)
    expected_line = blameless.count("\n") + blank_lines + 2
    assert [h.line for h in found] == [expected_line]
    assert re.sub(r"\s+", " ", blameful).find(found[0].phrase) == found[0].column - 1

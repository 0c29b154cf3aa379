"""``find_blame``: the rules over the sentences of one file, with early exits.

The early exits only save time and never change what is found: a file (or a
sentence) without the literal words a rule needs is not searched by that rule.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from pmkb.patterns import compile_user_pattern
from pmkb.rules.blame.hints import EXTRA_HINT, Advice, clause
from pmkb.rules.blame.people import negated, object_person, phrase_start, relative_subject_is_person, token_is_person
from pmkb.rules.blame.rules import DEFAULT_RULES, Rule
from pmkb.rules.blame.text import Sentence, code_blocks, fold, prepare, sentence_bounds
from pmkb.rules.blame.vocabulary import NEGATED_POSSESSORS


@dataclass(frozen=True)
class BlameHit:
    line: int  # 1-based line in the given text
    column: int  # 1-based, in characters
    phrase: str  # the matched text (whitespace runs and Markdown markup collapsed to one space)
    hint: str  # the pattern found, the phrase quoted, and a rewording built from the sentence


@dataclass(frozen=True)
class BlamePhrases:
    """User configuration: ``extra`` regexes also count as blame, a hit whose
    sentence matches an ``allow`` regex is dropped; both are case-insensitive."""

    extra: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    use_defaults: bool = True

    def __post_init__(self) -> None:
        # Config files hand over lists, and a lone string would otherwise be
        # iterated character by character; normalise before validating.
        for name in ("extra", "allow"):
            value = getattr(self, name)
            normalised = (value,) if isinstance(value, str) else tuple(value)
            object.__setattr__(self, name, normalised)
            for pattern in normalised:
                try:
                    compile_user_pattern(pattern, re.IGNORECASE)
                except ValueError as exc:
                    raise ValueError(f"blame {name} pattern: {exc}") from None


def _apply(rule: Rule, sentence: Sentence, m: re.Match[str]) -> tuple[int, int] | None:
    """The span of a hit for this match, or None when the match is not blame."""
    start, end = m.start(), m.end()
    if rule.check is not None:
        checked = rule.check(sentence, m)
        return None if checked is None else (start, checked)
    if rule.subject:
        who = m.group("who")
        before = sentence.words_before(m.start("who"), limit=2)
        if not token_is_person(who, before, sentence) and not relative_subject_is_person(sentence, m.start("who")):
            return None
        if rule.possessive and (who.lower() in NEGATED_POSSESSORS):
            return None
        start = phrase_start(sentence, m.start("who"))
    if rule.negatable:
        kw = m.start("kw") if "kw" in rule.pattern.groupindex and m.group("kw") else start
        if negated(sentence, kw):
            return None
    if rule.obj:
        person, obj_end = object_person(sentence, end)
        if not person:
            return None
        end = obj_end
    return start, end


# ------------------------------------------------------------------ keyword gate
#
# Running all rules on every sentence is slow, and most sentences contain none of
# the words a rule needs. Each rule lists keyword groups (``Rule.keywords``) that
# any of its matches must contain. A case-folded copy of the text is searched for
# them with plain substring search: once over the raw text (a file without a
# needed keyword skips masking altogether), then over the masked text to find the
# sentences that contain a rule's first group; only there do the remaining groups,
# the rule's prefilter and its pattern run. Masking only turns characters into
# spaces, and keywords hold no whitespace, so a keyword inside a masked sentence is
# also in the raw text at the same offset.


# A rule that may match in a text: the rule, its first keyword group (None: it
# has no keywords and runs everywhere) and its other groups.
_Plan = tuple[Rule, "tuple[str, ...] | None", tuple[tuple[str, ...], ...]]


def _plan(rules: tuple[Rule, ...], folded_text: str) -> list[_Plan]:
    """The rules whose keyword groups all occur in the text, in rule order."""
    # Keywords hold no whitespace, so each occurrence lies within one
    # whitespace-separated token: searching the distinct tokens is the same
    # test on a haystack a fraction of the size.
    haystack = "\n".join(set(folded_text.split()))
    present: dict[str, bool] = {}

    def occurs(group: tuple[str, ...]) -> bool:
        for word in group:
            found = present.get(word)
            if found is None:
                found = present[word] = word in haystack
            if found:
                return True
        return False

    plans: list[_Plan] = []
    for rule in rules:
        if not rule.keywords:
            plans.append((rule, None, ()))
        elif all(occurs(group) for group in rule.keywords):
            # The first group (the rarest, by convention) is scanned for; the
            # others are checked in each sentence that has it.
            plans.append((rule, rule.keywords[0], rule.keywords[1:]))
    return plans


def _candidates(plans: list[_Plan], folded: str, bounds: list[tuple[int, int]]) -> dict[int, list[int]]:
    """Sentence index -> indices into ``plans`` (ascending) of the rules whose first
    keyword group occurs inside that sentence."""
    starts = [start for start, _ in bounds]
    found: dict[int, list[int]] = {}
    for plan_index, (_, first, _) in enumerate(plans):
        if first is None:
            for sentence_index in range(len(bounds)):
                found.setdefault(sentence_index, []).append(plan_index)
            continue
        hit: set[int] = set()
        for word in first:
            size = len(word)
            pos = folded.find(word)
            while pos >= 0:
                sentence_index = bisect_right(starts, pos) - 1
                if sentence_index >= 0 and pos + size <= bounds[sentence_index][1]:
                    hit.add(sentence_index)
                    # Later occurrences in this sentence add nothing.
                    pos = folded.find(word, bounds[sentence_index][1])
                else:
                    pos = folded.find(word, pos + 1)
        for sentence_index in hit:
            found.setdefault(sentence_index, []).append(plan_index)
    return found


# ------------------------------------------------------------------ user patterns


def _collapse(s: str) -> str:
    return " ".join(s.split())


# ------------------------------------------------------------------------- public


def find_blame(
    text: str, phrases: BlamePhrases = BlamePhrases(), code: tuple[tuple[int, int], ...] | None = None
) -> Iterator[BlameHit]:
    """Yield blaming wording in ``text``, ordered by position.

    ``code``: the file's code blocks as (first, last) lines, when the caller has them
    (the loader keeps them in ``Source.code``); otherwise they are found here.

    At most one hit per sentence and line: a sentence with two blaming phrases on
    one line is one finding, two blaming sentences are two.
    """
    rules = DEFAULT_RULES if phrases.use_defaults else ()
    extra = tuple(compile_user_pattern(p, re.IGNORECASE) for p in phrases.extra)
    allow = tuple(compile_user_pattern(p, re.IGNORECASE) for p in phrases.allow)

    plans = _plan(rules, fold(text)) if rules else []
    if not plans and not extra:
        return  # no rule can match anywhere: skip masking
    masked, line_starts, breaks = prepare(text, code_blocks(text) if code is None else code)
    bounds = sentence_bounds(masked, breaks)
    if plans:
        folded = fold(masked)
        candidates = _candidates(plans, folded, bounds)
    else:
        folded, candidates = "", {}
    # User patterns run on every sentence; otherwise only candidates need a look.
    sentence_indices = range(len(bounds)) if extra else sorted(candidates)

    for sentence_index in sentence_indices:
        first, last = bounds[sentence_index]
        sentence = Sentence(masked, first, last)
        spans: list[tuple[int, int, Advice]] = []
        for plan_index in candidates.get(sentence_index, ()):
            rule, _, others = plans[plan_index]
            if not all(any(folded.find(word, first, last) >= 0 for word in group) for group in others):
                continue
            if rule.gate is not None and not rule.gate.search(masked, first, last):
                continue
            if rule.prefilter is not None and not rule.prefilter.search(masked, first, last):
                continue
            for m in rule.pattern.finditer(masked, first, last):
                span = _apply(rule, sentence, m)
                if span is not None:
                    spans.append((*span, rule.hint))
                    break  # the earliest hit of each rule is enough
        if extra:
            sentence_text = masked[sentence.start : sentence.end]
            for pattern in extra:
                for m in pattern.finditer(sentence_text):
                    if m.group().strip():
                        lead = len(m.group()) - len(m.group().lstrip())
                        start = sentence.start + m.start() + lead
                        spans.append((start, sentence.start + m.end(), EXTRA_HINT))
                        break
        if not spans:
            continue
        if allow:
            original = _collapse(text[sentence.start : sentence.end])
            if any(p.search(original) for p in allow):
                continue
        seen_lines: set[int] = set()
        for start, end, advice in sorted(spans, key=lambda span: (span[0], span[1])):
            line_index = bisect_right(line_starts, start) - 1
            if line_index in seen_lines:
                continue
            seen_lines.add(line_index)
            # Whitespace runs (double spaces, tabs, line breaks) and markup collapse
            # to one space, as BlameHit.phrase promises.
            phrase = _collapse(masked[start:end])
            yield BlameHit(
                line=line_index + 1,
                column=start - line_starts[line_index] + 1,
                phrase=phrase,
                hint=advice.hint(clause(masked, start, end, sentence.start, sentence.end)),
            )

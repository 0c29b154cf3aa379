"""The blame rules: each a pattern, what its match must satisfy, and a hint.

Most verbs are blame only when aimed at a person ("the check failed to run" is a
fact about a system, "the on-call failed to escalate" pins it on a person): those
rules capture the subject's head word, which :mod:`.people` judges. Some wording is
blame whoever it is about ("human error", "careless"). Admissions such as "nobody
is to blame" are recognised by a negation just before the blaming word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from pmkb.rules.blame.hints import (
    HINT_ALERT,
    HINT_BAD_CHANGE,
    HINT_BROKE,
    HINT_DESTRUCTIVE,
    HINT_FAILED,
    HINT_FAULT,
    HINT_FORGOT,
    HINT_GUARDRAIL,
    HINT_HINDSIGHT,
    HINT_HUMAN_ERROR,
    HINT_JUDGEMENT,
    Advice,
)
from pmkb.rules.blame.people import negated, object_person
from pmkb.rules.blame.text import Sentence, fold
from pmkb.rules.blame.vocabulary import ROLE_RE

# ------------------------------------------------------------------- building blocks

# The subject's head word. Apostrophes are allowed only before a capital (O'Brien),
# so "Bob's" leaves the possessive for the rule to see.
_WHO = (
    r"(?P<who>(?<![\w.])@[A-Za-z0-9](?:[\w.-]*\w)?"
    r"|(?<![\w@'’.-])[^\W\d_][\w-]*(?:['’][A-Z][\w-]*)?)"
)
# Adverbs and auxiliaries that may sit between the subject and the verb.
_ADV = (
    r"(?:\s+(?:had|has|have|just|simply|apparently|clearly|obviously|evidently|"
    r"completely|totally|again|also|then|still|never|somehow|"
    r"unfortunately|probably|likely|seemingly|initially|repeatedly|basically|"
    r"ultimately|allegedly|reportedly|essentially|entirely|personally|previously|"
    r"originally|once\s+again|himself|herself|themselves|ourselves|myself)\b){0,3}"
)
# "Our intern, unfortunately, failed to ...": an aside between subject and verb.
_PARENTHETICAL = r"(?:\s+(?:\w+ly|however|though|again|too|also|once\s+again|as\s+usual|it\s+seems)\s*,)?"
# An optional determiner and up to two modifiers in front of the head word, for
# rules that start with a fixed word ("because the on-call engineer didn't ...").
_NP_PREFIX = r"(?:(?:the|a|an|our|their|this|that|his|her|my|one|another)\s+(?:[\w-]+\s+){0,2}?)?"

# "error" as a mistake, not as a metric or a log line.
_ERROR_WORD = (
    r"errors?(?![-\s]+(?:rates?|messages?|codes?|logs?|budgets?|handling|handlers?|pages?|"
    r"responses?|counts?|paths?|states?|strings?|class|types?|bars?|spikes?|alerts?|"
    r"dashboards?|boundary|tracking|prone)\b)"
)
_MISTAKE = rf"(?:mistakes?|blunders?|slip-?ups?|goofs?|screw-?ups?|{_ERROR_WORD})"

_I = re.IGNORECASE


class RegexSource(NamedTuple):
    """A rule's pattern before it is compiled."""

    source: str
    flags: int = 0


@dataclass(frozen=True)
class Rule:
    """One way of blaming.

    ``subject``: the ``who`` group must look like a person. ``obj``: the noun phrase
    right after the match must. ``negatable``: a negation just before the ``kw``
    group (or the match) cancels the hit. ``possessive``: "nobody's fault" is an
    acquittal, not an accusation.
    """

    # Compiled on first use (see `pattern`): most files hold none of a rule's keywords, and
    # compiling every pattern would cost a check of one file more than the check itself.
    regex: RegexSource
    hint: Advice
    subject: bool = False
    obj: bool = False
    negatable: bool = False
    possessive: bool = False
    check: Callable[[Sentence, re.Match[str]], int | None] | None = None
    # Rules that start at any word are slow to scan for; a sentence without
    # their keyword is skipped first.
    prefilter: re.Pattern[str] | None = None
    # Literal words the pattern cannot match without: every match contains, for
    # each group, at least one of the group's strings (compared case-insensitively,
    # see ``fold``). They must come from the pattern's consumed text, never from a
    # lookaround, and contain no whitespace, so that they survive masking: a
    # sentence (or a whole file) lacking one of them is skipped without running
    # the pattern. An empty tuple means the rule runs on every sentence.
    keywords: tuple[tuple[str, ...], ...] = ()
    # A piece of the pattern that every match consumes, without lookarounds or
    # anchors, for rules whose keywords are common words: a sentence it is not
    # found in is skipped. Like ``keywords`` (and unlike ``prefilter``), it only
    # saves time and never changes what is found.
    gate: re.Pattern[str] | None = None

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(*self.regex)


def _subject_rule(
    verb: str,
    hint: Advice,
    *,
    keywords: tuple[tuple[str, ...], ...],
    negatable: bool = False,
    adverbs: bool = True,
) -> Rule:
    # Verbs are matched case-insensitively so title-case headings still count;
    # the subject stays case-sensitive because capitals are how names are found.
    # An optional comma after the subject closes an appositive or a relative
    # clause: "Alice, the on-call engineer, forgot"; "The developer, who wrote it, forgot".
    middle = ",?" + (_PARENTHETICAL + _ADV + r"\s+" if adverbs else "")
    return Rule(
        RegexSource(_WHO + middle + f"(?i:{verb})"),
        hint,
        subject=True,
        negatable=negatable,
        prefilter=re.compile(verb, _I),
        keywords=keywords,
    )


def _global_rule(pattern: str, hint: Advice, *, keywords: tuple[tuple[str, ...], ...], negatable: bool = True) -> Rule:
    return Rule(RegexSource(pattern, _I), hint, negatable=negatable, keywords=keywords)


def _object_rule(
    pattern: str,
    hint: Advice,
    *,
    keywords: tuple[tuple[str, ...], ...],
    gate: str | None = None,
) -> Rule:
    return Rule(
        RegexSource(pattern, _I),
        hint,
        obj=True,
        negatable=True,
        keywords=keywords,
        gate=None if gate is None else re.compile(gate, _I),
    )


def _words(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


# Keyword groups shared by several rules: _MISTAKE and _POSSESSIVE_NOUN.
_MISTAKE_KEYWORDS = _words("mistake blunder slip goof screw error")
_POSSESSIVE_KEYWORDS = _words(
    "fault mistake blunder oversight carelessness negligence laziness incompetence "
    "sloppiness recklessness screw slip lapse failure error"
)
_APOSTROPHES = ("'", "’")


# --------------------------------------------------------------------------- rules

_SUBJECT_RULES: tuple[Rule, ...] = (
    _subject_rule(r"(?P<kw>forg[eo]t(?:s|ten)?)\b", HINT_FORGOT, keywords=(("forget", "forgot"),)),
    _subject_rule(r"(?P<kw>fail(?:ed|s)?\s+to)\b", HINT_FAILED, keywords=(("fail",),)),
    _subject_rule(r"(?P<kw>neglect(?:ed|s)?)\b", HINT_FORGOT, keywords=(("neglect",),)),
    # "broke down the problem" and "broke the work into steps" are not breakage.
    _subject_rule(
        r"(?P<kw>broke)\b"
        r"(?!\s+(?:down|up|out|off|through|even|ground|apart|away|free|loose|character|"
        r"the\s+(?:news|tie|ice|silence|record))\b)"
        r"(?!(?:\s+[\w'’-]+){1,2}\s+(?:down|up|into|apart)\b)",
        HINT_BROKE,
        keywords=(("broke",),),
    ),
    _subject_rule(
        r"(?P<kw>(?:messed|screwed|mucked|fouled|cocked)"
        r"(?:\s+(?:it|this|that|things|everything))?\s+up"
        r"|botched|bungled|fumbled|flubbed|goofed|fat[- ]?fingered)\b",
        HINT_BROKE,
        keywords=(_words("messed screwed mucked fouled cocked botched bungled fumbled flubbed goofed fingered"),),
    ),
    # Not "dismissed": dismissing a false positive is the right call.
    _subject_rule(
        r"(?P<kw>ignored|ignores|disregarded|brushed\s+off)\b",
        HINT_ALERT,
        keywords=(("ignore", "disregarded", "brushed"),),
    ),
    _subject_rule(
        r"(?P<kw>(?:should|ought\s+to)(?:\s+have|['’]ve|\s+of)\s+(?:\w+ly\s+)?"
        r"(?:known|noticed|caught|seen|spotted|checked|double[- ]checked|tested|verified|"
        r"validated|confirmed|realized|realised|read|reviewed|looked|asked|escalated|"
        r"followed|waited|thought|remembered|anticipated|foreseen|prevented|stopped|"
        r"questioned|flagged|paid\s+(?:more\s+)?attention|"
        r"been\s+(?:more\s+)?(?:careful|attentive|aware|paying\s+attention|watching)))\b",
        HINT_HINDSIGHT,
        keywords=(("should", "ought"),),
    ),
    _subject_rule(
        r"(?P<kw>ma(?:de|kes?)\s+(?:(?:a|an|the|another|one|several|multiple|some|two|"
        rf"three|many|this|that|his|her|their|our|my)\s+)?(?:[\w-]+\s+){{0,2}}?{_MISTAKE})",
        HINT_JUDGEMENT,
        keywords=(("made", "make"), _MISTAKE_KEYWORDS),
    ),
    # Only outcomes: "Priya caused a controlled failover" is an action, not blame.
    _subject_rule(
        r"(?P<kw>caused|causes)\s+(?:(?:the|this|that|an?|our)\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:outage|incident|downtime|breakage|problem|issue|mess|damage|disruption|"
        r"data\s+loss|errors?|failure|crash|sev)\b",
        HINT_FAULT,
        keywords=(
            ("caused", "causes"),
            _words(
                "outage incident downtime breakage problem issue mess damage disruption loss error failure crash sev"
            ),
        ),
    ),
    _subject_rule(
        r"(?P<kw>(?:didn['’]t|did\s+not|never)\s+(?:even\s+)?(?:bother(?:ed)?|test(?:ed)?|"
        r"check(?:ed)?|double[- ]check(?:ed)?|verif(?:y|ied)|validated?|"
        r"follow(?:ed)?\s+the\s+(?:runbook|process|procedure|checklist|playbook)|"
        r"read\s+the|review(?:ed)?|look(?:ed)?\s+at|pa(?:y|id)\s+attention|cared?|"
        r"listen(?:ed)?))\b",
        HINT_GUARDRAIL,
        keywords=(
            ("did", "never"),
            _words("bother test check verif validate follow read review look pay paid care listen"),
        ),
    ),
    _subject_rule(
        r"(?P<kw>(?:is|was|were|are|has\s+been|had\s+been|been|being|seemed|seems)\s+"
        r"(?:(?:\w+ly|also|partly|too|so|very|just|being|a\s+bit|a\s+little)\s+){0,2}"
        r"(?:at\s+fault|culpable|negligent|careless|lazy|sloppy|incompetent|reckless|"
        r"clueless|responsible\s+for\s+(?:the|this|our)\s+(?:[\w-]+\s+)?"
        r"(?:outage|incident|downtime|breakage|failure|mistake|error|problem|issue|"
        r"data\s+loss)))\b",
        HINT_JUDGEMENT,
        negatable=True,
        keywords=(_words("fault culpable negligent careless lazy sloppy incompetent reckless clueless responsible"),),
    ),
    # "Bob is to blame", "someone to blame"; a system subject ("the cache was to
    # blame") is not blame of a person, so the general blame rule leaves these alone.
    _subject_rule(
        r"(?:\s*['’]s|\s+(?:is|was|are|were|has\s+been|had\s+been|be))?\s+"
        r"(?:(?:partly|partially|solely|entirely|also|largely|mostly)\s+)?(?P<kw>to\s+blame)\b",
        HINT_FAULT,
        negatable=True,
        adverbs=False,
        keywords=(("blame",),),
    ),
    _subject_rule(
        r"(?P<kw>\b\w+ed)(?:\s+[^\s.!?]+){0,5}?\s+without\s+"
        r"(?:(?:any|a|first|even|properly|proper|bothering\s+to|actually)\s+)?"
        r"(?:testing|tests?|checking|review(?:ing)?|approval|verif(?:ying|ication)|thinking|"
        r"asking|telling\s+anyone|reading|looking|double[- ]checking)\b",
        HINT_GUARDRAIL,
        keywords=(
            ("without",),
            _words("test check review approval verif thinking asking telling reading looking"),
        ),
    ),
    _subject_rule(
        r"(?P<kw>(?:pushed|deployed|shipped|merged|released|committed|applied)"
        r"(?:\s+[^\s.!?]+){0,2}?\s+(?:untested|unreviewed|unverified))\b",
        HINT_GUARDRAIL,
        keywords=(
            ("untested", "unreviewed", "unverified"),
            _words("pushed deployed shipped merged released committed applied"),
        ),
    ),
    # An action pinned on a slip: "the intern dropped the table by mistake".
    _subject_rule(
        r"(?P<kw>(?:accidentally|mistakenly|inadvertently|unintentionally)\s+\w+"
        r"|\b\w+ed(?:\s+[^\s.!?]+){0,5}?\s+(?:by\s+(?:mistake|accident)|in\s+error))\b",
        HINT_HUMAN_ERROR,
        keywords=(("accident", "mistake", "inadvertently", "unintentionally", "error"),),
    ),
    # A change judged bad, pinned on whoever made it: "@jdoe pushed a bad config to prod".
    _subject_rule(
        r"(?P<kw>(?:pushed|deployed|shipped|merged|applied|committed|released|rolled\s+out|introduced|"
        r"ran|entered|typed|set|configured|wrote|used|picked|chose|selected|edited|uploaded)\s+"
        r"(?:(?:a|an|the|some|this|that|his|her|their|our|my)\s+)?"
        r"(?:bad|wrong|broken|faulty|buggy|incorrect|invalid|erroneous|botched|dodgy)\s+[\w-]+)\b",
        HINT_BAD_CHANGE,
        keywords=(_words("bad wrong broken faulty buggy incorrect invalid erroneous botched dodgy"),),
    ),
    # Destruction of production data pinned on a person: "the intern deleted the production
    # table". Restarts and rollbacks are mitigations, so only irreversible verbs count.
    _subject_rule(
        r"(?P<kw>(?:deleted|dropped|wiped|truncated|erased|purged|nuked|destroyed|overwrote|corrupted)\s+"
        r"(?:(?:the|a|an|our|all|every|some|half\s+of\s+the|most\s+of\s+the)\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:prod|production|live|customer|customers|database|databases|db|table|tables|bucket|buckets|"
        r"volume|volumes|data|dataset|records|rows|backups?|primary|schema|keyspace|index)\b"
        r"(?:\s+(?:table|tables|database|db|bucket|data|records|rows|volume|cluster|index|backups?)){0,2})",
        HINT_DESTRUCTIVE,
        keywords=(_words("deleted dropped wiped truncated erased purged nuked destroyed overwrote corrupted"),),
    ),
)

_POSSESSIVE_NOUN = (
    r"(?:own\s+)?(?P<kw>fault|mistakes?|blunders?|oversights?|carelessness|negligence|"
    r"laziness|incompetence|sloppiness|recklessness|screw-?ups?|slip-?ups?|lapse|"
    rf"failure\s+to|{_ERROR_WORD})\b"
)
_POSSESSIVE_RULES: tuple[Rule, ...] = (
    Rule(
        RegexSource(_WHO + r"(?:['’]s\b|(?<=s)['’])\s+" + f"(?i:{_POSSESSIVE_NOUN})"),
        HINT_FAULT,
        subject=True,
        negatable=True,
        possessive=True,
        prefilter=re.compile(r"['’]s?\s+" + _POSSESSIVE_NOUN, _I),
        keywords=(_POSSESSIVE_KEYWORDS, _APOSTROPHES),
    ),
    Rule(
        RegexSource(r"\b(?:my|his|her|their|our|your)\s+" + _POSSESSIVE_NOUN, _I),
        HINT_FAULT,
        negatable=True,
        keywords=(_POSSESSIVE_KEYWORDS, ("my", "his", "her", "their", "our")),  # "your" holds "our"
    ),
    # "Alice's change broke checkout" still pins the outcome on Alice.
    Rule(
        RegexSource(
            _WHO + r"['’]s\s+(?:[\w-]+\s+){0,2}?"
            r"(?i:(?:change|commit|push|deploy|deployment|pr|pull\s+request|merge|script|"
            r"typo|query|command|edit|config|configuration|patch|migration|rollout|release|update|"
            r"upgrade|fix|hotfix)s?\s+(?:\w+ly\s+)?"
            r"(?P<kw>broke|caused\s+the|took\s+down|brought\s+down|knocked\s+over))\b"
        ),
        HINT_BROKE,
        subject=True,
        prefilter=re.compile(r"\b(?:broke|caused|took|brought|knocked)\b", _I),
        keywords=(("broke", "caused", "took", "brought", "knocked"), _APOSTROPHES),
    ),
)

_CONTEXT_RULES: tuple[Rule, ...] = (
    Rule(
        RegexSource(
            r"\b(?i:because)\s+" + _NP_PREFIX + _WHO + r"\s+(?i:(?P<kw>didn['’]t|did\s+not|never|"
            r"hadn['’]t|had\s+not)\b(?!\s+(?:have|has|get|receive|hear)\b))"
        ),
        HINT_GUARDRAIL,
        subject=True,
        prefilter=re.compile(r"\bbecause\b", _I),
        keywords=(("because",), ("did", "never", "had")),  # "didn't", "hadn't"
    ),
    Rule(
        RegexSource(
            r"\b(?i:if)\s+(?i:only\s+)?" + _NP_PREFIX + _WHO + r"(?i:\s+had|['’]d)\s+(?i:(?:only\s+|just\s+)?"
            r"(?P<kw>read|checked|followed|tested|looked|paid\s+attention|noticed|listened|"
            r"been\s+(?:more\s+)?careful|bothered|double-checked|verified|reviewed|asked|waited))\b"
        ),
        HINT_HINDSIGHT,
        subject=True,
        prefilter=re.compile(r"\bif\b", _I),
        keywords=(
            ("if",),
            ("had", "'d", "’d"),
            _words(
                "read checked followed tested looked paid noticed listened been bothered verified reviewed asked waited"
            ),
        ),
    ),
    Rule(
        RegexSource(r"\blazy\s+(?:[\w-]+\s+)?(?:" + ROLE_RE + r")\b", _I),
        HINT_JUDGEMENT,
        negatable=True,
        keywords=(("lazy",),),
    ),
)

_GLOBAL_RULES: tuple[Rule, ...] = (
    _global_rule(
        r"\b(?P<kw>(?:human|operator|pilot|personnel|engineer|engineering|developer|staff)"
        rf"[- ](?:{_ERROR_WORD}|mistakes?|failures?|oversights?))",
        HINT_HUMAN_ERROR,
        keywords=(
            ("error", "mistake", "failure", "oversight"),
            ("human", "operator", "pilot", "personnel", "engineer", "developer", "staff"),
        ),
    ),
    _global_rule(
        r"\b(?P<kw>pebkac|pebcak|picnic\s+error|id-?10-?t|layer[- ]?8\s+(?:issue|problem|error))\b",
        HINT_HUMAN_ERROR,
        keywords=(("pebkac", "pebcak", "picnic", "id10", "id-10", "layer"),),
    ),
    _global_rule(r"\b(?P<kw>fat[- ]?finger(?:ed|ing|s)?)\b", HINT_HUMAN_ERROR, keywords=(("finger",),)),
    # Idioms that only ever describe people.
    _global_rule(
        r"\b(?P<kw>dropped\s+the\s+ball|ball\s+was\s+dropped|asleep\s+on\s+the\s+job|"
        r"drop(?:s|ping)?\s+the\s+ball)\b",
        HINT_GUARDRAIL,
        keywords=(("ball", "asleep"),),
    ),
    # Cassandra's "sloppy quorum" is a design term, not a verdict on anyone.
    _global_rule(
        r"\b(?P<kw>careless(?:ly|ness)?|negligen(?:t|tly|ce)|reckless(?:ly|ness)?|"
        r"incompeten(?:t|ce|cy)|laziness|sloppi(?:ly|ness)|sloppy(?![-\s]+quorums?\b)|"
        r"culpab(?:le|ility)|clueless(?:ness)?)\b",
        HINT_JUDGEMENT,
        keywords=(_words("careless negligen reckless incompeten laziness slopp culpab clueless"),),
    ),
    _global_rule(
        r"\b(?P<kw>(?:stupid|dumb|silly|boneheaded|rookie|idiotic|amateur(?:ish)?|"
        r"inexcusable|unforgivable|embarrassing)\s+(?:mistake|error|blunder)s?)\b",
        HINT_JUDGEMENT,
        keywords=(
            _words("stupid dumb silly boneheaded rookie idiotic amateur inexcusable unforgivable embarrassing"),
            ("mistake", "error", "blunder"),
        ),
    ),
    _global_rule(
        r"\b(?P<kw>(?:should(?:\s+have|['’]ve)|ought\s+to\s+have)\s+known\s+better|knew\s+better)\b",
        HINT_HINDSIGHT,
        keywords=(("better",),),
    ),
    _global_rule(
        r"\b(?P<kw>(?:poor|bad|questionable|lapses?\s+(?:of|in)|errors?\s+(?:of|in))\s+judge?ment)\b",
        HINT_JUDGEMENT,
        keywords=(("judgment", "judgement"),),
    ),
    _global_rule(
        r"(?:\b(?:wasn['’]t|was\s+not|weren['’]t|were\s+not|isn['’]t|is\s+not|not)\s+paying\s+attention"
        r"|\basleep\s+at\s+the\s+(?:wheel|switch)|\bdidn['’]t\s+pay\s+attention)\b",
        HINT_JUDGEMENT,
        negatable=False,
        keywords=(("attention", "asleep"),),
    ),
    _global_rule(
        r"(?:\b(?:nobody|no\s+one|no-one|noone)\s+(?:even\s+)?bothered"
        r"|\b(?:didn['’]t|did\s+not|never|couldn['’]t\s+be|could\s+not\s+be)\s+(?:even\s+)?"
        r"bother(?:ed)?)\b",
        HINT_GUARDRAIL,
        negatable=False,
        keywords=(("bother",),),
    ),
)

_OBJECT_RULES: tuple[Rule, ...] = (
    _object_rule(
        r"\b(?P<kw>fault)\s+(?:(?:lies|lay|rests|rested|was|is|belongs|fell|falls|sits)\s+)?"
        r"(?:squarely\s+|entirely\s+|solely\s+)?(?:of|with|on|to)\s+",
        HINT_FAULT,
        keywords=(("fault",),),
    ),
    _object_rule(r"\b(?P<kw>(?:caused|broken)\s+by)\s+", HINT_FAULT, keywords=(("caused", "broken"), ("by",))),
    # "This one is on Derek", "the outage is on the SRE who approved it".
    _object_rule(
        r"\b(?P<kw>(?:this|that|it|(?:the\s+|this\s+)?(?:outage|incident|failure|breakage|mess|one))"
        r"\s+(?:is|was|['’]s)\s+(?:all\s+|entirely\s+|squarely\s+|totally\s+)?on)\s+",
        HINT_FAULT,
        gate=r"(?:is|was|['’]s)\s+(?:(?:all|entirely|squarely|totally)\s+)?on\s",
        keywords=(
            ("is", "was", "'s", "’s"),
            ("on",),
            ("this", "that", "it", "outage", "incident", "failure", "breakage", "mess", "one"),
        ),
    ),
    _object_rule(
        r"\b(?P<kw>(?:ignored|overlooked|missed|disregarded)\s+by)\s+",
        HINT_ALERT,
        keywords=(("ignored", "overlooked", "missed", "disregarded"), ("by",)),
    ),
    _object_rule(
        rf"\b(?P<kw>(?:{_MISTAKE}|oversight|negligence|carelessness)\s+"
        r"(?:by|of|on\s+the\s+part\s+of|from))\s+",
        HINT_FAULT,
        keywords=(_MISTAKE_KEYWORDS + ("oversight", "negligence", "carelessness"), ("by", "of", "on", "from")),
    ),
)

# "blameless", "blame-free" and "git blame" are not blame.
_BLAME_WORD = RegexSource(r"(?<![\w-])(?P<kw>blam(?:e|ed|es|ing)|blameworthy)(?![\w-])", _I)
_GIT_BEFORE = re.compile(r"\bgit\s*$", _I)
_PREDICATE_TO = re.compile(r"(?:\b(?:is|was|are|were|be|been)|['’]s)\s+(?:\w+\s+)?to\s*$", _I)
_BLAME_LINK = re.compile(
    r"\s+(?:(?:it|this|that|everything|the\s+(?:outage|incident))\s+)?"
    r"(?:(?:lies|lay|lie|rests|rested|falls|fell|is|was|goes|went|sits|sat|squarely|"
    r"entirely|solely)\s+){0,4}(?:(?:on|upon|onto|with|to|at)\s+)?",
    _I,
)


def _blame_word_check(sentence: Sentence, m: re.Match[str]) -> int | None:
    """The bare word "blame": a hit unless negated, "git blame", or aimed at a system."""
    before = sentence.masked[max(sentence.start, m.start() - 20) : m.start()]
    if _GIT_BEFORE.search(before) or _PREDICATE_TO.search(before):
        return None
    if negated(sentence, m.start()):
        return None
    link = _BLAME_LINK.match(sentence.masked, m.end(), sentence.end)
    target = link.end() if link else m.end()
    person, end = object_person(sentence, target)
    if person is False:
        return None
    return end if person else m.end()


_BLAME_RULE = Rule(_BLAME_WORD, HINT_FAULT, check=_blame_word_check, keywords=(("blam",),))

DEFAULT_RULES: tuple[Rule, ...] = (
    _SUBJECT_RULES + _POSSESSIVE_RULES + _CONTEXT_RULES + _GLOBAL_RULES + _OBJECT_RULES + (_BLAME_RULE,)
)


def _check_keywords(rules: tuple[Rule, ...]) -> None:
    """Keywords are compared with folded text and must survive masking."""
    for rule in rules:
        for group in rule.keywords:
            if not group or not all(w and w == fold(w) and w.split() == [w] for w in group):
                raise ValueError(f"bad keyword group {group!r} for {rule.regex.source!r}")


_check_keywords(DEFAULT_RULES)

"""The hint a blame hit carries: the pattern found, the flagged phrase, and a rewording.

The rewording is built from the sentence itself, so it keeps its subject matter:
"John broke prod by pushing a bad config" gets "the bad config reached prod without a
check that would have caught it", not a stock example about some other system. The
sentence is read shallowly (the noun phrase after the flagged words, an instrument after
"by ...ing" or "with", an infinitive after "to"); when nothing fits, a neutral phrase
such as "the change" stands in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pmkb.rules.blame.vocabulary import DETERMINERS, NP_STOP, PRONOUNS, ROLES, THINGS, singular

_WORDS = re.compile(r"@?[\w'’-]+|[,;:()\u2014]")
_POSSESSIVE_DETERMINERS = frozenset("a an his her their our my your this that these those some".split())
# Words that end a noun phrase besides NP_STOP: more prepositions and time words.
_PHRASE_END = NP_STOP | frozenset("into onto over under until about around through across per via without".split())
# Nouns that name the blame itself, never the system a sentence is about.
_BLAME_NOUNS = frozenset("mistake mistakes error errors blunder fault oversight lapse slip".split())
_PARTICIPLES = {
    "broke": "broken",
    "overwrote": "overwritten",
    "wrote": "written",
    "took": "taken",
    "forgot": "forgotten",
    "ran": "run",
    "made": "made",
}


@dataclass(frozen=True)
class Clause:
    """The flagged phrase and the words after it in its sentence (up to a clause break)."""

    phrase: str
    rest: tuple[str, ...]
    sentence: tuple[str, ...]

    def infinitive(self) -> str:
        """ "to run the migration before deploying" -> "run the migration before deploying"."""
        if self.phrase.lower().endswith(" to"):
            words = self.rest
        elif self.rest[:1] == ("to",):
            words = self.rest[1:]
        else:
            return ""
        return " ".join(words[:10])

    def object(self) -> str:
        """The noun phrase right after the phrase: "the disk space alert" in "ignored the disk
        space alert for two hours"."""
        return _noun_phrase(self.rest)

    def instrument(self) -> str:
        """What did it: "a bad config" in "... by pushing a bad config" or "... with an untested push"."""
        for index, word in enumerate(self.rest):
            low = word.lower()
            if low == "with":
                return _noun_phrase(self.rest[index + 1 :])
            if low == "by" and index + 1 < len(self.rest) and self.rest[index + 1].lower().endswith("ing"):
                return _noun_phrase(self.rest[index + 2 :])
        return ""

    def topic(self) -> str:
        """The system or change the sentence is about: the object, else the first noun
        phrase in the sentence headed by a system word."""
        found = self.object()
        if found and _has_thing(found) and not _BLAME_NOUNS & set(found.lower().split()):
            return found
        words = self.sentence
        for index, word in enumerate(words):
            low = word.lower()
            if (low in THINGS or singular(low) in THINGS) and low not in _NOT_TOPICS:
                start = index
                while start > 0 and words[start - 1].islower() and words[start - 1] not in _PHRASE_END:
                    if words[start - 1] in DETERMINERS or index - start >= 2:
                        break
                    start -= 1
                end = index + 1
                while end < len(words) and end - index < 2 and words[end].lower() in THINGS:
                    end += 1
                return "the " + " ".join(words[start:end])
        return ""


_NOT_TOPICS = ROLES | _PHRASE_END | _BLAME_NOUNS


def _has_thing(phrase: str) -> bool:
    return any(w.lower() in THINGS or singular(w.lower()) in THINGS for w in phrase.split())


def _noun_phrase(words: tuple[str, ...]) -> str:
    """A determiner and up to four words, stopping at a preposition, a verb form or
    punctuation; possessive and indefinite determiners become "the"."""
    taken: list[str] = []
    for word in words:
        low = word.lower()
        if low in _POSSESSIVE_DETERMINERS or low == "the":
            if taken:
                break
            taken.append("the")
            continue
        if (
            low in _PHRASE_END
            or not word[:1].isalnum()
            or low in PRONOUNS
            or (taken and taken != ["the"] and low.endswith(("ed", "ing")) and len(low) > 4)
            or len(taken) >= 5
        ):
            break
        taken.append(word)
    if taken in ([], ["the"]):
        return ""
    return " ".join(taken)


def clause(masked: str, start: int, end: int, sentence_start: int, sentence_end: int) -> Clause:
    phrase = " ".join(masked[start:end].split())
    rest: list[str] = []
    for word in _WORDS.findall(masked, end, sentence_end):
        if not word[:1].isalnum() and not word.startswith("@"):
            break
        rest.append(word)
        if len(rest) >= 16:
            break
    sentence = tuple(w for w in _WORDS.findall(masked, sentence_start, sentence_end) if w[:1].isalnum())
    return Clause(phrase, tuple(rest), sentence)


@dataclass(frozen=True)
class Advice:
    """One kind of blame: its name, what to write instead, and how to reword it."""

    pattern: str
    advice: str
    reword: Callable[[Clause], str]

    def hint(self, found: Clause) -> str:
        return f'{self.pattern} in "{found.phrase}": {self.advice}, e.g. "{self.reword(found)}"'


def _lapse(c: Clause) -> str:
    if steps := c.infinitive():
        return f"nothing in the process or tooling made sure to {steps}"
    if thing := c.object():
        return f"nothing in the process or tooling checked {thing}"
    return "nothing in the process or tooling required this step"


def _breakage(c: Clause) -> str:
    words = c.phrase.split()
    owner = next((i for i, w in enumerate(words) if w.lower().endswith(("'s", "’s"))), None)
    if owner is not None:
        # "@chris's bad config took down": the change sits between the owner and the verb.
        between = []
        for word in words[owner + 1 :]:
            if word.lower() in _OUTCOME_VERBS or word.lower().endswith("ly"):
                break
            between.append(word)
        change = _noun_phrase(("the", *between)) or "the change"
        return f"{change} reached {c.object() or 'production'} without a check that would have caught it"
    change = c.instrument() or "the change"
    return f"{change} reached {c.object() or 'production'} without a check that would have caught it"


_OUTCOME_VERBS = frozenset("broke caused took brought knocked".split())
_BAD = frozenset("bad wrong broken faulty buggy incorrect invalid erroneous botched dodgy".split())
_TOWARDS = frozenset("to into in against onto across".split())


def _bad_change(c: Clause) -> str:
    words = c.phrase.split()
    # "@jdoe pushed a bad config": the changed thing starts at the adjective and may
    # go on after the phrase ("the wrong image tag to production").
    adjective = next((i for i, w in enumerate(words) if w.lower() in _BAD), len(words))
    change = _noun_phrase(("the", *words[adjective:], *c.rest))
    rest = list(c.rest)
    towards = next((i for i, w in enumerate(rest) if w.lower() in _TOWARDS), None)
    target = _noun_phrase(tuple(rest[towards + 1 :])) if towards is not None else ""
    return f"{change or 'the change'} reached {target or 'production'} without a check that would have caught it"


def _destructive(c: Clause) -> str:
    words = c.phrase.split()
    lowered = [w.lower() for w in words]
    verb = next((w for w in lowered if w in _DESTRUCTIVE_VERBS), "")
    thing = _noun_phrase(tuple(words[lowered.index(verb) + 1 :])) if verb else ""
    done = _PARTICIPLES.get(verb, verb or "changed")
    return f"{thing or c.object() or 'the data'} could be {done} without a confirmation or a second approval"


_DESTRUCTIVE_VERBS = frozenset(
    "deleted dropped wiped truncated erased purged nuked destroyed overwrote corrupted".split()
)


def _guardrail(c: Clause) -> str:
    return f"{c.topic() or 'the change'} went ahead without a required test or review"


def _alert(c: Clause) -> str:
    return f"{c.object() or 'the alert'} did not lead to action; say why (noise, unclear owner, no runbook)"


def _hindsight(c: Clause) -> str:
    return f"nothing made {c.object() or c.topic() or 'the problem'} visible at the time"


def _conditions(c: Clause) -> str:
    return f"{c.topic() or 'the change'} went ahead without a safeguard that would have caught the problem"


HINT_HUMAN_ERROR = Advice("human error", "name the condition that made the action possible", _conditions)
HINT_FORGOT = Advice("a lapse pinned on a person", "describe the missing safeguard rather than the lapse", _lapse)
HINT_FAILED = Advice(
    "a failure pinned on a person", "describe what the system allowed or what information was missing", _lapse
)
HINT_JUDGEMENT = Advice("a judgement of a person", "drop the judgement and describe the conditions", _conditions)
HINT_HINDSIGHT = Advice("hindsight about a person", "describe what was visible at the time", _hindsight)
HINT_ALERT = Advice("an ignored signal pinned on a person", "describe why the signal did not lead to action", _alert)
HINT_FAULT = Advice("fault assigned to a person", "describe the contributing conditions instead", _conditions)
HINT_BROKE = Advice("breakage pinned on a person", "describe what the change did and what let it through", _breakage)
HINT_BAD_CHANGE = Advice(
    "a bad change pinned on a person", "describe what the change did and what let it through", _bad_change
)
HINT_DESTRUCTIVE = Advice(
    "a destructive action pinned on a person", "describe the guard that was missing", _destructive
)
HINT_GUARDRAIL = Advice("a skipped step pinned on a person", "describe the missing guardrail", _guardrail)
EXTRA_HINT = Advice(
    "a configured blame phrase",
    "describe what the system allowed or what information was missing, not who did it",
    _conditions,
)

DEFAULT_ADVICE: tuple[Advice, ...] = (
    HINT_HUMAN_ERROR,
    HINT_FORGOT,
    HINT_FAILED,
    HINT_JUDGEMENT,
    HINT_HINDSIGHT,
    HINT_ALERT,
    HINT_FAULT,
    HINT_BROKE,
    HINT_BAD_CHANGE,
    HINT_DESTRUCTIVE,
    HINT_GUARDRAIL,
)

"""Whether a word in a sentence names a person, and whether a negation governs it."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice

from pmkb.rules.blame.text import TOKEN, WORD, Sentence
from pmkb.rules.blame.vocabulary import (
    ARTICLES,
    COMMON_VERBS,
    DETERMINERS,
    K8S_CONTEXT,
    NEGATING_PHRASES,
    NEGATION_BRIDGE,
    NEGATORS,
    NOT_HANDLES,
    NOT_NAME_SUFFIXES,
    NOT_NAMES,
    NP_STOP,
    OBJECT_PRONOUNS,
    PEOPLE_DESKS,
    PRODUCTS,
    PRONOUNS,
    ROLES,
    SYSTEM_WORDS,
    THINGS,
    singular,
)


def _is_name(token: str) -> bool:
    """A capitalised word that could be a first name or surname."""
    low = token.lower()
    if len(token) < 2 or low in NOT_NAMES or singular(low) in NOT_NAMES:
        return False
    if len(token) >= 6 and low.endswith(NOT_NAME_SUFFIXES):
        return False
    # -ing words are system nouns ("Provisioning"); short ones may be names (Ming).
    if len(token) >= 9 and low.endswith("ing"):
        return False
    body = token[2:] if token.startswith("Mc") and len(token) > 3 else token
    parts = [p for p in re.split(r"[-'’]", body) if p]
    # Internal capitals mean a product (PostgreSQL, GitHub, PagerDuty) or an acronym.
    return bool(parts) and all(p[0].isupper() and (p[1:].islower() or not p[1:]) for p in parts)


def _is_product_word(token: str) -> bool:
    """A capitalised word that starts a product name: "Google Cloud", "GitHub Actions"."""
    if not token[:1].isupper():
        return False
    low = token.lower()
    if low in PRODUCTS or low in SYSTEM_WORDS or singular(low) in SYSTEM_WORDS:
        return True
    # CamelCase or an acronym (GitHub, AWS), but not the pronoun I.
    return len(token) > 1 and any(c.isupper() for c in token[1:])


@lru_cache(maxsize=64)
def _is_title_case(sentence: Sentence) -> bool:
    """Headings such as "Cache Warmer Failed To Start" capitalise every word."""
    words = [w for w in WORD.findall(sentence.masked, sentence.start, sentence.end) if w[:1].isalpha()]
    if len(words) < 4:
        return False
    capitalised = sum(1 for w in words if w[:1].isupper())
    return capitalised / len(words) >= 0.6


# Facts about a whole sentence are computed once per sentence (not once per
# candidate word), so a long sentence with many candidates stays linear.
@lru_cache(maxsize=64)
def _in_kubernetes_context(sentence: Sentence) -> bool:
    return K8S_CONTEXT.search(sentence.masked, sentence.start, sentence.end) is not None


@lru_cache(maxsize=64)
def _they_means_things(sentence: Sentence) -> bool:
    """ "The replicas fell behind and they failed to catch up": when the sentence
    names plural things and no people before "they", it refers to the things."""
    words = WORD.findall(sentence.masked, sentence.start, sentence.end)
    lowered = [w.lower() for w in words]
    earlier = words[: lowered.index("they")] if "they" in lowered else words
    for word in earlier:
        low = word.lower()
        if low in ROLES or low in PRONOUNS or word.startswith("@") or _is_name(word):
            return False
    return any(w.lower().endswith("s") and singular(w.lower()) in THINGS for w in earlier)


def token_is_person(token: str, before: list[str], sentence: Sentence) -> bool:
    """Whether ``token``, the head of a noun phrase, names a person.

    ``before`` holds the words just before it, as written, nearest last.
    """
    if token.startswith("@"):
        return token[1:].lower() not in NOT_HANDLES
    low = token.lower()
    if low == "they" and _they_means_things(sentence):
        return False
    if low in PRONOUNS or low in OBJECT_PRONOUNS:
        return token != "US"  # the country, not the pronoun
    previous = before[-1] if before else ""
    after_product = _is_product_word(previous)
    if low in ROLES:
        if after_product and token[:1].isupper():
            return False  # "Certificate Manager", "Secrets Operator"
        if low.startswith("operator") and (previous.lower() in NOT_NAMES or _in_kubernetes_context(sentence)):
            return False
        return True
    if low in ("call", "duty", "shift") and previous.lower() == "on":
        return True  # "the person on call", "the engineer on duty"
    if low in ("agent", "agents", "rep", "reps") and previous.lower() in PEOPLE_DESKS:
        return True  # a support agent is a person, a Datadog agent is not
    if low in ("member", "members") and previous.lower() in ("team", "staff", "crew"):
        return True
    if _is_name(token):
        # Names take no article ("the Scheduler" is a thing) and do not follow
        # a product word ("Google Cloud").
        if previous.lower() in ARTICLES or after_product:
            return False
        return not _is_title_case(sentence)
    return False


def _is_negator(word: str) -> bool:
    return word in NEGATORS or word.endswith(("n't", "n’t"))


def negated(sentence: Sentence, pos: int) -> bool:
    """A negation shortly before ``pos`` that still governs it: "not a case of
    human error" and "nobody is to blame" are acquittals, but in "we can't keep
    having incompetent reviewers" the negation belongs to another verb."""
    words = [w.lower() for w in sentence.words_before(pos)]
    joined = " ".join(words)
    if any(phrase in joined for phrase in NEGATING_PHRASES):
        return True
    for i, word in enumerate(words):
        if _is_negator(word):
            between = words[i + 1 :]
            if all(w in NEGATION_BRIDGE or w.endswith(("'s", "’s")) or _is_negator(w) for w in between):
                return True
    return False


def object_person(sentence: Sentence, pos: int) -> tuple[bool | None, int]:
    """Read the noun phrase starting at ``pos``: (is it a person?, its end).

    None means there is no noun phrase to judge (end of sentence).
    """
    tokens = list(islice(TOKEN.finditer(sentence.masked, pos, sentence.end), 4))
    if not tokens or sentence.masked[pos : tokens[0].start()].strip():
        return None, pos
    first = tokens[0]
    word = first.group()
    low = word.lower()
    if low in NP_STOP:
        return None, pos
    if low in ("it", "this", "that", "these", "those", "everything", "something", "anything"):
        return False, first.end()
    # A handle, pronoun or name settles it: "caused by @alex pushing", "Bob's change".
    if word[:1] in "@" or word[:1].isupper() or low in PRONOUNS or low in OBJECT_PRONOUNS:
        if token_is_person(word, [], sentence):
            return True, first.end()
    # A common noun phrase: the head is its last word before a stop word or
    # punctuation ("the engineer's change" stops at the apostrophe).
    words = tokens[1:] if low in DETERMINERS else tokens
    head: re.Match[str] | None = None
    previous_end = first.end() if low in DETERMINERS else pos
    for tok in words:
        if sentence.masked[previous_end : tok.start()].strip() or tok.group().lower() in NP_STOP:
            break
        if head is not None and _looks_like_verb(tok.group()):
            break  # "the contractor deleting ...", "the engineer extended ..."
        head = tok
        previous_end = tok.end()
    if head is None:
        return False, first.end()
    before = [t.group() for t in tokens if t.start() < head.start()]
    return token_is_person(head.group(), before, sentence), head.end()


def _looks_like_verb(word: str) -> bool:
    low = word.lower()
    return low in COMMON_VERBS or (len(low) > 4 and low.endswith(("ed", "ing")))


_RELATIVE_CLAUSE = re.compile(r"(?P<head>@?[^\W\d_][\w-]*),?\s+who\s+(?:[^\s.!?;,]+\s+){1,6}$", re.IGNORECASE)


def relative_subject_is_person(sentence: Sentence, who_start: int) -> bool:
    """The verb's subject may sit before a relative clause: "the developer who
    wrote the migration forgot the index". Only "who" clauses without commas
    inside count: "that" is as often a conjunction ("told the engineer that the
    job failed to start")."""
    if sentence.masked[who_start : who_start + 6].lower().startswith(("that", "which")):
        return False
    window_start = max(sentence.start, who_start - 120)
    if "who" not in sentence.masked[window_start:who_start].lower():
        return False
    m = _RELATIVE_CLAUSE.search(sentence.masked, window_start, who_start)
    if m is None:
        return False
    before = sentence.words_before(m.start("head"), limit=2)
    return token_is_person(m.group("head"), before, sentence)


def phrase_start(sentence: Sentence, who_start: int) -> int:
    """Widen a subject to its article and one modifier: "the on-call engineer"."""
    window_start = max(sentence.start, who_start - 60)
    tokens = list(TOKEN.finditer(sentence.masked, window_start, who_start))[-2:]
    start = who_start
    for steps, tok in enumerate(reversed(tokens)):
        if sentence.masked[tok.end() : start].strip():
            break  # punctuation between: not one noun phrase
        word = tok.group()
        if word.lower() in DETERMINERS:
            return tok.start()
        head = TOKEN.match(sentence.masked, who_start)
        if steps == 0 and head is not None and _is_name(word) and _is_name(head.group()):
            return tok.start()  # first name and surname: "Wei Zhang"
        if steps > 0 or not word.islower():
            break
        start = tok.start()  # a lower-case modifier; keep it only if an article precedes
    return who_start

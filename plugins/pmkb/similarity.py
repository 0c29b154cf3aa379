"""Similar incidents: what an incident's words and metadata have in common with others'.

Each postmortem becomes a weighted vector of the words of its title, Root Cause and
Contributing Factors (BM25 weights, English stop words left out) plus its services,
tags and category as terms of their own. Two incidents are as similar as the cosine
of their vectors. Candidates come from an inverted index: only the postings of an
incident's own heaviest terms are walked, each cut to its heaviest entries, so
finding the neighbours of one incident never compares it with every other.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import operator
import pickle
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat, takewhile

# BM25's term-frequency saturation and length normalisation, at their usual values.
_K1 = 1.2
_B = 0.75
# The title says what the incident was about; it counts as this many mentions.
TITLE_WEIGHT = 2
# Metadata terms against a word of the same rarity mentioned once or twice: a shared
# service or category says a little more, a tag about the same.
FEATURE_WEIGHTS = {"service": 1.5, "category": 1.2, "tag": 1.0}
# How many of an incident's own terms are looked up, and how many entries of each
# posting are walked: the bounds that keep a lookup cheap at any size.
QUERY_TERMS = 24
POSTING_CAP = 200
# Candidates per wanted result that get the full cosine, best partial scores first.
RERANKED_PER_RESULT = 8
# Below this cosine two incidents share a word or two by chance.
MIN_SCORE = 0.05
# Shared terms shown to the reader, heaviest first.
SHOWN_TERMS = 6

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
STOP_WORDS = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also although always
    am among amongst an and another any anyhow anyone anything anyway anywhere are aren't around as at back
    be became because become becomes becoming been before beforehand behind being below beside besides
    between beyond both but by can can't cannot could couldn't did didn't do does doesn't doing don't done
    down due during each eg either else elsewhere enough etc even ever every everyone everything everywhere
    except few first for former formerly found from further get gets getting give given go going gone got
    had hadn't has hasn't have haven't having he hence her here hereafter hereby herein hers herself him
    himself his how however i ie if in indeed instead into is isn't it it's its itself just keep kept last
    latter least less let's like made make makes making many may me meanwhile might mine more moreover
    most mostly much must mustn't my myself namely near nearly need needed neither never nevertheless next
    no nobody none noone nor not nothing now nowhere of off often on once one only onto or other others
    otherwise ought our ours ourselves out over own part per perhaps put quite rather ran re really run
    same say said see seem seemed seeming seems several shan't she should shouldn't show since so some
    somehow someone something sometime sometimes somewhere still such take taken than that that's the
    their theirs them themselves then thence there there's thereafter thereby therefore therein these they
    they're third this those though three through throughout thru thus to together too took toward towards
    two under until up upon us use used uses using very via was wasn't way we we're well went were weren't
    what what's whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever
    whether which while whither who whoever whole whom whose why will with within without won't would
    wouldn't yet you your yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads best as text
)
# Words every postmortem uses: they say an incident happened, not what it was about.
INCIDENT_WORDS = frozenset(
    """
    incident incidents outage impact impacted affected customer customers user users minute minutes hour
    hours day days week weeks month year time times today yesterday morning evening night utc change
    changed changes problem problems issue issues cause caused causes causing root contributing factor
    factors team teams engineer engineers on-call oncall alert alerts alerted page paged error errors
    failed failure failures fail fails happened happen started start began ended end normal usual expected
    """.split()  # noqa: SIM905 - a word list reads best as text
)


def words(text: str) -> list[str]:
    """Lower-case words without stop words, numbers or single letters; plurals folded."""
    return [word for word in map(_word, _WORD.findall(text.lower())) if word]


@lru_cache(maxsize=1 << 16)
def _word(token: str) -> str:
    """What one token counts as, or "" when it does not count; a knowledge base repeats
    the same few thousand tokens, so each is worked out once."""
    word = token.replace("’", "'")
    if word in STOP_WORDS or word in INCIDENT_WORDS or len(word) < 2 or word.isdigit():
        return ""
    if "'" in word:
        word = word.split("'", 1)[0]
    word = _singular(word)
    return "" if word in INCIDENT_WORDS else word


def _singular(word: str) -> str:
    # Enough folding to pair "connections" with "connection"; no stemmer guesses beyond that.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class IncidentText:
    """What similarity reads of one postmortem."""

    id: str
    title: str
    body: str  # Root Cause and Contributing Factors, plain text
    services: Sequence[str] = ()
    tags: Sequence[str] = ()
    category: str | None = None


@dataclass(frozen=True)
class SimilarIncident:
    id: str
    score: float  # cosine of the two incidents' vectors, 0 to 1
    shared: tuple[str, ...]  # what they have in common, heaviest first: words, services, "#tags", categories


def inputs_digest(incidents: Iterable[IncidentText], exclude: Mapping[str, Sequence[str]], limit: int) -> bytes:
    """The identity of everything the lists of `SimilarityIndex.similar` depend on: every
    incident in order (positions break ties), what each list leaves out, how long it is.
    Worked out from the texts alone, far faster than the index they would build."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"limit {limit}\n".encode())
    for doc in incidents:
        fields = [doc.id, doc.title, doc.body, list(doc.services), list(doc.tags), doc.category]
        hasher.update(json.dumps([*fields, list(exclude.get(doc.id, ()))]).encode())
        hasher.update(b"\n")
    return hasher.digest()


class SimilarityIndex:
    """Vectors of every incident and the inverted index over them, built once.

    What a lookup reads is laid out here, once: each incident's query terms with their
    weights, and each term's posting already cut to its heaviest entries as two flat
    tuples, so a lookup only adds up products and never sorts, slices or compares terms.
    """

    def __init__(self, incidents: Iterable[IncidentText]) -> None:
        documents = list(incidents)
        self.ids = [doc.id for doc in documents]
        self._position = {doc_id: number for number, doc_id in enumerate(self.ids)}
        counts = [Counter(words(doc.title) * TITLE_WEIGHT + words(doc.body)) for doc in documents]
        lengths = [sum(count.values()) for count in counts]
        average = (sum(lengths) / len(lengths)) if lengths else 0.0
        features = [self._features(doc) for doc in documents]
        frequency: Counter[str] = Counter(term for count in counts for term in count)
        frequency.update(term for named in features for term in named)
        total = len(documents)
        idf = {term: math.log(1 + (total - found + 0.5) / (found + 0.5)) for term, found in frequency.items()}
        self.vectors: list[dict[str, float]] = []
        postings: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for number, (count, named, length) in enumerate(zip(counts, features, lengths, strict=True)):
            vector: dict[str, float] = {}
            for term, tf in count.items():
                saturation = tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / average)) if average else 0.0
                vector[term] = idf[term] * saturation
            for term, weight in named.items():
                vector[term] = weight * idf[term]
            norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
            vector = {term: weight / norm for term, weight in vector.items()}
            self.vectors.append(vector)
            for term, weight in vector.items():
                postings[term].append((weight, number))
        # Heaviest first, so a capped walk sees the documents a term matters most to; the
        # rest of a posting is never walked, so it is not kept.
        capped: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {}
        for term, entries in postings.items():
            entries.sort(key=lambda entry: (-entry[0], entry[1]))
            del entries[POSTING_CAP:]
            capped[term] = (tuple(other for _, other in entries), tuple(weight for weight, _ in entries))
        # Each incident's heaviest terms (a tie to the later term) in the order its walk adds
        # them up: the order fixes the partial sums, and so which candidates are shortlisted.
        self._queries: list[list[tuple[float, tuple[int, ...], tuple[float, ...]]]] = [
            [
                (weight, *capped[term])
                for term, weight in heapq.nlargest(QUERY_TERMS, vector.items(), key=lambda item: (item[1], item[0]))
            ]
            for vector in self.vectors
        ]

    @staticmethod
    def _features(doc: IncidentText) -> dict[str, float]:
        """Services, tags and category as terms, weighted by kind (idf is applied later)."""
        named = [("service", name) for name in doc.services] + [("tag", name) for name in doc.tags]
        if doc.category:
            named.append(("category", doc.category))
        return {f"{kind}:{name}": FEATURE_WEIGHTS[kind] for kind, name in named}

    def similar(self, doc_id: str, limit: int, exclude: Iterable[str] = ()) -> list[SimilarIncident]:
        """The `limit` incidents most like `doc_id`, best first; ties go to the lower position."""
        number = self._position.get(doc_id)
        if number is None or limit <= 0:
            return []
        vector = self.vectors[number]
        queries = self._queries[number]
        # A flat accumulator: each product is added in the order of the query terms, as a
        # running sum per incident would add it, without a dictionary lookup per entry.
        partial = [0.0] * len(self.ids)
        for weight, others, other_weights in queries:
            for other, other_weight in zip(others, other_weights, strict=True):
                partial[other] += weight * other_weight
        candidates = set(chain.from_iterable(others for _, others, _ in queries))
        candidates.discard(number)
        for other_id in exclude:
            candidates.discard(self._position.get(other_id, -1))
        # The walk scored only the heaviest terms; the full cosine ranks the best it found.
        ranked = []
        for other in _best_partial(candidates, partial.__getitem__, limit * RERANKED_PER_RESULT):
            score = _cosine(vector, self.vectors[other])
            if score >= MIN_SCORE:
                ranked.append((score, other))
        best = heapq.nsmallest(limit, ranked, key=lambda item: (-round(item[0], 9), item[1]))
        return [
            SimilarIncident(self.ids[other], round(score, 4), self._shared(vector, self.vectors[other]))
            for score, other in best
        ]

    @staticmethod
    def _shared(left: Mapping[str, float], right: Mapping[str, float]) -> tuple[str, ...]:
        # Heaviest product first, then by term; only as many as are shown get a display form.
        ranked = sorted((-left[term] * right[term], term) for term in left.keys() & right.keys())
        shown: dict[str, None] = {}
        for _, term in ranked:
            # A category and a word can read the same ("database"); show it once.
            shown.setdefault(_display(term))
            if len(shown) == SHOWN_TERMS:
                break
        return tuple(shown)


def _best_partial(candidates: Iterable[int], partial: Callable[[int], float], size: int) -> list[int]:
    """The `size` candidates of best partial score, a tie to the lower position, in no particular order."""
    ordered = sorted(candidates, key=partial, reverse=True)
    if len(ordered) <= size:
        return ordered
    # Candidates scored the same as the last one taken may fall on either side of the
    # cut: of those, the lower positions are taken.
    cut = partial(ordered[size - 1])
    above = [other for other in ordered[:size] if partial(other) > cut]
    tied = sorted(takewhile(lambda other: partial(other) == cut, ordered[len(above) :]))
    return above + tied[: size - len(above)]


def _cosine(left: Mapping[str, float], right: Mapping[str, float]) -> float:
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    # The products in the smaller vector's order, as a loop over its items would add them.
    total: float = sum(map(operator.mul, small.values(), map(large.get, small, repeat(0.0))))
    return total


def _display(term: str) -> str:
    kind, _, name = term.partition(":")
    if not name:
        return term
    return f"#{name}" if kind == "tag" else name


def every_list(
    incidents: Sequence[IncidentText], exclude: Mapping[str, Sequence[str]], limit: int
) -> dict[str, list[SimilarIncident]]:
    """Every incident's list, as `SimilarityIndex.similar` gives it, leaving out `exclude[id]`."""
    index = SimilarityIndex(incidents)
    return {doc.id: index.similar(doc.id, limit, exclude=exclude.get(doc.id, ())) for doc in incidents}


def _work_out_lists_from_stdin() -> None:
    """`python -m pmkb.similarity`: (incidents, exclude, limit) pickled on stdin, every
    list pickled on stdout. A preview works them out this way, beside the server's process."""
    incidents, exclude, limit = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by pmkb's own preview
    pickle.dump(every_list(incidents, exclude, limit), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    # Run as a program this file is `__main__`: the lists must be made of the module's own classes.
    from pmkb.similarity import _work_out_lists_from_stdin as work_out

    work_out()

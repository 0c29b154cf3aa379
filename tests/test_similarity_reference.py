"""The similarity index's lookups against straightforward implementations of the same ranking.

`ReferenceIndex` is the plain form of the algorithm: vectors as dictionaries, the
postings sorted and cut at every lookup, a running sum per candidate, the shortlist
and the result ranked with explicit keys. The optimised index must return exactly
what it returns (ids, rounded scores, shared terms), on the tests' knowledge bases,
the example one and a generated one larger than the posting cap. With the caps lifted,
both must also agree with a brute-force cosine over every pair.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import pytest
from kb_helpers import load_kb
from pmkb import similarity
from pmkb.config import load_config
from pmkb.pipeline import load_knowledge_base
from pmkb.similarity import IncidentText, SimilarIncident, SimilarityIndex, words
from test_similarity import FILES

REPO = Path(__file__).resolve().parents[1]


class ReferenceIndex:
    """The lookup as first written, reading the module's caps at each lookup."""

    def __init__(self, incidents: Iterable[IncidentText]) -> None:
        documents = list(incidents)
        self.ids = [doc.id for doc in documents]
        self.position = {doc_id: number for number, doc_id in enumerate(self.ids)}
        counts = [
            Counter(reference_words(doc.title) * similarity.TITLE_WEIGHT + reference_words(doc.body))
            for doc in documents
        ]
        lengths = [sum(count.values()) for count in counts]
        average = (sum(lengths) / len(lengths)) if lengths else 0.0
        features = [SimilarityIndex._features(doc) for doc in documents]
        frequency: Counter[str] = Counter(term for count in counts for term in count)
        frequency.update(term for named in features for term in named)
        total = len(documents)
        self.vectors: list[dict[str, float]] = []
        postings: dict[str, list[tuple[float, int]]] = defaultdict(list)

        def idf(term: str) -> float:
            return math.log(1 + (total - frequency[term] + 0.5) / (frequency[term] + 0.5))

        k1, b = similarity._K1, similarity._B
        for number, (count, named, length) in enumerate(zip(counts, features, lengths, strict=True)):
            vector: dict[str, float] = {}
            for term, tf in count.items():
                saturation = tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average)) if average else 0.0
                vector[term] = idf(term) * saturation
            for term, weight in named.items():
                vector[term] = weight * idf(term)
            norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
            vector = {term: weight / norm for term, weight in vector.items()}
            self.vectors.append(vector)
            for term, weight in vector.items():
                postings[term].append((weight, number))
        self.postings = {
            term: sorted(entries, key=lambda entry: (-entry[0], entry[1])) for term, entries in postings.items()
        }

    def similar(self, doc_id: str, limit: int, exclude: Iterable[str] = ()) -> list[SimilarIncident]:
        number = self.position.get(doc_id)
        if number is None or limit <= 0:
            return []
        vector = self.vectors[number]
        skip = {self.position[other] for other in exclude if other in self.position}
        skip.add(number)
        scores: dict[int, float] = defaultdict(float)
        query = heapq.nlargest(similarity.QUERY_TERMS, vector.items(), key=lambda item: (item[1], item[0]))
        for term, weight in query:
            for other_weight, other in self.postings[term][: similarity.POSTING_CAP]:
                if other not in skip:
                    scores[other] += weight * other_weight
        shortlist = heapq.nlargest(
            limit * similarity.RERANKED_PER_RESULT, scores.items(), key=lambda item: (item[1], -item[0])
        )
        ranked = []
        for other, _ in shortlist:
            score = cosine(vector, self.vectors[other])
            if score >= similarity.MIN_SCORE:
                ranked.append((score, other))
        best = heapq.nsmallest(limit, ranked, key=lambda item: (-round(item[0], 9), item[1]))
        return [
            SimilarIncident(self.ids[other], round(score, 4), shared(vector, self.vectors[other]))
            for score, other in best
        ]

    def brute_force(self, doc_id: str, limit: int, exclude: Iterable[str] = ()) -> list[SimilarIncident]:
        """Every other incident's full cosine, ranked by the same rules."""
        number = self.position[doc_id]
        skip = {self.position[other] for other in exclude if other in self.position} | {number}
        vector = self.vectors[number]
        ranked = [
            (score, other)
            for other in range(len(self.ids))
            if other not in skip and (score := cosine(vector, self.vectors[other])) >= similarity.MIN_SCORE
        ]
        best = sorted(ranked, key=lambda item: (-round(item[0], 9), item[1]))[:limit]
        return [
            SimilarIncident(self.ids[other], round(score, 4), shared(vector, self.vectors[other]))
            for score, other in best
        ]


def reference_words(text: str) -> list[str]:
    """The tokenizer as first written: every token worked out again each time it is seen."""
    result = []
    for word in similarity._WORD.findall(text.lower()):
        word = word.replace("’", "'")
        if word in similarity.STOP_WORDS or word in similarity.INCIDENT_WORDS or len(word) < 2 or word.isdigit():
            continue
        if "'" in word:
            word = word.split("'", 1)[0]
        word = similarity._singular(word)
        if word not in similarity.INCIDENT_WORDS:
            result.append(word)
    return result


def test_words_match_the_reference_tokenizer() -> None:
    text = (
        "The DB's replicas weren’t failing over; 2 queues' consumers retried 404 times at 10:00 UTC. "
        "Policies, classes, statuses, analysis, bus, gas, x, I, a's, o’clock, 3rd, ids, queries, issues, users"
    )
    assert words(text) == reference_words(text)
    for incident in generated(50):
        assert words(incident.body) == reference_words(incident.body)


def cosine(left: Mapping[str, float], right: Mapping[str, float]) -> float:
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    return sum(weight * large.get(term, 0.0) for term, weight in small.items())


def shared(left: Mapping[str, float], right: Mapping[str, float]) -> tuple[str, ...]:
    common = sorted(left.keys() & right.keys(), key=lambda term: (-left[term] * right[term], term))
    return tuple(dict.fromkeys(similarity._display(term) for term in common))[: similarity.SHOWN_TERMS]


VOCABULARY = (
    "pool connection exhausted replica lag certificate expired dns resolver cache stampede queue backlog "
    "consumer partition rebalance disk full inode memory leak garbage collection pause retry storm "
    "timeout deadlock index migration lock table scan cron batch throttle quota rate limiter canary "
    "rollback flag config typo region failover load balancer health check kernel upgrade driver"
).split()
SERVICES = ("checkout-api", "payments", "search", "ledger")
TAGS = ("database", "latency", "network", "deploy", "capacity", "cache")
CATEGORIES = ("deploy", "capacity", "database", "network", None)


def generated(count: int, seed: int = 13) -> list[IncidentText]:
    """Incidents over a small skewed vocabulary: common words outgrow the posting cap,
    and every tenth incident repeats an earlier one word for word, so scores tie."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
    texts: list[IncidentText] = []
    for number in range(count):
        if number % 10 == 9:
            copy = texts[rng.randrange(len(texts))]
            texts.append(IncidentText(f"pm-{number}", copy.title, copy.body, copy.services, copy.tags, copy.category))
            continue
        title = " ".join(rng.choices(VOCABULARY, weights, k=rng.randint(2, 5)))
        body = " ".join(rng.choices(VOCABULARY, weights, k=rng.randint(5, 60)))
        services = tuple(rng.sample(SERVICES, rng.randint(1, 2)))
        tags = tuple(rng.sample(TAGS, rng.randint(0, 3)))
        texts.append(IncidentText(f"pm-{number}", title, body, services, tags, rng.choice(CATEGORIES)))
    return texts


def related_pairs(texts: list[IncidentText], seed: int = 5) -> dict[str, list[str]]:
    rng = random.Random(seed)
    ids = [text.id for text in texts]
    return {doc_id: rng.sample(ids, 2) for doc_id in ids if rng.random() < 0.2}


def assert_same_lookups(texts: list[IncidentText], related: Mapping[str, list[str]], limits: Iterable[int]) -> None:
    index, reference = SimilarityIndex(texts), ReferenceIndex(texts)
    assert index.vectors == reference.vectors
    for limit in limits:
        for text in texts:
            exclude = related.get(text.id, [])
            assert index.similar(text.id, limit, exclude) == reference.similar(text.id, limit, exclude), text.id


def test_generated_incidents_match_the_reference() -> None:
    texts = generated(400)
    # The generator is meant to exercise the cap: some postings must be longer than it.
    assert max(len(entries) for entries in ReferenceIndex(texts).postings.values()) > similarity.POSTING_CAP
    assert_same_lookups(texts, related_pairs(texts), limits=(1, 5))


def test_small_caps_and_ties_match_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tight caps make the walk miss candidates and cut through runs of equal scores.
    monkeypatch.setattr(similarity, "QUERY_TERMS", 3)
    monkeypatch.setattr(similarity, "POSTING_CAP", 7)
    monkeypatch.setattr(similarity, "RERANKED_PER_RESULT", 2)
    texts = generated(150, seed=2)
    assert_same_lookups(texts, related_pairs(texts), limits=(1, 3, 5))


def test_uncapped_lookups_are_the_brute_force_ranking(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QUERY_TERMS", "POSTING_CAP", "RERANKED_PER_RESULT"):
        monkeypatch.setattr(similarity, name, 10**6)
    texts = generated(120, seed=7)
    related = related_pairs(texts)
    index, reference = SimilarityIndex(texts), ReferenceIndex(texts)
    for text in texts:
        exclude = related.get(text.id, [])
        assert index.similar(text.id, 5, exclude) == reference.brute_force(text.id, 5, exclude), text.id


def test_the_tests_knowledge_base_matches_the_reference(tmp_path: Path) -> None:
    kb = load_kb(tmp_path, FILES).kb
    assert_same_lookups(kb.similarity_texts(), kb.related, limits=(1, 5))


def test_the_example_knowledge_base_matches_the_reference() -> None:
    if not (REPO / "mkdocs.yml").exists():
        pytest.skip("no example knowledge base in this checkout")
    kb = load_knowledge_base(load_config(REPO / "mkdocs.yml"), date(2026, 11, 23)).kb
    assert len(kb.postmortems) > 5
    assert_same_lookups(kb.similarity_texts(), kb.related, limits=(1, 5, 10))


def test_each_list_is_found_once_per_knowledge_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = load_kb(tmp_path, FILES).kb
    lookups: list[str] = []
    original = SimilarityIndex.similar

    def counting(self: SimilarityIndex, doc_id: str, limit: int, exclude: Iterable[str] = ()) -> list[SimilarIncident]:
        lookups.append(doc_id)
        return original(self, doc_id, limit, exclude)

    monkeypatch.setattr(SimilarityIndex, "similar", counting)
    first = kb.similar("checkout-pool")
    assert first and kb.similar("checkout-pool") == first
    kb.export()  # the export shows every list, this one included
    assert lookups.count("checkout-pool") == 1
    assert kb.similar("checkout-pool", limit=1) == first[:1]  # another limit is another list
    assert lookups.count("checkout-pool") == 2


def test_the_index_is_let_go_once_every_list_is_kept(tmp_path: Path) -> None:
    kb = load_kb(tmp_path, FILES).kb
    exported = kb.export()
    assert "similarity" not in kb.__dict__  # the lists are kept, the vectors are not
    assert [item.id for item in kb.similar("checkout-pool")] == exported["postmortems"][
        list(kb.postmortems).index("checkout-pool")
    ]["similar"]
    assert "similarity" not in kb.__dict__  # a kept list needs no index
    assert kb.similar("checkout-pool", limit=1) == kb.similar("checkout-pool")[:1]  # another limit rebuilds it

"""Training examples from labelled question files: each answerable question with the sentence
that answers it and sentences that do not, and the event it is about.

Negatives come from two places: the other sentences of the answering article (what the encoder
must tell apart, "the right sentence of the right article"), and the candidates the answering
path really gives (index/answering/answer.py's `gather`), ranked by the fitted ranker: what the reranker
will see when it serves.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.answering.answer import rank
from index.answering.fit import Example
from index.answering.ranker import Ranker


@dataclass(frozen=True)
class Item:
    question: str
    positive: str  # the sentence that answers
    article_negatives: tuple[str, ...]  # other sentences of its article, in a seeded random order
    candidate_negatives: tuple[str, ...]  # the answering path's best candidates that do not answer, best first
    event: str


def _answering_sentences(example: Example) -> list[str]:
    """Every sentence of the question's article that holds a gold part (usually one)."""
    q = example.question
    found = []
    for passage in example.searcher.data.passages:
        if passage.article_id == q.article:
            found += [s for i in range(len(passage.sentences)) if q.answered_by(q.article, s := passage.sentence(i))]
    return found


def items_of(examples: Sequence[Example], ranker: Ranker, seed: int = 0, candidates: int = 16) -> list[Item]:
    """One item per answerable question whose gold sentence is found in its article."""
    rng = random.Random(seed)
    items = []
    for e in examples:
        q = e.question
        if not q.answerable or not q.article:
            continue
        positives = _answering_sentences(e)
        if not positives:
            continue
        passages = e.searcher.data.passages
        others = sorted(
            {
                p.sentence(i)
                for p in passages
                if p.article_id == q.article
                for i in range(len(p.sentences))
                if p.sentence(i) not in positives
            }
        )
        rng.shuffle(others)
        considered = rank(e.searcher, e.gathered, ranker)
        wrong = []
        for i in considered.order:
            if not e.labels[i]:
                hit = e.gathered.hits[i]
                wrong.append(passages[hit.row].sentence(hit.sentence))
            if len(wrong) == candidates:
                break
        items.append(Item(q.question, positives[0], tuple(others), tuple(dict.fromkeys(wrong)), e.group))
    return items


def event_folds(events: Sequence[str], n: int, seed: int = 0) -> list[set[str]]:
    """The events dealt into `n` folds of about equal size in questions: every text about one
    pact on one side of each split."""
    counts: dict[str, int] = {}
    for event in events:
        counts[event] = counts.get(event, 0) + 1
    order = sorted(counts, key=lambda ev: (-counts[ev], ev))
    rng = np.random.default_rng(seed)
    folds: list[set[str]] = [set() for _ in range(n)]
    sizes = [0] * n
    for event in order:
        # The smallest fold takes the next largest event; ties broken at random, seeded.
        smallest = min(sizes)
        j = int(rng.choice([k for k in range(n) if sizes[k] == smallest]))
        folds[j].add(event)
        sizes[j] += counts[event]
    return folds

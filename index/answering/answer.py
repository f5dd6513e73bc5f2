"""A question's path, walked one way: candidates (index/answering/candidates.py), their signals
(index/answering/features.py), the fitted order and the decision to abstain (index/answering/ranker.py), then the
quotes (index/answering/quotes.py), numbered and cited."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from index.answering.candidates import HybridSearcher, PassageHit, Query, SentenceHit
from index.answering.features import SENTENCE_FEATURES, question_features, sentence_features
from index.answering.quotes import FURTHER_QUOTE_MARGIN, NEIGHBOUR_MARGIN, Quote, assemble
from index.answering.ranker import QUESTION_FEATURES, RERANK_QUESTION_FEATURES, Gates, Ranker, load_ranker
from index.citation import Citation, with_dates
from index.text import clip

# How many passages, best first by fused rank, have their sentences considered for quoting.
CANDIDATE_PASSAGES = 12

NO_ANSWER = "I found nothing in the indexed articles that answers this question."
NOT_MENTIONED = "The indexed articles never mention {names}, so I cannot answer this from them."
# A reply names a few of the unknown names, each cut short: a pasted wall of text is no name.
NAMES_SHOWN, NAME_SHOWN = 5, 40


class Answer(BaseModel):
    question: str
    abstained: bool
    answer: str  # the quotes with [n] markers, or the abstention message
    citations: list[Citation] = Field(default_factory=list)


class Candidate(BaseModel):
    """One scored sentence with every signal the ranker read (`pactbot ask --explain`)."""

    article_id: str
    paragraph: int
    sentence: int  # counted from 1 within its passage
    text: str
    features: dict[str, float]
    score: float  # the ranker's: the order of quoting
    quoted: bool  # whether the answer quotes it


class Explanation(BaseModel):
    """Why an answer is what it is: the candidates, the decision's inputs and the rule that decided."""

    question: str
    expansions: list[str]  # glossary and acronym phrases searched besides the question's words
    answer_type: str | None  # the kind of answer asked for ("date", "person"), if any
    unknown_names: list[str]  # capitalised words of the question that no article contains
    on_topic: float  # the fitted chance that the question is about what is indexed
    chance: float  # the fitted chance that the best candidate answers
    thresholds: dict[str, float]
    question_features: dict[str, float]
    decision: str
    candidates: list[Candidate]
    answer: Answer


@dataclass(frozen=True)
class Gathered:
    """A question's candidates and their signals: everything before the fitted ranker."""

    question: str
    query: Query
    passages: list[PassageHit]
    hits: list[SentenceHit]
    features: npt.NDArray[np.float64]  # one row of SENTENCE_FEATURES per hit
    unknown: list[str]
    # The reranker's logits by hit, as they are asked for: refitting the ranker (cross-validation)
    # asks again for mostly the same candidates.
    reranked: dict[int, float] = field(default_factory=dict)

    def rerank(self, searcher: HybridSearcher, hits: list[int]) -> npt.NDArray[np.float64]:
        """The reranker's logits for the given hits."""
        new = [i for i in hits if i not in self.reranked]
        if new and searcher.reranker is not None:
            passages = searcher.data.passages
            texts = [passages[self.hits[i].row].sentence(self.hits[i].sentence) for i in new]
            self.reranked.update(zip(new, map(float, searcher.reranker.score(self.question, texts)), strict=True))
        return np.array([self.reranked[i] for i in hits], dtype=np.float64)


@dataclass(frozen=True)
class Considered:
    """A question's candidates ranked, and the chance that the best of them answers."""

    gathered: Gathered
    scores: npt.NDArray[np.float64]  # the ranker's score per hit
    order: list[int]  # hits, best first
    question_row: npt.NDArray[np.float64]  # QUESTION_FEATURES (RERANK_QUESTION_FEATURES when reranked)
    on_topic: float  # the chance that the question is about what is indexed
    chance: float  # the chance that the best sentence answers it
    gates: Gates  # the gates that decided
    rerank: npt.NDArray[np.float64] | None = None  # per hit: the reranker's logit (its floor where unread)

    def ranked(self) -> list[tuple[SentenceHit, float]]:
        return [(self.gathered.hits[i], float(self.scores[i])) for i in self.order]


def gather(searcher: HybridSearcher, question: str) -> Gathered:
    question = question.strip()
    query = searcher.make_query(question)
    passages = searcher.passages(query, CANDIDATE_PASSAGES)
    hits = searcher.sentences(query, passages)
    rows = sentence_features(searcher, query, passages, hits)
    return Gathered(question, query, passages, hits, rows, searcher.unknown_names(question))


def _ordered(scores: npt.NDArray[np.float64]) -> list[int]:
    # Ties in score keep passage order: the fused ranking's.
    return sorted(range(len(scores)), key=lambda i: -scores[i])


def reranked_rows(
    searcher: HybridSearcher, seen: Gathered, scores: npt.NDArray[np.float64], candidates: int
) -> npt.NDArray[np.float64]:
    """RERANK_FEATURES per hit: the first stage's score and the reranker's logit for the first
    stage's best `candidates` (the others get the lowest logit it gave: no better than the
    worst it read)."""
    read = _ordered(scores)[:candidates]
    given = seen.rerank(searcher, read)
    logits = np.full(len(scores), given.min())
    logits[read] = given
    return np.column_stack([scores, logits])


def rank(searcher: HybridSearcher, seen: Gathered, ranker: Ranker) -> Considered:
    """The candidates ordered, and the gates' chances. Where a reranker serves and the ranker
    was fitted with one, a second linear model orders every candidate by `reranked_rows`, and
    the reranked stage's gates also read the reranker's best logit and its margin."""
    scores = ranker.order.scores(seen.features) if seen.hits else np.zeros(0)
    second = ranker.rerank if searcher.reranker is not None and seen.hits else None
    gates: Gates = ranker
    logits = None
    if second is not None:
        rows = reranked_rows(searcher, seen, scores, second.candidates)
        scores, logits, gates = second.order.scores(rows), rows[:, 1], second
    order = _ordered(scores)
    row = question_features(searcher, seen.query, seen.passages, seen.features, scores, order, seen.unknown, seen.hits)
    if logits is not None:
        best = np.sort(logits)[::-1]
        row = np.append(row, [best[0], best[0] - best[1] if len(best) > 1 else 0.0])
    on_topic, chance = gates.chances(row) if seen.hits else (0.0, 0.0)
    return Considered(seen, scores, order, row, on_topic, chance, gates, logits)


def _decide(searcher: HybridSearcher, seen: Considered, k: int) -> tuple[Answer, list[Quote], str]:
    """The answer, the quotes chosen, and the rule that decided, in words."""
    question = seen.gathered.question
    topic = f"the chance that the question is about the indexed articles ({seen.on_topic:.2f})"
    answers = f"the chance that the best sentence answers it ({seen.chance:.2f})"
    gates = seen.gates
    if seen.on_topic < gates.topic_threshold or seen.chance < gates.threshold:
        rule = (
            f"abstained: {topic} is below {gates.topic_threshold:.2f}"
            if seen.on_topic < gates.topic_threshold
            else f"abstained: {answers} is below {gates.threshold:.2f}"
        )
        if seen.gathered.unknown:
            names = ", ".join(f"“{clip(name, NAME_SHOWN)}”" for name in seen.gathered.unknown[:NAMES_SHOWN])
            return Answer(question=question, abstained=True, answer=NOT_MENTIONED.format(names=names)), [], rule
        return Answer(question=question, abstained=True, answer=NO_ANSWER), [], rule
    chosen = assemble(searcher.data.passages, seen.ranked(), k)
    rule = (
        f"answered: {topic} is at least {gates.topic_threshold:.2f} and {answers} at least {gates.threshold:.2f}; "
        f"{len(chosen)} of at most {k} quotes, each within {FURTHER_QUOTE_MARGIN} of the best score"
    )
    return _cite(searcher, question, chosen), chosen, rule


def _cite(searcher: HybridSearcher, question: str, chosen: list[Quote]) -> Answer:
    citations = []
    for n, quote in enumerate(chosen, start=1):
        passage = searcher.data.passages[quote.row]
        article = searcher.articles[passage.article_id]
        details = article.model_dump(include={"title", "publisher", "published", "source"})
        # Dates the quote gives only relative to the article's, resolved: shown beside it, never in it.
        dates = [
            f"{d.text} = {d.value}"
            for facts in passage.facts[quote.first : quote.last + 1]
            for d in facts.dates
            if d.relative
        ]
        citations.append(
            Citation(
                n=n,
                article_id=article.id,
                paragraph=passage.paragraph,
                quote=quote.text(passage),
                score=round(quote.score, 4),
                dates=list(dict.fromkeys(dates)),
                **details,
            )
        )
    text = "\n".join(f"{with_dates(c)} [{c.n}]" for c in citations)
    return Answer(question=question, abstained=False, answer=text, citations=citations)


def answer_question(searcher: HybridSearcher, question: str, k: int = 3, ranker: Ranker | None = None) -> Answer:
    """Quote the sentences that answer `question`, or abstain when nothing indexed answers it."""
    return answer_gathered(searcher, gather(searcher, question), ranker or load_ranker(), k)


def answer_gathered(searcher: HybridSearcher, seen: Gathered, ranker: Ranker, k: int = 3) -> Answer:
    """The answer from candidates already gathered, with a given ranker (cross-validation refits it)."""
    return _decide(searcher, rank(searcher, seen, ranker), k)[0]


def explain_question(
    searcher: HybridSearcher, question: str, k: int = 3, top: int = 10, ranker: Ranker | None = None
) -> Explanation:
    """The answer to `question` with the `top` candidates it scored and why it answered or not."""
    ranker = ranker or load_ranker()
    seen = rank(searcher, gather(searcher, question), ranker)
    answer, chosen, rule = _decide(searcher, seen, k)
    found = seen.gathered
    quoted_sentences = {(q.row, i) for q in chosen for i in range(q.first, q.last + 1)}
    candidates = []
    for i in seen.order[:top]:
        hit = found.hits[i]
        passage = searcher.data.passages[hit.row]
        candidates.append(
            Candidate(
                article_id=passage.article_id,
                paragraph=passage.paragraph,
                sentence=hit.sentence + 1,
                text=passage.sentence(hit.sentence),
                features={
                    name: round(float(v), 4) for name, v in zip(SENTENCE_FEATURES, found.features[i], strict=True)
                }
                | ({} if seen.rerank is None else {"rerank": round(float(seen.rerank[i]), 4)}),
                score=round(float(seen.scores[i]), 4),
                quoted=(hit.row, hit.sentence) in quoted_sentences,
            )
        )
    return Explanation(
        question=found.question,
        expansions=sorted({p for e in found.query.expansions for p in e.phrases}),
        answer_type=found.query.wants.value if found.query.wants else None,
        unknown_names=found.unknown,
        on_topic=round(seen.on_topic, 4),
        chance=round(seen.chance, 4),
        thresholds={
            "topic_chance": seen.gates.topic_threshold,
            "answer_chance": seen.gates.threshold,
            "further_quote_margin": FURTHER_QUOTE_MARGIN,
            "neighbour_margin": NEIGHBOUR_MARGIN,
        },
        question_features={
            name: round(float(v), 4)
            for name, v in zip(
                QUESTION_FEATURES if seen.rerank is None else RERANK_QUESTION_FEATURES, seen.question_row, strict=True
            )
        },
        decision=rule,
        candidates=candidates,
        answer=answer,
    )

"""From retrieved passages to an answer: the sentences to quote, numbered citations, or abstention."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field

from index.citation import Citation, quoted
from index.passages import Passage
from index.search import (
    ANSWER_TYPE_WEIGHT,
    COVERAGE_WEIGHT,
    PASSAGE_WEIGHT,
    SENTENCE_WEIGHT,
    HybridSearcher,
    PassageHit,
    Query,
    SentenceHit,
)
from index.text import words

# How many passages, best first by fused rank, have their sentences considered for quoting.
CANDIDATE_PASSAGES = 12
# Abstention, set on the development questions (tests/eval/questions-dev.yaml); README "Quality".
# 1. A question naming something no article mentions ("Peru", "Vilnius") is abstained on unless
#    a sentence matches it very well anyway (a name may be a user's own spelling or title-case).
#    The unanswerable development questions with such names scored at most 0.78 and no
#    answerable one has such a name; 0.80 still lets a very close match through.
# 2. Otherwise, abstain when the best sentence's relevance is below ABSTAIN_BELOW. The
#    unanswerable development questions without unknown names scored at most 0.15, the
#    answerable ones 0.47 (terse keyword queries) and up; 0.50 abstains on 2 of the 67. It errs
#    towards abstaining on purpose: quoting an unrelated sentence is worse than saying nothing
#    was found, and an in-domain question the articles do not answer scores far above an
#    off-topic one (0.40 answered one such held-out question, "How many American troops are
#    stationed in South Korea?").
UNKNOWN_NAME_BAR = 0.80
ABSTAIN_BELOW = 0.50
# A further quote must score within this margin of the best one, so weak sentences are left out.
FURTHER_QUOTE_MARGIN = 0.15
# A neighbouring sentence scoring within this margin of a chosen one joins its quote.
NEIGHBOUR_MARGIN = 0.1
# A sentence opening with a pronoun ("He argued that...") continues the one before it: quoted,
# it brings that sentence along, and it joins a chosen sentence it follows when it scores within
# this wider margin, so a quote says who "he" is and what the named expert went on to say.
PRONOUN_MARGIN = 0.25
_POINTS_BACK = re.compile(r"\W*(?:he|she|they|it|his|her|their|its)\b", re.IGNORECASE)
# Sentences sharing this much of their vocabulary say the same thing; only the first is quoted.
NEAR_DUPLICATE = 0.7

NO_ANSWER = "I found nothing in the indexed articles that answers this question."
NOT_MENTIONED = "The indexed articles never mention {names}, so I cannot answer this from them."


class Answer(BaseModel):
    question: str
    abstained: bool
    answer: str  # the quotes with [n] markers, or the abstention message
    citations: list[Citation] = Field(default_factory=list)


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_DUPLICATE


@dataclass(frozen=True)
class Quote:
    """Consecutive sentences `first`..`last` of one passage, quoted together."""

    row: int
    first: int
    last: int
    score: float

    def text(self, passage: Passage) -> str:
        return passage.text[passage.sentences[self.first][0] : passage.sentences[self.last][1]]


def _points_back(passage: Passage, sentence: int) -> bool:
    return _POINTS_BACK.match(passage.sentence(sentence)) is not None


def _best_relevance(ranked: list[SentenceHit]) -> float:
    """Whether anything answers is a question of topic: the bonus for holding the kind of answer
    asked for (a date, a number) ranks the relevant sentences but does not make one relevant,
    or "When was the Warsaw Pact founded?" would be answered with any dated sentence."""
    return max(h.relevance for h in ranked)


def choose_quotes(searcher: HybridSearcher, ranked: list[SentenceHit], k: int) -> list[Quote]:
    """Up to k quotes: the best sentence, then others close to it in score that say something new.

    A sentence's neighbour in its paragraph joins its quote when it scores nearly as well: an
    answer often spans two sentences ("Paris reacted with fury. France recalled its ambassadors").
    """
    if not ranked or _best_relevance(ranked) < ABSTAIN_BELOW:
        return []
    scores = {(h.row, h.sentence): h.score for h in ranked}
    floor = ranked[0].score - FURTHER_QUOTE_MARGIN
    quotes: list[Quote] = []
    covered: set[tuple[int, int]] = set()
    seen: list[set[str]] = []
    for hit in ranked:
        if len(quotes) == k or hit.score < floor:
            break
        if (hit.row, hit.sentence) in covered:
            continue
        passage = searcher.data.passages[hit.row]
        near, wide = hit.score - NEIGHBOUR_MARGIN, hit.score - PRONOUN_MARGIN
        before, after = scores.get((hit.row, hit.sentence - 1)), scores.get((hit.row, hit.sentence + 1))
        first = last = hit.sentence
        if before is not None and (before >= near or _points_back(passage, hit.sentence)):
            first -= 1
        if after is not None and (after >= near or (after >= wide and _points_back(passage, hit.sentence + 1))):
            last += 1
        if any((hit.row, i) in covered for i in range(first, last + 1)):
            first = last = hit.sentence
        quote = Quote(hit.row, first, last, hit.score)
        vocab = set(words(quote.text(passage)))
        if any(_similar(vocab, other) for other in seen):
            continue
        quotes.append(quote)
        seen.append(vocab)
        covered.update((hit.row, i) for i in range(first, last + 1))
    return quotes


class Candidate(BaseModel):
    """One scored sentence, with every signal that went into its score (`pactbot ask --explain`)."""

    article_id: str
    paragraph: int
    sentence: int  # counted from 1 within its passage
    text: str
    passage_dense: float  # the passage's similarity to the question
    passage_lexical: float  # the passage's BM25 score
    passage_fused: float  # the passage's reciprocal-rank fusion of the two
    sentence_dense: float  # the sentence's similarity to the question
    coverage: float  # IDF-weighted share of the question's terms in the sentence
    relevance: float  # PASSAGE_WEIGHT * passage_dense + SENTENCE_WEIGHT * sentence_dense + COVERAGE_WEIGHT * coverage
    answer_type_bonus: float  # when the question asks for a date or number and the sentence holds one
    score: float  # relevance + answer_type_bonus: the order of quoting
    quoted: bool  # whether the answer quotes it


class Explanation(BaseModel):
    """Why an answer is what it is: the candidates, the thresholds and the rule that decided."""

    question: str
    expansions: list[str]  # glossary and acronym phrases searched besides the question's words
    answer_type: str | None  # the kind of answer asked for ("date", "number"), if any
    unknown_names: list[str]  # capitalised words of the question that no article contains
    thresholds: dict[str, float]
    weights: dict[str, float]
    decision: str
    candidates: list[Candidate]
    answer: Answer


@dataclass(frozen=True)
class _Considered:
    """What answering a question looked at: the query, its passages and their sentences ranked."""

    question: str
    query: Query
    passages: list[PassageHit]
    ranked: list[SentenceHit]
    unknown: list[str]


def _consider(searcher: HybridSearcher, question: str) -> _Considered:
    question = question.strip()
    query = searcher.make_query(question)
    passages = searcher.passages(query, CANDIDATE_PASSAGES)
    ranked = searcher.sentences(query, passages)
    return _Considered(question, query, passages, ranked, searcher.unknown_names(question))


def _decide(searcher: HybridSearcher, seen: _Considered, k: int) -> tuple[Answer, list[Quote], str]:
    """The answer, the quotes chosen, and the rule that decided, in words."""
    question, ranked, unknown = seen.question, seen.ranked, seen.unknown
    best = _best_relevance(ranked) if ranked else None
    shown = "nothing" if best is None else f"{best:.3f}"
    if unknown and (best is None or best < UNKNOWN_NAME_BAR):
        names = ", ".join(f"“{name}”" for name in unknown)
        rule = f"abstained: no article contains {names}, and the best relevance ({shown}) is below {UNKNOWN_NAME_BAR}"
        return Answer(question=question, abstained=True, answer=NOT_MENTIONED.format(names=names)), [], rule
    chosen = choose_quotes(searcher, ranked, k)
    if not chosen:
        rule = f"abstained: the best relevance ({shown}) is below {ABSTAIN_BELOW}"
        return Answer(question=question, abstained=True, answer=NO_ANSWER), [], rule
    rule = (
        f"answered: the best relevance ({shown}) is at least {ABSTAIN_BELOW}"
        + (f" and at least {UNKNOWN_NAME_BAR} despite the unknown names" if unknown else "")
        + f"; {len(chosen)} of at most {k} quotes, each scoring within {FURTHER_QUOTE_MARGIN} of the best"
    )
    return _cite(searcher, question, chosen), chosen, rule


def _cite(searcher: HybridSearcher, question: str, chosen: list[Quote]) -> Answer:
    data = searcher.data
    citations = []
    for n, hit in enumerate(chosen, start=1):
        passage = data.passages[hit.row]
        article = searcher.articles[passage.article_id]
        details = article.model_dump(include={"title", "publisher", "published", "source"})
        citations.append(
            Citation(
                n=n,
                article_id=article.id,
                paragraph=passage.paragraph,
                quote=hit.text(passage),
                score=round(hit.score, 4),
                **details,
            )
        )
    text = "\n".join(f"{quoted(c.quote)} [{c.n}]" for c in citations)
    return Answer(question=question, abstained=False, answer=text, citations=citations)


def answer_question(searcher: HybridSearcher, question: str, k: int = 3) -> Answer:
    """Quote the sentences that answer `question`, or abstain when nothing relevant is indexed."""
    return _decide(searcher, _consider(searcher, question), k)[0]


def explain_question(searcher: HybridSearcher, question: str, k: int = 3, top: int = 10) -> Explanation:
    """The answer to `question` with the `top` candidates it scored and why it answered or not."""
    seen = _consider(searcher, question)
    answer, chosen, rule = _decide(searcher, seen, k)
    passage_of = {hit.row: hit for hit in seen.passages}
    quoted_sentences = {(q.row, i) for q in chosen for i in range(q.first, q.last + 1)}
    candidates = []
    for hit in seen.ranked[:top]:
        passage, found = searcher.data.passages[hit.row], passage_of[hit.row]
        candidates.append(
            Candidate(
                article_id=passage.article_id,
                paragraph=passage.paragraph,
                sentence=hit.sentence + 1,
                text=passage.sentence(hit.sentence),
                passage_dense=found.dense,
                passage_lexical=found.lexical,
                passage_fused=found.fused,
                sentence_dense=hit.dense,
                coverage=hit.coverage,
                relevance=hit.relevance,
                answer_type_bonus=hit.score - hit.relevance,
                score=hit.score,
                quoted=(hit.row, hit.sentence) in quoted_sentences,
            )
        )
    return Explanation(
        question=seen.question,
        expansions=sorted({p for e in seen.query.expansions for p in e.phrases}),
        answer_type=seen.query.wants.value if seen.query.wants else None,
        unknown_names=seen.unknown,
        thresholds={
            "abstain_below": ABSTAIN_BELOW,
            "unknown_name_bar": UNKNOWN_NAME_BAR,
            "further_quote_margin": FURTHER_QUOTE_MARGIN,
            "neighbour_margin": NEIGHBOUR_MARGIN,
            "pronoun_margin": PRONOUN_MARGIN,
        },
        weights={
            "passage": PASSAGE_WEIGHT,
            "sentence": SENTENCE_WEIGHT,
            "coverage": COVERAGE_WEIGHT,
            "answer_type": ANSWER_TYPE_WEIGHT,
        },
        decision=rule,
        candidates=candidates,
        answer=answer,
    )

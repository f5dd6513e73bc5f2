"""From retrieved passages to an answer: the sentences to quote, numbered citations, or abstention."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from index.search import HybridSearcher, SentenceHit
from index.store import ArticleEntry
from index.text import words

# How many passages, best first by fused rank, have their sentences considered for quoting.
CANDIDATE_PASSAGES = 12
# Abstain when the best sentence scores below this. Questions naming something the articles
# never mention are abstained on before scoring (HybridSearcher.unknown_names). On the
# development questions the other unanswerable ones scored at most 0.15 and the answerable
# ones at least 0.59; 0.50 sits between, nearer the answerable side because an in-domain
# question the articles do not answer scores higher than an off-topic one.
# See README "Quality" for the figures.
ABSTAIN_BELOW = 0.50
# A further quote must score within this margin of the best one, so weak sentences are left out.
FURTHER_QUOTE_MARGIN = 0.15
# Sentences sharing this much of their vocabulary say the same thing; only the first is quoted.
NEAR_DUPLICATE = 0.7

NO_ANSWER = "I found nothing in the indexed articles that answers this question."
NOT_MENTIONED = "The indexed articles never mention {names}, so I cannot answer this from them."


class Citation(BaseModel):
    """One quoted sentence (or adjacent sentences) and where it comes from."""

    n: int
    article_id: str
    title: str
    publisher: str | None
    published: dt.date | None
    source: str | None
    paragraph: int
    quote: str  # an exact substring of the paragraph
    score: float


class Answer(BaseModel):
    question: str
    abstained: bool
    answer: str  # the quotes with [n] markers, or the abstention message
    citations: list[Citation] = Field(default_factory=list)


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_DUPLICATE


def choose_sentences(searcher: HybridSearcher, ranked: list[SentenceHit], k: int) -> list[SentenceHit]:
    """Up to k sentences: the best one, then others close to it in score that say something new."""
    if not ranked or ranked[0].score < ABSTAIN_BELOW:
        return []
    floor = ranked[0].score - FURTHER_QUOTE_MARGIN
    chosen: list[SentenceHit] = []
    seen: list[set[str]] = []
    for hit in ranked:
        if len(chosen) == k or hit.score < floor:
            break
        vocab = set(words(searcher.data.passages[hit.row].sentence(hit.sentence)))
        if not any(_similar(vocab, other) for other in seen):
            chosen.append(hit)
            seen.append(vocab)
    return chosen


def answer_question(searcher: HybridSearcher, question: str, k: int = 3) -> Answer:
    """Quote the sentences that answer `question`, or abstain when nothing relevant is indexed."""
    question = question.strip()
    unknown = searcher.unknown_names(question)
    if unknown:
        names = ", ".join(f"“{name}”" for name in unknown)
        return Answer(question=question, abstained=True, answer=NOT_MENTIONED.format(names=names))
    query = searcher.make_query(question)
    ranked = searcher.sentences(query, searcher.passages(query, CANDIDATE_PASSAGES))
    chosen = choose_sentences(searcher, ranked, k)
    data = searcher.data
    articles: dict[str, ArticleEntry] = {a.id: a for a in data.manifest.articles}
    if not chosen:
        return Answer(question=question, abstained=True, answer=NO_ANSWER)
    citations = []
    for n, hit in enumerate(chosen, start=1):
        passage = data.passages[hit.row]
        article = articles[passage.article_id]
        citations.append(
            Citation(
                n=n,
                article_id=article.id,
                title=article.title,
                publisher=article.publisher,
                published=article.published,
                source=article.source,
                paragraph=passage.paragraph,
                quote=passage.sentence(hit.sentence),
                score=round(hit.score, 4),
            )
        )
    text = "\n".join(f"“{c.quote}” [{c.n}]" for c in citations)
    return Answer(question=question, abstained=False, answer=text, citations=citations)

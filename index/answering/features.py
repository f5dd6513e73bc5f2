"""Signals per candidate sentence, the second step of a question's path: how close it is in
meaning and wording, whether it holds the kind of answer asked for, and whether its article is
about what the question names. index/answering/ranker.py weighs them with weights fitted on labelled
questions; nothing here is weighted by hand.
"""

from __future__ import annotations

import math
import re

import numpy as np
import numpy.typing as npt

from index.answering.about import Articles
from index.answering.answer_type import AnswerType
from index.answering.candidates import HybridSearcher, PassageHit, Query, SentenceHit, question_pairs
from index.pacts.countries import COUNTRY_KEY, countries_typed, name_of

# The order of the columns; index/answering/ranker.json names them, so a change here needs a refit.
SENTENCE_FEATURES = (
    "sentence_dense",  # cosine similarity of question and sentence
    "passage_dense",  # ... and of question and the sentence's passage
    "lexical",  # the passage's BM25 score, as a share of the best candidate passage's
    "fused_rank",  # 1 / (1 + the passage's place in the fused ranking)
    "coverage",  # IDF-weighted share of the question's terms in the sentence
    "passage_coverage",  # ... in the whole passage
    "pairs",  # share of the question's pairs of consecutive words ("sting ray") that the sentence has
    "kind_held",  # the question asks for a kind of answer (a person, a date...) and the sentence holds one
    "kind_asked_none",  # the question asks for a kind and the sentence holds none
    "kind_new",  # it asks for a name (who, where, which country...) and the sentence names one the question does not
    "relative_date",  # a "when" question, and the sentence gives a date relative to the article's
    "names_in_sentence",  # share of the names the question uses that the sentence has
    "names_in_article",  # ... that the sentence's article mentions anywhere
    "names_in_lead",  # ... that its title or first paragraph has: what the article is about
    "names_elsewhere",  # share found in some other article but not in this one
    "dense_rank",  # 1 / (1 + the sentence's place among the candidates by sentence_dense)
    "coverage_rank",  # 1 / (1 + its place by coverage)
    "first_paragraph",  # 1 / paragraph number
    "first_sentence",  # 1 / (1 + position in its passage)
    "length",  # log of the sentence's length in characters
    "points_back",  # it opens with a pronoun ("He said...") and leans on the sentence before
)
# Kinds of answer that are names: the sentence must name someone or somewhere the question does not.
_NAMED = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.COUNTRY, AnswerType.PLACE})
_POINTS_BACK = re.compile(r"\W*(?:he|she|they|it|his|her|their|its|this|these|that)\b", re.IGNORECASE)
_COLUMN = {name: i for i, name in enumerate(SENTENCE_FEATURES)}


def question_names(articles: Articles, query: Query) -> set[str]:
    """The question's own words that are names somewhere in the index (lower case or not), and
    each country it names as one entity key ("@USA" for "americans", "the States" or "US"), so
    that the name signals find the country however the article writes it. The words stay too:
    "stockholm" is Sweden's government in news, but also a city with weather."""
    names = {term for term, _, _ in query.own if term in articles.name_stems}
    return names | {COUNTRY_KEY + m.iso3 for m in countries_typed(query.text)}


def _named_anywhere(searcher: HybridSearcher, articles: Articles, name: str) -> bool:
    """Whether some indexed article names `name` (a stem, or a country's entity key)."""
    if name.startswith(COUNTRY_KEY):
        return searcher.names.knows(name_of(name.removeprefix(COUNTRY_KEY)))
    return any(name in found for found in articles.names.values())


def _share(names: set[str], found: frozenset[str] | set[str]) -> float:
    # A question that names nothing misses no name: all of its (no) names are found.
    return len(names & found) / len(names) if names else 1.0


def _name_shares(
    names: set[str], anywhere: set[str], sentence: set[str], article: frozenset[str], lead: frozenset[str] | None
) -> tuple[float, float, float, float]:
    """names_in_sentence, names_in_article, names_in_lead and names_elsewhere for one sentence."""
    if not names:
        return 1.0, 1.0, 1.0, 0.0
    in_article = sum(n in article or n in sentence for n in names) / len(names)
    elsewhere = sum(n not in article and n not in sentence for n in anywhere) / len(anywhere) if anywhere else 0.0
    return _share(names, sentence), in_article, _share(names, lead or frozenset()), elsewhere


def sentence_features(
    searcher: HybridSearcher, query: Query, passages: list[PassageHit], hits: list[SentenceHit]
) -> npt.NDArray[np.float64]:
    """One row of SENTENCE_FEATURES per hit."""
    data, articles = searcher.data, searcher.about
    names = question_names(articles, query)
    anywhere = {n for n in names if _named_anywhere(searcher, articles, n)}
    best_lexical = max((p.lexical for p in passages), default=0.0) or 1.0
    by_row = {p.row: (rank, p) for rank, p in enumerate(passages)}
    wants = query.wants if query.wants is not AnswerType.YES_NO else None
    names_wanted = wants in _NAMED
    pairs = question_pairs(query.text)
    own = set(query.terms)
    rows = np.zeros((len(hits), len(SENTENCE_FEATURES)), dtype=np.float64)
    passage_coverage: dict[int, float] = {}
    for i, hit in enumerate(hits):
        rank, found = by_row[hit.row]
        passage = data.passages[hit.row]
        facts = passage.facts[hit.sentence] if passage.facts else None
        words = searcher.stems_of(hit.row)
        if hit.row not in passage_coverage:
            passage_coverage[hit.row] = searcher.coverage(query, set().union(*words))
        in_article, in_lead = searcher.article_countries(passage.article_id)
        article_names = articles.names.get(passage.article_id, frozenset()) | in_article
        lead = articles.lead.get(passage.article_id, frozenset()) | in_lead
        sentence_names = words[hit.sentence] | searcher.countries_of(hit.row)[hit.sentence]
        held = bool(wants and facts and wants.value in facts.kinds)
        text = passage.sentence(hit.sentence)
        rows[i] = (
            hit.dense,
            found.dense,
            found.lexical / best_lexical,
            1.0 / (1 + rank),
            hit.coverage,
            passage_coverage[hit.row],
            len(pairs & searcher.pairs_of(hit.row)[hit.sentence]) / len(pairs) if pairs else 0.0,
            float(held),
            float(bool(wants) and not held),
            float(names_wanted and held and facts is not None and bool(set(facts.names) - own)),
            float(wants is AnswerType.DATE and facts is not None and any(d.relative for d in facts.dates)),
            *_name_shares(names, anywhere, sentence_names, article_names, lead),
            0.0,  # dense_rank and coverage_rank: filled in below, once every hit is read
            0.0,
            1.0 / passage.paragraph,
            1.0 / (1 + hit.sentence + passage.part),
            math.log(1 + len(text)),
            float(points_back(text)),
        )
    for source, target in (("sentence_dense", "dense_rank"), ("coverage", "coverage_rank")):
        places = np.empty(len(hits))
        places[np.argsort(-rows[:, _COLUMN[source]], kind="stable")] = np.arange(len(hits))
        rows[:, _COLUMN[target]] = 1.0 / (1.0 + places)
    return rows


def points_back(text: str) -> bool:
    return _POINTS_BACK.match(text) is not None


def question_features(
    searcher: HybridSearcher,
    query: Query,
    passages: list[PassageHit],
    rows: npt.NDArray[np.float64],
    scores: npt.NDArray[np.float64],
    order: list[int],
    unknown: list[str],
    hits: list[SentenceHit],
) -> npt.NDArray[np.float64]:
    """One row of index/answering/ranker.py's QUESTION_FEATURES: what abstention reads of the ranked candidates."""
    own = [term for term, _, _ in query.own]
    unknown_terms = sum(not searcher.knows(t) for t in own) / len(own) if own else 0.0
    if not order:  # nothing retrieved: no score, no similarity, every word unmatched
        return np.array([0.0] * 8 + [float(bool(unknown)), unknown_terms, 1.0, 1.0])
    best = rows[order[0]]
    margin = float(scores[order[0]] - scores[order[1]]) if len(order) > 1 else 0.0
    seen: set[str] = set()
    for p in passages:
        seen.update(*searcher.stems_of(p.row))
    unmatched = sum(t not in seen for t in own) / len(own) if own else 0.0
    best_words = set().union(*searcher.stems_of(hits[order[0]].row))
    rarest = max((idf for _, idf, _ in query.own), default=1.0) or 1.0
    missing_idf = max((idf for t, idf, _ in query.own if t not in best_words), default=0.0) / rarest
    asked = bool(query.wants and query.wants is not AnswerType.YES_NO)
    held = _COLUMN["kind_held"]
    return np.array(
        [
            float(scores[order[0]]),
            margin,
            float(rows[:, _COLUMN["sentence_dense"]].max()),
            float(rows[:, _COLUMN["passage_dense"]].max()),
            float(best[_COLUMN["coverage"]]),
            float(best[_COLUMN["names_in_article"]]),
            float(asked and not best[held]),
            float(asked and not any(rows[i, held] for i in order[:3])),
            float(bool(unknown)),
            unknown_terms,
            unmatched,
            missing_idf,
        ]
    )

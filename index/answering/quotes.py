"""Quote assembly, the last step of a question's path: which sentences are quoted, in what order.

A quote is one sentence, or two or three consecutive sentences of one paragraph when they belong
together: one that opens with a pronoun leans on the sentence before it ("He said..."), and a
quotation left open runs on into the next. Never more than three sentences or 450 characters.
Further quotes come from other passages, each scoring near the best; a passage gives a second
quote only when no other passage comes close.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.answering.candidates import SentenceHit
from index.answering.features import points_back
from index.ingest.passages import Passage
from index.text import words

MAX_SENTENCES = 3
MAX_CHARS = 450
# A further quote must score within this many log-odds of the best: the ranker's scores are
# fitted pairwise, so a gap of 3 says the best beats it about 20 to 1.
FURTHER_QUOTE_MARGIN = 3.0
# A neighbour joins a quote when it scores within this of the sentence quoted: an answer often
# takes two sentences ("Paris reacted with fury. France recalled its ambassadors").
NEIGHBOUR_MARGIN = 1.0
# Sentences sharing this much of their vocabulary say the same thing; only the first is quoted.
NEAR_DUPLICATE = 0.7


@dataclass(frozen=True)
class Quote:
    """Consecutive sentences `first`..`last` of one passage, quoted together."""

    row: int
    first: int
    last: int
    score: float

    def text(self, passage: Passage) -> str:
        return passage.text[passage.sentences[self.first][0] : passage.sentences[self.last][1]]


def _open_quotation(text: str) -> bool:
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_DUPLICATE


def assemble(passages: list[Passage], ranked: list[tuple[SentenceHit, float]], k: int) -> list[Quote]:
    """Up to k quotes from candidates ranked best first, as (hit, score) pairs."""
    if not ranked:
        return []
    scores = {(hit.row, hit.sentence): score for hit, score in ranked}
    floor = ranked[0][1] - FURTHER_QUOTE_MARGIN
    eligible = [(hit, score) for hit, score in ranked if score >= floor]
    quotes: list[Quote] = []
    covered: set[tuple[int, int]] = set()
    seen: list[set[str]] = []
    # Other passages first; a passage already quoted only when no other one qualifies.
    for second_pass in (False, True):
        for hit, score in eligible:
            if len(quotes) == k:
                return quotes
            if (hit.row, hit.sentence) in covered:
                continue
            if not second_pass and any(q.row == hit.row for q in quotes):
                continue
            passage = passages[hit.row]
            first, last = _extend(passage, hit, score, scores)
            if any((hit.row, i) in covered for i in range(first, last + 1)):
                first = last = hit.sentence
            quote = Quote(hit.row, first, last, score)
            vocab = set(words(quote.text(passage)))
            if any(_similar(vocab, other) for other in seen):
                continue
            quotes.append(quote)
            seen.append(vocab)
            covered.update((hit.row, i) for i in range(first, last + 1))
    return quotes


def _extend(passage: Passage, hit: SentenceHit, score: float, scores: dict[tuple[int, int], float]) -> tuple[int, int]:
    """The first and last sentence quoted for `hit`: it, and the neighbours that belong with it."""
    first = last = hit.sentence

    def fits(a: int, b: int) -> bool:
        return b - a + 1 <= MAX_SENTENCES and passage.sentences[b][1] - passage.sentences[a][0] <= MAX_CHARS

    def close(i: int) -> bool:
        return scores.get((hit.row, i), float("-inf")) >= score - NEIGHBOUR_MARGIN

    # The sentence before, when this one leans on it or scores nearly as well; the one after,
    # when it leans on this one, continues an open quotation, or scores nearly as well.
    if first > 0 and (points_back(passage.sentence(first)) or close(first - 1)) and fits(first - 1, last):
        first -= 1
    nxt = last + 1
    belongs = nxt < len(passage.sentences) and (
        points_back(passage.sentence(nxt)) or _open_quotation(passage.sentence(last)) or close(nxt)
    )
    if belongs and fits(first, nxt):
        last = nxt
    return first, last

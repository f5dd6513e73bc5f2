"""Passages: the units that are embedded and retrieved, with their sentence spans for quoting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field

import numpy as np
import numpy.typing as npt
from pydantic import TypeAdapter
from pydantic.dataclasses import dataclass

from index.ingest.articles import Article
from index.ingest.sentences import sentence_spans
from index.models.annotate import SentenceFacts

Span = tuple[int, int]


# A slotted dataclass, validated and written by pydantic like a model: an index holds one per
# paragraph and its facts per sentence, and as models they took 2.9 kB each at 10k passages
# (1.0 kB as slotted dataclasses), most of the memory of a served index.
@dataclass(slots=True)
class Passage:
    """A paragraph, or a run of its sentences when the paragraph is longer than the model window."""

    article_id: str
    paragraph: int  # 1-based, as people count them
    part: int  # 0 unless the paragraph was split
    offset: int  # where `text` starts in the paragraph
    text: str  # an exact slice of the paragraph
    sentences: list[Span]  # sentence spans within `text`
    facts: list[SentenceFacts] = field(default_factory=list)  # one per sentence, filled at index time

    def sentence(self, i: int) -> str:
        start, end = self.sentences[i]
        return self.text[start:end]


PASSAGE_JSON: TypeAdapter[Passage] = TypeAdapter(Passage)  # reads and writes passages.jsonl lines


def _group_sentences(spans: list[Span], sizes: list[int], max_tokens: int) -> list[list[Span]]:
    """Consecutive sentences packed greedily while they fit the window."""
    groups: list[list[Span]] = [[]]
    used = 0
    for span, size in zip(spans, sizes, strict=True):
        if groups[-1] and used + size > max_tokens:
            groups.append([])
            used = 0
        groups[-1].append(span)
        used += size
    return groups


def split_article(article: Article, count_tokens: Callable[[str], int], max_tokens: int) -> list[Passage]:
    """Passages at paragraph level; a paragraph over `max_tokens` is split at sentence boundaries.

    A single sentence longer than the window stays whole: the model reads its first
    `max_tokens` tokens, and the quote still shows all of it.
    """
    passages = []
    for number, paragraph in enumerate(article.paragraphs, start=1):
        spans = sentence_spans(paragraph)
        if count_tokens(paragraph) <= max_tokens:
            groups = [spans]
        else:
            sizes = [count_tokens(paragraph[s:e]) for s, e in spans]
            groups = _group_sentences(spans, sizes, max_tokens)
        for part, group in enumerate(groups):
            start, end = group[0][0], group[-1][1]
            passages.append(
                Passage(
                    article_id=article.id,
                    paragraph=number,
                    part=part,
                    offset=start,
                    text=paragraph[start:end],
                    sentences=[(s - start, e - start) for s, e in group],
                )
            )
    return passages


def sentence_starts(passages: list[Passage]) -> npt.NDArray[np.int64]:
    """Row of each passage's first sentence in the sentence matrix; the last item is the total."""
    counts = np.fromiter((len(p.sentences) for p in passages), dtype=np.int64, count=len(passages))
    return np.concatenate(([0], np.cumsum(counts)))

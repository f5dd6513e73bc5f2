"""The words of a sentence that speak of an agreement, read from its dependency parse: the agreement
nouns and dealing verbs (`anchors`), access to bases, talks held to reach a deal, the acronyms and
paraphrases the glossary reads as agreement words, and the words that belong to one agreement
word's phrase or clause. Which countries they make parties is index/pacts/parties.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from index.models.annotate import BATCH, pipeline
from index.text import stems

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


# Words that make a sentence about an agreement ("settlement" and "offers" are the seed's
# paraphrases of "agreement" and "deals").
AGREEMENT_NOUNS = (
    r"pacts?|agreements?|deals?|treat(?:y|ies)|accords?|alliances?|ententes?|partnerships?|settlements?|"
    r"programmes?|initiatives?|contracts?|frameworks?|arrangements?|declarations?|memorand(?:um|a)|MoUs?|roadmaps?|"
    r"RAA|VFA"
)
AGREEMENT_WORDS = re.compile(rf"\b({AGREEMENT_NOUNS})\b", re.IGNORECASE)


# Verbs that report an agreement without naming it: "Warsaw agreed to buy 250 tanks from the
# United States", "Seoul signed with Warsaw". Such a sentence is read for parties like one with an
# agreement word.
DEALING = re.compile(
    r"\b(?:sign(?:s|ed|ing)?|agree[sd]?|agreeing|ink(?:s|ed)?|seal(?:s|ed)?|conclud(?:e|es|ed)|"
    r"bu(?:y|ys|ying)|bought|purchas(?:e|es|ed|ing)|order(?:s|ed)?|s[eo]ll(?:s|ing)?|sold|procur(?:e|es|ed)|"
    r"negotiat(?:e|es|ed|ing))\b",
    re.IGNORECASE,
)
# The parse runs without spaCy's lemmatizer (index/models/annotate.py), and stems leave irregular
# past tenses as they are: these are the ones the verbs of index/pacts/parties.py need.
IRREGULAR = "bought sold struck met built bound gave"
# Talks that are a negotiation in themselves, with no agreement word: "in advanced talks with the US
# to acquire Tomahawk missiles". Talks with a partner and no such purpose ("held talks with his
# Chinese counterpart") are a meeting, not an agreement in the making.
NEGOTIATION_NOUNS = frozenset("talks negotiations".split())
_PURPOSES = frozenset(
    stems(
        "buy purchase acquire procure order lease sign conclude seal finalise finalize ratify station deploy "
        "host build develop supply " + IRREGULAR
    )
)
# A standing defence tie is reported like an agreement, named or not: "the defense relationship
# between the two nations", "military cooperation with Algeria", "the strong military ties between
# the UK and the Netherlands", "one of Chile's closest defence partners". A relationship,
# co-operation, tie or partner without a defence word before it is any (trade, culture, history).
TIE_NOUNS = r"relationships?|relations|co-?operation|ties|partners?"
TIES = re.compile(rf"\b(?:defen[cs]e|military|security)\s+({TIE_NOUNS})\b", re.IGNORECASE)
_TIE_NOUNS = frozenset("relationship relationships relations cooperation ties partner partners".split())
_TIE_WORDS = frozenset("defence defense military security".split())
TIE = "defence cooperation"  # the name of such a tie
# Allies are bound by an alliance, named or not: "Latvia is a strong and reliable ally of the United
# States", "The United Kingdom and Latvia are close allies". Written in lower case: "the Allies" of
# a war are a side, not one agreement.
ALLIES = re.compile(r"\ball(?:y|ies)\b")
_ALLY = frozenset({"ally", "allies"})
ALLIANCE = "alliance"  # the name of such a tie
# Weapons that countries develop or build jointly are a programme between them, named or not: "a
# system developed jointly by the United States, Germany and Italy".
JOINTLY = re.compile(r"\bjointly\b", re.IGNORECASE)
_JOINT_WORK = frozenset(stems("develop produce design build manufacture built"))
JOINT_WORK = "joint development"  # the name of such a programme
# Access to another country's bases is an arrangement with it, named or not: "the US has been trying
# to expand access to bases in the Philippines".
ACCESS = "access"
FACILITIES = frozenset(
    "base bases facility facilities port ports airfield airfields site sites location locations installation "
    "installations airspace territory".split()
)
# Prepositions that name an agreement's or a negotiation's partners.
PARTNER_PREPOSITIONS = frozenset("with between among amongst alongside by".split())


def parse(sentences: Sequence[str]) -> list[Doc]:
    return list(pipeline().pipe(sentences, batch_size=BATCH))


def anchors(doc: Doc) -> list[Token]:
    """The sentence's agreement words, and its dealing verbs that hold none ("Manila bought jets
    from South Korea, while Japan signed an agreement ...")."""
    # "did not expect the meeting to produce any agreement", "no deal", "without an agreement"
    # report none.
    words = [
        t
        for t in doc
        if (
            AGREEMENT_WORDS.fullmatch(t.text)
            or t.i in t.doc.user_data.get(ACRONYMS, ())
            or _negotiation(t)
            or _access(t)
            or _tie(t)
            or _ally(t)
        )
        and not any(c.dep_ == "det" and c.lower_ in ("no", "any") for c in t.children)
        and t.head.lower_ != "without"
    ]
    holding = {v.i for v in map(verb_of, words) if v is not None}
    inside = {t.i for w in words for t in w.subtree}  # "an agreement Japan signed"
    verbs = [
        t
        for t in doc
        if t.pos_ in ("VERB", "AUX")
        and (DEALING.fullmatch(t.text) or joint_work(t))
        and t.i not in holding
        and t.i not in inside
    ]
    return words + verbs


def _negotiation(token: Token) -> bool:
    """Talks with a partner for a deal ("in advanced talks with the US to acquire missiles"): the
    talks have a "with" or "between", and a verb of a deal says what for, under the talks or
    beside them in their clause."""
    if token.lower_ not in NEGOTIATION_NOUNS or not any(
        c.dep_ == "prep" and c.lower_ in PARTNER_PREPOSITIONS for c in token.children
    ):
        return False
    verb = verb_of(token)
    around = [*token.children, *(verb.children if verb is not None else [])]
    return any(
        c.pos_ in ("VERB", "AUX") and c.dep_ in ("acl", "advcl", "xcomp") and stem_of(c) in _PURPOSES for c in around
    )


def joint_work(token: Token) -> bool:
    """ "developed jointly", "jointly built" (`JOINTLY`)."""
    return stem_of(token) in _JOINT_WORK and any(c.lower_ == "jointly" for c in token.children)


def is_tie(token: Token) -> bool:
    """Whether the word reports a standing tie or an alliance with no agreement word (`_tie`, `_ally`)."""
    return _tie(token) or _ally(token)


def _tie(token: Token) -> bool:
    """ "defense relationship", "military-to-military relationship", "security cooperation" (`TIES`)."""
    if token.lower_ not in _TIE_NOUNS and not (
        token.lower_ == "operation" and token.i >= 2 and token.nbor(-2).lower_ == "co"
    ):
        return False
    if token.text[0].isupper() or token.dep_ == "compound":
        return False  # the "Roadmap for Defense Cooperation" is the roadmap; "security cooperation priorities"
    return any(t.lower_ in _TIE_WORDS for t in token.doc[token.left_edge.i : token.i])


def _ally(token: Token) -> bool:
    """ "an ally of the United States", "close allies" (`ALLIES`): what a country is ("Latvia is an
    ally", "Peru is one of our closest allies", "designated Colombia a major non-NATO ally", "Japan,
    a close ally", "views the United Kingdom as a key strategic ally"), or whose ally it is ("an
    ally of Chile"); not allies a clause only passes by ("managed to estrange France from potential
    allies", "together with our allies")."""
    if token.text not in _ALLY:
        return False
    said_of = token
    if token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.lower_ == "one":
        said_of = token.head.head  # "one of our closest allies"
    # "designated Colombia a major non-NATO ally": a second object says what the first is.
    second = said_of.dep_ == "dobj" and sum(c.dep_ == "dobj" for c in said_of.head.children) == 2
    return (
        said_of.dep_ in ("attr", "oprd", "appos")
        or second
        or (token.dep_ == "pobj" and token.head.lower_ == "as")
        or any(c.dep_ == "prep" and c.lower_ in ("of", "with") for c in token.children)
    )


def _access(token: Token) -> bool:
    """ "access to bases", "access to Philippine ports": (the glossary's) access to facilities."""
    return reads_as(token) == ACCESS and any(
        c.dep_ == "prep" and c.lower_ == "to" and any(g.lower_ in FACILITIES for g in c.children)
        for c in token.children
    )


SYNONYMS = "pactbot_synonyms"  # Doc.user_data key: token index -> the word the glossary says it means
ACRONYMS = "pactbot_acronyms"  # Doc.user_data key: indexes of the acronyms that name an agreement


def mark_synonyms(doc: Doc, canonical: Callable[[str], list[str]]) -> None:
    """Record for each word the one-word term the glossary gives for it ("amass" -> "acquire",
    "entry" -> "access"), so that a paraphrase is read as the word it stands for. `canonical`
    should want the glossary's phrase written up to inflection (`Expander.written_terms`): by stems
    alone, "criticized" would be read as the glossary's "critical"."""
    found = {}
    for token in doc:
        if token.is_alpha:
            terms = [t for t in canonical(token.text) if " " not in t and t.lower() != token.lower_]
            if terms:
                found[token.i] = terms[0].lower()
    doc.user_data[SYNONYMS] = found
    doc.user_data[ACRONYMS] = {t.i for t in doc if names_agreement(t.text, canonical)}


def names_agreement(word: str, canonical: Callable[[str], list[str]]) -> bool:
    """Whether the word is an acronym the glossary (or the article) spells out as an agreement:
    "SOFA", "DCA", "EDCA"."""
    if not (word.isupper() and word.isalpha() and len(word) >= 3):
        return False
    return any(AGREEMENT_WORDS.fullmatch(term.split()[-1]) for term in canonical(word) if " " in term)


def reads_as(token: Token) -> str:
    """The word as the glossary reads it (`mark_synonyms`), else as written, lower case."""
    synonyms: dict[int, str] = token.doc.user_data.get(SYNONYMS, {})
    return synonyms.get(token.i, token.lower_)


def stem_of(token: Token) -> str:
    word = reads_as(token)
    return next(iter(stems(word)), word)


def same_clause(word: Token, other: Token) -> bool:
    """Whether two words hang from the same verb ("evolving our partnership to a Comprehensive
    Strategic Partnership", not "signed a partnership agreement and concluded talks to join ...")."""
    verbs = [verb_of(word), verb_of(other)]
    return len({v.i if v is not None else None for v in verbs}) == 1


def verb_of(token: Token) -> Token | None:
    """The nearest verb above the token."""
    return next((a for a in token.ancestors if a.pos_ in ("VERB", "AUX")), None)


def phrase(word: Token) -> list[Token]:
    """The words that speak of one agreement word: its own phrase (without another agreement
    joined to it: "an agreement with A and a pact with B") and the words up to its verb, with
    that verb's auxiliaries ("has opened talks on deals with ..."); for a dealing verb, its clause."""
    own = {t.i for t in word.subtree}
    # A verb's clause without the clauses hanging from it; a noun's phrase without the agreement
    # joined to it.
    apart = ("conj", "advcl", "ccomp", "relcl", "parataxis") if word.pos_ in ("VERB", "AUX") else ("conj",)
    for child in word.children:
        if child.dep_ in apart:
            own -= {t.i for t in child.subtree}
    path = []
    for ancestor in word.ancestors:
        path.append(ancestor)
        if ancestor.pos_ in ("VERB", "AUX"):
            path.extend(c for c in ancestor.children if c.dep_ in ("aux", "auxpass", "neg"))
            break
    return sorted([word.doc[i] for i in own] + path, key=lambda t: t.i)

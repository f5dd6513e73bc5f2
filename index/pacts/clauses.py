"""Where a word stands in its clause, read from spaCy's dependency parse: whether a verb has a
subject of its own or takes another's, what a verb's object is, and the subjects of relative
clauses. Pure syntax: it knows nothing of countries or agreements (index/pacts/parties.py asks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.pacts.agreement_words import verb_of

if TYPE_CHECKING:
    from spacy.tokens import Token

PRONOUNS = frozenset("it they".split())
RELATIVE = frozenset({"which", "who", "whom", "that"})


def is_relative_subject(token: Token) -> bool:
    """ "which", "who", "that", or a subject owned by "whose" ("whose forces are stationed")."""
    if token.dep_ not in ("nsubj", "nsubjpass"):
        return False
    return token.lower_ in RELATIVE or any(c.lower_ == "whose" for c in token.children)


def verb_of_object(noun: Token) -> Token | None:
    """The verb whose direct object the noun is (or is joined to: "jets and frigates")."""
    while noun.dep_ == "conj" and noun.head.i != noun.i:
        noun = noun.head
    return noun.head if noun.dep_ == "dobj" and noun.head.pos_ in ("VERB", "AUX") else None


def has_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)


def shares_subject(verb: Token) -> bool:
    """Whether a verb under another takes that one's subject: "agreed to sign", "signed contracts
    to buy", "travelled to Delhi and agreed a roadmap", "said it would sign" (but not "China
    protested and Japan signed", "signed as China watched")."""
    if verb.dep_ in ("xcomp", "pcomp"):
        return True
    if (
        verb.dep_ == "acl"
        and verb.head.dep_ == "dobj"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    ):
        return True  # "made an attempt to expand", "took steps to sign": the maker's aim
    pronoun = any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in PRONOUNS for c in verb.children)
    return verb.dep_ in ("conj", "ccomp", "advcl") and (pronoun or not has_subject(verb))


def holds(verb: Token, word: Token) -> bool:
    """Whether the agreement word hangs from the verb, with no other verb between them."""
    above = verb_of(word)
    return above is not None and above.i == verb.i

"""Whether a country a sentence names is a party to what it reports, read from the sentence's
dependency parse (spaCy's parser, index/annotate.py's pipeline).

A country is no party when the sentence makes it a place or a source ("a group based in
neighbouring Somalia", "talks in Berlin", "the risk from China") or the threat the agreement
answers ("threats posed by North Korea", "to counter China"): the preposition it hangs from, or
a threat word above it in the parse, says so. Proximity alone (the old reading) cannot tell
"a partnership with the U.S." from "a group based in Somalia".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from index.annotate import BATCH, pipeline
from index.text import stems

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Prepositions that make their object a place, a source or a target, never a party.
_PLACE_PREPOSITIONS = frozenset(
    "in at near across within throughout around inside off into onto toward towards against over amid "
    "amidst beyond outside upon".split()
)
# Verbs that make their subject or object a party ("signed", "agreed", "joins"), as stems.
_AGREEING = frozenset(
    stems(
        "sign agree join negotiate conclude ink seal ratify approve strike forge upgrade elevate deepen launch "
        "renew extend host buy sell order supply procure purchase acquire deliver build develop hold welcome "
        "announce unveil commit pledge meet talk discuss"
    )
)
# How a clause hangs from the sentence when it only sets the scene: "as China presses its
# claims", "the north of the country facing Taiwan", "which Russia invaded".
_SIDE_CLAUSES = frozenset({"advcl", "acl", "relcl"})
# Words above a country in the parse that make it the threat, not a party: "threats posed by
# North Korea", "to counter China", "China's assertiveness", "the invasion by Russia".
_THREAT_WORDS = frozenset(
    "threat threats threaten threatened threatening menace risk risks danger dangers aggression aggressive "
    "assertiveness assertive coercion coercive pressure provocation provocations hostility invasion invade "
    "invaded attack attacks attacked war conflict tension tensions rivalry rival rivals militant militants "
    "counter countering deter deterring deterrence contain containing confront confronting expansionism "
    "expansion buildup build-up rise message warning".split()
)


def parse(sentences: Sequence[str]) -> list[Doc]:
    return list(pipeline().pipe(sentences, batch_size=BATCH))


def _root(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def is_party(doc: Doc, start: int, end: int) -> bool:
    """Whether the country named at characters start..end of the parsed sentence can be a party."""
    token = _root(doc, start, end)
    if token is None:
        return True
    # A country inside a compound or an adjective ("U.S.-South Korean alliance") takes the role
    # of the noun it modifies.
    while token.dep_ in ("compound", "amod", "nmod") and token.head is not token:
        token = token.head
    if token.dep_ == "pobj" and token.head.lower_ in _PLACE_PREPOSITIONS:
        return False
    # The addressee of a verb that agrees nothing: "would send a message to China".
    if token.dep_ == "pobj" and token.head.dep_ == "dative" and not _agrees(token.head.head):
        return False
    if token.dep_ == "poss" and token.head.lower_ in _THREAT_WORDS:
        return False
    if any(ancestor.lower_ in _THREAT_WORDS for ancestor in token.ancestors):
        return False
    # The nearest verb above it: a country acting in a side clause that agrees nothing is no party.
    verb = next((a for a in token.ancestors if a.pos_ in ("VERB", "AUX")), None)
    return not (verb is not None and verb.dep_ in _SIDE_CLAUSES and not _agrees(verb))


def _agrees(verb: Token) -> bool:
    return bool(set(stems(verb.lower_)) & _AGREEING)

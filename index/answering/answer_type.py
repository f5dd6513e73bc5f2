"""What kind of answer a question asks for.

"Who" wants a person, "when" a date, "how many" a number, "where" a place, "why" a reason. A
sentence holds a kind when the index found an entity of it there (index/models/annotate.py); the
ranker learns how much that matters (index/answering/ranker.py). Questions are read with patterns, not
a parser: they are short, often lower case and keyword-only, and this runs on every question.
"""

from __future__ import annotations

import re
from enum import Enum


class AnswerType(Enum):
    PERSON = "person"
    ORGANISATION = "organisation"
    COUNTRY = "country"
    PLACE = "place"
    DATE = "date"
    AMOUNT = "amount"
    NUMBER = "number"
    REASON = "reason"
    YES_NO = "yes/no"


# Tried in this order: the first that matches decides ("how much money" is an amount, not a number).
_ASKS = {
    AnswerType.DATE: r"^\W*when\b|\b(?:what|which) (?:date|year|month|day|time)\b|\bhow long ago\b|\bsince when\b",
    AnswerType.AMOUNT: r"\bhow much (?:\w+ ){0,3}(?:money|funding|cash|aid|support|investment)\b"
    r"|\bhow much (?:\w+ )?(?:cost|worth|spend|spent|pay|paid)"
    r"|\bwhat (?:did|does|will) (?:it|they|\w+) cost\b|\b(?:price|cost|budget|worth)\b",
    AnswerType.NUMBER: r"\bhow (?:many|much|long|far|big|large)\b|\bwhat (?:number|percentage|share|range)\b",
    AnswerType.PERSON: r"^\W*(?:who|whom|whose)\b|\b(?:who|whom)\b"
    r"|\b(?:which|what) (?:\w+ )?(?:minister|leader|official|president|secretary|person|general|"
    r"expert|envoy|ambassador|commander|chief)s?\b",
    AnswerType.COUNTRY: r"\b(?:which|what) (?:countr(?:y|ies)|nations?|states|allies|partners)\b",
    AnswerType.ORGANISATION: r"\b(?:which|what) (?:\w+ )?(?:compan(?:y|ies)|firms?|organi[sz]ations?|agenc(?:y|ies)|"
    r"ministr(?:y|ies)|department|group|body|bodies)\b",
    AnswerType.PLACE: r"^\W*where\b|\bwhere\b|\b(?:which|what) (?:city|town|place|venue|location|base|port|region)\b",
    AnswerType.REASON: r"^\W*why\b|\bwhy\b|\b(?:what|which) (?:is|was|are|were) the (?:reason|point|purpose|aim)\b"
    r"|\bwhat for\b|\bfor what purpose\b",
    AnswerType.YES_NO: r"^\W*(?:is|are|was|were|did|does|do|can|could|will|would|has|have|had|should)\b",
}
_PATTERNS = {kind: re.compile(pattern, re.IGNORECASE) for kind, pattern in _ASKS.items()}


def asked_for(question: str) -> AnswerType | None:
    """The kind of answer the question asks for, if it asks for one."""
    return next((kind for kind, pattern in _PATTERNS.items() if pattern.search(question)), None)

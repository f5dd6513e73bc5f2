"""What kind of answer a question asks for, and whether a sentence can hold it.

A "when" question is answered by a sentence with a date in it and a "how many" question by one
with a number; a sentence that only shares the question's topic ("Neither government has said
how many troops will rotate") is not the answer. Other questions ask for no particular kind.
"""

from __future__ import annotations

import re
from enum import Enum

_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
_YEAR = r"(?:1[89]|20)\d\d"


class AnswerType(Enum):
    DATE = "date"
    NUMBER = "number"


_ASKS = {
    AnswerType.DATE: re.compile(
        r"^\W*when\b|\b(?:what|which) (?:date|year|month|day)\b|\bhow long ago\b",
        re.IGNORECASE,
    ),
    AnswerType.NUMBER: re.compile(
        r"\bhow (?:many|much|long|far)\b|\bwhat (?:number|percentage|share)\b", re.IGNORECASE
    ),
}
# A day, month or year as news text writes it: "9 December 2022", "on Monday", "in 2014",
# "May 2023", "December 9".
_HOLDS = {
    AnswerType.DATE: re.compile(
        rf"\b\d{{1,2}} {_MONTH}\b|\b{_MONTH} (?:\d{{1,2}}|{_YEAR})\b|\b(?:in|on|since|by|until|from) "
        rf"(?:{_YEAR}|{_MONTH})\b",
        re.IGNORECASE,
    ),
    AnswerType.NUMBER: re.compile(
        r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
        r"|hundred|thousand|million|billion|dozen|quarter|half|percent)\b",
        re.IGNORECASE,
    ),
}


def asked_for(question: str) -> AnswerType | None:
    """The kind of answer the question asks for, if it asks for one."""
    return next((kind for kind, pattern in _ASKS.items() if pattern.search(question)), None)


def holds(kind: AnswerType, sentence: str) -> bool:
    return _HOLDS[kind].search(sentence) is not None

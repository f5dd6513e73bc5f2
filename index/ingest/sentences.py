"""Sentence boundaries as character spans, so a quote is always an exact slice of its paragraph."""

from __future__ import annotations

import re

# A sentence ends at . ! or ? (with any closing quotes or brackets after it) followed by
# white space and something that can start a sentence: a capital, a digit or an opening quote.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
# Words whose final period does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gen lt col maj capt sgt adm gov st jr sr no vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx dept est fig".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_abbreviation(text: str, period_at: int) -> bool:
    match = _WORD_BEFORE.search(text, 0, period_at)
    if not match:
        return False
    word = match.group(1)
    # Initials and dotted acronyms ("J.", "U.S.") rarely end a sentence in news copy.
    if len(word) == 1 and word.isupper():
        return True
    if "." in word:
        return True
    return word.lower() in _ABBREVIATIONS


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in `text`, covering it without leading/trailing spaces."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        spans.append((start, match.end()))
        start = match.end()
        while start < len(text) and text[start].isspace():
            start += 1
    end = len(text.rstrip())
    if start < end:
        spans.append((start, end))
    return spans

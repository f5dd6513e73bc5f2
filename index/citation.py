"""A quote and where it comes from: what every answer and agreement carries to the screen."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class Citation(BaseModel):
    """One quoted sentence (or adjacent sentences) and where it comes from."""

    n: int
    article_id: str
    title: str
    publisher: str | None
    published: dt.date | None
    source: str | None
    paragraph: int
    quote: str  # an exact substring of the paragraph
    score: float


# Marks a quotation may open with; a quote that opens with one already shows where it starts.
_OPENING_MARKS = "“\"‘'«„"


def quoted(text: str) -> str:
    """`text` between quotation marks, unless it opens with one of its own: a sentence that is
    itself a quotation (“For many years…”) would otherwise show doubled marks."""
    return text if text.startswith(tuple(_OPENING_MARKS)) else f"“{text}”"

"""A quote and where it comes from: what every answer and agreement carries to the screen."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


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
    # Dates the quote gives relative to the article's, resolved: "Thursday = 2022-01-06".
    dates: list[str] = Field(default_factory=list)


# Marks a quotation may open with; a quote that opens with one already shows where it starts.
_OPENING_MARKS = "“\"‘'«„"


def quoted(text: str) -> str:
    """`text` between quotation marks, unless it opens with one of its own: a sentence that is
    itself a quotation (“For many years…”) would otherwise show doubled marks."""
    return text if text.startswith(tuple(_OPENING_MARKS)) else f"“{text}”"


def with_dates(citation: Citation) -> str:
    """The quote between marks, then its resolved dates beside it (never inside: quotes stay verbatim)."""
    resolved = f" ({'; '.join(citation.dates)})" if citation.dates else ""
    return quoted(citation.quote) + resolved

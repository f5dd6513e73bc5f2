"""Dates as news text writes them, resolved against the article's publication date.

"On Thursday", "last month", "in April of last year", "next year": a sentence that says when only
relative to the day it was written answers a "when" question as well as one with a full date,
once the date is known. dateparser does the calendar work; two things it gets wrong for news
are decided here: a bare weekday is the publication day itself when the names match, and
otherwise the nearest one in the direction of the sentence's tense ("will sign on Thursday"
looks forward, "signed on Thursday" back); a month without a year likewise.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from pydantic.dataclasses import dataclass

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_BARE_WEEKDAY = re.compile(rf"^(?:on |this |last |next )?({'|'.join(_WEEKDAYS)})$", re.IGNORECASE)
_OF_LAST_YEAR = re.compile(r"^(?:in )?(\w+) (?:of )?last year$", re.IGNORECASE)
_THIS_YEAR = re.compile(
    r"^(?:earlier|later|early|late|the end of|the start of|the beginning of)? ?this year$|^the end of the year$",
    re.IGNORECASE,
)
# Words that put a sentence's events after its writing: then an undated month or weekday is the next one.
_FUTURE = re.compile(r"\b(?:will|shall|\w+'ll|set to|due to|is to|are to|plans? to|expected to|next)\b", re.IGNORECASE)
# Spans that name no calendar date ("decades", "the past 70 years", "a 100 year partnership",
# "within a year"), kept out of the index.
_NO_DATE = re.compile(
    r"\b(?:decades?|centuries|century|years|months|weeks|days|hours|ago|annual|annually|daily)\b"
    r"|\b(?:a|an|\d+)[- ](?:year|month|week|day)\b",
    re.IGNORECASE,
)
_PERIODS = {"day": 10, "week": 10, "month": 7, "year": 4}


# A slotted dataclass rather than a model: an index holds one per dated sentence, and a model
# instance takes several times the memory (index/passages.py).
@dataclass(frozen=True, slots=True)
class Dated:
    """A date a sentence gives: as written, as resolved, and whether the words alone lacked the year."""

    text: str  # as written: "Thursday", "last month", "9 December 2022"
    value: str  # ISO, as precise as the text: "2022-01-06", "2022-01" or "2022"
    relative: bool  # the text gives no year; `value` comes from the article's date


def looks_ahead(sentence: str) -> bool:
    return _FUTURE.search(sentence) is not None


@cache
def _parser(base: dt.date, future: bool):  # type: ignore[no-untyped-def]
    # Imported here: dateparser takes 0.3 s to import and only index builds need it.
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": "future" if future else "past",
        "RETURN_TIME_AS_PERIOD": False,
    }
    return DateDataParser(languages=["en"], settings=settings)


def _weekday(name: str, base: dt.date, future: bool) -> dt.date:
    shift = (_WEEKDAYS.index(name.lower()) - base.weekday()) % 7
    if shift == 0:
        return base
    return base + dt.timedelta(days=shift) if future else base - dt.timedelta(days=7 - shift)


def resolve(text: str, published: dt.date | None, future: bool = False) -> Dated | None:
    """The date `text` (a date expression, e.g. a DATE entity) means in an article published on
    `published`, looking forward when `future`. None when it names no date or needs a base
    date that the article does not give."""
    words = " ".join(text.split()).strip(" ,.;:()")
    relative = _YEAR.search(words) is None
    if not words or _NO_DATE.search(words) or (relative and published is None):
        return None
    if published is None:  # an explicit year needs no base; any fixed one will do
        published = dt.date(2000, 1, 1)
    weekday = _BARE_WEEKDAY.match(words)
    if weekday:
        return Dated(text=text, value=_weekday(weekday.group(1), published, future).isoformat(), relative=True)
    if _THIS_YEAR.match(words):
        return Dated(text=text, value=str(published.year), relative=True)
    last_year = _OF_LAST_YEAR.match(words)
    query = (
        f"{last_year.group(1)} {published.year - 1}"
        if last_year
        else re.sub(r"^(?:on|in|by|since|from|until) ", "", words)
    )
    data = _parser(published, future).get_date_data(query)
    if data.date_obj is None or data.period not in _PERIODS:
        return None
    value = data.date_obj.date().isoformat()[: _PERIODS[data.period]]
    return Dated(text=text, value=value, relative=relative)

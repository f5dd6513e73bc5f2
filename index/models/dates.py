"""Dates as news text writes them, resolved against the article's publication date.

"On Thursday", "last month", "in April of last year", "next year": a sentence that says when only
relative to the day it was written answers a "when" question as well as one with a full date,
once the date is known. dateparser reads the words; the year of a date written without one is
decided here, because a wrong date beside a quote is worse than none:

- a bare weekday is the publication day itself when the names match, otherwise the nearest one
  in the direction of the clause's tense ("will sign on Thursday" looks forward, "signed on
  Thursday" back), and none when the tense is unknown;
- a month or a day of a month without a year ("in December", "Feb. 1") is the nearest one in the
  direction of the tense, in the publication year or, across New Year, only within a few months
  of it; with no tense, only the nearest one close to the publication date; and when the
  sentence gave a full date before it ("signed on 26 August 1936 and ratified on 22 December"),
  that date's year, as a history tells it, whatever the article's date;
- "two years later", "the same day", "the previous year" count from such an earlier date in the
  sentence, and from nothing else.

The tense comes from the clause around the mention (index/models/annotate.py reads it from the parse):
`future` is True, False, or None where it is unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from pydantic.dataclasses import dataclass

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YEAR = re.compile(r"\b(?:1[0-9]|20)\d\d\b")
_BARE_WEEKDAY = re.compile(rf"^(?:on |this |last |next )?({'|'.join(_WEEKDAYS)})$", re.IGNORECASE)
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_NAMES_A_MONTH = re.compile(rf"\b(?:{_MONTH})\b", re.IGNORECASE)
# "April of last year", "March next year": the month of a year counted from the article's.
_MONTH_OF_YEAR = re.compile(rf"^((?:{_MONTH})\.?) (?:of )?(last|this|next) year$", re.IGNORECASE)
# A part of a period is dated as the period: "the end of August" is "2021-08", "early 2022" "2022".
_PART_OF = re.compile(
    r"^(?:(?:at |by |in |until |since )?(?:the )?(?:very )?(?:end|beginning|start|middle|close|"
    r"(?:first|second|last) (?:half|part|quarter)) of |(?:early|mid|late)(?:-| |-in-))",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:on|in|by|since|from|until|during|as of|around|about) ", re.IGNORECASE)
_THIS_YEAR = re.compile(r"^(?:(?:earlier|later) )?this year$", re.IGNORECASE)
_THIS_MONTH = re.compile(r"^(?:(?:earlier|later) )?this month$", re.IGNORECASE)
# Words for a day counted from the day of writing.
_DAYS_FROM_TODAY = (
    (re.compile(r"^(?:(?:earlier|later) )?(?:today|tonight|this (?:morning|afternoon|evening))$", re.I), 0),
    (
        re.compile(r"^(?:later|earlier) (?:this )?(?:morning|afternoon|evening)$|^(?:later|earlier) in the day$", re.I),
        0,
    ),
    (re.compile(r"^yesterday(?: (?:morning|afternoon|evening))?$", re.I), -1),
    (re.compile(r"^tomorrow(?: (?:morning|afternoon|evening))?$", re.I), 1),
)
_WEEK = re.compile(r"^(last|this|next) week$", re.IGNORECASE)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}
# Counted from a date given earlier in the sentence: "two years later", "a month after".
_COUNTED_FROM = re.compile(
    rf"^(?:just |only |some )?({'|'.join(_NUMBERS)}|\d+) (day|week|month|year)s? (later|after|earlier|before)$",
    re.IGNORECASE,
)
_NEXT_TO = re.compile(r"^the (same|previous|preceding|next|following) (day|month|year)$", re.IGNORECASE)
# Spans that name no calendar date ("decades", "the past 70 years", "a 100 year partnership",
# "within a year", "the 1960s", "2024/25", "the 21st century", "the 17th").
_NO_DATE = re.compile(
    r"\b(?:decades?|centuries|century|years|months|weeks|days|hours|ago|annual|annually|daily|every|each)\b"
    rf"|\b(?:{'|'.join(_NUMBERS)}|\d+)[- ](?:year|month|week|day)\b|-(?:year|month|week|day)s?\b|\d0'?s\b|\d/\d"
    r"|^(?:the )?\d+(?:st|nd|rd|th)$|^(?:good )?(?:morning|afternoon|evening|night)$",
    re.IGNORECASE,
)
_PERIODS = {"day": 10, "week": 10, "month": 7, "year": 4}
# How far across New Year a date without a year may lie, in months, by what the clause says:
# "signed in October" written in February is last October; written in January, "signed on
# 1 February" is no date this text can tell (a history dated by its event says so often).
_BACK_ACROSS = 9
_AHEAD_ACROSS = 6
_UNSURE = 2  # with no tense, only the nearest date this close is sure enough


# A slotted dataclass rather than a model: an index holds one per dated sentence, and a model
# instance takes several times the memory (index/ingest/passages.py).
@dataclass(frozen=True, slots=True)
class Dated:
    """A date a sentence gives: as written, as resolved, and whether the words alone lacked the year."""

    text: str  # as written: "Thursday", "last month", "9 December 2022"
    value: str  # ISO, as precise as the text: "2022-01-06", "2022-01" or "2022"
    relative: bool  # the text gives no year; `value` comes from the article's date


def _words(text: str) -> str:
    words = " ".join(text.split()).strip(" ,.;:()")
    return re.sub(r"['’]s$", "", words)  # "last year's", "today’s"


def names_a_day(text: str) -> bool:
    """Whether `text` names a day counted from the day of writing ("this morning", "earlier
    today"): spaCy tags some such as a TIME, which then dates its sentence all the same."""
    words = _words(text)
    return any(pattern.match(words) for pattern, _ in _DAYS_FROM_TODAY)


def needs_tense(text: str) -> bool:
    """Whether the date `text` means depends on the tense of its clause: a weekday, or a month or
    a day of one written without a year."""
    words = _LEADING.sub("", _PART_OF.sub("", _words(text)))
    if _BARE_WEEKDAY.match(words):
        return True
    return _NAMES_A_MONTH.search(words) is not None and _YEAR.search(words) is None and not _MONTH_OF_YEAR.match(words)


@cache
def _parser(base: dt.date, prefer: str):  # type: ignore[no-untyped-def]
    # Imported here: dateparser takes 0.3 s to import and only index builds need it.
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": prefer,
        "RETURN_TIME_AS_PERIOD": False,
    }
    return DateDataParser(languages=["en"], settings=settings)


def _parsed(words: str, base: dt.date, prefer: str = "current_period") -> tuple[dt.date, str] | None:
    """dateparser's reading: the date and its period ("day", "month", "year")."""
    data = _parser(base, prefer).get_date_data(words)
    if data.date_obj is None or data.period not in _PERIODS:
        return None
    return data.date_obj.date(), str(data.period)


def _iso(day: dt.date, period: str) -> str:
    return day.isoformat()[: _PERIODS[period]]


def _weekday(name: str, base: dt.date, future: bool | None) -> dt.date | None:
    shift = (_WEEKDAYS.index(name.lower()) - base.weekday()) % 7
    if shift == 0:
        return base
    if future is None:
        return None
    return base + dt.timedelta(days=shift) if future else base - dt.timedelta(days=7 - shift)


def _months_between(earlier: tuple[int, int], later: tuple[int, int]) -> int:
    return (later[0] - earlier[0]) * 12 + later[1] - earlier[1]


def _year_of(month: int, day: int | None, base: dt.date, future: bool | None) -> int | None:
    """The year of a month (or a day of it) written without one, in a text written on `base`:
    see the module's notes. None where that is not sure."""
    here = (month, day or 0)
    now = (base.month, base.day if day else 0)
    if here == now:
        return base.year
    before = base.year if here < now else base.year - 1
    after = base.year if here > now else base.year + 1
    back = _months_between((before, month), (base.year, base.month))
    ahead = _months_between((base.year, base.month), (after, month))
    if future is None:
        if min(back, ahead) > _UNSURE or back == ahead:
            return None
        return before if back < ahead else after
    if future:
        return after if after == base.year or ahead <= _AHEAD_ACROSS else None
    return before if before == base.year or back <= _BACK_ACROSS else None


def _partial(words: str, base: dt.date, future: bool | None, anchor: Dated | None) -> str | None:
    """A month, or a day of a month, without a year."""
    found = _parsed(words, base)
    if found is None or found[1] not in ("day", "month"):
        return None
    day, period = found
    if anchor is not None:  # a history: the year of the date the sentence gave before this one
        start = dt.date.fromisoformat((anchor.value + "-01-01")[:10])
        month_day = (day.month, day.day if period == "day" else 31)
        if len(anchor.value) > 4 and month_day < (start.month, start.day):
            return None  # before the earlier date: the next year, most likely, but not surely
        return _iso(day.replace(year=start.year), period)
    year = _year_of(day.month, day.day if period == "day" else None, base, future)
    return None if year is None else _iso(day.replace(year=year), period)


def _counted_from(words: str, anchor: Dated) -> str | None:
    """ "two years later", "the same day", "the previous year", counted from `anchor`."""
    precision = len(anchor.value)
    start = dt.date.fromisoformat((anchor.value + "-01-01")[:10])
    counted = _COUNTED_FROM.match(words)
    next_to = _NEXT_TO.match(words)
    if counted:
        number = _NUMBERS.get(counted.group(1).lower()) or int(counted.group(1))
        unit = counted.group(2).lower()
        sign = 1 if counted.group(3).lower() in ("later", "after") else -1
    elif next_to:
        which = next_to.group(1).lower()
        number, unit = (0 if which == "same" else 1), next_to.group(2).lower()
        sign = -1 if which in ("previous", "preceding") else 1
    else:
        return None
    # No finer than both the unit and the date counted from: "a month later" than "February 1954"
    # is "1954-03", "two years later" than "1930" is "1932".
    if unit in ("day", "week"):
        if precision < 10:
            return None
        return (start + dt.timedelta(days=sign * number * (7 if unit == "week" else 1))).isoformat()
    if unit == "month":
        if precision < 7:
            return None
        total = start.year * 12 + start.month - 1 + sign * number
        return f"{total // 12:04d}-{total % 12 + 1:02d}"
    return f"{start.year + sign * number:04d}"


def _week(which: str, base: dt.date) -> str | None:
    """The month of a calendar week, when the week lies within one."""
    monday = base - dt.timedelta(days=base.weekday()) + dt.timedelta(weeks={"last": -1, "this": 0, "next": 1}[which])
    sunday = monday + dt.timedelta(days=6)
    return monday.isoformat()[:7] if monday.month == sunday.month else None


def _relative(words: str, base: dt.date, future: bool | None) -> str | None:
    """Words that count from the day of writing: "today", "last week", "this year", "March next year"."""
    for pattern, shift in _DAYS_FROM_TODAY:
        if pattern.match(words):
            return (base + dt.timedelta(days=shift)).isoformat()
    week = _WEEK.match(words)
    if week:
        return _week(week.group(1).lower(), base)
    if _THIS_MONTH.match(words):
        return base.isoformat()[:7]
    if _THIS_YEAR.match(words):
        return str(base.year)
    month_of = _MONTH_OF_YEAR.match(words)
    if month_of:
        year = base.year + {"last": -1, "this": 0, "next": 1}[month_of.group(2).lower()]
        found = _parsed(month_of.group(1), base)
        return None if found is None else f"{year:04d}-{found[0].month:02d}"
    weekday = _BARE_WEEKDAY.match(words)
    if weekday:
        day = _weekday(weekday.group(1), base, future)
        return None if day is None else day.isoformat()
    if re.match(r"^the\b", words, re.IGNORECASE):
        return None  # "the next year", "the day": counted from a time the text gave before
    found = _parsed(words, base, "future" if future else "past")
    return None if found is None else _iso(*found)


def resolve(
    text: str, published: dt.date | None, future: bool | None = False, anchor: Dated | None = None
) -> Dated | None:
    """The date `text` (a date expression, e.g. a DATE entity) means in an article published on
    `published`: looking forward when `future`, back when False, either way when None (then only
    a date close to publication is sure). `anchor` is a full date the same sentence gave before
    the mention, which dates without a year and counted dates follow. None when it names no
    date, needs a base date the article does not give, or is not sure."""
    words = _words(text)
    if not words:
        return None
    if anchor is not None:
        counted = _counted_from(words, anchor)
        if counted is not None:
            return Dated(text=text, value=counted, relative=True)
    part = _PART_OF.match(words)
    words = _LEADING.sub("", words[part.end() :] if part else words)
    if part and re.match(r"^the (?:year|month)$", words, re.IGNORECASE):
        words = "this " + words[4:]  # "the end of the year" is this year's
    relative = _YEAR.search(words) is None
    if not words or _NO_DATE.search(words) or (relative and published is None):
        return None
    if not relative:
        found = _parsed(words, dt.date(2000, 1, 1))  # an explicit year needs no base; any fixed one will do
        return None if found is None else Dated(text=text, value=_iso(*found), relative=False)
    assert published is not None
    if needs_tense(words) and not _BARE_WEEKDAY.match(words):
        value = _partial(words, published, future, anchor)
    else:
        value = _relative(words, published, future)
    return None if value is None else Dated(text=text, value=value, relative=True)

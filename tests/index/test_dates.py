"""Dates as news text writes them, resolved against the article's publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from index.dates import looks_ahead, resolve

THURSDAY = dt.date(2025, 5, 15)


@pytest.mark.parametrize(
    ("text", "future", "value", "relative"),
    [
        ("Thursday", False, "2025-05-15", True),  # the publication day itself
        ("on Monday", False, "2025-05-12", True),  # the last one before it
        ("on Monday", True, "2025-05-19", True),  # "will meet on Monday": the next one
        ("Thursday 15th May", False, "2025-05-15", True),
        ("last month", False, "2025-04", True),
        ("April of last year", False, "2024-04", True),
        ("in October", False, "2024-10", True),  # past tense: the October before
        ("October", True, "2025-10", True),
        ("next year", True, "2026", True),
        ("earlier this year", False, "2025", True),
        ("9 December 2022", False, "2022-12-09", False),
        ("2014", False, "2014", False),
    ],
)
def test_a_date_is_resolved_against_the_article_as_precisely_as_the_text_gives_it(
    text: str, future: bool, value: str, relative: bool
) -> None:
    dated = resolve(text, THURSDAY, future)
    assert dated is not None
    assert (dated.value, dated.relative, dated.text) == (value, relative, text)


@pytest.mark.parametrize(
    "text", ["decades", "the past 70 years", "annual", "", "three days", "100 year", "a 100-year", "within a year"]
)
def test_spans_that_name_no_calendar_date_are_left_out(text: str) -> None:
    assert resolve(text, THURSDAY) is None


def test_a_relative_date_needs_the_article_date_but_an_explicit_one_does_not() -> None:
    assert resolve("last month", None) is None
    dated = resolve("9 December 2022", None)
    assert dated is not None and dated.value == "2022-12-09"


def test_the_tense_of_a_sentence_decides_which_way_an_undated_day_looks() -> None:
    assert looks_ahead("The ministers will meet on Monday in Berlin.")
    assert looks_ahead("Leaders are set to sign the deal in October.")
    assert not looks_ahead("The ministers met on Monday in Berlin.")

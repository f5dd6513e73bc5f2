"""Dates as news text writes them, resolved against the article's publication date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from index.answering.date_eval import (
    DateMention,
    DateSet,
    Outcome,
    evaluate_dates,
    evaluate_file,
    judge,
    load_date_set,
    report_of,
)
from index.ingest.sentences import sentence_spans
from index.models.annotate import annotate
from index.models.dates import Dated, resolve
from tests.conftest import EVAL, SHARED

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


# Issue 23: where the year of a date written without one is not sure, no date is shown.
NOV_2022 = dt.date(2022, 11, 4)
DATES = EVAL / "dates"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="the real texts (../shared) are not beside the checkout")


def dates_of(sentence: str, published: dt.date) -> list[tuple[str, str]]:
    return [(d.text, d.value) for d in next(annotate([(sentence, published)])).dates]


@needs_shared
def test_a_month_the_seed_article_looks_ahead_to_is_this_year_s() -> None:
    # "In December, the 2 countries are anticipated to unveil ...": once 2021-12, as "anticipated
    # to" was no word of the future; the clause's verb group says so now.
    paragraph = (SHARED / "seed" / "japan-uk-defence-pact.txt").read_text(encoding="utf-8").splitlines()[6]
    sentence = next(paragraph[s:e] for s, e in sentence_spans(paragraph) if paragraph[s:e].startswith("In December"))
    assert dates_of(sentence, NOV_2022) == [("December", "2022-12")]


def test_a_past_clause_dates_back_though_the_sentence_looks_ahead() -> None:
    # The "... which went into effect on Feb. 1." (2023-04-03) came from an article not
    # kept in ../shared; this sentence of ours has the same shape: a "will" in the main clause
    # once sent the whole sentence forward, to 2024-02-01.
    sentence = "The agency will publish the figures under the rules, which went into effect on Feb. 1."
    assert dates_of(sentence, dt.date(2023, 4, 3)) == [("Feb. 1", "2023-02-01")]
    assert resolve("Feb. 1", dt.date(2023, 4, 3), future=False) == Dated("Feb. 1", "2023-02-01", True)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The two countries are expected to sign the pact in December.", [("December", "2022-12")]),
        ("Talks are scheduled for January.", [("January", "2023-01")]),
        (
            "The pact, which took effect in January, will be reviewed next year.",
            [("January", "2022-01"), ("next year", "2023")],
        ),
        ("Leaders plan to sign the treaty at a ceremony on Thursday.", [("Thursday", "2022-11-10")]),
        ("The ministers looked forward to meeting again in February.", [("February", "2023-02")]),
        ("It follows the signing of the agreement in October.", [("October", "2022-10")]),
        (
            "The agreement was signed on 12 October and ratified on 3 November.",
            [("12 October", "2022-10-12"), ("3 November", "2022-11-03")],
        ),
    ],
)
def test_the_clause_around_a_date_decides_which_way_it_looks(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert dates_of(sentence, NOV_2022) == expected


@pytest.mark.parametrize(
    ("text", "published", "future", "value"),
    [
        ("December", NOV_2022, None, "2022-12"),  # no tense, but next month: sure enough
        ("June", NOV_2022, None, None),  # no tense and five months either way: no date
        ("Monday", NOV_2022, None, None),
        ("1 February", dt.date(1944, 1, 21), False, None),  # "ratified on 1 February" of a January text
        ("March", dt.date(2025, 5, 15), True, None),  # next March is ten months ahead
        ("last week", dt.date(2021, 11, 16), False, "2021-11"),  # 8-14 November
        ("last week", dt.date(2021, 8, 6), False, None),  # 26 July - 1 August
        ("this morning", NOV_2022, False, "2022-11-04"),
        ("the end of August", dt.date(2021, 10, 19), False, "2021-08"),
        ("March next year", dt.date(2017, 12, 21), True, "2018-03"),
        ("the 1960s", NOV_2022, False, None),
        ("2024/25", NOV_2022, False, None),
        ("the next year", NOV_2022, False, None),  # counted from a time the text gave earlier
    ],
)
def test_a_date_the_words_do_not_make_sure_is_left_out(
    text: str, published: dt.date, future: bool | None, value: str | None
) -> None:
    dated = resolve(text, published, future)
    assert (dated.value if dated else None) == value


def test_a_history_dates_what_follows_a_full_date_by_that_date() -> None:
    assert dates_of("It was signed on 26 August 1936 and ratified on 22 December.", dt.date(1936, 8, 26)) == [
        ("26 August 1936", "1936-08-26"),
        ("22 December", "1936-12-22"),
    ]
    assert dates_of("Ratifications were exchanged on 27 March 1936, and it took effect the same day.", NOV_2022)[
        1:
    ] == [("the same day", "1936-03-27")]


def test_today_as_the_present_age_is_no_day() -> None:
    assert dates_of("We face the challenges of today and tomorrow together.", NOV_2022) == []
    assert dates_of("We signed the agreement today.", NOV_2022) == [("today", "2022-11-04")]


def test_the_labelled_files_parse_and_keep_their_files_apart() -> None:
    dev, test = (load_date_set(DATES / f"{part}.yaml") for part in ("dev", "test"))
    assert len(dev.mentions) >= 200 and len(test.mentions) >= 80
    assert not {m.file for m in dev.mentions} & {m.file for m in test.mentions}


def test_the_evaluator_tells_a_wrong_date_from_one_withheld(tmp_path: Path) -> None:
    # A tiny hand-made set on an article of ours, with one label of each outcome.
    (tmp_path / "a.md").write_text(
        "---\ntitle: A\npublished: 2025-05-15\n---\nThe ministers met on Monday. They signed it in April.\n",
        encoding="utf-8",
    )
    mentions = [
        DateMention(file="a.md", paragraph=1, text="Monday", value="2025-05-12"),  # right
        DateMention(file="a.md", paragraph=1, text="April", value="2025-04"),  # right
        DateMention(file="a.md", paragraph=1, text="Monday", value="2025-05-19"),  # a wrong date shown
        DateMention(file="a.md", paragraph=1, text="ministers", value="2025-05-15"),  # withheld
    ]
    report = evaluate_dates(DateSet(mentions=mentions), tmp_path)
    assert [r.shown for r in report.results] == ["2025-05-12", "2025-04", "2025-05-12", None]
    assert (report.mentions, report.right, report.wrong, report.withheld) == (4, 2, 1, 1)
    assert report.accuracy == 0.5
    assert judge(None, None) is Outcome.RIGHT and judge(None, "2025") is Outcome.WRONG


@needs_shared
def test_dates_are_resolved_right_on_the_labelled_real_texts() -> None:
    results = [r for part in ("dev", "test") for r in evaluate_file(DATES / f"{part}.yaml").results]
    report = report_of(results)
    failures = [(r.mention.file, r.mention.text, r.mention.value, r.shown) for r in results if r.outcome != "right"]
    assert report.accuracy >= 0.97, failures

"""The pair classifier experiment (index/answering/pair_classifier.py): labels from country cases,
and figures for the rules that match `eval-countries`."""

from __future__ import annotations

from index.answering.evaluate import CountryCase
from index.answering.pair_classifier import evaluate, labels, score
from tests.conftest import ROOT

EVAL = ROOT / "tests" / "eval"


def test_labels_come_from_the_cases_and_a_partner_beats_a_ruling_out() -> None:
    cases = [
        CountryCase(country="Tokyo", partners=["UK"], never=["China"]),
        CountryCase(country="Britain", partners=[], never=["Japan"]),
    ]
    assert labels(cases) == {("CHN", "JPN"): False, ("GBR", "JPN"): True}


def test_scores_are_eval_countries_figures() -> None:
    cases = [CountryCase(country="Japan", partners=["UK", "Australia"], never=["China"])]
    report = score(cases, [("GBR", "JPN"), ("CHN", "JPN")])
    assert (report.recall, report.precision) == (0.5, 0.5)


def test_the_rules_measured_here_are_the_readers_figures() -> None:
    validated, held_out = evaluate([EVAL / "countries-agreements-dev.yaml"], [EVAL / "countries-agreements-dev2.yaml"])
    (rules,) = validated.rules.values()
    assert (rules.cases, rules.recall, rules.precision) == (20, 1.0, 1.0)  # as `eval-countries` measures them
    (model,) = held_out.classifier.values()
    assert model.cases == 24 and 0 <= model.recall <= 1

"""An experiment beside the rule-based reader (index/pacts/agreement_reader.py): a classifier over
(sentence, pair of countries) that says whether the sentence makes the two partners, trained on
the country cases of labelled files (`countries:` in a question file), scored as `eval-countries`
scores the reader. `pactbot eval-pair-classifier` reports it cross-validated with folds by article
and on held-out files, beside the rules measured the same way (docs/quality.md).

A candidate is a pair of countries that one sentence with an agreement word names (or that the
publishing government's "we" and offices stand for); its label is the file's: partners when
one case lists the other as a partner, not when one case rules the other out, unjudged otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from index.answering.evaluate import CountryCase, CountryReport, corpus_files, load_eval_set, score_countries
from index.glossary import Expander, Glossary, load_glossary
from index.ingest.articles import ArticleError, read_article
from index.ingest.sentences import sentence_spans
from index.pacts.agreement_reader import extract
from index.pacts.agreement_words import AGREEMENT_WORDS, DEALING, TIES
from index.pacts.countries import Mention, find_countries, publisher_country, resolve
from index.pacts.memberships import complete_memberships
from index.pacts.parties import joined_runs
from index.pacts.people import Voice, people_in, people_of, speaker_in

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

_THREAT = re.compile(r"\b(?:threat\w*|aggress\w*|invasion|invad\w*|war|deter\w*|counter\w*|against|attack\w*)\b", re.I)
_QUOTED = re.compile(r"[\"“”]")
FEATURES = (
    "rules", "same list", "between", "gap", "countries", "agreement words", "dealing verb", "threat",
    "publisher", "headline", "quoted", "length",
)  # fmt: skip
THRESHOLD = 0.5  # fixed before any measurement


@dataclass(frozen=True)
class Candidate:
    source: str  # the labelled file
    article: str
    pair: tuple[str, str]  # ISO3, sorted
    features: tuple[float, ...]


def _sentence_candidates(
    source: str,
    article: str,
    sentence: str,
    named: list[Mention],
    ruled: set[tuple[str, str]],
    title: set[str],
    speaker: str | None,
) -> list[Candidate]:
    codes = sorted({m.iso3 for m in named})
    runs = [{m.iso3 for m in run} for run in joined_runs(sentence, sorted(named, key=lambda m: m.start))]
    found = []
    for a, b in combinations(codes, 2):
        first = min(m.start for m in named if m.iso3 in (a, b))
        spans = [(m.start, m.end) for m in named if m.iso3 in (a, b)]
        gap = len(sentence[min(e for _, e in spans) : max(s for s, _ in spans)].split())
        features = (
            float((a, b) in ruled),
            float(any({a, b} <= run for run in runs)),
            float("between" in sentence[max(0, first - 40) : first].lower()),
            min(gap, 30) / 30,
            min(len(codes), 6) / 6,
            min(len(AGREEMENT_WORDS.findall(sentence)), 3) / 3,
            float(DEALING.search(sentence) is not None),
            float(_THREAT.search(sentence) is not None),
            float(speaker in (a, b)),
            float({a, b} <= title),
            float(_QUOTED.search(sentence) is not None),
            min(len(sentence.split()), 60) / 60,
        )
        found.append(Candidate(source, article, (a, b), features))
    return found


def candidates(file: Path) -> tuple[list[Candidate], set[tuple[str, str]]]:
    """The candidates of a labelled file's corpus, with the rules' reading of each sentence as one
    feature; and the pairs the rules show for the whole corpus (named agreements completed)."""
    eval_set = load_eval_set(file)
    paths = corpus_files(file, eval_set)
    glossaries = [p for p in paths if p.name == "glossary.yaml"]
    expander = Expander(load_glossary(glossaries[0]) if glossaries else Glossary())
    found: list[Candidate] = []
    mentions = []
    for path in paths:
        if path.suffix.lower() not in (".md", ".txt"):
            continue
        try:
            article = read_article(path)
        except ArticleError:
            continue
        sentences = [(n, p[s:e]) for n, p in enumerate(article.paragraphs, 1) for s, e in sentence_spans(p)]
        ruled: dict[str, set[tuple[str, str]]] = {}
        read = extract(article, sentences, expander)
        mentions += read
        for m in read:
            ruled.setdefault(m.quote, set()).update(combinations(sorted(m.parties), 2))
        speaker = publisher_country(article.publisher)
        people = people_of((s for _, s in sentences), speaker)
        title = {m.iso3 for m in find_countries(article.title)}
        for _, sentence in sentences:
            if not (AGREEMENT_WORDS.search(sentence) or DEALING.search(sentence) or TIES.search(sentence)):
                continue
            countries = find_countries(sentence)
            named = countries + people_in(sentence, people, countries) + speaker_in(sentence, Voice(speaker))
            found += _sentence_candidates(
                str(file), article.id, sentence, named, ruled.get(sentence, set()), title, speaker
            )
    shown = {pair for m in complete_memberships(mentions) for pair in combinations(sorted(m.parties), 2)}
    return found, shown


def _iso3(name: str) -> str:
    return resolve(name).iso3


def labels(cases: Sequence[CountryCase]) -> dict[tuple[str, str], bool]:
    """Pair -> partners (True) or ruled out (False), from a file's country cases."""
    found: dict[tuple[str, str], bool] = {}
    for case in cases:
        country = _iso3(case.country)
        for name in case.never:
            found.setdefault(_pair(country, _iso3(name)), False)
        for name in case.partners:
            found[_pair(country, _iso3(name))] = True
    return found


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def score(cases: Sequence[CountryCase], pairs: Iterable[tuple[str, str]]) -> CountryReport:
    """`eval-countries`' figures for the pairs shown (every one cited: each comes from a sentence)."""
    shown = set(pairs)

    def partners_of(name: str) -> tuple[set[str], int]:
        country = _iso3(name)
        return {b if a == country else a for a, b in shown if country in (a, b)}, 0

    return score_countries(cases, partners_of, _iso3)


@dataclass(frozen=True)
class Figures:
    """Per labelled file: the rules, the classifier, and either of them (a pair one of them shows)."""

    rules: dict[str, CountryReport]
    classifier: dict[str, CountryReport]
    either: dict[str, CountryReport]


def _model() -> LogisticRegression:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)


def _training_rows(
    rows: Sequence[Candidate], cases: dict[str, list[CountryCase]]
) -> tuple[list[tuple[float, ...]], list[int]]:
    judged = {source: labels(c) for source, c in cases.items()}
    x: list[tuple[float, ...]] = []
    y: list[int] = []
    for row in rows:
        label = judged[row.source].get(row.pair)
        if label is not None:
            x.append(row.features)
            y.append(int(label))
    return x, y


def _figures(
    rows: Sequence[Candidate],
    chance: Sequence[float],
    shown: dict[str, set[tuple[str, str]]],
    cases: dict[str, list[CountryCase]],
) -> Figures:
    rules, model, either = {}, {}, {}
    for source, file_cases in cases.items():
        by_rules = shown[source]
        by_model = {row.pair for row, p in zip(rows, chance, strict=True) if row.source == source and p >= THRESHOLD}
        rules[source] = score(file_cases, by_rules)
        model[source] = score(file_cases, by_model)
        either[source] = score(file_cases, by_rules | by_model)
    return Figures(rules, model, either)


def evaluate(train: Sequence[Path], test: Sequence[Path], folds: int = 5) -> tuple[Figures, Figures]:
    """Cross-validated figures on `train` (folds by article: no article's sentences on both sides),
    and figures on `test` for a model trained on all of `train`."""
    from sklearn.model_selection import GroupKFold

    train_cases = {str(f): load_eval_set(f).countries for f in train}
    test_cases = {str(f): load_eval_set(f).countries for f in test}
    read = {str(f): candidates(f) for f in [*train, *test]}
    shown = {source: pairs for source, (_, pairs) in read.items()}
    rows = [c for f in train for c in read[str(f)][0]]
    chance = [0.0] * len(rows)
    groups = [f"{r.source}:{r.article}" for r in rows]
    for fit_on, score_on in GroupKFold(n_splits=min(folds, len(set(groups)))).split(rows, groups=groups):
        x, y = _training_rows([rows[i] for i in fit_on], train_cases)
        model = _model().fit(x, y)
        for i, p in zip(score_on, model.predict_proba([rows[i].features for i in score_on])[:, 1], strict=True):
            chance[i] = float(p)
    x, y = _training_rows(rows, train_cases)
    model = _model().fit(x, y)
    test_rows = [c for f in test for c in read[str(f)][0]]
    test_chance = [float(p) for p in model.predict_proba([r.features for r in test_rows])[:, 1]] if test_rows else []
    return _figures(rows, chance, shown, train_cases), _figures(test_rows, test_chance, shown, test_cases)

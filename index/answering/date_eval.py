"""How well dates are resolved: labelled mentions in real texts against what the index would show.

A labelled file (tests/eval/dates/) points at each mention in an article kept outside the
project (`shared`, relative to the file) and gives its right value, or none where the text
tells no date for sure. Each mention's sentence is read from the article at run time, run
through index/models/annotate.py as an index build does, and the date shown for the mention (the
resolved DATE entity over it) compared with the label. A wrong date counts apart from a date
withheld: beside a quote, the first misleads and the second only says less.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from index.answering.evaluate import EvalError
from index.ingest.articles import ArticleError, read_article
from index.ingest.sentences import sentence_spans
from index.yamlfile import load_yaml, yaml_problem

ISO_VALUE = r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"


class DateMention(BaseModel):
    """One labelled mention: where it is, as written, and what it means."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(min_length=1)  # relative to the file's `shared` folder
    paragraph: int = Field(ge=1)  # numbered from 1, as index/ingest/articles.py numbers them
    text: str = Field(min_length=1)  # the words as written
    occurrence: int = Field(default=1, ge=1)  # which of the words' occurrences in the paragraph
    value: str | None = Field(pattern=ISO_VALUE)  # the right date, or None: no date is right
    published: dt.date | None = None  # for a file whose front matter gives none


class DateSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shared: str = "../../../../shared"  # the articles' folder, relative to the labelled file
    mentions: list[DateMention]


class Outcome(enum.StrEnum):
    RIGHT = "right"
    WRONG = "wrong"  # a date shown, and not the right one
    WITHHELD = "withheld"  # no date shown where one was right


class MentionResult(BaseModel):
    mention: DateMention
    shown: str | None
    outcome: Outcome


class DateReport(BaseModel):
    mentions: int
    right: int
    wrong: int
    withheld: int
    accuracy: float
    dated: int  # mentions whose right value is a date
    dated_right: int
    results: list[MentionResult]


def judge(expected: str | None, shown: str | None) -> Outcome:
    if shown == expected:
        return Outcome.RIGHT
    return Outcome.WITHHELD if shown is None else Outcome.WRONG


def report_of(results: list[MentionResult]) -> DateReport:
    count = {outcome: sum(r.outcome is outcome for r in results) for outcome in Outcome}
    dated = [r for r in results if r.mention.value is not None]
    return DateReport(
        mentions=len(results),
        right=count[Outcome.RIGHT],
        wrong=count[Outcome.WRONG],
        withheld=count[Outcome.WITHHELD],
        accuracy=count[Outcome.RIGHT] / len(results) if results else 0.0,
        dated=len(dated),
        dated_right=sum(r.outcome is Outcome.RIGHT for r in dated),
        results=results,
    )


def load_date_set(path: Path) -> DateSet:
    try:
        return DateSet.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise EvalError(f"{path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise EvalError(f"{path}: {yaml_problem(exc)}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise EvalError(f"{path}: {where}: {first['msg']}") from None


class _Located(BaseModel):
    """A mention found in its article: its sentence, where it is in it, and the article's date."""

    sentence: str
    start: int
    end: int
    published: dt.date | None


def _locate(mention: DateMention, shared: Path) -> _Located:
    try:
        article = read_article(shared / mention.file)
    except (ArticleError, OSError) as exc:
        raise EvalError(f"{mention.file}: {exc}") from None
    if mention.paragraph > len(article.paragraphs):
        raise EvalError(f"{mention.file}: no paragraph {mention.paragraph}")
    paragraph = article.paragraphs[mention.paragraph - 1]
    at = -1
    for _ in range(mention.occurrence):
        at = paragraph.find(mention.text, at + 1)
        if at < 0:
            raise EvalError(f"{mention.file} paragraph {mention.paragraph}: {mention.text!r} not found")
    start, end = next((s, e) for s, e in sentence_spans(paragraph) if s <= at < e)
    published = mention.published or article.published
    return _Located(
        sentence=paragraph[start:end], start=at - start, end=at - start + len(mention.text), published=published
    )


def _shown(found: _Located, spans: Iterable[tuple[int, int, str]]) -> str | None:
    """The date shown for the mention: that of the first resolved entity over its words."""
    return next((value for s, e, value in spans if s < found.end and found.start < e), None)


def evaluate_dates(date_set: DateSet, shared: Path) -> DateReport:
    """Resolve every mention of `date_set` as an index build would and judge it."""
    # Imported here: spaCy loads only for the evaluation, not for reading the file.
    from index.models.annotate import dated_spans, read

    located = [_locate(m, shared) for m in date_set.mentions]
    docs = read((f.sentence, f.published) for f in located)
    results = []
    for mention, found, (doc, published) in zip(date_set.mentions, located, docs, strict=True):
        spans = [(span.start_char, span.end_char, dated.value) for span, dated in dated_spans(doc, published)]
        shown = _shown(found, spans)
        results.append(MentionResult(mention=mention, shown=shown, outcome=judge(mention.value, shown)))
    return report_of(results)


def evaluate_file(path: Path) -> DateReport:
    date_set = load_date_set(path)
    shared = (path.parent / date_set.shared).resolve()
    if not shared.is_dir():
        raise EvalError(f"{path}: the articles' folder {shared} is not there")
    return evaluate_dates(date_set, shared)

"""Scoring the answerer on a question file: hit rates, MRR and abstention by kind of question.

Two layouts are read. Pactbot's own (`questions:` with `question`, `answerable`, `article`,
`gold`) and the real-news one (`answerable:` and `unanswerable:` lists with `q`, `article`,
`gold` or `kind`); both become one list of questions.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from index.answering.answer import Answer
from index.yamlfile import load_yaml

Kind = Literal["offtopic", "in_domain"]


class EvalError(ValueError):
    """The question file is unusable; the message says why."""


class EvalQuestion(BaseModel):
    question: str = Field(min_length=1)
    answerable: bool = True
    article: str | None = None  # id of the article holding the gold sentence
    gold: list[str] = Field(default_factory=list)  # verbatim parts of the sentence that answers
    kind: Kind | None = None  # for unanswerable questions: off-topic, or about pacts but not answered

    @field_validator("gold", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _gold_for_answerable(self) -> EvalQuestion:
        if self.answerable and not (self.article and self.gold):
            raise ValueError("an answerable question needs `article` and `gold`")
        return self

    def answered_by(self, article_id: str, text: str) -> bool:
        """Whether `text`, quoted from `article_id`, holds one of the gold parts."""
        flat = " ".join(text.split())
        return article_id == self.article and any(" ".join(g.split()) in flat for g in self.gold)


class CountryCase(BaseModel):
    """A country and the partners the articles make it a party with; `never`: countries named
    nearby that are no party (a threat, a venue, a place)."""

    country: str
    partners: list[str] = Field(default_factory=list)
    never: list[str] = Field(default_factory=list)


class EvalSet(BaseModel):
    corpus: list[str] = Field(default_factory=list)  # article folders or files, relative to the file
    # article id -> the event (the pact) it is about: folds by event keep each on one side
    events: dict[str, str] = Field(default_factory=dict)
    questions: list[EvalQuestion] = Field(default_factory=list)
    countries: list[CountryCase] = Field(default_factory=list)
    # Only the answerable questions on these articles (all when empty): a file can take part of
    # another (`include:`), as the training set takes the seed's questions from questions-dev.yaml.
    only_articles: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _only(self) -> EvalSet:
        if self.only_articles:
            self.questions = [q for q in self.questions if not q.answerable or q.article in self.only_articles]
        return self

    @model_validator(mode="before")
    @classmethod
    def _real_news_layout(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "questions" in data or "answerable" not in data:
            return data
        questions = [{"question": q.get("q"), **q} for q in data.get("answerable") or []]
        questions += [{"question": q.get("q"), "answerable": False, **q} for q in data.get("unanswerable") or []]
        return {
            "corpus": data.get("corpus") or [],
            "events": data.get("events") or {},
            "only_articles": data.get("only_articles") or [],
            "questions": questions,
            "countries": data.get("countries") or [],
        }


class QuestionResult(BaseModel):
    question: str
    answerable: bool
    kind: Kind | None = None
    article: str | None = None
    abstained: bool
    rank: int | None  # 1-based position of the first citation quoting a gold part


class EvalReport(BaseModel):
    answerable: int
    unanswerable: int
    offtopic: int
    in_domain: int
    top1: float
    top3: float
    mrr: float
    abstention_precision: float  # of the questions abstained on, the share that were unanswerable
    abstention_recall: float  # of the unanswerable questions, the share abstained on
    offtopic_abstained: float  # of the off-topic questions, the share abstained on
    in_domain_abstained: float  # of the in-domain unanswerable questions, the share abstained on
    answerable_abstained: float  # of the answerable questions, the share wrongly abstained on
    results: list[QuestionResult]


class CountryResult(BaseModel):
    country: str
    found: list[str]  # listed partners among the parties shown, ISO3
    missed: list[str]  # listed partners not shown
    wrong: list[str]  # `never` countries shown as partners
    unjudged: list[str]  # partners shown that the case neither lists nor rules out
    uncited: int  # agreements shown without a quote behind them


class CountryReport(BaseModel):
    """Partners found (recall) and parties right (precision, over the partners the cases judge)."""

    cases: int
    recall: float
    precision: float
    every_agreement_cited: bool
    results: list[CountryResult]


def score_countries(
    cases: Sequence[CountryCase], partners_of: Callable[[str], tuple[set[str], int]], iso3: Callable[[str], str]
) -> CountryReport:
    """`partners_of(country)`: the partners shown for it (ISO3) and how many of its agreements
    have no citation; `iso3(name)`: a case's country name as ISO3."""
    results = []
    for case in cases:
        shown, uncited = partners_of(case.country)
        listed, never = {iso3(p) for p in case.partners}, {iso3(p) for p in case.never}
        results.append(
            CountryResult(
                country=case.country,
                found=sorted(shown & listed),
                missed=sorted(listed - shown),
                wrong=sorted(shown & never),
                unjudged=sorted(shown - listed - never),
                uncited=uncited,
            )
        )
    found = sum(len(r.found) for r in results)
    judged = found + sum(len(r.wrong) for r in results)
    return CountryReport(
        cases=len(results),
        recall=_share(found, found + sum(len(r.missed) for r in results)),
        precision=_share(found, judged),
        every_agreement_cited=all(r.uncited == 0 for r in results),
        results=results,
    )


def load_eval_set(path: Path) -> EvalSet:
    """A question file; one with `include: OTHER` takes its questions from OTHER (relative to it),
    so a question file kept elsewhere can be given a corpus here."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and isinstance(raw.get("include"), str):
            included = load_yaml((path.parent / raw.pop("include")).read_text(encoding="utf-8"))
            if isinstance(included, dict):
                raw = {**included, **raw}
        return EvalSet.model_validate(raw)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise EvalError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise EvalError(f"{path}: {where}: {first['msg']}") from None


def gather_corpus(eval_file: Path, eval_set: EvalSet, into: Path) -> None:
    """Copy the set's corpus (folders of articles, or single files) into one folder; of two files
    with one name, the first listed wins (the first glossary)."""
    for path in corpus_files(eval_file, eval_set):
        if not (into / path.name).exists():
            shutil.copyfile(path, into / path.name)


def corpus_files(eval_file: Path, eval_set: EvalSet) -> list[Path]:
    """The files a question set's corpus names: each listed file, and the files of each folder."""
    files: list[Path] = []
    for entry in eval_set.corpus:
        source = (eval_file.parent / entry).resolve()
        if source.is_file():
            files.append(source)
        elif source.is_dir():
            files += sorted(p for p in source.iterdir() if p.is_file())
        else:
            raise EvalError(f"{eval_file}: corpus entry {entry} does not exist")
    return files


def _rank(question: EvalQuestion, answer: Answer) -> int | None:
    for citation in answer.citations:
        if question.answered_by(citation.article_id, citation.quote):
            return citation.n
    return None


def _share(part: int, whole: int) -> float:
    # An empty group has nothing wrong in it: its share of successes is 1.
    return part / whole if whole else 1.0


def report_of(results: Sequence[QuestionResult]) -> EvalReport:
    """The figures of a list of results (one question file, or the folds of a cross-validation)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    offtopic = [r for r in unanswerable if r.kind == "offtopic"]
    in_domain = [r for r in unanswerable if r.kind == "in_domain"]
    abstained = [r for r in results if r.abstained]
    return EvalReport(
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        offtopic=len(offtopic),
        in_domain=len(in_domain),
        top1=_share(sum(r.rank == 1 for r in answerable), len(answerable)),
        top3=_share(sum(r.rank is not None and r.rank <= 3 for r in answerable), len(answerable)),
        mrr=sum(1 / r.rank for r in answerable if r.rank) / len(answerable) if answerable else 0.0,
        abstention_precision=_share(sum(not r.answerable for r in abstained), len(abstained)),
        abstention_recall=_share(sum(r.abstained for r in unanswerable), len(unanswerable)),
        offtopic_abstained=_share(sum(r.abstained for r in offtopic), len(offtopic)),
        in_domain_abstained=_share(sum(r.abstained for r in in_domain), len(in_domain)),
        answerable_abstained=_share(sum(r.abstained for r in answerable), len(answerable)) if answerable else 0.0,
        results=list(results),
    )


def result_of(question: EvalQuestion, answer: Answer) -> QuestionResult:
    return QuestionResult(
        question=question.question,
        answerable=question.answerable,
        kind=question.kind,
        article=question.article,
        abstained=answer.abstained,
        rank=_rank(question, answer) if question.answerable else None,
    )


def evaluate(eval_set: EvalSet, ask: Callable[[str], Answer]) -> EvalReport:
    return report_of([result_of(q, ask(q.question)) for q in eval_set.questions])

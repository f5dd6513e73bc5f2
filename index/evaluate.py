"""Scoring the answerer on a question file: hit rates, MRR and abstention quality."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from index.answer import Answer
from index.yamlfile import load_yaml


class EvalError(ValueError):
    """The question file is unusable; the message says why."""


class EvalQuestion(BaseModel):
    question: str = Field(min_length=1)
    answerable: bool = True
    article: str | None = None  # id of the article holding the gold sentence
    gold: str | None = None  # the sentence that answers the question, verbatim

    @model_validator(mode="after")
    def _gold_for_answerable(self) -> EvalQuestion:
        if self.answerable and not (self.article and self.gold):
            raise ValueError("an answerable question needs `article` and `gold`")
        return self


class EvalSet(BaseModel):
    corpus: list[str] = Field(default_factory=list)  # article folders, relative to the file
    questions: list[EvalQuestion]


class QuestionResult(BaseModel):
    question: str
    answerable: bool
    abstained: bool
    rank: int | None  # 1-based position of the first citation quoting the gold sentence


class EvalReport(BaseModel):
    answerable: int
    unanswerable: int
    top1: float
    top3: float
    mrr: float
    abstention_precision: float  # of the questions abstained on, the share that were unanswerable
    abstention_recall: float  # of the unanswerable questions, the share abstained on
    answerable_abstained: float  # of the answerable questions, the share wrongly abstained on
    results: list[QuestionResult]


def load_eval_set(path: Path) -> EvalSet:
    try:
        return EvalSet.model_validate(load_yaml(path.read_text(encoding="utf-8")))
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


def _same(a: str, b: str) -> bool:
    a, b = " ".join(a.split()), " ".join(b.split())
    return a in b or b in a


def _rank(question: EvalQuestion, answer: Answer) -> int | None:
    for citation in answer.citations:
        if citation.article_id == question.article and question.gold and _same(citation.quote, question.gold):
            return citation.n
    return None


def _share(part: int, whole: int) -> float:
    # An empty group has nothing wrong in it: its share of successes is 1.
    return part / whole if whole else 1.0


def evaluate(eval_set: EvalSet, ask: Callable[[str], Answer]) -> EvalReport:
    results = []
    for q in eval_set.questions:
        answer = ask(q.question)
        rank = _rank(q, answer) if q.answerable else None
        results.append(
            QuestionResult(question=q.question, answerable=q.answerable, abstained=answer.abstained, rank=rank)
        )
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    abstained = [r for r in results if r.abstained]
    return EvalReport(
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        top1=_share(sum(r.rank == 1 for r in answerable), len(answerable)),
        top3=_share(sum(r.rank is not None and r.rank <= 3 for r in answerable), len(answerable)),
        mrr=sum(1 / r.rank for r in answerable if r.rank) / len(answerable) if answerable else 0.0,
        abstention_precision=_share(sum(not r.answerable for r in abstained), len(abstained)),
        abstention_recall=_share(sum(r.abstained for r in unanswerable), len(unanswerable)),
        answerable_abstained=_share(sum(r.abstained for r in answerable), len(answerable)) if answerable else 0.0,
        results=results,
    )

"""The signals per candidate sentence and per question, read off a small index."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.answering.answer import gather, rank
from index.answering.features import SENTENCE_FEATURES
from index.answering.ranker import QUESTION_FEATURES
from index.service import SearchService
from index.storage.build import build_index
from tests.fakes import HashEmbedder, transparent_ranker

AUSTRALIA = """---
title: Japan and Australia sign access agreement
published: 2022-01-06
---
Japan and Australia signed a reciprocal access agreement on Thursday.

Prime Minister Scott Morrison said the deal would deepen defence ties.
"""
PHILIPPINES = """---
title: Japan and the Philippines sign access agreement
published: 2024-07-08
---
Japan and the Philippines signed a reciprocal access agreement in Manila.

Foreign Minister Yoko Kamikawa said the deal would deepen defence ties.
"""


def searcher(tmp_path: Path, embedder: HashEmbedder):  # type: ignore[no-untyped-def]
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "japan-australia.md").write_text(AUSTRALIA, encoding="utf-8")
    (knowledge / "japan-philippines.md").write_text(PHILIPPINES, encoding="utf-8")
    build_index(knowledge, tmp_path / "data", embedder)
    return SearchService(knowledge, tmp_path / "data", embedder, ranker=transparent_ranker()).searcher


def column(name: str) -> int:
    return SENTENCE_FEATURES.index(name)


def rows_by_text(s, question: str) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    seen = gather(s, question)
    texts = [s.data.passages[h.row].sentence(h.sentence) for h in seen.hits]
    assert seen.features.shape == (len(texts), len(SENTENCE_FEATURES))
    return dict(zip(texts, seen.features, strict=True))


def test_the_article_about_the_countries_asked_about_has_the_stronger_article_signal(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    rows = rows_by_text(searcher(tmp_path, fake_embedder), "did japan and the philippines sign the access deal")
    right = rows["Japan and the Philippines signed a reciprocal access agreement in Manila."]
    wrong = rows["Japan and Australia signed a reciprocal access agreement on Thursday."]
    for name in ("names_in_article", "names_in_lead"):
        assert right[column(name)] > wrong[column(name)]
    assert right[column("names_elsewhere")] < wrong[column("names_elsewhere")]


def test_a_who_question_marks_sentences_that_name_a_person_the_question_does_not(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    rows = rows_by_text(searcher(tmp_path, fake_embedder), "who said the access deal would deepen defence ties")
    person = rows["Prime Minister Scott Morrison said the deal would deepen defence ties."]
    none = rows["Japan and Australia signed a reciprocal access agreement on Thursday."]
    assert person[column("kind_held")] == 1 and person[column("kind_new")] == 1
    assert none[column("kind_held")] == 0 and none[column("kind_asked_none")] == 1


def test_a_when_question_marks_a_relative_date_and_other_questions_do_not(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    s = searcher(tmp_path, fake_embedder)
    sentence = "Japan and Australia signed a reciprocal access agreement on Thursday."
    assert rows_by_text(s, "what day did japan and australia sign")[sentence][column("relative_date")] == 1
    assert rows_by_text(s, "did japan and australia sign")[sentence][column("relative_date")] == 0


def test_question_features_flag_a_kind_no_candidate_holds_and_words_no_article_has(
    tmp_path: Path, fake_embedder: HashEmbedder
) -> None:
    s = searcher(tmp_path, fake_embedder)
    ranker = transparent_ranker()
    row = dict(
        zip(
            QUESTION_FEATURES,
            rank(s, gather(s, "how many tanks did japan buy from australia"), ranker).question_row,
            strict=True,
        )
    )
    assert row["kind_missing"] == 1 and row["kind_missing_top3"] == 1
    unknown = row["unknown_terms"]  # "tanks" and "buy" are in no article
    row = dict(
        zip(
            QUESTION_FEATURES,
            rank(s, gather(s, "who said the deal would deepen defence ties"), ranker).question_row,
            strict=True,
        )
    )
    assert row["kind_missing"] == 0 and row["unknown_terms"] < unknown

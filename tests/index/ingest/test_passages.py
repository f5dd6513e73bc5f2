from __future__ import annotations

from pathlib import Path

from index.ingest.articles import parse_article, read_article
from index.ingest.passages import sentence_starts, split_article
from tests.conftest import FIXTURE_ARTICLES, SEED


def words(text: str) -> int:
    return len(text.split())


def test_short_paragraphs_are_one_passage_each() -> None:
    article = read_article(SEED)
    passages = split_article(article, words, max_tokens=254)
    assert [p.paragraph for p in passages] == list(range(1, 21))
    assert all(p.part == 0 and p.text == article.paragraphs[p.paragraph - 1] for p in passages)


def test_credit_lines_are_in_no_passage_so_no_answer_quotes_one() -> None:
    article = read_article(SEED)
    assert article.credits  # "extra reporting by …", "… on Twitter"
    texts = [p.text for p in split_article(article, words, max_tokens=254)]
    assert not any(credit in text for credit in article.credits for text in texts)


def test_long_paragraph_is_split_at_sentence_boundaries_within_the_window() -> None:
    article = read_article(FIXTURE_ARTICLES / "gcap-fighter.md")
    longest = max(range(len(article.paragraphs)), key=lambda i: words(article.paragraphs[i]))
    paragraph = article.paragraphs[longest]
    assert words(paragraph) > 254
    passages = [p for p in split_article(article, words, max_tokens=100) if p.paragraph == longest + 1]
    assert len(passages) >= 3
    assert [p.part for p in passages] == list(range(len(passages)))
    for passage in passages:
        assert paragraph[passage.offset : passage.offset + len(passage.text)] == passage.text
        assert words(passage.text) <= 100
        for i in range(len(passage.sentences)):
            assert passage.sentence(i) in paragraph
    # Nothing lost: the parts put together are the paragraph.
    assert " ".join(p.text for p in passages) == " ".join(paragraph.split(" "))


def test_a_single_sentence_longer_than_the_window_stays_whole() -> None:
    text = "word " * 50 + "end."
    article = parse_article(Path("long.txt"), text.encode())
    (passage,) = split_article(article, words, max_tokens=10)
    assert passage.text == text.strip()


def test_sentence_starts_index_the_flat_sentence_matrix() -> None:
    article = parse_article(Path("a.txt"), b"One. Two.\nThree.\nFour. Five. Six.\n")
    passages = split_article(article, words, max_tokens=100)
    assert sentence_starts(passages).tolist() == [0, 2, 3, 6]

"""Property-based tests: any bytes or text give an article or a clear ArticleError, nothing else."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from index.articles import ArticleError, parse_article
from index.passages import split_article
from index.sentences import sentence_spans

NAMES = st.sampled_from(["a.md", "b.txt", "c.MD", "x.pdf", ".hidden.txt", "ok-name_1.txt"])


@settings(max_examples=300, deadline=None)
@given(name=NAMES, raw=st.binary(max_size=2000))
def test_random_bytes_never_escape_as_anything_but_article_error(name: str, raw: bytes) -> None:
    try:
        article = parse_article(Path(name), raw)
    except ArticleError as exc:
        assert str(exc)
    else:
        assert article.paragraphs and all(p == p.strip() and p for p in article.paragraphs)


@settings(max_examples=300, deadline=None)
@given(body=st.text(max_size=3000), bom=st.booleans())
def test_random_text_paragraphs_and_sentences_are_exact_slices(body: str, bom: bool) -> None:
    raw = (("\ufeff" if bom else "") + body).encode("utf-8", errors="surrogatepass")
    try:
        article = parse_article(Path("a.txt"), raw)
    except (ArticleError, UnicodeEncodeError):
        return
    for paragraph in article.paragraphs:
        for start, end in sentence_spans(paragraph):
            assert 0 <= start < end <= len(paragraph)
            assert paragraph[start:end].strip() == paragraph[start:end]
    for passage in split_article(article, lambda text: len(text.split()), max_tokens=20):
        paragraph = article.paragraphs[passage.paragraph - 1]
        assert paragraph[passage.offset : passage.offset + len(passage.text)] == passage.text


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.dates().map(str),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(
    meta=st.dictionaries(st.sampled_from(["title", "publisher", "published", "source", "authors", "x"]), YAML_VALUES)
)
def test_odd_front_matter_is_accepted_or_rejected_with_a_reason(meta: dict[str, object]) -> None:
    raw = f"---\n{yaml.safe_dump(meta)}---\nA paragraph.\n".encode()
    try:
        article = parse_article(Path("a.md"), raw)
    except ArticleError as exc:
        assert "front matter" in str(exc)
    else:
        assert article.paragraphs == ["A paragraph."]


def test_a_huge_line_is_one_paragraph() -> None:
    line = "word " * 50_000
    article = parse_article(Path("a.txt"), line.encode())
    assert article.paragraphs == [line.strip()]

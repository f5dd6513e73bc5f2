"""Property-based tests: any bytes or text give an article or a clear ArticleError, nothing else."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from index.ingest.articles import ArticleError, parse_article
from index.ingest.passages import split_article
from index.ingest.sentences import sentence_spans

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


# Values as people type them, unquoted: the YAML parser reads these as dates, times, numbers,
# lists or mappings, and many of them are no real date ("2025-13-45") or no text at all.
_NUMBER = st.integers(min_value=0, max_value=99).map(lambda n: f"{n:02d}")
IMPOSSIBLE_DATES = st.builds(lambda y, m, d: f"{y}-{m}-{d}", st.integers(1000, 9999), _NUMBER, _NUMBER)
TIMES = st.builds(
    lambda d, h, m, z: f"{d}T{h}:{m}:00{z}", IMPOSSIBLE_DATES, _NUMBER, _NUMBER, st.sampled_from(["", "Z"])
)
NUMBERS = (
    st.integers().map(str) | st.floats(allow_nan=True).map(str) | st.sampled_from([".inf", "-.nan", "1e999", "0x1F"])
)
TAGGED = st.sampled_from(["!!float abc", "!!int x", "!!timestamp nope", "!!binary ***", "!!bool maybe", "!!str"])
FLOW = st.recursive(
    IMPOSSIBLE_DATES | NUMBERS | st.sampled_from(["null", "~", "yes", "", "[]", "{}"]),
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
        | st.lists(inner, max_size=3).map(lambda xs: "{" + ", ".join(f"k{i}: {x}" for i, x in enumerate(xs)) + "}")
    ),
    max_leaves=12,
)
DEEP = st.integers(1, 400).map(lambda depth: "[" * depth + "1" + "]" * depth)
HUGE = st.integers(1_000, 200_000).map(lambda n: "x" * n)
RAW_VALUES = IMPOSSIBLE_DATES | TIMES | NUMBERS | TAGGED | FLOW | DEEP | HUGE


@settings(max_examples=600, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from(["title", "publisher", "published", "source", "authors", "x"]), RAW_VALUES, min_size=1
    )
)
def test_semantically_bad_front_matter_values_are_rejected_with_the_field_or_accepted(fields: dict[str, str]) -> None:
    front = "".join(f"{key}: {value}\n" for key, value in fields.items())
    raw = f"---\n{front}---\nA paragraph.\n".encode()
    try:
        article = parse_article(Path("a.md"), raw)
    except ArticleError as exc:
        assert str(exc).startswith("front matter"), exc
        assert len(str(exc)) < 300  # one line a person reads, not the value itself
    else:
        assert article.paragraphs == ["A paragraph."]
        assert isinstance(article.title, str) and all(isinstance(a, str) for a in article.authors)


def test_an_impossible_date_names_the_field_and_the_value() -> None:
    raw = b"---\ntitle: T\npublished: 2025-13-45\n---\nA paragraph.\n"
    try:
        parse_article(Path("a.md"), raw)
    except ArticleError as exc:
        assert str(exc) == "front matter: published: 2025-13-45 is not a date (write YYYY-MM-DD)"
    else:
        raise AssertionError("an impossible date was accepted")


def test_a_huge_line_is_one_paragraph() -> None:
    line = "word " * 50_000
    article = parse_article(Path("a.txt"), line.encode())
    assert article.paragraphs == [line.strip()]


CREDIT_LIKE = st.sampled_from(
    [
        "Reporting by Jane Doe",
        "Reporting by the BBC suggested a deal.",
        "Follow Jane Doe on Twitter",
        "Photo: Reuters",
        "(Editing by Richard Roe)",
        "The pact was signed.",
        "By December, a deal.",
    ]
)
LINES = st.lists(
    CREDIT_LIKE | st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=80), max_size=12
)


@settings(max_examples=300, deadline=None)
@given(lines=LINES)
def test_every_line_is_a_paragraph_or_a_credit_and_none_is_lost(lines: list[str]) -> None:
    raw = "\n".join(["Opening paragraph.", *lines]).encode()
    try:
        article = parse_article(Path("a.txt"), raw)
    except ArticleError as exc:
        assert str(exc)
        return
    kept = [line.strip() for line in raw.decode().splitlines() if line.strip()]
    assert sorted(article.paragraphs + article.credits) == sorted(kept)
    assert not set(article.paragraphs) & set(article.credits)

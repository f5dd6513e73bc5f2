from __future__ import annotations

import datetime as dt

import discord

from bot.embeds import DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, TITLE_LIMIT, answer_embed, sources_pages
from index.answering.answer import Answer
from index.citation import Citation
from index.ingest.articles import ArticleEntry
from index.storage.store import Manifest


def citation(n: int, quote: str, source: str | None = "https://example.org/a") -> Citation:
    return Citation(
        n=n,
        article_id=f"article-{n}",
        title=f"Title {n}",
        publisher="Test Wire",
        published=dt.date(2024, 7, 8),
        source=source,
        paragraph=n + 2,
        quote=quote,
        score=1.0,
    )


def answer(*citations: Citation, question: str = "Who signed?") -> Answer:
    return Answer(question=question, abstained=False, answer="", citations=list(citations))


def test_quotes_markers_and_sources_in_order() -> None:
    embed = answer_embed(answer(citation(1, "Japan signed."), citation(2, "The UK signed too.")))
    assert embed.title == "Who signed?"
    description = embed.description or ""
    quotes, sources = description.split("\n\n**Sources**\n")
    assert quotes.splitlines() == ["> “Japan signed.” [1]", "> “The UK signed too.” [2]"]
    assert sources.splitlines()[0] == "[1] Title 1 — Test Wire, 2024-07-08 — paragraph 3 <https://example.org/a>"


def test_markdown_in_quotes_is_escaped_and_mentions_stay_text() -> None:
    embed = answer_embed(answer(citation(1, "**Bold** claim by @everyone _here_")))
    assert r"\*\*Bold\*\* claim by @everyone \_here\_" in (embed.description or "")


def test_long_answers_drop_whole_citations_never_half_of_one() -> None:
    long_quote = "A sentence about the pact that goes on and on. " * 30  # about 1400 characters
    citations = [citation(n, long_quote.strip()) for n in range(1, 8)]
    embed = answer_embed(answer(*citations, question="Q" * 400))
    description = embed.description or ""
    assert len(embed.title or "") <= TITLE_LIMIT and len(description) <= DESCRIPTION_LIMIT
    assert len(embed) <= EMBED_TOTAL_LIMIT
    shown = [n for n in range(1, 8) if f"” [{n}]" in description]
    assert shown == list(range(1, len(shown) + 1)) and 1 <= len(shown) < 7
    for n in shown:  # each shown marker has its whole source line
        assert f"[{n}] Title {n} — Test Wire, 2024-07-08 — paragraph {n + 2} <https://example.org/a>" in description
    assert "[7]" not in description


def test_a_single_huge_quote_is_shortened_but_keeps_its_marker_and_source() -> None:
    embed = answer_embed(answer(citation(1, "word " * 2000)))
    description = embed.description or ""
    assert len(description) <= DESCRIPTION_LIMIT and len(embed) <= EMBED_TOTAL_LIMIT
    assert "…” [1]" in description
    assert description.endswith("[1] Title 1 — Test Wire, 2024-07-08 — paragraph 3 <https://example.org/a>")


def test_abstentions_say_so_plainly() -> None:
    embed = answer_embed(Answer(question="Peru?", abstained=True, answer="I found nothing."))
    assert embed.description == "I found nothing." and embed.colour == discord.Colour.light_grey()


def test_sources_are_paginated_newest_first() -> None:
    articles = [
        ArticleEntry(
            id=f"a{i}", file=f"a{i}.md", sha256="0", title=f"Article {i}", published=dt.date(2020, 1, i + 1), passages=1
        )
        for i in range(23)
    ]
    manifest = Manifest(
        version="v",
        created=dt.datetime.now(dt.UTC),
        model="m",
        dimension=1,
        max_tokens=1,
        passage_count=23,
        articles=articles,
    )
    pages = sources_pages(manifest, per_page=10)
    assert len(pages) == 3
    assert (pages[0].description or "").splitlines()[0].startswith("**2020-01-23** Article 22")
    assert pages[2].footer.text == "Page 3 of 3"
    assert sum(len((p.description or "").splitlines()) for p in pages) == 23


def test_agreement_embeds_use_the_one_status_vocabulary_and_date_steps_by_the_event() -> None:
    from bot.pacts import agreements_embed
    from index.pacts.agreements import Agreement, AgreementsAnswer, TimelineEntry
    from index.pacts.countries import resolve

    said = citation(1, "Japan signed a similar deal with the UK in 2023.")
    vague = citation(2, "Japan and the UK discussed their partnership.")
    agreement = Agreement(name="partnership", parties=["GBR", "JPN"], status=None, date=None, citations=[vague])
    answer = AgreementsAnswer(
        query="Japan",
        country=resolve("Japan"),
        partner=resolve("UK"),
        agreements=[agreement],
        timeline=[
            TimelineEntry(date=dt.date(2024, 7, 8), when="2023", name="RAA", status="signed", citation=said),
            TimelineEntry(date=dt.date(2024, 7, 8), name="partnership", status=None, citation=vague),
        ],
    )
    text = agreements_embed(answer).description or ""
    assert "**partnership**: status unknown" in text
    assert "**2023** RAA: signed" in text and "**2024-07-08** partnership: status unknown" in text
    assert '"status":"status unknown"' in answer.model_dump_json()

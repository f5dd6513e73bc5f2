"""Answers and listings as Discord embeds, always within Discord's limits.

Citations are kept whole: when an answer is too long, whole citations (quote and source line
together) are dropped from the end; only a single quote too long on its own is shortened, with
an ellipsis, and its marker and source line stay intact.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord.utils import escape_markdown

from bot.render import source_line
from index.answering.answer import Answer
from index.citation import Citation, quoted
from index.ingest.articles import ArticleEntry
from index.storage.store import Manifest
from index.text import clip

# Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000

# Nothing Pactbot posts pings anyone: quotes, titles and reports may contain @everyone.
NO_PINGS = discord.AllowedMentions.none()
ANSWER_COLOUR = discord.Colour.blurple()
ABSTAIN_COLOUR = discord.Colour.light_grey()
FOOTER = "Quoted verbatim from the indexed articles. Rate this answer below."


def _quote_line(c: Citation, limit: int | None = None) -> str:
    # Resolved dates go beside the quote, never inside it: the quote stays verbatim.
    marker = (f" ({escape_markdown('; '.join(c.dates))})" if c.dates else "") + f" [{c.n}]"
    quote = escape_markdown(c.quote)
    if limit is not None:
        quote = clip(quote, max(limit - len(marker) - 4, 1))
    return f"> {quoted(quote)}{marker}"


def _source(c: Citation) -> str:
    return escape_markdown(source_line(c))


def _description(citations: Sequence[Citation], quote_limit: int | None = None) -> str:
    quotes = "\n".join(_quote_line(c, quote_limit) for c in citations)
    sources = "\n".join(_source(c) for c in citations)
    return f"{quotes}\n\n**Sources**\n{sources}"


def answer_embed(answer: Answer) -> discord.Embed:
    """The answer as an embed: question as title, quotes with [n] markers, then numbered sources."""
    title = clip(answer.question, TITLE_LIMIT)
    if answer.abstained:
        return discord.Embed(title=title, description=escape_markdown(answer.answer), colour=ABSTAIN_COLOUR)
    budget = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(title) - len(FOOTER))
    citations = list(answer.citations)
    description = _description(citations)
    while len(description) > budget and len(citations) > 1:
        citations.pop()
        description = _description(citations)
    if len(description) > budget:
        # One citation too long by itself: shorten its quote, never its marker or source.
        overflow = len(description) - budget
        description = _description(citations, quote_limit=len(_quote_line(citations[0])) - overflow)
    embed = discord.Embed(title=title, description=description, colour=ANSWER_COLOUR)
    embed.set_footer(text=FOOTER)
    return embed


def sources_pages(manifest: Manifest, per_page: int = 10) -> list[discord.Embed]:
    """The indexed articles, newest first, `per_page` to an embed."""
    articles = sorted(manifest.articles, key=lambda a: (a.published is not None, a.published), reverse=True)
    pages = [articles[i : i + per_page] for i in range(0, len(articles), per_page)] or [[]]
    embeds = []
    for number, page in enumerate(pages, start=1):
        lines = [_article_line(a) for a in page] or ["No articles are indexed yet."]
        embed = discord.Embed(
            title=f"Indexed articles ({len(articles)})", description="\n".join(lines), colour=ANSWER_COLOUR
        )
        embed.set_footer(text=f"Page {number} of {len(pages)}")
        embeds.append(embed)
    return embeds


def _article_line(a: ArticleEntry) -> str:
    date = a.published.isoformat() if a.published else "undated"
    title = escape_markdown(clip(a.title, 200))
    if a.source:
        title = f"[{title}]({a.source})"
    publisher = f" — {escape_markdown(a.publisher)}" if a.publisher else ""
    return clip(f"**{date}** {title}{publisher}", 400)


def about_embed(manifest: Manifest) -> discord.Embed:
    embed = discord.Embed(
        title="Pactbot",
        description=(
            "I answer questions about international defence pacts by quoting news articles "
            "verbatim, with numbered citations. I never write answers of my own, and I say so "
            "when the articles do not answer a question.\n\n"
            "Ask with `/ask`, mention me, or reply to one of my answers to follow up."
        ),
        colour=ANSWER_COLOUR,
    )
    embed.add_field(name="Articles", value=str(len(manifest.articles)))
    embed.add_field(name="Passages", value=str(manifest.passage_count))
    embed.add_field(name="Index built", value=discord.utils.format_dt(manifest.created, "f"))
    embed.add_field(name="Embedding model", value=manifest.model)
    return embed

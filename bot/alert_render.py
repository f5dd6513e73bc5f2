"""Pact events as Discord messages: an alert embed per event, batches within Discord's limits,
and the pages of /digest. Quotes are shortened only when one alone would not fit, never cut
from their source line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.embeds import CONTENT_LIMIT, DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, TITLE_LIMIT
from bot.render import source_text
from index.citation import quoted
from index.pacts.countries import name_of
from index.pacts.pact_events import KIND_WORDS, EventKind, PactEvent
from index.text import clip, counted

EMBEDS_PER_MESSAGE = 5  # the limit, well within Discord's 10
QUOTE_LIMIT = 700  # five alerts of this size stay under the 6000 characters a message's embeds may hold
LINE_LIMIT = 300  # one summary line
COLOURS: dict[EventKind, discord.Colour] = {
    "new_agreement": discord.Colour.green(),
    "new_party": discord.Colour.teal(),
    "status_change": discord.Colour.gold(),
    "date_given": discord.Colour.light_grey(),
}


def event_embed(event: PactEvent) -> discord.Embed:
    """One alert: the parties and the agreement, what changed, the quote and its source."""
    c = event.citation
    lines = [f"**{KIND_WORDS[event.kind].capitalize()}**: {escape_markdown(event.change())}"]
    if event.kind == "new_party":
        lines.append(f"Members now: {escape_markdown(', '.join(name_of(p) for p in event.parties))}")
    if event.weak:
        lines.append("⚠️ Only one sentence reports this: check the source before relying on it.")
    if event.correction:
        lines.append("From a moderator's correction.")
    lines.append(f"> {quoted(escape_markdown(clip(c.quote, QUOTE_LIMIT)))}")
    lines.append(f"> — {escape_markdown(clip(source_text(c), 400))}")
    embed = discord.Embed(
        title=clip(f"{event.party_names()}: {event.agreement}", TITLE_LIMIT),
        description=clip("\n".join(lines), DESCRIPTION_LIMIT),
        url=c.source or None,
        colour=COLOURS[event.kind],
    )
    embed.set_footer(text=f"Pact alert · reported {event.day.isoformat()} · event {event.id}")
    return embed


def summary_line(event: PactEvent) -> str:
    source = event.citation.source
    link = f" <{source}>" if source and len(source) <= LINE_LIMIT else ""  # a link too long to list is left out
    return f"• {escape_markdown(clip(event.line(), LINE_LIMIT))}{link}"


@dataclass
class Outgoing:
    """One message of a batch, and the events it carries."""

    content: str | None
    embeds: list[discord.Embed] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)


def batch_messages(events: Sequence[PactEvent]) -> list[Outgoing]:
    """A batch for one channel: up to EMBEDS_PER_MESSAGE alerts as embeds in one message, and the
    rest as one line each, in as few messages as fit; every event is in one of them."""
    ordered = sorted(events, key=lambda e: (e.day, e.recorded))
    first = Outgoing(content=None)
    size = 0
    for event in ordered[:EMBEDS_PER_MESSAGE]:
        embed = event_embed(event)
        if first.embeds and size + len(embed) > EMBED_TOTAL_LIMIT:
            break
        size += len(embed)
        first.embeds.append(embed)
        first.event_ids.append(event.id)
    rest = ordered[len(first.embeds) :]
    if not rest:
        return [first]
    first.content = escape_mentions(
        f"**{counted(len(ordered), 'pact event')}** from the latest news: {len(first.embeds)} below, "
        f"{len(rest)} more listed after. `/digest` shows them all with their quotes."
    )
    messages = [first]
    current = Outgoing(content="")
    for event in rest:
        line = escape_mentions(summary_line(event))
        if current.event_ids and len(current.content or "") + len(line) + 1 > CONTENT_LIMIT:
            messages.append(current)
            current = Outgoing(content="")
        current.content = f"{current.content}\n{line}" if current.content else line
        current.event_ids.append(event.id)
    messages.append(current)
    return messages


def _digest_block(event: PactEvent) -> str:
    c = event.citation
    weak = " ⚠️ one sentence only" if event.weak else ""
    link = f" <{c.source}>" if c.source else ""
    return "\n".join(
        [
            f"**{event.day.isoformat()}** {escape_markdown(event.party_names())}: "
            f"**{escape_markdown(event.agreement)}**: {escape_markdown(event.change())}{weak}",
            f"> {quoted(escape_markdown(clip(c.quote, QUOTE_LIMIT)))}",
            f"> — {escape_markdown(clip(source_text(c), 400))}{link}",
        ]
    )


def digest_pages(events: Sequence[PactEvent], days: int, country: str | None, today: dt.date) -> list[discord.Embed]:
    """The events in date order, as many whole events to a page as fit."""
    where = f" involving {name_of(country)}" if country else ""
    title = clip(f"Pact events of the last {counted(days, 'day')}{where}", TITLE_LIMIT)
    since = today - dt.timedelta(days=days)
    if not events:
        empty = f"No pact events{where} were reported since {since.isoformat()}."
        return [discord.Embed(title=title, description=empty, colour=discord.Colour.blurple())]
    # Under the description limit, and under the message total with the title and footer beside it.
    budget = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(title) - 100)
    texts: list[str] = []
    for event in events:
        block = escape_mentions(_digest_block(event))
        if texts and len(texts[-1]) + len(block) + 2 <= budget:
            texts[-1] += "\n\n" + block
        else:
            texts.append(clip(block, budget))
    pages = []
    for number, text in enumerate(texts, start=1):
        page = discord.Embed(title=title, description=text, colour=discord.Colour.blurple())
        page.set_footer(
            text=f"{counted(len(events), 'event')} since {since.isoformat()} · page {number} of {len(texts)}"
        )
        pages.append(page)
    return pages

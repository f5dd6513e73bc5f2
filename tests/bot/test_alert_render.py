"""Alerts and digests within Discord's limits, whatever the quotes and names are like."""

from __future__ import annotations

import datetime as dt

from bot.alert_render import batch_messages, digest_pages, event_embed
from bot.embeds import CONTENT_LIMIT, DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT
from index.pacts.pact_events import PactEvent, event_id
from tests.index.pacts.test_pact_events import event


def long_event(n: int) -> PactEvent:
    made = event("2024-01-01", ["JPN", "DEU"], n)
    citation = made.citation.model_copy(
        update={
            "quote": f"@everyone sentence {n} " + "word " * 800,
            "title": "T" * 500,
            "source": "https://x.org/" + "p" * 400,
        }
    )
    return made.model_copy(
        update={"id": event_id(n), "agreement": f"@everyone Accord {n} " + "Name " * 60, "citation": citation}
    )


def test_batches_keep_every_event_once_within_the_limits() -> None:
    events = [long_event(n) for n in range(60)]
    messages = batch_messages(events)
    ids = [i for m in messages for i in m.event_ids]
    assert sorted(ids) == sorted(e.id for e in events)
    first, *rest = messages
    assert 1 <= len(first.embeds) <= 5 and sum(len(e) for e in first.embeds) <= EMBED_TOTAL_LIMIT
    assert all(len(e.title or "") <= 256 and len(e.description or "") <= DESCRIPTION_LIMIT for e in first.embeds)
    assert all(len(m.content or "") <= CONTENT_LIMIT for m in messages) and not any(m.embeds for m in rest)
    assert all("@everyone" not in (m.content or "") for m in messages)  # escaped: never a ping
    assert batch_messages(events[:3])[0].content is None and len(batch_messages(events[:3])) == 1


def test_an_alert_shows_the_change_the_quote_and_the_source() -> None:
    signed = event("2024-03-05", ["JPN", "DEU"], 1).model_copy(
        update={"kind": "status_change", "old_status": "negotiating", "when": "2024-03-05"}
    )
    embed = event_embed(signed)
    assert embed.title == "Germany and Japan: Reciprocal Access Agreement"
    assert "**Status change**: negotiating → signed (2024-03-05)" in (embed.description or "")
    assert "> “x1 says Reciprocal Access Agreement is signed.”" in (embed.description or "")
    assert "Title of x1 — 2024-03-05 — paragraph 1" in (embed.description or "")


def test_digest_pages_hold_whole_events_in_order() -> None:
    events = [long_event(n) for n in range(30)]
    pages = digest_pages(events, 7, None, dt.date(2024, 1, 5))
    assert len(pages) > 1 and all(len(p) <= EMBED_TOTAL_LIMIT for p in pages)
    assert all(len(p.description or "") <= DESCRIPTION_LIMIT for p in pages)
    shown = [f"sentence {n} " in "".join(p.description or "" for p in pages) for n in range(30)]
    assert all(shown) and pages[-1].footer.text and f"page {len(pages)} of {len(pages)}" in pages[-1].footer.text
    [empty] = digest_pages([], 7, "JPN", dt.date(2024, 1, 5))
    assert empty.description == "No pact events involving Japan were reported since 2023-12-29."

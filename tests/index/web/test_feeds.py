"""Following feeds, end to end against the web server on 127.0.0.1: Atom and RSS feeds that gain
items between polls, a feed of 5,000 items, broken XML, and feeds that keep failing."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from index.service import SearchService
from index.web.feeds import (
    DISABLE_AFTER,
    FIRST_POLL_ITEMS,
    MAX_ITEMS_PER_POLL,
    STATE_FILE,
    FeedBook,
    FeedError,
    parse_feed,
    poll_feeds,
)
from index.web.fetch import FetchLimits
from tests.fakes import HashEmbedder, transparent_ranker
from tests.web_server import FEED_STATUS, FEEDS, story

LIMITS = FetchLimits(allow_private=True, total_timeout=5.0, read_timeout=3.0, max_bytes=5_000_000)
T0 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def new_feed(*stories: int) -> str:
    """A feed of its own on the test server (the server is shared by the module's tests)."""
    name = uuid.uuid4().hex[:12]
    FEEDS[name] = list(stories)
    return name


def indexed_titles(indexed_service: SearchService) -> set[str]:
    return {a.title or "" for a in indexed_service.searcher.data.manifest.articles}


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_a_feed_gaining_items_is_ingested_once_across_polls_and_restarts(
    site: str, indexed_service: SearchService, data_dir: Path, fake_embedder: HashEmbedder, kind: str
) -> None:
    name = new_feed(1, 2, 3, 4, 5)
    url = f"{site}/feeds/{name}.{kind}"
    before = indexed_titles(indexed_service)
    book = FeedBook(data_dir)
    feed = book.add(url, channel_id=42, limits=LIMITS)
    assert feed.title == f"{name} news" and not (indexed_service.knowledge_dir / "x").exists()
    assert indexed_titles(indexed_service) == before  # following a feed adds nothing by itself

    # The first poll takes only the newest few, oldest first, and passes over the rest.
    [first] = poll_feeds(indexed_service, book, LIMITS, now=T0)
    assert [i.added.title for i in first.items if i.added] == [story(n)[0] for n in (3, 4, 5)]
    assert first.passed_over == 5 - FIRST_POLL_ITEMS and first.channel_id == 42
    assert "3 articles added, 0 refused" in first.text() and "2 older items passed over" in first.text()
    assert indexed_titles(indexed_service) == before | {story(n)[0] for n in (3, 4, 5)}

    # Unchanged: a conditional GET, answered 304; nothing to post.
    [same] = poll_feeds(indexed_service, book, LIMITS, now=T0 + dt.timedelta(minutes=30))
    assert same.not_modified and not same.items and not same.worth_posting
    assert FEED_STATUS[f"/feeds/{name}.{kind}"][-1] == 304

    FEEDS[name] += [6, 7]
    [grown] = poll_feeds(indexed_service, book, LIMITS, now=T0 + dt.timedelta(minutes=60))
    assert [i.added.title for i in grown.items if i.added] == [story(6)[0], story(7)[0]]

    # A restart: a new indexed_service and book on the same folders take nothing twice.
    restarted = SearchService(indexed_service.knowledge_dir, data_dir, fake_embedder, ranker=transparent_ranker())
    files = sorted(p.name for p in indexed_service.knowledge_dir.iterdir())
    FEED_STATUS.clear()
    [again] = poll_feeds(restarted, FeedBook(data_dir), LIMITS, now=T0 + dt.timedelta(minutes=90))
    assert not again.items and sorted(p.name for p in indexed_service.knowledge_dir.iterdir()) == files
    assert indexed_titles(restarted) == before | {story(n)[0] for n in (3, 4, 5, 6, 7)}


def test_a_poll_takes_at_most_a_batch_and_leaves_the_rest_for_the_next(
    site: str, indexed_service: SearchService, data_dir: Path
) -> None:
    name = new_feed(20)
    book = FeedBook(data_dir)
    book.add(f"{site}/feeds/{name}.rss", None, LIMITS)
    poll_feeds(indexed_service, book, LIMITS, now=T0)
    FEEDS[name] += list(range(21, 21 + MAX_ITEMS_PER_POLL + 2))
    [batch] = poll_feeds(indexed_service, book, LIMITS, now=T0 + dt.timedelta(hours=1))
    [rest] = poll_feeds(indexed_service, book, LIMITS, now=T0 + dt.timedelta(hours=2))
    assert len(batch.items) == MAX_ITEMS_PER_POLL and len(rest.items) == 2
    taken = [i.link for i in batch.items + rest.items]
    assert len(set(taken)) == len(taken) == MAX_ITEMS_PER_POLL + 2


def test_a_feed_of_five_thousand_items_does_not_flood_the_index(
    site: str, indexed_service: SearchService, data_dir: Path
) -> None:
    book = FeedBook(data_dir)
    book.add(f"{site}/feeds/huge.rss", None, LIMITS)
    [first] = poll_feeds(indexed_service, book, LIMITS, now=T0)
    assert len(first.items) == FIRST_POLL_ITEMS and first.passed_over == 5_000 - FIRST_POLL_ITEMS
    assert all(i.added for i in first.items)
    [second] = poll_feeds(indexed_service, book, LIMITS, now=T0 + dt.timedelta(hours=1))
    assert not second.items  # all 5,000 remembered
    assert len(book.feeds()[0].seen) == 5_000


def test_a_broken_feed_is_reported_once_backs_off_then_is_disabled_and_never_blocks_the_others(
    site: str, indexed_service: SearchService, data_dir: Path
) -> None:
    good = new_feed(40)
    book = FeedBook(data_dir)
    book.add(f"{site}/feeds/{good}.atom", None, LIMITS)
    with pytest.raises(FeedError, match="not a readable RSS or Atom feed"):
        book.add(f"{site}/feeds/broken.xml", None, LIMITS)  # refused when added, too
    # It worked when added and broke later: force it into the state as followed.
    with book.edit() as state:
        state.feeds.append(state.feeds[0].model_copy(update={"url": f"{site}/feeds/broken.xml", "title": None}))
    before = indexed_titles(indexed_service)

    first = {r.feed: r for r in poll_feeds(indexed_service, book, LIMITS, now=T0)}
    broken = first[f"{site}/feeds/broken.xml"]
    assert broken.worth_posting and broken.error and "not a readable RSS or Atom feed" in broken.text()
    assert [i.added.title for i in first[f"{site}/feeds/{good}.atom"].items if i.added] == [story(40)[0]]

    # Not due again before its back-off; when polled, the same failure is not reported again.
    assert [r.feed for r in poll_feeds(indexed_service, book, LIMITS, now=T0 + dt.timedelta(minutes=31))] == [
        f"{site}/feeds/{good}.atom"
    ]
    retry = next(f for f in book.feeds() if f.url.endswith("broken.xml")).retry_at
    assert retry is not None and retry > T0 + dt.timedelta(minutes=31)
    [quiet] = [r for r in poll_feeds(indexed_service, book, LIMITS, now=retry) if r.feed.endswith("broken.xml")]
    assert not quiet.worth_posting
    later = next(f for f in book.feeds() if f.url.endswith("broken.xml")).retry_at
    assert later is not None and later - retry > retry - T0  # backs off: each wait longer than the last

    # After a day of failures: disabled, with a message, and never polled again.
    [last] = [
        r for r in poll_feeds(indexed_service, book, LIMITS, now=T0 + DISABLE_AFTER, due_only=False) if r.disabled
    ]
    assert "is no longer polled" in last.text() and "failed since 2026-12-01 12:00 UTC" in last.text()
    polled = [r.feed for r in poll_feeds(indexed_service, book, LIMITS, now=T0 + 2 * DISABLE_AFTER, due_only=False)]
    assert polled == [f"{site}/feeds/{good}.atom"]
    assert indexed_titles(indexed_service) == before | {story(40)[0]}  # nothing already indexed was lost


def test_truncated_xml_gives_the_items_that_can_be_read() -> None:
    body = b"<rss version='2.0'><channel><title>Cut</title><item><title>One</title><link>http://a/1</link></item><it"
    title, items = parse_feed(body, "http://a/feed")
    assert title == "Cut" and [i.link for i in items] == ["http://a/1"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/news/japan-uk-pact", r"is not a news feed \(text/html\)"),
        ("/to-private", "non-public address"),
        ("/loop", "redirects more than 5 times"),
        ("/feeds/missing.rss", "answered HTTP 404"),
    ],
)
def test_what_is_not_a_feed_is_refused_when_added(site: str, data_dir: Path, path: str, message: str) -> None:
    book = FeedBook(data_dir)
    limits = LIMITS if path != "/to-private" else LIMITS.model_copy(update={"allow_private": False})
    url = f"{site}{path}" if path != "/to-private" else "http://10.11.12.13/feed.rss"
    with pytest.raises(FeedError, match=message):
        book.add(url, None, limits)
    assert book.feeds() == []


def test_following_twice_removing_and_a_damaged_state_file(site: str, data_dir: Path) -> None:
    book = FeedBook(data_dir)
    url = f"{site}/feeds/{new_feed(1)}.rss"
    book.add(url, None, LIMITS)
    with pytest.raises(FeedError, match="already followed"):
        book.add(url, None, LIMITS)
    assert book.remove(url).url == url and book.feeds() == []
    with pytest.raises(FeedError, match="is not followed"):
        book.remove(url)
    (data_dir / STATE_FILE).write_text("{not json")
    with pytest.raises(FeedError, match="is damaged"):
        book.feeds()

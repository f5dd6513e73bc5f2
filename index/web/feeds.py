"""News feeds (RSS and Atom) that moderators follow: new items arrive by themselves.

A poll fetches each followed feed (conditionally, with the ETag and Last-Modified it last got,
so an unchanged feed costs one small request), parses it with feedparser, and adds each new
item's link through the same path as a moderator's link (index/web/links.py): safe fetch, article
extraction, duplicate checks, indexing. Rules that keep it calm:

* the first poll of a new feed takes only its newest FIRST_POLL_ITEMS items and passes over the
  rest, so following a busy feed does not flood the index; later polls take at most
  MAX_ITEMS_PER_POLL, oldest first, and leave the rest for the next poll;
* an item is remembered once it is added or refused, and the state is saved after each one, so
  no item is taken twice across restarts (and a link already indexed is refused anyway);
* a feed that fails backs off (the interval, doubled per failure, up to MAX_BACKOFF), is
  reported once, and is disabled after DISABLE_AFTER of failures, with a message; every fetch
  is bounded by the fetch limits, so a bad feed never holds up the others for long.

The state lives in `feeds.json` in the data folder, written atomically, and every change is a
read-modify-write under a file lock, so the bot and a `pactbot feeds` command can share it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import BaseModel, ValidationError

from index.files import write_atomically
from index.service import SearchService
from index.storage.store import BuildInProgressError
from index.text import counted
from index.web.fetch import FEED_TYPES, FetchError, FetchLimits, fetch
from index.web.links import Added, LinkError, add_link

log = logging.getLogger(__name__)

STATE_FILE = "feeds.json"
FIRST_POLL_ITEMS = 3
MAX_ITEMS_PER_POLL = 10
MAX_SEEN = 20_000  # item keys remembered per feed, newest kept
MAX_BACKOFF = dt.timedelta(hours=6)
DISABLE_AFTER = dt.timedelta(days=1)
DEFAULT_INTERVAL = dt.timedelta(minutes=30)


class FeedError(ValueError):
    """A feed that could not be followed or read; the message says why, in one line."""


class FeedItem(BaseModel):
    key: str  # the entry's id, else its link: what "seen" remembers
    link: str
    title: str
    published: dt.datetime | None


class Feed(BaseModel):
    url: str
    title: str | None = None
    channel_id: int | None = None  # where reports go; None: the log channel
    added_at: dt.datetime
    polled_at: dt.datetime | None = None  # the last successful poll; None until the first
    etag: str | None = None
    last_modified: str | None = None
    seen: list[str] = []  # keys of items added, refused or passed over, oldest first
    failures: int = 0
    failing_since: dt.datetime | None = None
    failure_reported: bool = False
    retry_at: dt.datetime | None = None
    disabled: str | None = None  # why polling stopped; None while it is followed

    def due(self, now: dt.datetime) -> bool:
        return self.disabled is None and (self.retry_at is None or self.retry_at <= now)

    def line(self) -> str:
        """'<url> (title): last polled 2026-12-01 12:00 UTC, 40 items seen, reports to <#42>; failing since …'."""
        polled = f"last polled {self.polled_at:%Y-%m-%d %H:%M} UTC" if self.polled_at else "not polled yet"
        where = f"reports to <#{self.channel_id}>" if self.channel_id else "reports to the log channel"
        state = ""
        if self.disabled:
            state = f"; DISABLED: {self.disabled}"
        elif self.failing_since:
            state = f"; failing since {self.failing_since:%Y-%m-%d %H:%M} UTC, next try {self.retry_at:%H:%M} UTC"
        title = f" ({self.title})" if self.title else ""
        return f"<{self.url}>{title}: {polled}, {counted(len(self.seen), 'item')} seen, {where}{state}"


class FeedState(BaseModel):
    feeds: list[Feed] = []

    def find(self, url: str) -> Feed | None:
        return next((f for f in self.feeds if f.url == url), None)


class ItemOutcome(BaseModel):
    link: str
    title: str
    added: Added | None = None
    refused: str | None = None  # why it was not added


class PollReport(BaseModel):
    """What one poll of one feed did, for the moderators' channel."""

    feed: str
    title: str | None
    channel_id: int | None
    not_modified: bool = False
    items: list[ItemOutcome] = []
    passed_over: int = 0  # older items a first poll did not take
    error: str | None = None  # a failure to report (the first of a run of failures)
    disabled: str | None = None  # set when this poll disabled the feed

    @property
    def worth_posting(self) -> bool:
        return bool(self.items or self.error or self.disabled)

    def text(self) -> str:
        name = f"{self.title} <{self.feed}>" if self.title else f"<{self.feed}>"
        if self.disabled:
            return f"Feed {name} is no longer polled: {self.disabled}. Remove it, or add it again once it works."
        if self.error:
            return f"Feed {name} failed: {self.error}. It will be retried later, less often."
        added = [i.added for i in self.items if i.added is not None]
        refused = [i for i in self.items if i.refused is not None]
        lines = [f"Feed {name}: {counted(len(added), 'article')} added, {len(refused)} refused."]
        lines += [f"added {a.summary()}" for a in added]
        lines += [f"refused {i.link}: {i.refused}" for i in refused]
        if self.passed_over:
            lines.append(f"({counted(self.passed_over, 'older item')} passed over on this first poll.)")
        return "\n".join(lines)


def _when(entry: dict[str, object]) -> dt.datetime | None:
    for field in ("published_parsed", "updated_parsed"):
        parsed = entry.get(field)
        if parsed:
            return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)  # type: ignore[arg-type]
    return None


def parse_feed(body: bytes, url: str) -> tuple[str | None, list[FeedItem]]:
    """The feed's title and its items with links, newest first. Raises FeedError for something
    that is not a feed, or a feed too broken to read any item from."""
    import feedparser  # only polling needs it

    parsed = feedparser.parse(body, response_headers={"content-location": url})
    # Broken XML with items still readable gives those items (feedparser reads what it can); an
    # empty feed is fine when it is well formed.
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        reason = getattr(problem, "getMessage", lambda: str(problem or "no RSS or Atom in it"))()
        raise FeedError(f"{url} is not a readable RSS or Atom feed ({reason})")
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        items.append(
            FeedItem(
                key=str(entry.get("id") or link),
                link=str(link),
                title=" ".join(str(entry.get("title") or link).split()),
                published=_when(entry),
            )
        )
    # Newest first by date; undated items keep the feed's own order (feeds list newest first).
    if any(i.published for i in items):
        undated = dt.datetime.min.replace(tzinfo=dt.UTC)
        items.sort(key=lambda i: i.published or undated, reverse=True)
    title = parsed.feed.get("title")
    return (" ".join(str(title).split()) or None) if title else None, items


class FeedBook:
    """The followed feeds, in `feeds.json` in the data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / STATE_FILE

    def load(self) -> FeedState:
        try:
            return FeedState.model_validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return FeedState()
        except ValidationError as exc:
            raise FeedError(f"{self.path} is damaged ({exc.error_count()} errors); fix or delete it") from None

    @contextmanager
    def edit(self) -> Iterator[FeedState]:
        """The state to change in place, saved atomically on leaving; others wait their turn."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(self.data_dir / "feeds.lock", timeout=30, thread_local=False):
            state = self.load()
            yield state
            write_atomically(self.path, state.model_dump_json(indent=1).encode("utf-8"))

    def feeds(self) -> list[Feed]:
        return self.load().feeds

    def add(self, url: str, channel_id: int | None, limits: FetchLimits | None = None) -> Feed:
        """Follow the feed at `url` after checking that it is one. Raises FeedError."""
        url = url.strip()
        if self.load().find(url):
            raise FeedError(f"{url} is already followed")
        try:
            fetched = fetch(url, FEED_TYPES, limits)
        except FetchError as exc:
            raise FeedError(str(exc)) from None
        title, _ = parse_feed(fetched.body, fetched.url)
        feed = Feed(url=url, title=title, channel_id=channel_id, added_at=dt.datetime.now(dt.UTC))
        with self.edit() as state:
            if state.find(url):
                raise FeedError(f"{url} is already followed")
            state.feeds.append(feed)
        return feed

    def remove(self, url: str) -> Feed:
        with self.edit() as state:
            feed = state.find(url.strip())
            if feed is None:
                followed = ", ".join(f.url for f in state.feeds) or "none"
                raise FeedError(f"{url} is not followed (followed: {followed})")
            state.feeds.remove(feed)
        return feed

    def update(self, feed: Feed) -> None:
        """Save one feed's new state, unless it was removed meanwhile."""
        with self.edit() as state:
            for i, stored in enumerate(state.feeds):
                if stored.url == feed.url:
                    state.feeds[i] = feed


def _failed(feed: Feed, error: str, now: dt.datetime, interval: dt.timedelta, report: PollReport) -> None:
    feed.failures += 1
    feed.failing_since = feed.failing_since or now
    feed.retry_at = now + min(interval * 2**feed.failures, MAX_BACKOFF)  # skips polls it would have had
    if now - feed.failing_since >= DISABLE_AFTER:
        feed.disabled = f"it has failed since {feed.failing_since:%Y-%m-%d %H:%M} UTC ({error})"
        report.disabled = feed.disabled
    elif not feed.failure_reported:
        feed.failure_reported = True
        report.error = error
    log.warning("feed %s failed (%d in a row): %s", feed.url, feed.failures, error)


def poll_feed(
    service: SearchService,
    book: FeedBook,
    feed: Feed,
    limits: FetchLimits | None = None,
    now: dt.datetime | None = None,
    interval: dt.timedelta = DEFAULT_INTERVAL,
) -> PollReport:
    """Poll one feed and add its new items; its state is saved after every item."""
    now = now or dt.datetime.now(dt.UTC)
    report = PollReport(feed=feed.url, title=feed.title, channel_id=feed.channel_id)
    try:
        fetched = fetch(feed.url, FEED_TYPES, limits, etag=feed.etag, last_modified=feed.last_modified)
        items: list[FeedItem] = []
        if not fetched.not_modified:
            feed.title, items = parse_feed(fetched.body, fetched.url)
            report.title = feed.title
    except (FetchError, FeedError) as exc:
        _failed(feed, str(exc), now, interval, report)
        book.update(feed)
        return report
    feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    feed.failures, feed.failing_since, feed.failure_reported, feed.retry_at = 0, None, False, None
    report.not_modified = fetched.not_modified
    seen = set(feed.seen)
    new = [i for i in dict((i.key, i) for i in items).values() if i.key not in seen]
    if feed.polled_at is None:  # the first poll: the newest few only, the rest passed over
        take, passed = new[:FIRST_POLL_ITEMS], new[FIRST_POLL_ITEMS:]
        feed.seen += [i.key for i in reversed(passed)]
        report.passed_over = len(passed)
    else:
        take = new[:MAX_ITEMS_PER_POLL]
        if len(new) > len(take):  # items left for the next poll: it must not get "not modified"
            feed.etag = feed.last_modified = None
    feed.polled_at = now
    book.update(feed)
    for item in reversed(take):  # oldest first
        outcome = ItemOutcome(link=item.link, title=item.title)
        try:
            outcome.added = add_link(service, item.link, limits)
        except LinkError as exc:
            outcome.refused = str(exc)
        except BuildInProgressError:  # the article is saved: the build running now or the next indexes it
            outcome.refused = "saved, but another index build was running; it is indexed by the next build"
        report.items.append(outcome)
        feed.seen = [*feed.seen, item.key][-MAX_SEEN:]
        book.update(feed)
    return report


def poll_feeds(
    service: SearchService,
    book: FeedBook,
    limits: FetchLimits | None = None,
    now: dt.datetime | None = None,
    interval: dt.timedelta = DEFAULT_INTERVAL,
    due_only: bool = True,
    on_report: Callable[[PollReport], None] | None = None,
) -> list[PollReport]:
    """Poll every followed feed that is due (or all that are enabled, with `due_only=False`),
    one after another; one poll at a time per data folder. Raises FeedError when another poll
    is running."""
    lock = FileLock(book.data_dir / "feeds.poll.lock", timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise FeedError("another feed poll is running; try again when it has finished") from None
    try:
        now = now or dt.datetime.now(dt.UTC)
        reports = []
        for feed in book.feeds():
            if feed.disabled is not None or (due_only and not feed.due(now)):
                continue
            try:
                report = poll_feed(service, book, feed, limits, now, interval)
            except Exception as exc:  # a bug reading one feed must not stop the others
                log.exception("polling feed %s failed", feed.url)
                report = PollReport(feed=feed.url, title=feed.title, channel_id=feed.channel_id)
                _failed(feed, f"unexpected error ({exc.__class__.__name__})", now, interval, report)
                book.update(feed)
            reports.append(report)
            if on_report is not None:
                on_report(report)
        return reports
    finally:
        lock.release()

"""`pactbot feeds`: the news feeds moderators follow."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

import typer

from bot.cli.common import CliError, open_service, read_settings

feeds_app = typer.Typer(help="Follow news feeds (RSS, Atom): new items are fetched and indexed as links are.")


@contextlib.contextmanager
def _feed_errors() -> Iterator[None]:
    from index.web.feeds import FeedError

    try:
        yield
    except FeedError as exc:
        raise CliError(str(exc)) from None


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="The feed's link (http or https).")],
    channel: Annotated[
        int | None, typer.Option("--channel", help="Discord channel id for this feed's reports (else the log channel).")
    ] = None,
) -> None:
    """Follow a feed: it is checked now, and its newest few items are taken at the next poll."""
    from index.web.feeds import FeedBook

    settings = read_settings()
    with _feed_errors():
        feed = FeedBook(settings.data_dir).add(url, channel, settings.fetch_limits)
    print(f"following {feed.url}" + (f" ({feed.title})" if feed.title else ""))


@feeds_app.command("remove")
def feeds_remove(url: Annotated[str, typer.Argument(help="The feed's link, as `feeds list` shows it.")]) -> None:
    """Stop following a feed (the articles it brought stay indexed)."""
    from index.web.feeds import FeedBook

    with _feed_errors():
        feed = FeedBook(read_settings().data_dir).remove(url)
    print(f"no longer following {feed.url}")


@feeds_app.command("list")
def feeds_list(as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per feed.")] = False) -> None:
    """The feeds followed, with when each was last polled and how it is doing."""
    from index.web.feeds import FeedBook

    with _feed_errors():
        feeds = FeedBook(read_settings().data_dir).feeds()
    for feed in feeds:
        if as_json:
            print(feed.model_dump_json(exclude={"seen", "etag", "last_modified"}))
        else:
            print(feed.line())
    if not feeds and not as_json:
        print("no feeds followed; add one with `pactbot feeds add URL`")


@feeds_app.command("poll")
def feeds_poll(
    every: Annotated[bool, typer.Option("--all", help="Also the feeds backing off after failures.")] = False,
) -> None:
    """Poll the followed feeds once now and add their new items (for cron, and tests). Exits 1 if
    a feed failed."""
    from index.web.feeds import FeedBook, PollReport, poll_feeds

    settings = read_settings()
    service = open_service(settings)
    service.rebuild(show_progress=False)  # the index the duplicate checks compare against
    failed = False

    def show(report: PollReport) -> None:
        nonlocal failed
        failed |= report.error is not None or report.disabled is not None
        print(report.text() if report.worth_posting else f"feed <{report.feed}>: nothing new", flush=True)

    with _feed_errors():
        reports = poll_feeds(
            service,
            FeedBook(settings.data_dir),
            settings.fetch_limits,
            interval=settings.feed_interval,
            due_only=not every,
            on_report=show,
        )
    if not reports:
        print("no feed due for a poll")
    if failed:
        raise typer.Exit(1)

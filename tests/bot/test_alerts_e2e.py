"""Pact alerts end to end: the real discord.py client of the bot against the fake Discord, news from
the local web server (feeds, pages), an index built with the hash embedder (fast; what is read
from the articles does not depend on the embedder)."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot import alerts
from bot.client import PactBot
from bot.feeds import poll_once
from bot.settings import Settings
from index.pacts.pact_alerts import AlertBook
from index.pacts.pact_events import load_events
from index.service import SearchService
from index.web.feeds import FeedBook
from tests.bot.alert_support import GERMANY_SIGNED, GERMANY_TALKS, INDIA_TALKS, AlertFeed, article_file
from tests.bot.discord_support import settings_for
from tests.bot.fake_discord import FakeDiscord, StoredMessage, run_client, short_retry_sleeps
from tests.conftest import SEED, SHIPPED
from tests.fakes import HashEmbedder, transparent_ranker
from tests.web_server import serve

TIMEOUT = 20.0  # generous: the machines are shared
SETTLE = 1.0  # ten passes of the poster (PACTBOT_RELOAD_SECONDS 0.1): long enough for a post that would come


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    yield from serve()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as running:
        yield running


@pytest.fixture
def settings(fake: FakeDiscord, tmp_path: Path) -> Settings:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for path in (SEED, *SHIPPED):
        shutil.copyfile(path, knowledge / path.name)
    return settings_for(
        fake,
        knowledge,
        tmp_path / "data",
        allow_private_urls=True,
        fetch_timeout_seconds=5,
        reload_seconds=0.1,
        log_channel_id=fake.channel("bot-log").id,
    )


def new_service(settings: Settings) -> SearchService:
    service = SearchService(settings.knowledge_dir, settings.data_dir, HashEmbedder(), ranker=transparent_ranker())
    service.rebuild(show_progress=False)  # as `pactbot` does before it starts the bot
    return service


@pytest.fixture
async def bot(fake: FakeDiscord, settings: Settings) -> AsyncIterator[PactBot]:
    client = PactBot(settings, await asyncio.to_thread(new_service, settings), guild_ready_timeout=0.05)
    async with run_client(client, fake, timeout=TIMEOUT):
        yield client


@pytest.fixture
def feed(request: pytest.FixtureRequest) -> Iterator[AlertFeed]:
    made = AlertFeed(re.sub(r"\W", "-", request.node.name))
    yield made
    made.close()


def alerts_in(fake: FakeDiscord, channel_id: int) -> list[StoredMessage]:
    """The alert messages the bot posted in a channel (not its replies to commands)."""
    return [m for m in fake.bot_messages(channel_id) if m.interaction is None]


def alert_embeds(fake: FakeDiscord, channel_id: int) -> list[dict[str, object]]:
    return [e for m in alerts_in(fake, channel_id) for e in m.embeds]


async def command(fake: FakeDiscord, name: str, options: dict[str, object], moderator: bool = True) -> StoredMessage:
    user = fake.moderator if moderator else fake.default_user
    handle = await fake.invoke_command(name, options, user=user)  # type: ignore[arg-type]
    return await handle.wait_for_final(timeout=TIMEOUT)


async def subscribe(fake: FakeDiscord, channel: str, **options: object) -> None:
    reply = await command(fake, "alerts add", {**options, "channel": fake.channel(channel)})
    assert reply.ephemeral and "will be posted in" in reply.text, reply.text


async def follow(fake: FakeDiscord, site: str, feed: AlertFeed) -> None:
    reply = await command(fake, "feeds add", {"url": f"{site}{feed.path}", "channel": fake.channel("bot-log")})
    assert "Following" in reply.text, reply.text


async def wait_for_alerts(fake: FakeDiscord, channel_id: int, count: int) -> list[dict[str, object]]:
    await fake.wait_for_message(lambda m: len(alert_embeds(fake, channel_id)) >= count, timeout=TIMEOUT)
    return alert_embeds(fake, channel_id)


async def test_a_feed_poll_posts_an_alert_only_where_subscribed(
    fake: FakeDiscord, bot: PactBot, site: str, feed: AlertFeed
) -> None:
    news, general = fake.channel("defence-news").id, fake.channel("general").id
    await subscribe(fake, "defence-news", country="Germany")
    await subscribe(fake, "general", country="France")
    feed.add(GERMANY_TALKS)  # a feed with no item yet is not recognised as one
    await follow(fake, site, feed)
    [report] = await poll_once(bot)
    assert [i.added.title for i in report.items if i.added] == [GERMANY_TALKS[0]], report.text()

    [embed] = await wait_for_alerts(fake, news, 1)
    assert embed["title"] == "Germany and Japan: Reciprocal Access Agreement"
    description = str(embed["description"])
    assert "**New agreement**: new agreement, negotiating" in description
    assert "> “Japan and Germany began negotiating a Reciprocal Access Agreement on Wednesday" in description
    assert str(embed["url"]).endswith(f"/alerts/{feed.name}/0") and GERMANY_TALKS[0] in description
    await asyncio.sleep(SETTLE)
    assert len(alerts_in(fake, news)) == 1 and alerts_in(fake, general) == []
    assert all(m.allowed_mentions == {"parse": []} for m in alerts_in(fake, news))


async def test_a_restart_and_a_second_process_post_nothing_again(
    fake: FakeDiscord, settings: Settings, site: str, feed: AlertFeed
) -> None:
    news = fake.channel("defence-news").id
    first = PactBot(settings, await asyncio.to_thread(new_service, settings), guild_ready_timeout=0.05)
    async with run_client(first, fake, timeout=TIMEOUT):
        await subscribe(fake, "defence-news", country="Japan")
        feed.add(GERMANY_TALKS)
        await follow(fake, site, feed)
        await poll_once(first)
        await wait_for_alerts(fake, news, 1)

    # A restart: the same data folder, a new process (a new service and client).
    restarted = PactBot(settings, await asyncio.to_thread(new_service, settings), guild_ready_timeout=0.05)
    async with run_client(restarted, fake, timeout=TIMEOUT):
        await asyncio.sleep(SETTLE)
        assert len(alert_embeds(fake, news)) == 1
        # A second process on the same folder, logged in over REST beside the running bot.
        second = PactBot(settings, await asyncio.to_thread(new_service, settings))
        await second.login(fake.token)
        try:
            other = alerts.Poster(second)
            assert await other.run_once() == 0
            # News indexed by a third process (`pactbot index`): both posters race for it; one wins.
            (settings.knowledge_dir / "jp-de-signed.md").write_text(
                article_file(GERMANY_SIGNED, "https://example.org/jp-de-signed"), encoding="utf-8"
            )
            await asyncio.to_thread(new_service, settings)
            posted = await other.run_once()
            await wait_for_alerts(fake, news, 2)
            await asyncio.sleep(SETTLE)
            assert len(alert_embeds(fake, news)) == 2 and posted in (0, 1)
        finally:
            await second.close()


async def test_a_signing_after_negotiations_posts_the_status_change(
    fake: FakeDiscord, bot: PactBot, site: str, feed: AlertFeed
) -> None:
    news = fake.channel("defence-news").id
    await subscribe(fake, "defence-news", agreement="RAA")  # the glossary's acronym
    feed.add(GERMANY_TALKS)  # a feed with no item yet is not recognised as one
    await follow(fake, site, feed)
    await poll_once(bot)
    await wait_for_alerts(fake, news, 1)
    feed.add(GERMANY_SIGNED)
    await poll_once(bot)
    talks, signed = await wait_for_alerts(fake, news, 2)
    assert "negotiating" in str(talks["description"])
    assert "**Status change**: negotiating → signed (2024-03-05)" in str(signed["description"])
    assert "> “Japan and Germany signed a Reciprocal Access Agreement in Berlin on Tuesday" in str(
        signed["description"]
    )
    kinds = [(e.kind, e.old_status, e.status) for e in load_events(bot.settings.data_dir) if "DEU" in e.parties]
    assert kinds == [("new_agreement", None, "negotiating"), ("status_change", "negotiating", "signed")]


def corrections(count: int) -> str:
    entries = "".join(
        f"  - parties: [Japan, Germany]\n    name: Test Accord {n:03d}\n    status: signed\n    date: 2024-02-01\n"
        for n in range(1, count + 1)
    )
    return f"agreements:\n{entries}"


async def test_two_hundred_events_are_posted_grouped_paced_and_none_lost(
    fake: FakeDiscord, bot: PactBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alerts, "SEND_WINDOW", 0.5)  # Discord's 5 s, shortened: the pacing is what is tested
    news = fake.channel("defence-news").id
    await subscribe(fake, "defence-news", agreement="Test Accord")
    limited = fake.fail_next("POST", f"/channels/{news}/messages", 429, retry_after=0.05)
    (bot.settings.knowledge_dir / "agreements.yaml").write_text(corrections(200), encoding="utf-8")
    reply = await command(fake, "reindex", {})
    assert "version" in reply.text

    def all_posted() -> bool:
        return len(set(re.findall(r"Test Accord \d{3}", "\n".join(m.text for m in alerts_in(fake, news))))) == 200

    await fake.wait_for_message(lambda m: all_posted(), timeout=TIMEOUT)
    await asyncio.sleep(SETTLE)
    messages = alerts_in(fake, news)
    named = [n for m in messages for n in re.findall(r"Test Accord \d{3}", m.content)]
    named += [n for m in messages for e in m.embeds for n in re.findall(r"Test Accord \d{3}", str(e["title"]))]
    assert sorted(named) == [f"Test Accord {n:03d}" for n in range(1, 201)]  # each once: none lost, none twice
    first, *rest = messages
    assert len(first.embeds) == 5 and first.content.startswith("**200 pact events** from the latest news")
    assert all(not m.embeds and len(m.content) <= 2000 for m in rest) and len(rest) < 20
    assert limited.fired  # Discord said 429 once: discord.py waited and sent it again
    times = [m.created_at for m in messages]
    assert all(later - earlier >= 0.45 for earlier, later in zip(times, times[5:], strict=False))  # 5 per window


async def test_reindexing_unchanged_posts_nothing_and_members_cannot_subscribe(fake: FakeDiscord, bot: PactBot) -> None:
    news = fake.channel("defence-news").id
    refused = await command(fake, "alerts add", {"country": "Japan"}, moderator=False)
    assert refused.ephemeral and "Only moderators" in refused.text
    assert AlertBook(bot.settings.data_dir).subscriptions() == []
    await subscribe(fake, "defence-news", country="Japan")
    unchanged = await command(fake, "reindex", {})
    assert "Nothing changed" in unchanged.text
    # The glossary changed: every article is read again, a new version is made, and nothing is news.
    with (bot.settings.knowledge_dir / "glossary.yaml").open("a", encoding="utf-8") as glossary:
        glossary.write("  - term: access pact\n    aliases: [entry pact]\n")
    before = len(load_events(bot.settings.data_dir))
    reread = await command(fake, "reindex", {})
    version = re.compile(r"version `([^`]+)`")
    assert version.findall(reread.text) != version.findall(unchanged.text)  # a new version, its agreements read anew
    await asyncio.sleep(SETTLE)
    assert alerts_in(fake, news) == [] and len(load_events(bot.settings.data_dir)) == before
    listed = await command(fake, "alerts list", {})
    assert f"Japan in <#{news}>" in listed.text


async def test_digest_lists_the_events_in_date_order(fake: FakeDiscord, bot: PactBot) -> None:
    knowledge = bot.settings.knowledge_dir
    # One update per article, recorded in another order than the news they report.
    for name, story in (("fr-in", INDIA_TALKS), ("jp-de-talks", GERMANY_TALKS), ("jp-de-signed", GERMANY_SIGNED)):
        (knowledge / f"{name}.md").write_text(article_file(story, f"https://example.org/{name}"), encoding="utf-8")
        await command(fake, "reindex", {})
    handle = await fake.invoke_command("digest", {"days": 3650, "country": "Germany"})
    digest = await handle.wait_for_final(timeout=TIMEOUT)
    assert not digest.ephemeral
    text = str(digest.embeds[0]["description"])
    assert digest.embeds[0]["title"] == "Pact events of the last 3,650 days involving Germany"
    assert "France" not in text and "Test Wire" in text
    talks = text.index("**2024-01-10** Germany and Japan: **Reciprocal Access Agreement**: new agreement")
    signed = text.index("**2024-03-05**")
    assert talks < signed and "> “Japan and Germany signed" in text[signed:]
    everything = await (await fake.invoke_command("digest", {"days": 3650})).wait_for_final(timeout=TIMEOUT)
    days = re.findall(r"\*\*(\d{4}-\d\d-\d\d)\*\*", str(everything.embeds[0]["description"]))
    assert days[-3:] == ["2024-01-10", "2024-02-01", "2024-03-05"] and days == sorted(days)


async def test_a_channel_closed_to_the_bot_is_paused_and_reported_once(
    fake: FakeDiscord, bot: PactBot, site: str, feed: AlertFeed
) -> None:
    news, log_channel = fake.channel("defence-news").id, fake.channel("bot-log").id
    await subscribe(fake, "defence-news", country="Germany")
    feed.add(GERMANY_TALKS)
    await follow(fake, site, feed)
    closed = fake.fail_next("POST", f"/channels/{news}/messages", 403, code=50001, message="Missing Access")
    await poll_once(bot)
    report = await fake.wait_for_message(
        lambda m: m.channel_id == log_channel and m.content.startswith("Pact alerts to"), timeout=TIMEOUT
    )
    assert f"<#{news}>" in report.content and "Missing Access" in report.content and closed.fired
    feed.add(GERMANY_SIGNED)
    await poll_once(bot)
    await asyncio.sleep(SETTLE)
    assert alerts_in(fake, news) == []  # paused: not retried
    assert [m for m in fake.bot_messages(log_channel) if m.content.startswith("Pact alerts")] == [report]  # said once
    assert all(s.paused for s in AlertBook(bot.settings.data_dir).subscriptions())
    assert len(FeedBook(bot.settings.data_dir).feeds()) == 1


async def test_a_passing_failure_is_retried_later_and_posts_once(
    fake: FakeDiscord, bot: PactBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alerts, "RETRY_AFTER", 0.3)
    news = fake.channel("defence-news").id
    await subscribe(fake, "defence-news", country="Germany")
    down = fake.fail_next("POST", f"/channels/{news}/messages", 500, times=5)  # every try of discord.py's
    (bot.settings.knowledge_dir / "jp-de-talks.md").write_text(
        article_file(GERMANY_TALKS, "https://example.org/jp-de-talks"), encoding="utf-8"
    )
    with short_retry_sleeps():
        await command(fake, "reindex", {})
        await wait_for_alerts(fake, news, 1)
    await asyncio.sleep(SETTLE)
    assert down.exhausted and len(alert_embeds(fake, news)) == 1
    assert not any(s.paused for s in AlertBook(bot.settings.data_dir).subscriptions())  # not lost: retried

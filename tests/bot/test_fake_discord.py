"""The fake Discord, proven with a tiny real discord.py client (not Pactbot): login, sync, commands, messages,
buttons, attachments, reconnects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.bot.fake_discord import (
    CALLBACK_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_CHANNEL_MESSAGE,
    CALLBACK_UPDATE_MESSAGE,
    ERROR_ALREADY_ACKNOWLEDGED,
    ERROR_EMPTY_MESSAGE,
    ERROR_INVALID_FORM_BODY,
    ERROR_INVALID_WEBHOOK_TOKEN,
    ERROR_UNKNOWN_INTERACTION,
    FakeDiscord,
    FakeDiscordError,
    run_client,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as running:
        yield running


class MiniClient(discord.Client):
    """The smallest client that uses what Pactbot will: a command tree, messages, views."""

    def __init__(self, *, message_content: bool = False) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.received: list[discord.Message] = []
        self.errors: list[BaseException] = []

    async def on_message(self, message: discord.Message) -> None:
        if self.user is None or message.author.id == self.user.id:
            return
        self.received.append(message)
        if self.user in message.mentions:
            await message.reply(f"You said: {message.content}", mention_author=False)


async def eventually(check: Callable[[], object], timeout: float = 2.0) -> None:
    """Wait until the client side of a test has seen something (the fake's own waits cover the server side)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.005)


def guild_of(fake: FakeDiscord) -> discord.Object:
    return discord.Object(id=fake.guild_id)


async def test_login_ready_and_guild_cache(fake: FakeDiscord) -> None:
    client = MiniClient()
    async with run_client(client, fake):
        guild = client.get_guild(fake.guild_id)
        assert guild is not None
        assert guild.name == fake.guild.name
        assert [c.name for c in guild.text_channels] == ["general", "defence-news", "bot-log"]
        moderator = guild.get_role(fake.role("Moderator").id)
        assert moderator is not None and moderator.permissions.manage_messages
        assert guild.me is not None and guild.me.id == fake.bot_user.id
        assert client.user is not None and client.user.id == fake.bot_user.id
        assert client.application_id == fake.application_id
        assert not client.is_closed()
    assert fake.find_requests("GET", "/users/@me")[0].status == 200
    assert fake.find_requests("GET", "/oauth2/applications/@me")[0].status == 200
    assert fake.identify_count == 1
    assert fake.intents == discord.Intents.default().value
    assert fake.heartbeat_count >= 1  # discord.py beats as soon as it gets HELLO
    assert fake.unhandled_requests == []


async def test_wrong_token_is_a_login_failure(fake: FakeDiscord) -> None:
    client = MiniClient()
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()
    assert fake.find_requests("GET", "/users/@me")[0].status == 401


async def test_sync_lands_in_guild_and_global_commands(fake: FakeDiscord) -> None:
    client = MiniClient()

    @client.tree.command(name="ask", description="Ask about defence pacts", guild=guild_of(fake))
    @app_commands.describe(question="What you want to know", private="Only you see the answer")
    async def ask(interaction: discord.Interaction, question: str, private: bool = False, top: int = 3) -> None:
        await interaction.response.send_message(question)

    @client.tree.command(name="about", description="What this bot does")
    async def about(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("about")

    async with run_client(client, fake):
        synced_guild = await client.tree.sync(guild=guild_of(fake))
        synced_global = await client.tree.sync()
        fetched = await client.tree.fetch_commands(guild=guild_of(fake))
        resynced = await client.tree.sync(guild=guild_of(fake))

    [stored] = fake.guild_commands[fake.guild_id]
    assert stored["name"] == "ask" and stored["guild_id"] == str(fake.guild_id)
    assert [(o["name"], o["type"], o.get("required", False)) for o in stored["options"]] == [
        ("question", 3, True),
        ("private", 5, False),
        ("top", 4, False),
    ]
    assert stored["options"][0]["description"] == "What you want to know"
    assert [c["name"] for c in fake.global_commands] == ["about"]
    assert fake.guild_commands_puts[fake.guild_id] == 2 and fake.global_commands_puts == 1
    assert [c.id for c in synced_guild] == [int(stored["id"])] == [c.id for c in fetched]
    assert [c.id for c in resynced] == [c.id for c in synced_guild]  # a bulk overwrite keeps ids of same names
    assert synced_global[0].name == "about"
    puts = fake.find_requests("PUT", f"/applications/{fake.application_id}/guilds/*/commands")
    assert [r.status for r in puts] == [200, 200]


async def test_sync_to_a_guild_the_bot_is_not_in_is_forbidden(fake: FakeDiscord) -> None:
    client = MiniClient()
    client.tree.command(name="ping", description="Ping", guild=discord.Object(id=1234))(_pong)
    async with run_client(client, fake):
        with pytest.raises(discord.Forbidden):
            await client.tree.sync(guild=discord.Object(id=1234))


async def _pong(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong")


async def test_defer_then_followup_and_a_second_response_gets_40060(fake: FakeDiscord) -> None:
    client = MiniClient()

    @client.tree.command(name="ask", description="Ask", guild=guild_of(fake))
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.defer()
        await asyncio.sleep(0.05)
        await interaction.followup.send(f"Answer to: {question}", allowed_mentions=discord.AllowedMentions.none())

    async with run_client(client, fake):
        await client.tree.sync(guild=guild_of(fake))
        handle = await fake.invoke_command("ask", {"question": "What is AUKUS?"}, user=fake.moderator)
        response = await handle.wait_for_response(timeout=2)
        assert response.type == CALLBACK_DEFERRED_CHANNEL_MESSAGE
        assert 0 <= response.delay < 1
        final = await handle.wait_for_final(timeout=2)

        # A second acknowledgement, as a second bot process would send it, is refused like Discord does.
        url = f"{fake.api_base}/interactions/{handle.id}/{handle.token}/callback"
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, json={"type": 4, "data": {"content": "again"}}) as r,
        ):
            assert r.status == 400
            assert (await r.json())["code"] == ERROR_ALREADY_ACKNOWLEDGED

    assert final is handle.original  # the first follow-up after a deferral fills in the "thinking" message
    assert final.content == "Answer to: What is AUKUS?"
    assert not final.ephemeral and not final.loading
    assert final.allowed_mentions == {"parse": []}
    assert handle.followups == []
    assert handle.user is fake.moderator
    assert len(handle.double_acknowledgements) == 1
    assert fake.requests_with_error(ERROR_ALREADY_ACKNOWLEDGED) == handle.double_acknowledgements
    assert [c.type for c in handle.callbacks] == [5, 4] and [c.accepted for c in handle.callbacks] == [True, False]


async def test_expired_token_refuses_followups_with_50027(fake: FakeDiscord) -> None:
    client = MiniClient()
    gate = asyncio.Event()
    failures: list[int] = []

    @client.tree.command(name="slow", description="Slow", guild=guild_of(fake))
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await gate.wait()
        try:
            await interaction.followup.send("too late")
        except discord.HTTPException as exc:
            failures.append(exc.code)

    async with run_client(client, fake):
        await client.tree.sync(guild=guild_of(fake))
        handle = await fake.invoke_command("slow")
        assert (await handle.wait_for_response()).ephemeral
        handle.expire()
        gate.set()
        await fake.wait_for_request(lambda r: r.error_code == ERROR_INVALID_WEBHOOK_TOKEN)
    assert failures == [ERROR_INVALID_WEBHOOK_TOKEN]
    assert handle.original is not None and handle.original.loading  # never filled in
    assert handle.final is None


async def test_mention_reaches_on_message_and_the_reply_is_recorded(fake: FakeDiscord) -> None:
    client = MiniClient()  # no message_content intent: only messages mentioning the bot carry content
    async with run_client(client, fake):
        quiet = await fake.send_message(fake.channel_id, "chatting among ourselves")
        asked = await fake.send_message(fake.channel_id, "what does the pact cover?", mentions_bot=True)
        reply = await fake.wait_for_message(lambda m: m.reply_to_id == asked.id)

    assert [m.id for m in client.received] == [quiet.id, asked.id]
    assert client.received[0].content == ""  # Discord withholds it without the intent
    assert client.received[1].content == f"<@{fake.bot_user.id}> what does the pact cover?"
    assert client.received[1].author.id == fake.default_user.id
    assert isinstance(client.received[1].author, discord.Member)
    assert reply.author is fake.bot_user and reply.channel_id == fake.channel_id
    assert reply.content == f"You said: {asked.content}"
    assert reply.allowed_mentions == {"parse": ["everyone", "users", "roles"], "replied_user": False}
    assert reply.mention_ids == [fake.bot_user.id]  # the echoed <@bot> only; mention_author=False spares alice
    assert reply.message_reference is not None and reply.message_reference["message_id"] == str(asked.id)
    sent = fake.find_requests("POST", f"/channels/{fake.channel_id}/messages")
    assert len(sent) == 1 and sent[0].json["message_reference"]["message_id"] == asked.id


async def test_reply_to_the_bot_and_message_content_intent(fake: FakeDiscord) -> None:
    client = MiniClient(message_content=True)
    async with run_client(client, fake):
        channel = client.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("Sources follow.")
        answer = await fake.send_message(content="thanks", reply_to=sent.id, author=fake.owner)
        await eventually(lambda: client.received)
    [received] = client.received
    assert received.content == "thanks"
    assert received.reference is not None and received.reference.message_id == sent.id
    assert isinstance(received.reference.resolved, discord.Message)
    assert received.reference.resolved.content == "Sources follow."
    assert answer.type == 19


async def test_button_click_reaches_the_view_and_its_responses_are_recorded(fake: FakeDiscord) -> None:
    clicked: list[int] = []

    class Sources(discord.ui.View):
        @discord.ui.button(label="More sources", custom_id="sources:more", style=discord.ButtonStyle.primary)
        async def more(self, interaction: discord.Interaction, button: discord.ui.Button[Sources]) -> None:
            clicked.append(interaction.user.id)
            await interaction.response.send_message("Here are more sources.", ephemeral=True)

        @discord.ui.button(label="Done", custom_id="sources:done")
        async def done(self, interaction: discord.Interaction, button: discord.ui.Button[Sources]) -> None:
            await interaction.response.edit_message(content="Closed.", view=None)

    client = MiniClient()
    async with run_client(client, fake):
        channel = client.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("Answer with sources", view=Sources(timeout=None))
        stored = fake.get_message(sent.id)
        assert stored.custom_ids == ["sources:more", "sources:done"]

        more = await fake.click_button(stored, "sources:more", user=fake.default_user)
        reply = await more.wait_for_final()
        done = await fake.click_button(stored, "sources:done")
        updated = await done.wait_for_final()
        with pytest.raises(FakeDiscordError):
            await fake.click_button(stored, "sources:more")  # the buttons are gone

    assert clicked == [fake.default_user.id]
    assert more.response_type == CALLBACK_CHANNEL_MESSAGE
    assert reply.content == "Here are more sources." and reply.ephemeral
    assert reply.interaction is more
    assert done.response_type == CALLBACK_UPDATE_MESSAGE
    assert updated is stored and updated.content == "Closed." and updated.components == []
    assert stored.edit_count == 1


async def test_attachment_option_is_resolved_and_downloaded_only_when_read(fake: FakeDiscord) -> None:
    client = MiniClient()
    limit = 1000

    @client.tree.command(name="upload", description="Add an article", guild=guild_of(fake))
    async def upload(interaction: discord.Interaction, article: discord.Attachment) -> None:
        if article.size > limit:
            await interaction.response.send_message(f"{article.filename} is too big", ephemeral=True)
            return
        data = await article.read()
        await interaction.response.send_message(f"{article.filename} ({article.content_type}): {data.decode()}")

    text = b"The AUKUS pact was announced in 2021."
    small = fake.attachment("aukus.txt", text, "text/plain")
    big = fake.attachment("huge.txt", b"x" * 10, "text/plain", size=50_000_000)
    async with run_client(client, fake):
        await client.tree.sync(guild=guild_of(fake))
        accepted = await (await fake.invoke_command("upload", {"article": small})).wait_for_final()
        refused = await (await fake.invoke_command("upload", {"article": big})).wait_for_final()
        with pytest.raises(FakeDiscordError):
            await fake.invoke_command("upload", {"article": "not a file"})

    assert accepted.content == f"aukus.txt (text/plain): {text.decode()}"
    assert fake.download_count(small) == 1
    assert refused.content == "huge.txt is too big" and refused.ephemeral
    assert fake.download_count(big) == 0


async def test_reconnect_resumes_and_keeps_working(fake: FakeDiscord) -> None:
    client = MiniClient()
    client.tree.command(name="ping", description="Ping", guild=guild_of(fake))(_pong)
    async with run_client(client, fake):
        await client.tree.sync(guild=guild_of(fake))
        assert (await (await fake.invoke_command("ping")).wait_for_final()).content == "pong"

        await fake.reconnect(timeout=5)
        assert fake.resume_count == 1 and fake.identify_count == 1
        assert (await (await fake.invoke_command("ping")).wait_for_final()).content == "pong"

        fake.drop_connection()  # abrupt: no close frame; an event sent meanwhile is replayed on RESUME
        handle = await fake.invoke_command("ping")
        await fake.wait_for_resume(2)
        assert (await handle.wait_for_final()).content == "pong"
    assert fake.resume_count == 2 and fake.identify_count == 1
    assert fake.gateway_connect_count == 3


async def test_discord_limits_are_enforced(fake: FakeDiscord) -> None:
    client = MiniClient()
    async with run_client(client, fake):
        channel = client.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        with pytest.raises(discord.HTTPException) as empty:
            await channel.send(embed=discord.Embed(title="t").add_field(name="n", value=" "))
        with pytest.raises(discord.HTTPException) as big_embed:
            await channel.send(embed=discord.Embed(description="y" * 4097))
        sent = await channel.send("ok", file=discord.File(__file__, filename="test.py"))
    assert too_long.value.code == ERROR_INVALID_FORM_BODY
    assert empty.value.code == ERROR_INVALID_FORM_BODY
    assert big_embed.value.code == ERROR_INVALID_FORM_BODY
    stored = fake.get_message(sent.id)
    assert stored.files[0].filename == "test.py" and stored.attachments[0]["filename"] == "test.py"
    assert stored.files[0].data.startswith(b'"""The fake Discord')
    assert sent.attachments[0].size == len(stored.files[0].data)
    assert fake.requests_with_error(ERROR_EMPTY_MESSAGE) == []


async def test_autocomplete_choices_are_recorded(fake: FakeDiscord) -> None:
    client = MiniClient()
    pacts = ["AUKUS", "NATO", "Quad", "Reciprocal Access Agreement"]

    async def pact_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=p, value=p) for p in pacts if current.lower() in p.lower()]

    @client.tree.command(name="pact", description="About one pact", guild=guild_of(fake))
    @app_commands.autocomplete(name=pact_names)
    async def pact(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name)

    async with run_client(client, fake):
        await client.tree.sync(guild=guild_of(fake))
        handle = await fake.autocomplete("pact", {"name": "a"}, focused="name")
        await handle.wait_for_response()
    assert handle.choices is not None
    assert [c["name"] for c in handle.choices] == ["AUKUS", "NATO", "Quad", "Reciprocal Access Agreement"]


async def test_original_response_edits_followups_and_typing(fake: FakeDiscord) -> None:
    client = MiniClient()

    @client.tree.command(name="report", description="Report", guild=guild_of(fake))
    async def report(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content="Working on it…")
        extra = await interaction.followup.send("Details", ephemeral=True, wait=True)
        await extra.edit(content="Details (edited)")
        original = await interaction.original_response()
        await interaction.edit_original_response(content=f"Done ({original.content})")
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        async with channel.typing():
            pass

    async with run_client(client, fake):
        await client.tree.sync(guild=guild_of(fake))
        handle = await fake.invoke_command("report")
        final = await handle.wait_for_final()
        await fake.wait_for_request(lambda r: r.path.endswith("/typing"))
    assert handle.original is final and final.ephemeral
    assert final.content == "Done (Working on it…)" and final.edit_count == 2
    [extra] = handle.followups
    assert extra.ephemeral and extra.content == "Details (edited)"
    assert handle.errors == [] and fake.unhandled_requests == []


async def test_modal_round_trip(fake: FakeDiscord) -> None:
    client = MiniClient()

    class Feedback(discord.ui.Modal, title="Feedback"):
        text: discord.ui.TextInput[Feedback] = discord.ui.TextInput(label="Your feedback", custom_id="feedback:text")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"Thanks: {self.text.value}", ephemeral=True)

    @client.tree.command(name="feedback", description="Send feedback", guild=guild_of(fake))
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback(custom_id="feedback"))

    async with run_client(client, fake):
        await client.tree.sync(guild=guild_of(fake))
        opened = await fake.invoke_command("feedback")
        await opened.wait_for_response()
        with pytest.raises(FakeDiscordError):
            await opened.wait_for_final(timeout=0.1)
        submitted = await fake.submit_modal(opened, {"feedback:text": "Cite more sources"})
        thanks = await submitted.wait_for_final()
    assert opened.modal is not None and opened.modal["title"] == "Feedback"
    assert thanks.content == "Thanks: Cite more sources" and thanks.ephemeral


async def test_direct_messages(fake: FakeDiscord) -> None:
    client = MiniClient()
    async with run_client(client, fake):
        dm = fake.dm_channel(fake.default_user)
        asked = await fake.send_message(dm.id, "hello bot", mentions_bot=True)
        reply = await fake.wait_for_message(lambda m: m.reply_to_id == asked.id)
        user = client.get_user(fake.default_user.id) or await client.fetch_user(fake.default_user.id)
        await user.send("a DM from the bot")
    assert isinstance(client.received[0].channel, discord.DMChannel)
    assert reply.channel_id == dm.id and reply.guild_id is None
    assert [m.content for m in fake.bot_messages(dm.id)] == [reply.content, "a DM from the bot"]


class QuickReidentifyClient(MiniClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every IDENTIFY but the first; not needed against the fake."""


async def test_invalid_session_makes_the_client_identify_again(fake: FakeDiscord) -> None:
    client = QuickReidentifyClient()
    async with run_client(client, fake):
        await fake.invalidate_session(resumable=False)
        await fake.wait_for_identify(2)
        await fake.wait_ready()
        await eventually(lambda: client.get_guild(fake.guild_id))
    assert fake.identify_count == 2 and fake.resume_count == 0


async def test_discord_py_is_pointed_at_the_fake_and_restored() -> None:
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    async with FakeDiscord() as fake:
        assert fake.api_base == discord.http.Route.BASE
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url
        assert fake.api_base.startswith("http://127.0.0.1:") and fake.port > 0
    after = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    assert after == before


async def test_late_callback_is_an_unknown_interaction() -> None:
    failures: list[int] = []
    async with FakeDiscord(callback_deadline=0.05) as fake:
        client = MiniClient()

        @client.tree.command(name="slow", description="Too slow to answer", guild=guild_of(fake))
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.1)
            try:
                await interaction.response.send_message("late")
            except discord.NotFound as exc:
                failures.append(exc.code)

        async with run_client(client, fake):
            await client.tree.sync(guild=guild_of(fake))
            handle = await fake.invoke_command("slow")
            await fake.wait_for_request(lambda r: r.error_code == ERROR_UNKNOWN_INTERACTION)
    assert failures == [ERROR_UNKNOWN_INTERACTION]
    assert handle.response is None and handle.callbacks[0].delay >= 0.05

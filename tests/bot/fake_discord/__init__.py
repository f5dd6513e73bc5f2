"""A fake Discord (REST + gateway websocket) on 127.0.0.1, for end-to-end tests of a real discord.py client.

The client is the real, unmodified discord.py: only ``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY`` are
pointed at the fake. Tests play the users (slash commands, button clicks, messages, uploads) and read back what
the bot did (every REST request, every message, every interaction response)::

    async with FakeDiscord() as fake:          # free port; discord.py pointed at it until the block ends
        client = MyClient(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with run_client(client, fake):  # login, IDENTIFY, READY, GUILD_CREATE, on_ready
            await client.tree.sync(guild=discord.Object(fake.guild_id))
            handle = await fake.invoke_command("ask", {"question": "What is AUKUS?"})
            reply = await handle.wait_for_final()
            assert "AUKUS" in reply.content

Behaves like Discord where a bot could get it wrong:

- errors carry Discord's codes: 40060 interaction already acknowledged, 10062 unknown interaction,
  50027 invalid webhook token, 10015 unknown webhook, 50035 invalid form body, 50006 empty message,
  10008 unknown message, 10003 unknown channel, 50001 missing access, 40005 request entity too large;
- message limits are enforced: 2000 characters of content, 10 embeds (title 256, description 4096, 25 fields of
  256/1024, footer 2048, author 256, 6000 in all), 5 action rows of 5 components, custom ids of 100, 25
  autocomplete choices; command payloads are checked on sync (names, descriptions, option order);
- the first follow-up after a deferred (type 5) response replaces the "thinking" message, and keeps the
  ephemeral setting of the defer;
- without the message_content intent, other users' messages arrive with empty content unless they mention the
  bot (or are DMs);
- the bot's own non-ephemeral messages come back as MESSAGE_CREATE / MESSAGE_UPDATE / MESSAGE_DELETE
  (``echo_own_messages``), and a message's ``mentions`` are those its ``allowed_mentions`` let through;
- users can only invoke commands the bot registered (``require_registered_commands``), with options that
  match the registered ones, and only click components the message has and that are not disabled.

On its own it never answers 429 (discord.py treats a 429 without a ``Via`` header as a Cloudflare ban) nor 5xx
(discord.py retries those with sleeps); a bug in the fake itself answers 400 and is re-raised when ``async with``
ends. Faults are injected on purpose only::

    fault = fake.fail_next("PATCH", "/webhooks/*/messages/@original", 429, retry_after=0.05)  # Via: retried
    fake.fail_next("POST", "/interactions/*/callback", 429, via=False)  # a Cloudflare ban: discord.py raises
    fake.fail_next("PATCH", "/webhooks/*", 500, times=5)  # discord.py backs off 1, 3, 5, 7, 9 s, then raises
    with short_retry_sleeps() as sleeps:  # ...so shorten (and record) discord.py's REST retry sleeps
        ...
    fake.hold_gateway(); fake.drop_connection()  # the client cannot reconnect until fake.release_gateway()
"""

from tests.bot.fake_discord.client import RetrySleeps, pointed_at, run_client, short_retry_sleeps
from tests.bot.fake_discord.fake import FakeDiscord
from tests.bot.fake_discord.interactions import FakeInteractions, InteractionHandle
from tests.bot.fake_discord.model import (
    ALL_PERMISSIONS,
    CALLBACK_AUTOCOMPLETE_RESULT,
    CALLBACK_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_UPDATE_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_UPDATE_MESSAGE,
    DISCORD_EPOCH_MS,
    ERROR_ALREADY_ACKNOWLEDGED,
    ERROR_EMPTY_MESSAGE,
    ERROR_INVALID_FORM_BODY,
    ERROR_INVALID_WEBHOOK_TOKEN,
    ERROR_UNKNOWN_CHANNEL,
    ERROR_UNKNOWN_INTERACTION,
    ERROR_UNKNOWN_MESSAGE,
    ERROR_UNKNOWN_WEBHOOK,
    FLAG_COMPONENTS_V2,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_MESSAGE_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    JSON,
    RATE_LIMIT_BUCKET,
    CallbackRecord,
    FakeAttachment,
    FakeChannel,
    FakeDiscordError,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Fault,
    OptionValue,
    RecordedRequest,
    StoredMessage,
    UploadedFile,
    UserRef,
)

__all__ = [
    "ALL_PERMISSIONS",
    "CALLBACK_AUTOCOMPLETE_RESULT",
    "CALLBACK_CHANNEL_MESSAGE",
    "CALLBACK_DEFERRED_CHANNEL_MESSAGE",
    "CALLBACK_DEFERRED_UPDATE_MESSAGE",
    "CALLBACK_MODAL",
    "CALLBACK_UPDATE_MESSAGE",
    "DISCORD_EPOCH_MS",
    "ERROR_ALREADY_ACKNOWLEDGED",
    "ERROR_EMPTY_MESSAGE",
    "ERROR_INVALID_FORM_BODY",
    "ERROR_INVALID_WEBHOOK_TOKEN",
    "ERROR_UNKNOWN_CHANNEL",
    "ERROR_UNKNOWN_INTERACTION",
    "ERROR_UNKNOWN_MESSAGE",
    "ERROR_UNKNOWN_WEBHOOK",
    "FLAG_COMPONENTS_V2",
    "FLAG_EPHEMERAL",
    "FLAG_LOADING",
    "FLAG_SUPPRESS_EMBEDS",
    "FLAG_SUPPRESS_NOTIFICATIONS",
    "INTENT_DIRECT_MESSAGES",
    "INTENT_GUILDS",
    "INTENT_GUILD_MEMBERS",
    "INTENT_GUILD_MESSAGES",
    "INTENT_MESSAGE_CONTENT",
    "INTERACTION_APPLICATION_COMMAND",
    "INTERACTION_AUTOCOMPLETE",
    "INTERACTION_MESSAGE_COMPONENT",
    "INTERACTION_MODAL_SUBMIT",
    "JSON",
    "RATE_LIMIT_BUCKET",
    "CallbackRecord",
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeDiscordError",
    "FakeGuild",
    "FakeInteractions",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "Fault",
    "InteractionHandle",
    "OptionValue",
    "RecordedRequest",
    "RetrySleeps",
    "StoredMessage",
    "UploadedFile",
    "UserRef",
    "pointed_at",
    "run_client",
    "short_retry_sleeps",
]

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

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import http
import json
import math
import mimetypes
import re
import secrets
import socket
import time
import urllib.parse
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final, TypeVar

import discord
import discord.gateway
import discord.http
import discord.webhook.async_
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

JSON = dict[str, Any]
_T = TypeVar("_T")

DISCORD_EPOCH_MS: Final = 1_420_070_400_000

# Gateway intents (bits of IDENTIFY's "intents").
INTENT_GUILDS: Final = 1 << 0
INTENT_GUILD_MEMBERS: Final = 1 << 1
INTENT_GUILD_MESSAGES: Final = 1 << 9
INTENT_DIRECT_MESSAGES: Final = 1 << 12
INTENT_MESSAGE_CONTENT: Final = 1 << 15

# Message flags.
FLAG_SUPPRESS_EMBEDS: Final = 1 << 2
FLAG_EPHEMERAL: Final = 1 << 6
FLAG_LOADING: Final = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS: Final = 1 << 12
FLAG_COMPONENTS_V2: Final = 1 << 15
_SETTABLE_FLAGS: Final = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2

# Interaction types and interaction callback types.
INTERACTION_APPLICATION_COMMAND: Final = 2
INTERACTION_MESSAGE_COMPONENT: Final = 3
INTERACTION_AUTOCOMPLETE: Final = 4
INTERACTION_MODAL_SUBMIT: Final = 5
CALLBACK_CHANNEL_MESSAGE: Final = 4
CALLBACK_DEFERRED_CHANNEL_MESSAGE: Final = 5
CALLBACK_DEFERRED_UPDATE_MESSAGE: Final = 6
CALLBACK_UPDATE_MESSAGE: Final = 7
CALLBACK_AUTOCOMPLETE_RESULT: Final = 8
CALLBACK_MODAL: Final = 9

# Error codes a test may want to assert on.
ERROR_UNKNOWN_CHANNEL: Final = 10003
ERROR_UNKNOWN_MESSAGE: Final = 10008
ERROR_UNKNOWN_WEBHOOK: Final = 10015
ERROR_UNKNOWN_INTERACTION: Final = 10062
ERROR_ALREADY_ACKNOWLEDGED: Final = 40060
ERROR_EMPTY_MESSAGE: Final = 50006
ERROR_INVALID_WEBHOOK_TOKEN: Final = 50027
ERROR_INVALID_FORM_BODY: Final = 50035

ALL_PERMISSIONS: Final = discord.Permissions.all().value
_EVERYONE_PERMISSIONS: Final = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    attach_files=True,
    use_external_emojis=True,
    use_application_commands=True,
).value
_MODERATOR_PERMISSIONS: Final = discord.Permissions(
    manage_messages=True,
    kick_members=True,
    ban_members=True,
    moderate_members=True,
    mention_everyone=True,
    manage_threads=True,
).value
_BOT_PERMISSIONS: Final = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    attach_files=True,
    use_external_emojis=True,
).value

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_FILE_FIELD = re.compile(r"files\[(\d+)\]")
_API_PATH = re.compile(r"/api(?:/v\d+)?(/.*)")
_INTERACTION_TOKEN = re.compile(r"/(?:interactions/\d+|webhooks/\d+)/(?P<token>[^/]+)(?:/.*)?")
_COMMAND_NAME = re.compile(r"[-_\w]{1,32}")


class FakeDiscordError(AssertionError):
    """A test drove the fake in a way Discord would not allow (e.g. clicking a button the message lacks)."""


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


class _Snowflakes:
    """Time-based, strictly increasing snowflakes, so discord.py's created_at and expiry checks are right."""

    def __init__(self) -> None:
        self._last = 0

    def __call__(self) -> int:
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = value if value > self._last else self._last + 1
        return self._last


_snowflake = _Snowflakes()


# --------------------------------------------------------------------------------------------------------------
# The world: users, roles, channels, members, the guild.


@dataclass(eq=False)
class FakeUser:
    """A Discord user (the bot itself, or a person in the test guild)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class FakeRole:
    """A guild role. The @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None
    color: int = 0

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class FakeChannel:
    """A guild text channel (type 0), or a DM channel (type 1) with ``recipient`` set."""

    id: int
    name: str
    guild_id: int | None
    type: int = 0
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    recipient: FakeUser | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_payload(self) -> JSON:
        if self.type == 1:
            recipients = [self.recipient.to_payload()] if self.recipient is not None else []
            return {"id": str(self.id), "type": 1, "recipients": recipients, "last_message_id": None, "flags": 0}
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "topic": self.topic,
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "nsfw": False,
            "permission_overwrites": [],
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }


@dataclass(eq=False)
class FakeMember:
    """A user's membership of the test guild."""

    user: FakeUser
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=_now_iso)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def to_payload(
        self, *, with_user: bool = True, permissions: int | None = None, role_ids: Sequence[int] | None = None
    ) -> JSON:
        data: JSON = {
            "roles": [str(r) for r in (self.role_ids if role_ids is None else role_ids)],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class FakeAttachment:
    """A file a user attaches (to a command option or a message), downloadable from the fake at ``url``."""

    id: int
    filename: str
    size: int
    url: str
    content_type: str | None = None
    description: str | None = None

    def to_payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
        }
        if self.content_type is not None:
            data["content_type"] = self.content_type
        if self.description is not None:
            data["description"] = self.description
        return data


@dataclass(eq=False)
class FakeGuild:
    """The one test guild: its roles (@everyone first), text channels and members."""

    id: int
    name: str
    owner_id: int
    roles: list[FakeRole]
    channels: list[FakeChannel]
    members: list[FakeMember]
    joined_at: str = field(default_factory=_now_iso)

    @property
    def everyone(self) -> FakeRole:
        return next(r for r in self.roles if r.id == self.id)

    def role(self, ref: str | int) -> FakeRole:
        for role in self.roles:
            if ref in (role.id, role.name):
                return role
        raise FakeDiscordError(f"no role {ref!r} in the fake guild (has {[r.name for r in self.roles]})")

    def channel(self, ref: str | int) -> FakeChannel:
        for channel in self.channels:
            if ref in (channel.id, channel.name):
                return channel
        raise FakeDiscordError(f"no channel {ref!r} in the fake guild (has {[c.name for c in self.channels]})")

    def member(self, ref: str | int) -> FakeMember | None:
        for member in self.members:
            if ref in (member.id, member.user.username):
                return member
        return None

    def permissions_for(self, member_id: int, role_ids: Sequence[int]) -> int:
        """Guild-level permissions: owner and administrators have all of them."""
        if member_id == self.owner_id:
            return ALL_PERMISSIONS
        value = self.everyone.permissions
        for role in self.roles:
            if role.id in role_ids:
                value |= role.permissions
        return ALL_PERMISSIONS if value & discord.Permissions(administrator=True).value else value

    def to_payload(self, *, full: bool) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.to_payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(self.channels[0].id) if self.channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500_000,
            "max_video_channel_users": 25,
        }
        if full:
            data.update(
                {
                    "joined_at": self.joined_at,
                    "large": False,
                    "unavailable": False,
                    "member_count": len(self.members),
                    "members": [m.to_payload() for m in self.members],
                    "channels": [c.to_payload() for c in self.channels],
                    "threads": [],
                    "presences": [],
                    "voice_states": [],
                    "stage_instances": [],
                    "guild_scheduled_events": [],
                    "soundboard_sounds": [],
                }
            )
        return data


# --------------------------------------------------------------------------------------------------------------
# What the bot did: requests, messages, interaction responses.


@dataclass(eq=False)
class UploadedFile:
    """A file part of a multipart request (``files[n]``)."""

    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass(eq=False)
class RecordedRequest:
    """One HTTP request the fake received, and what it answered."""

    method: str
    path: str  # without the /api/v10 prefix, e.g. "/channels/123/messages"
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any  # the JSON body, or multipart payload_json; None if there was none
    files: list[UploadedFile]
    time: float  # time.monotonic() on arrival
    status: int = 0  # 0 while being handled
    response: Any = None
    handled: bool = True  # False: no route matched (answered 404)
    fault: Fault | None = field(default=None, repr=False)  # the injected fault that answered it, if any

    @property
    def error_code(self) -> int | None:
        """Discord's JSON error code of the answer, if it was an error."""
        if self.status >= 400 and isinstance(self.response, dict):
            code = self.response.get("code")
            return code if isinstance(code, int) else None
        return None

    def matches(self, method: str | None = None, path: str | re.Pattern[str] | None = None) -> bool:
        """Method equal (if given); path equal, fnmatch-style with ``*`` (a str), or regex-fullmatched."""
        if method is not None and self.method != method.upper():
            return False
        if path is None:
            return True
        if isinstance(path, re.Pattern):
            return path.fullmatch(self.path) is not None
        return fnmatch.fnmatchcase(self.path, path)


@dataclass(eq=False)
class StoredMessage:
    """A message as the fake holds it; ``history`` keeps the payload of the creation and of each edit."""

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[JSON] = field(default_factory=list)
    files: list[UploadedFile] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    tts: bool = False
    allowed_mentions: JSON | None = None
    message_reference: JSON | None = None
    mention_ids: list[int] = field(default_factory=list)  # users actually pinged (after allowed_mentions)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    webhook_id: int | None = None
    interaction: InteractionHandle | None = field(default=None, repr=False)
    nonce: int | str | None = None
    timestamp: str = field(default_factory=_now_iso)
    edited_timestamp: str | None = None
    created_at: float = field(default_factory=time.monotonic)
    written_at: float = field(default_factory=time.monotonic)  # creation or last edit
    deleted: bool = False
    history: list[JSON] = field(default_factory=list, repr=False)
    reactions: list[str] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred "Bot is thinking..." message not yet filled in."""
        return bool(self.flags & FLAG_LOADING)

    @property
    def reply_to_id(self) -> int | None:
        if self.message_reference is None or self.message_reference.get("message_id") is None:
            return None
        return int(self.message_reference["message_id"])

    @property
    def edit_count(self) -> int:
        return max(len(self.history) - 1, 0)

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in _walk_components(self.components) if "custom_id" in c]

    def component(self, custom_id: str) -> JSON | None:
        return next((c for c in _walk_components(self.components) if c.get("custom_id") == custom_id), None)

    @property
    def text(self) -> str:
        """Content and every embed's text, one block: handy to assert what a user would read."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for f in embed.get("fields") or []:
                parts += [str(f.get("name", "")), str(f.get("value", ""))]
            parts += [(embed.get("footer") or {}).get("text") or "", (embed.get("author") or {}).get("name") or ""]
        parts += [str(c.get("content", "")) for c in _walk_components(self.components) if c.get("type") == 10]
        return "\n".join(p for p in parts if p)


def _walk_components(components: Sequence[JSON]) -> Iterator[JSON]:
    for component in components:
        yield component
        yield from _walk_components(component.get("components") or [])
        for key in ("accessory", "component"):
            child = component.get(key)
            if isinstance(child, dict):
                yield from _walk_components([child])


@dataclass(eq=False)
class CallbackRecord:
    """One POST /interactions/{id}/{token}/callback, accepted (status 200) or refused."""

    type: int | None
    data: JSON | None
    time: float
    delay: float  # seconds after the interaction was dispatched
    status: int = 0
    error_code: int | None = None
    files: list[UploadedFile] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def ephemeral(self) -> bool:
        return bool(int((self.data or {}).get("flags") or 0) & FLAG_EPHEMERAL)


RATE_LIMIT_BUCKET: Final = "fake-discord-fault"


@dataclass(eq=False)
class Fault:
    """An injected failure (see FakeDiscord.fail_next): the fake answers the next ``times`` matching requests with it.

    ``fired`` lists the requests it answered, in order. With ``processed`` the fake first carries the request out
    (a message is sent, an interaction acknowledged) and only the answer is the failure, as when Discord did the
    work but its front end timed out.
    """

    method: str | None
    path: str | re.Pattern[str]
    status: int
    code: int | None = None
    retry_after: float | None = None
    via: bool = True
    is_global: bool = False
    times: int = 1
    processed: bool = False
    message: str | None = None
    fired: list[RecordedRequest] = field(default_factory=list, repr=False)

    @property
    def remaining(self) -> int:
        return self.times - len(self.fired)

    @property
    def exhausted(self) -> bool:
        return self.remaining <= 0

    def matches(self, record: RecordedRequest) -> bool:
        return not self.exhausted and record.matches(self.method, self.path)

    def body(self) -> JSON:
        """Discord's error body: a rate-limit body for 429, else ``{"message", "code"}``."""
        reason = http.HTTPStatus(self.status).phrase
        if self.status == 429:
            body: JSON = {
                "message": self.message or "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.is_global,
            }
            if self.code is not None:
                body["code"] = self.code
            return body
        return {"message": self.message or f"{self.status}: {reason}", "code": self.code or 0}

    def headers(self) -> dict[str, str]:
        """``Via: 1.1 google`` (unless ``via`` is off: a Cloudflare answer); a 429's Retry-After and X-RateLimit-*."""
        headers = {"Content-Type": "application/json"}
        if self.via:
            headers["Via"] = "1.1 google"
        if self.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        if self.status == 429 and self.retry_after is not None:
            headers.update(
                {
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
                    "X-RateLimit-Bucket": RATE_LIMIT_BUCKET,
                    "X-RateLimit-Scope": "global" if self.is_global else "user",
                }
            )
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
        return headers


class RetrySleeps:
    """Stands in for ``asyncio`` in discord.py's REST modules: records each ``sleep`` and shortens it by ``scale``."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.requested: list[float] = []  # the waits discord.py asked for, in seconds, unscaled; not sleep(0)

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        if delay > 0:
            self.requested.append(delay)
        return await asyncio.sleep(delay * self.scale, result)


@contextlib.contextmanager
def short_retry_sleeps(scale: float = 0.01) -> Iterator[RetrySleeps]:
    """Shorten and record the sleeps of discord.py's REST layers (``discord.http``, ``discord.webhook.async_``).

    Those are the 429 ``retry_after`` waits and the 1, 3, 5, 7, 9 s back-off after a 5xx; ``scale=1`` only records.
    The gateway, the client and the test's own sleeps are not affected.
    """
    sleeps = RetrySleeps(scale)
    namespaces = (vars(discord.http), vars(discord.webhook.async_))
    saved = [namespace["asyncio"] for namespace in namespaces]
    for namespace in namespaces:
        namespace["asyncio"] = sleeps
    try:
        yield sleeps
    finally:
        for namespace, original in zip(namespaces, saved, strict=True):
            namespace["asyncio"] = original


class InteractionHandle:
    """One interaction the fake dispatched, and everything the bot did about it.

    ``response`` is the accepted callback; ``original`` the message it made (or, for component interactions
    answered with type 6 or 7, the message the component is on); ``followups`` the other messages sent through
    the interaction webhook; ``errors`` every request about this interaction that the fake refused.
    """

    def __init__(
        self,
        fake: FakeDiscord,
        payload: JSON,
        *,
        user: FakeUser,
        channel_id: int,
        component_message: StoredMessage | None = None,
        parent: InteractionHandle | None = None,
    ) -> None:
        self.fake = fake
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.user = user
        self.channel_id = channel_id
        self.component_message = component_message
        self.parent = parent  # the interaction whose modal this one submits
        self.dispatched_at = time.monotonic()
        self.last_activity = self.dispatched_at
        self.callbacks: list[CallbackRecord] = []
        self.response: CallbackRecord | None = None
        self.original: StoredMessage | None = None
        self.followups: list[StoredMessage] = []
        self.requests: list[RecordedRequest] = []
        self.errors: list[RecordedRequest] = []
        self.choices: list[JSON] | None = None
        self.modal: JSON | None = None
        self.expired = False

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self.type} {self.name or self.custom_id!r}>"

    @property
    def data(self) -> JSON:
        data: JSON = self.payload.get("data") or {}
        return data

    @property
    def name(self) -> str | None:
        """The command's name (commands and autocomplete)."""
        name = self.data.get("name")
        return name if isinstance(name, str) else None

    @property
    def custom_id(self) -> str | None:
        """The component's or modal's custom id."""
        custom_id = self.data.get("custom_id")
        return custom_id if isinstance(custom_id, str) else None

    @property
    def response_type(self) -> int | None:
        return None if self.response is None else self.response.type

    @property
    def response_delay(self) -> float | None:
        """Seconds from dispatch to the accepted callback (Discord allows 3)."""
        return None if self.response is None else self.response.delay

    @property
    def acknowledged(self) -> bool:
        return self.response is not None

    @property
    def double_acknowledgements(self) -> list[RecordedRequest]:
        """Callbacks refused with 40060: the bot tried to respond twice."""
        return [r for r in self.errors if r.error_code == ERROR_ALREADY_ACKNOWLEDGED]

    @property
    def messages(self) -> list[StoredMessage]:
        """The original response (if any) and the follow-ups, without deleted ones."""
        found = ([self.original] if self.original is not None else []) + self.followups
        return [m for m in found if not m.deleted]

    @property
    def final(self) -> StoredMessage | None:
        """The message this interaction wrote last (created or edited), not deleted and not still "thinking"."""
        if self.response is None:
            return None
        candidates = [m for m in self.messages if not m.loading and m.written_at >= self.dispatched_at]
        return max(candidates, key=lambda m: m.written_at, default=None)

    def expire(self) -> None:
        """Make the token invalid: callbacks get 404/10062, webhook calls 401/50027."""
        self.expired = True

    def describe(self) -> str:
        callbacks = [(c.type, c.status, c.error_code) for c in self.callbacks]
        messages = [(m.id, m.content[:60], m.flags) for m in self.messages]
        errors = [(r.method, r.path, r.status, r.error_code) for r in self.errors]
        return f"{self!r}: callbacks (type, status, code) {callbacks}; messages {messages}; errors {errors}"

    async def wait_for_response(self, timeout: float = 2.0) -> CallbackRecord:
        """Wait for the accepted callback (type 4/5/6/7/8/9) and return it."""
        return await self.fake._wait_until(lambda: self.response, timeout, self.describe)

    async def wait_for_final(self, timeout: float = 2.0, *, settle: float = 0.05) -> StoredMessage:
        """Wait for the message this interaction left, once nothing about it has changed for ``settle`` seconds.

        After a deferral that is the follow-up or edit that filled it in. Raises FakeDiscordError if the
        interaction was answered with a modal or autocomplete choices (no message).
        """

        def check() -> StoredMessage | None:
            if self.response_type in (CALLBACK_AUTOCOMPLETE_RESULT, CALLBACK_MODAL):
                raise FakeDiscordError(f"interaction answered with callback type {self.response_type}, no message")
            return self.final

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await self.fake._wait_until(check, timeout, self.describe)
        while (quiet := time.monotonic() - self.last_activity) < settle and loop.time() < deadline:
            await asyncio.sleep(settle - quiet)
        final = self.final
        if final is None:
            raise FakeDiscordError(f"the interaction's message went away: {self.describe()}")
        return final

    async def wait_for_followups(self, count: int = 1, timeout: float = 2.0) -> list[StoredMessage]:
        """Wait until at least ``count`` follow-up messages (not counting a filled-in deferral) exist."""

        def check() -> list[StoredMessage] | None:
            return list(self.followups) if len(self.followups) >= count else None

        return await self.fake._wait_until(check, timeout, self.describe)


@dataclass
class _Problem:
    status: int
    code: int
    message: str
    errors: JSON | None = None


def _form_error(errors: JSON, path: Sequence[str | int], code: str, message: str) -> None:
    node = errors
    for key in path:
        node = node.setdefault(str(key), {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


@dataclass(eq=False)
class _Req:
    request: web.Request
    record: RecordedRequest

    @property
    def body(self) -> JSON:
        return self.record.json if isinstance(self.record.json, dict) else {}

    @property
    def files(self) -> list[UploadedFile]:
        return self.record.files

    @property
    def query(self) -> dict[str, str]:
        return self.record.query


@dataclass(eq=False)
class _Session:
    id: str
    seq: int = 0
    events: list[JSON] = field(default_factory=list)
    connection: _Connection | None = None


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    transport: asyncio.Transport | None
    session: _Session | None = None
    closed: bool = False


_Handler = Callable[[_Req, re.Match[str]], Awaitable[web.StreamResponse]]
OptionValue = str | int | float | bool | FakeAttachment | FakeUser | FakeMember | FakeRole | FakeChannel
UserRef = FakeUser | FakeMember | int | str | None


@contextlib.contextmanager
def pointed_at(api_base: str, gateway_url: str) -> Iterator[None]:
    """Point discord.py's REST base (incl. webhooks and interaction callbacks) and gateway at other URLs."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def run_client(client: discord.Client, fake: FakeDiscord, *, timeout: float = 5.0) -> AsyncIterator[None]:
    """Start ``client`` against ``fake`` and wait until on_ready; close it (and surface its crash) afterwards."""
    identified = fake.identify_count
    task = asyncio.create_task(client.start(fake.token), name="fake-discord-client")

    async def ready() -> None:
        await fake._wait_until(lambda: True if fake.identify_count > identified else None, timeout, "IDENTIFY")
        await client.wait_until_ready()

    waiter = asyncio.create_task(ready())
    done, _ = await asyncio.wait({task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if waiter not in done:
        waiter.cancel()
        await client.close()
        if task in done:
            task.result()  # the client's own error
        task.cancel()
        raise TimeoutError(f"the client did not become ready within {timeout}s")
    waiter.result()
    failed = True
    try:
        yield
        failed = False
    finally:
        await client.close()
        try:
            await asyncio.wait_for(task, timeout)
        except Exception:
            if not failed:
                raise


# --------------------------------------------------------------------------------------------------------------
# The fake itself.


class FakeDiscord:
    """A fake Discord API and gateway for one application, one bot user and one guild, on 127.0.0.1."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "Pactbot",
        guild_name: str = "Pact Watchers",
        channel_names: Sequence[str] = ("general", "defence-news", "bot-log"),
        heartbeat_interval_ms: int = 41_250,
        echo_own_messages: bool = True,
        require_registered_commands: bool = True,
        callback_deadline: float | None = None,
        max_upload_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        """``callback_deadline``: seconds after dispatch past which a callback gets 10062 (Discord: 3); None: off."""
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.echo_own_messages = echo_own_messages
        self.require_registered_commands = require_registered_commands
        self.callback_deadline = callback_deadline
        self.max_upload_bytes = max_upload_bytes

        self.application_id = _snowflake()
        self.bot_user = FakeUser(_snowflake(), bot_name, bot=True)
        self.default_user = FakeUser(_snowflake(), "alice", "Alice")
        self.moderator = FakeUser(_snowflake(), "bob", "Bob")
        self.owner = FakeUser(_snowflake(), "carol", "Carol")
        guild_id = _snowflake()
        moderator_role = FakeRole(_snowflake(), "Moderator", _MODERATOR_PERMISSIONS, position=2, mentionable=True)
        bot_role = FakeRole(_snowflake(), bot_name, _BOT_PERMISSIONS, position=1, managed=True, bot_id=self.bot_user.id)
        self.guild = FakeGuild(
            id=guild_id,
            name=guild_name,
            owner_id=self.owner.id,
            roles=[FakeRole(guild_id, "@everyone", _EVERYONE_PERMISSIONS), bot_role, moderator_role],
            channels=[FakeChannel(_snowflake(), name, guild_id, position=i) for i, name in enumerate(channel_names)],
            members=[
                FakeMember(self.bot_user, [bot_role.id]),
                FakeMember(self.default_user),
                FakeMember(self.moderator, [moderator_role.id]),
                FakeMember(self.owner),
            ],
        )
        self.users: dict[int, FakeUser] = {m.id: m.user for m in self.guild.members}
        self.dm_channels: dict[int, FakeChannel] = {}  # by recipient id

        self.requests: list[RecordedRequest] = []
        self.downloads: list[RecordedRequest] = []
        self.internal_errors: list[BaseException] = []
        self.messages: dict[int, StoredMessage] = {}
        self.interactions: dict[str, InteractionHandle] = {}  # by token
        self.global_commands: list[JSON] = []
        self.guild_commands: dict[int, list[JSON]] = {}
        self.global_commands_puts = 0
        self.guild_commands_puts: Counter[int] = Counter()

        self.identify_count = 0
        self.resume_count = 0
        self.ready_count = 0
        self.heartbeat_count = 0
        self.gateway_connect_count = 0
        self.invalid_session_count = 0
        self.intents: int | None = None
        self.identify_payload: JSON | None = None
        self.presence: JSON | None = None
        self.gateway_received: list[JSON] = []
        self.gateway_sent: list[JSON] = []
        self.close_codes: list[int | None] = []
        self.faults: list[Fault] = []  # every fault injected with fail_next, in order
        self.gateway_held_count = 0  # gateway connection attempts that waited for release_gateway()

        self.port = 0
        self._gateway_open = asyncio.Event()
        self._gateway_open.set()
        self._stopping = False
        self._files: dict[str, tuple[bytes, str | None]] = {}
        self._session: _Session | None = None
        self._connections: list[_Connection] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._runner: web.AppRunner | None = None
        self._pointing: contextlib.ExitStack | None = None
        self._routes = self._build_routes()

    # ---- lifecycle -------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """What discord.http.Route.BASE must be."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What DiscordWebSocket.DEFAULT_GATEWAY must be (also READY's resume_gateway_url)."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=self.max_upload_bytes * 4 + 1_000_000)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Close gateway connections and stop listening."""
        self._stopping = True
        self._gateway_open.set()  # held connection attempts are refused
        for conn in list(self._connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001, message=b"fake discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextlib.contextmanager
    def pointed_at(self) -> Iterator[None]:
        """Point discord.py at this fake (for this block)."""
        with pointed_at(self.api_base, self.gateway_url):
            yield

    async def __aenter__(self) -> FakeDiscord:
        """Start, and point discord.py at the fake until the block ends."""
        await self.start()
        self._pointing = contextlib.ExitStack()
        self._pointing.enter_context(self.pointed_at())
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._pointing is not None:
            self._pointing.close()
            self._pointing = None
        await self.stop()
        if exc is None and self.internal_errors:
            raise FakeDiscordError(f"the fake itself failed: {self.internal_errors!r}") from self.internal_errors[0]

    # ---- waiting ---------------------------------------------------------------------------------------------

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _wait_until(self, check: Callable[[], _T | None], timeout: float, what: str | Callable[[], str]) -> _T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = check()
            if value is not None:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                described = what() if callable(what) else what
                raise TimeoutError(f"fake discord: timed out after {timeout}s waiting for {described}")
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)

    async def wait_ready(self, timeout: float = 5.0) -> None:
        """Wait until a client identified and was sent READY and GUILD_CREATE (see run_client for on_ready)."""
        await self._wait_until(lambda: True if self.ready_count > 0 else None, timeout, "READY")

    async def wait_for_resume(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until the client has RESUMEd ``count`` times in all."""
        await self._wait_until(lambda: True if self.resume_count >= count else None, timeout, f"RESUME #{count}")

    async def wait_for_identify(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until the client has IDENTIFYed ``count`` times in all."""
        await self._wait_until(lambda: True if self.identify_count >= count else None, timeout, f"IDENTIFY #{count}")

    async def wait_for_request(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 2.0, *, since: float | None = None
    ) -> RecordedRequest:
        """The first answered request (arrived at or after ``since``, a time.monotonic()) matching ``predicate``."""

        def check() -> RecordedRequest | None:
            for record in self.requests:
                if record.status and (since is None or record.time >= since) and predicate(record):
                    return record
            return None

        return await self._wait_until(check, timeout, "a matching request")

    async def wait_for_message(self, predicate: Callable[[StoredMessage], bool], timeout: float = 2.0) -> StoredMessage:
        """The first stored, not deleted message (any author) matching ``predicate``."""

        def check() -> StoredMessage | None:
            return next((m for m in self.messages.values() if not m.deleted and predicate(m)), None)

        return await self._wait_until(check, timeout, "a matching message")

    async def wait_for_fault(
        self, fault: Fault, count: int | None = None, timeout: float = 2.0
    ) -> list[RecordedRequest]:
        """Wait until ``fault`` has fired ``count`` times (default: all its ``times``); returns the requests."""
        wanted = fault.times if count is None else count

        def check() -> list[RecordedRequest] | None:
            return list(fault.fired) if len(fault.fired) >= wanted else None

        return await self._wait_until(check, timeout, f"{fault!r} to fire {wanted} times")

    async def wait_for_gateway_attempt(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until ``count`` gateway connection attempts in all have been held (see hold_gateway)."""
        await self._wait_until(
            lambda: True if self.gateway_held_count >= count else None, timeout, f"held gateway attempt #{count}"
        )

    # ---- queries ---------------------------------------------------------------------------------------------

    @property
    def guild_id(self) -> int:
        return self.guild.id

    @property
    def channel_id(self) -> int:
        """The first text channel ("general")."""
        return self.guild.channels[0].id

    def channel(self, ref: str | int | None = None) -> FakeChannel:
        """A guild channel by name or id (default: the first one), or a DM channel by id."""
        if ref is None:
            return self.guild.channels[0]
        for dm in self.dm_channels.values():
            if dm.id == ref:
                return dm
        return self.guild.channel(ref)

    def role(self, ref: str | int) -> FakeRole:
        return self.guild.role(ref)

    def member(self, ref: str | int) -> FakeMember:
        member = self.guild.member(ref)
        if member is None:
            raise FakeDiscordError(f"no member {ref!r} in the fake guild")
        return member

    def add_member(
        self, username: str, *, roles: Sequence[str | int] = (), global_name: str | None = None
    ) -> FakeMember:
        """A new guild member (best added before the client connects, so GUILD_CREATE carries it)."""
        user = FakeUser(_snowflake(), username, global_name)
        member = FakeMember(user, [self.role(r).id for r in roles])
        self.guild.members.append(member)
        self.users[user.id] = user
        return member

    def find_requests(
        self, method: str | None = None, path: str | re.Pattern[str] | None = None
    ) -> list[RecordedRequest]:
        """Recorded requests by method and path (``"/channels/*/messages"`` style, or a compiled regex)."""
        return [r for r in self.requests if r.matches(method, path)]

    def requests_with_error(self, code: int) -> list[RecordedRequest]:
        """Requests the fake refused with Discord error ``code`` (e.g. 40060)."""
        return [r for r in self.requests if r.error_code == code]

    @property
    def unhandled_requests(self) -> list[RecordedRequest]:
        """Requests no route of the fake knows (answered 404): the bot used an endpoint the fake lacks."""
        return [r for r in self.requests if not r.handled]

    def bot_messages(self, channel_id: int | None = None, *, include_deleted: bool = False) -> list[StoredMessage]:
        """Messages the bot wrote (channel messages and interaction messages), oldest first."""
        return [
            m
            for m in self.messages.values()
            if m.author.id == self.bot_user.id
            and (channel_id is None or m.channel_id == channel_id)
            and (include_deleted or not m.deleted)
        ]

    def messages_in(self, channel_id: int) -> list[StoredMessage]:
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted]

    def get_message(self, message_id: int) -> StoredMessage:
        try:
            return self.messages[message_id]
        except KeyError:
            raise FakeDiscordError(f"no message {message_id}") from None

    def interaction(self, interaction_id: int) -> InteractionHandle:
        for handle in self.interactions.values():
            if handle.id == interaction_id:
                return handle
        raise FakeDiscordError(f"no interaction {interaction_id}")

    def expire_interaction(self, handle_or_token: InteractionHandle | str) -> None:
        """Invalidate an interaction token (see InteractionHandle.expire)."""
        token = handle_or_token if isinstance(handle_or_token, str) else handle_or_token.token
        self.interactions[token].expire()

    # ---- faults ----------------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        path: str | re.Pattern[str],
        status: int,
        *,
        code: int | None = None,
        retry_after: float | None = None,
        via: bool = True,
        is_global: bool = False,
        times: int = 1,
        processed: bool = False,
        message: str | None = None,
    ) -> Fault:
        """Answer the next ``times`` REST requests matching ``method`` and ``path`` with ``status``; returns the Fault.

        ``path`` is matched as in find_requests, without the /api/v10 prefix: ``"/webhooks/*/messages/@original"``,
        ``"/interactions/*/callback"``, ``"/channels/*/messages"``, or a compiled regex. A 429 gets Discord's body
        ``{"message", "retry_after", "global"}`` (``retry_after`` defaults to 0.05 s) with Retry-After and X-RateLimit-*
        headers; any fault carries ``Via: 1.1 google`` unless ``via`` is False (for a 429: a Cloudflare ban, which
        discord.py raises instead of retrying). Other statuses get ``{"message", "code"}`` (``code`` default 0).
        ``processed``: carry the request out first, then answer with the fault anyway. Faults fire in the order they
        were added; an exhausted one stays in ``faults`` with its ``fired`` requests.
        """
        if not 400 <= status <= 599:
            raise FakeDiscordError(f"a fault needs an error status (4xx or 5xx), not {status}")
        if times < 1:
            raise FakeDiscordError(f"a fault fires at least once, not {times} times")
        if status == 429 and retry_after is None:
            retry_after = 0.05
        fault = Fault(
            method.upper() if method is not None else None,
            path,
            status,
            code=code,
            retry_after=retry_after,
            via=via,
            is_global=is_global,
            times=times,
            processed=processed,
            message=message,
        )
        self.faults.append(fault)
        return fault

    @property
    def pending_faults(self) -> list[Fault]:
        """Injected faults that have not fired all their times yet."""
        return [f for f in self.faults if not f.exhausted]

    def clear_faults(self) -> None:
        """Forget the faults that have not fired yet (fired ones stay in ``faults``)."""
        self.faults = [f for f in self.faults if f.fired]
        for fault in self.faults:
            fault.times = len(fault.fired)

    def _fault_for(self, record: RecordedRequest) -> Fault | None:
        return next((f for f in self.faults if f.matches(record)), None)

    def _fire(self, req: _Req, fault: Fault) -> web.Response:
        """Answer with ``fault``, and note it on the interaction the request is about (if any)."""
        record = req.record
        fault.fired.append(record)
        record.fault = fault
        body = fault.body()
        record.status, record.response = fault.status, body
        token = _INTERACTION_TOKEN.fullmatch(record.path)
        handle = self.interactions.get(token["token"]) if token is not None else None
        if handle is not None:
            now = time.monotonic()
            handle.last_activity = now
            if record not in handle.requests:
                handle.requests.append(record)
            handle.errors.append(record)
            if record.path.endswith("/callback") and not fault.processed:
                data = req.body.get("data") if isinstance(req.body.get("data"), dict) else None
                callback = CallbackRecord(req.body.get("type"), data, now, now - handle.dispatched_at, files=req.files)
                callback.status, callback.error_code = fault.status, record.error_code
                handle.callbacks.append(callback)
        return web.Response(status=fault.status, body=json.dumps(body).encode(), headers=fault.headers())

    # ---- files -----------------------------------------------------------------------------------------------

    def add_file(self, name: str, data: bytes, content_type: str | None = None) -> str:
        """Serve ``data`` over HTTP from the fake; returns its URL (GETs are recorded in ``downloads``)."""
        return self._serve(_snowflake(), name, data, content_type or mimetypes.guess_type(name)[0])

    def attachment(
        self,
        filename: str,
        data: bytes,
        content_type: str | None = None,
        *,
        size: int | None = None,
        description: str | None = None,
    ) -> FakeAttachment:
        """A served file as an attachment; ``size`` may claim another size than ``len(data)``."""
        attachment_id = _snowflake()
        ctype = content_type or mimetypes.guess_type(filename)[0]
        url = self._serve(attachment_id, filename, data, ctype)
        return FakeAttachment(attachment_id, filename, len(data) if size is None else size, url, ctype, description)

    def download_count(self, url_or_attachment: str | FakeAttachment) -> int:
        """How many times the file was GET (0: the bot never downloaded it)."""
        url = url_or_attachment if isinstance(url_or_attachment, str) else url_or_attachment.url
        path = yarl.URL(url).path
        return sum(1 for r in self.downloads if r.raw_path == path and r.method == "GET")

    def _serve(self, file_id: int, name: str, data: bytes, content_type: str | None) -> str:
        path = f"/attachments/{file_id}/{urllib.parse.quote(name)}"
        self._files[yarl.URL(path).path] = (data, content_type)
        return f"{self.base_url}{path}"

    # ---- gateway ---------------------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: JSON) -> int:
        """Send a DISPATCH event to the client (buffered for RESUME while it is disconnected); returns its seq."""
        session = self._session
        if session is None:
            raise FakeDiscordError(f"cannot dispatch {event}: no client has identified")
        session.seq += 1
        frame: JSON = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        conn = session.connection
        if conn is not None and not conn.closed:
            await self._send(conn, frame)
        return session.seq

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT on the current connection (discord.py closes it and RESUMEs)."""
        await self._send(self._current_connection(), {"op": 7, "d": None})

    async def reconnect(self, timeout: float = 5.0) -> None:
        """Send op 7 RECONNECT and wait until the client has RESUMEd."""
        expected = self.resume_count + 1
        await self.send_reconnect()
        await self.wait_for_resume(expected, timeout)

    def drop_connection(self) -> None:
        """Abort the current gateway TCP connection without a close frame (discord.py RESUMEs)."""
        conn = self._current_connection()
        if conn.transport is None:
            raise FakeDiscordError("no transport to abort")
        conn.closed = True
        conn.transport.abort()

    def hold_gateway(self) -> None:
        """Leave new gateway connections unanswered (the websocket handshake waits) until release_gateway()."""
        self._gateway_open.clear()

    def release_gateway(self) -> None:
        """Let held and new gateway connections through again."""
        self._gateway_open.set()

    @property
    def gateway_held(self) -> bool:
        return not self._gateway_open.is_set()

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (discord.py then IDENTIFYs again unless ``resumable``)."""
        await self._send(self._current_connection(), {"op": 9, "d": resumable})

    @property
    def connected(self) -> bool:
        return any(c.session is not None and not c.closed for c in self._connections)

    def _current_connection(self) -> _Connection:
        session = self._session
        if session is None or session.connection is None or session.connection.closed:
            raise FakeDiscordError("no client is connected to the gateway")
        return session.connection

    async def _send(self, conn: _Connection, frame: JSON) -> None:
        self.gateway_sent.append(frame)
        try:
            await conn.ws.send_str(json.dumps(frame))
        except (ConnectionError, RuntimeError):
            conn.closed = True

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if not self._gateway_open.is_set():
            self.gateway_held_count += 1
            self._notify()
            await self._gateway_open.wait()
        if self._stopping:
            return web.Response(status=503, text="fake discord stopping")
        ws = web.WebSocketResponse(timeout=1.0, max_msg_size=16 * 1024 * 1024)
        transport = request.transport
        await ws.prepare(request)
        conn = _Connection(ws, transport)
        self._connections.append(conn)
        self.gateway_connect_count += 1
        hello: JSON = {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
        await self._send(conn, hello)
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    try:
                        frame = json.loads(msg.data)
                    except ValueError:
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                        break
                    await self._on_gateway_frame(conn, frame)
                elif msg.type is WSMsgType.BINARY:
                    await ws.close(code=4002, message=b"Binary frames are not supported by the fake.")
                    break
        except Exception as exc:  # pragma: no cover - a bug in the fake
            self.internal_errors.append(exc)
        finally:
            conn.closed = True
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self._connections.remove(conn)
            self.close_codes.append(ws.close_code)
            self._notify()
        return ws

    async def _on_gateway_frame(self, conn: _Connection, frame: Any) -> None:
        if not isinstance(frame, dict):
            return
        self.gateway_received.append(frame)
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            self.heartbeat_count += 1
            await self._send(conn, {"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            await self._on_identify(conn, data)
        elif op == 6:
            await self._on_resume(conn, data)
        elif op == 3:
            self.presence = data if isinstance(data, dict) else None
        elif op == 8 and isinstance(data, dict):
            await self._on_request_members(data)
        self._notify()

    async def _on_identify(self, conn: _Connection, data: Any) -> None:
        if not isinstance(data, dict) or data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identify_count += 1
        self.identify_payload = data
        self.intents = int(data.get("intents") or 0)
        session = _Session(secrets.token_hex(16), connection=conn)
        conn.session = session
        self._session = session
        ready: JSON = {
            "v": 10,
            "user": self._me_payload(),
            "guilds": [{"id": str(self.guild.id), "unavailable": True}],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await self.dispatch("READY", ready)
        if self.intents & INTENT_GUILDS:
            await self.dispatch("GUILD_CREATE", self.guild.to_payload(full=True))
        self.ready_count += 1

    async def _on_resume(self, conn: _Connection, data: Any) -> None:
        if not isinstance(data, dict) or data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        session = self._session
        if session is None or data.get("session_id") != session.id:
            self.invalid_session_count += 1
            await self._send(conn, {"op": 9, "s": None, "t": None, "d": False})
            return
        session.connection = conn
        conn.session = session
        seen = int(data.get("seq") or 0)
        for frame in [f for f in session.events if f["s"] > seen]:
            await self._send(conn, frame)
        self.resume_count += 1
        await self.dispatch("RESUMED", {"_trace": ["fake-discord"]})

    async def _on_request_members(self, data: JSON) -> None:
        members = self.guild.members
        user_ids = data.get("user_ids")
        if user_ids is not None:
            wanted = {int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])}
            members = [m for m in members if m.id in wanted]
        query = data.get("query")
        if query:
            members = [m for m in members if m.user.username.lower().startswith(str(query).lower())]
        if data.get("limit"):
            members = members[: int(data["limit"])]
        chunk: JSON = {
            "guild_id": str(self.guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _has_intent(self, bit: int) -> bool:
        return self.intents is not None and bool(self.intents & bit)

    def _wants_messages(self, guild_id: int | None) -> bool:
        return self._has_intent(INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES)

    async def _echo(self, event: str, message: StoredMessage) -> None:
        if not self.echo_own_messages or message.ephemeral or self._session is None:
            return
        if not self._wants_messages(message.guild_id):
            return
        if event == "MESSAGE_DELETE":
            data: JSON = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
        else:
            data = self.message_payload(message, gateway=True)
        await self.dispatch(event, data)

    # ---- users' actions --------------------------------------------------------------------------------------

    def _member_for(self, user: UserRef) -> FakeMember:
        if user is None:
            return self.member(self.default_user.id)
        if isinstance(user, FakeMember):
            return user
        if isinstance(user, FakeUser):
            return self.guild.member(user.id) or FakeMember(user)
        return self.member(user)

    async def send_message(
        self,
        channel_id: int | None = None,
        content: str = "",
        *,
        author: UserRef = None,
        mentions_bot: bool = False,
        reply_to: int | StoredMessage | None = None,
        mention_everyone: bool = False,
        attachments: Sequence[FakeAttachment] = (),
        embeds: Sequence[JSON] = (),
    ) -> StoredMessage:
        """A user posts a message: MESSAGE_CREATE with mentions, member, and reference/referenced_message.

        ``mentions_bot`` puts ``<@bot>`` in front of the content unless it is already there; other ``<@id>`` in
        the content mention those users. A reply does not ping the replied-to author.
        """
        channel = self.channel(channel_id)
        member = self._member_for(author)
        if mentions_bot and self.bot_user.mention not in content and f"<@!{self.bot_user.id}>" not in content:
            content = f"{self.bot_user.mention} {content}".rstrip()
        if mention_everyone and "@everyone" not in content:
            content = f"@everyone {content}".rstrip()
        reference: JSON | None = None
        if reply_to is not None:
            target = reply_to if isinstance(reply_to, StoredMessage) else self.get_message(reply_to)
            reference = {"type": 0, "message_id": str(target.id), "channel_id": str(target.channel_id)}
            if target.guild_id is not None:
                reference["guild_id"] = str(target.guild_id)
        user_ids = [int(u) for u in _USER_MENTION.findall(content) if int(u) in self.users]
        message = StoredMessage(
            id=_snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=member.user,
            content=content,
            embeds=[dict(e) for e in embeds],
            attachments=[a.to_payload() for a in attachments],
            type=19 if reference is not None else 0,
            message_reference=reference,
            mention_ids=list(dict.fromkeys(user_ids)),
            mention_role_ids=[int(r) for r in _ROLE_MENTION.findall(content)],
            mention_everyone="@everyone" in content or "@here" in content,
        )
        message.history.append({"content": content})
        self.messages[message.id] = message
        if self._wants_messages(channel.guild_id):
            data = self.message_payload(message, gateway=True)
            addressed = self.bot_user.id in message.mention_ids or channel.guild_id is None
            if not self._has_intent(INTENT_MESSAGE_CONTENT) and not addressed:
                data.update(content="", embeds=[], attachments=[], components=[])
            await self.dispatch("MESSAGE_CREATE", data)
        self._notify()
        return message

    def dm_channel(self, user: UserRef = None) -> FakeChannel:
        """The DM channel between the bot and ``user`` (made on first use)."""
        target = self._member_for(user).user
        if target.id not in self.dm_channels:
            self.dm_channels[target.id] = FakeChannel(_snowflake(), "", None, type=1, recipient=target)
        return self.dm_channels[target.id]

    async def invoke_command(
        self,
        name: str,
        options: Mapping[str, OptionValue] | None = None,
        *,
        user: UserRef = None,
        roles: Sequence[str | int] | None = None,
        permissions: int | None = None,
        channel_id: int | None = None,
        resolved: JSON | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """A user runs slash command ``name`` (or subcommand ``"group sub"``): INTERACTION_CREATE type 2
        with a fresh id and token.

        Options map names to str/int/float/bool, or to FakeAttachment/FakeUser/FakeMember/FakeRole/FakeChannel,
        which become snowflake options with ``data.resolved`` filled in. ``roles`` (names or ids) replace the
        member's roles and ``permissions`` the computed permissions, for this interaction only.
        """
        top, _, sub = name.partition(" ")  # "feeds add": subcommand "add" of command "feeds"
        command, command_guild = self._find_command(top)
        spec = command
        if sub and command is not None:
            spec = next((o for o in command.get("options") or [] if o.get("type") == 1 and o["name"] == sub), None)
            if spec is None:
                raise FakeDiscordError(f"/{top} has no subcommand {sub!r}")
        built, built_resolved = self._build_options(spec, dict(options or {}), focused=None)
        if sub:
            built = [{"name": sub, "type": 1, "options": built}]
        data: JSON = {
            "id": str(command["id"]) if command else str(_snowflake()),
            "name": top,
            "type": 1,
            "options": built,
        }
        merged = _merge_resolved(built_resolved, resolved or {})
        if merged:
            data["resolved"] = merged
        if command_guild is not None:
            data["guild_id"] = str(command_guild)
        return await self._dispatch_interaction(
            INTERACTION_APPLICATION_COMMAND,
            data,
            user=user,
            roles=roles,
            permissions=permissions,
            channel_id=channel_id,
            locale=locale,
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, OptionValue],
        focused: str,
        *,
        user: UserRef = None,
        channel_id: int | None = None,
    ) -> InteractionHandle:
        """A user types in option ``focused`` of command ``name``: INTERACTION_CREATE type 4; read ``choices``."""
        command, command_guild = self._find_command(name)
        values = dict(options)
        values.setdefault(focused, "")
        built, built_resolved = self._build_options(command, values, focused=focused)
        data: JSON = {
            "id": str(command["id"]) if command else str(_snowflake()),
            "name": name,
            "type": 1,
            "options": built,
        }
        if built_resolved:
            data["resolved"] = built_resolved
        if command_guild is not None:
            data["guild_id"] = str(command_guild)
        return await self._dispatch_interaction(INTERACTION_AUTOCOMPLETE, data, user=user, channel_id=channel_id)

    async def click_button(
        self,
        message: StoredMessage | int,
        custom_id: str,
        *,
        user: UserRef = None,
        roles: Sequence[str | int] | None = None,
        permissions: int | None = None,
    ) -> InteractionHandle:
        """A user clicks button ``custom_id`` on a message: INTERACTION_CREATE type 3."""
        return await self._use_component(message, custom_id, None, user=user, roles=roles, permissions=permissions)

    async def select_option(
        self, message: StoredMessage | int, custom_id: str, values: Sequence[str], *, user: UserRef = None
    ) -> InteractionHandle:
        """A user picks ``values`` in select menu ``custom_id`` on a message: INTERACTION_CREATE type 3."""
        return await self._use_component(message, custom_id, list(values), user=user)

    async def submit_modal(
        self, handle: InteractionHandle, values: Mapping[str, str], *, user: UserRef = None
    ) -> InteractionHandle:
        """A user fills in and submits the modal ``handle`` was answered with: INTERACTION_CREATE type 5."""
        modal = handle.modal
        if modal is None:
            raise FakeDiscordError(f"{handle!r} was not answered with a modal")
        unknown = set(values) - {c.get("custom_id") for c in _walk_components(modal.get("components") or [])}
        if unknown:
            raise FakeDiscordError(f"the modal has no inputs {sorted(unknown)}")

        def fill(component: JSON) -> JSON:
            if component.get("type") == 1:
                return {"type": 1, "components": [fill(c) for c in component.get("components") or []]}
            if component.get("type") == 18 and isinstance(component.get("component"), dict):
                return {"type": 18, "component": fill(component["component"])}
            out: JSON = {"type": component.get("type"), "custom_id": component.get("custom_id")}
            if component.get("type") == 4:
                out["value"] = values.get(str(component.get("custom_id")), component.get("value") or "")
            return out

        components = [fill(c) for c in modal.get("components") or []]
        data: JSON = {"custom_id": modal.get("custom_id"), "components": components}
        return await self._dispatch_interaction(
            INTERACTION_MODAL_SUBMIT,
            data,
            user=handle.user if user is None else user,
            channel_id=handle.channel_id,
            message=handle.component_message,
            parent=handle,
        )

    async def _use_component(
        self,
        message: StoredMessage | int,
        custom_id: str,
        values: list[str] | None,
        *,
        user: UserRef,
        roles: Sequence[str | int] | None = None,
        permissions: int | None = None,
    ) -> InteractionHandle:
        target = message if isinstance(message, StoredMessage) else self.get_message(message)
        if target.deleted:
            raise FakeDiscordError(f"message {target.id} was deleted")
        component = target.component(custom_id)
        if component is None:
            raise FakeDiscordError(f"message {target.id} has no component {custom_id!r} (has {target.custom_ids})")
        if component.get("disabled"):
            raise FakeDiscordError(f"component {custom_id!r} of message {target.id} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": component.get("type", 2)}
        if values is not None:
            if data["component_type"] == 2:
                raise FakeDiscordError(f"{custom_id!r} is a button, not a select menu")
            allowed = {o.get("value") for o in component.get("options") or []}
            if data["component_type"] == 3 and not set(values) <= allowed:
                raise FakeDiscordError(f"select {custom_id!r} has no options {sorted(set(values) - allowed)}")
            data["values"] = values
        elif data["component_type"] != 2:
            raise FakeDiscordError(f"{custom_id!r} is a select menu: use select_option")
        return await self._dispatch_interaction(
            INTERACTION_MESSAGE_COMPONENT,
            data,
            user=user,
            roles=roles,
            permissions=permissions,
            channel_id=target.channel_id,
            message=target,
        )

    async def _dispatch_interaction(
        self,
        itype: int,
        data: JSON,
        *,
        user: UserRef,
        roles: Sequence[str | int] | None = None,
        permissions: int | None = None,
        channel_id: int | None = None,
        message: StoredMessage | None = None,
        locale: str = "en-US",
        parent: InteractionHandle | None = None,
    ) -> InteractionHandle:
        member = self._member_for(user)
        role_ids = member.role_ids if roles is None else [self.role(r).id for r in roles]
        perms = self.guild.permissions_for(member.id, role_ids) if permissions is None else permissions
        channel = self.channel(channel_id)
        bot_member = self.member(self.bot_user.id)
        interaction_id = _snowflake()
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "guild_id": str(self.guild.id),
            "guild": {"id": str(self.guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.to_payload(),
            "member": member.to_payload(permissions=perms, role_ids=role_ids),
            "token": secrets.token_urlsafe(48),
            "version": 1,
            "app_permissions": str(self.guild.permissions_for(self.bot_user.id, bot_member.role_ids)),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(self.guild.id)},
            "context": 0,
            "attachment_size_limit": self.max_upload_bytes,
        }
        if message is not None:
            payload["message"] = self.message_payload(message)
        handle = InteractionHandle(
            self, payload, user=member.user, channel_id=channel.id, component_message=message, parent=parent
        )
        self.interactions[handle.token] = handle
        handle.dispatched_at = handle.last_activity = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", payload)
        return handle

    def _find_command(self, name: str) -> tuple[JSON | None, int | None]:
        for command in self.guild_commands.get(self.guild.id, []):
            if command["name"] == name and command.get("type", 1) == 1:
                return command, self.guild.id
        for command in self.global_commands:
            if command["name"] == name and command.get("type", 1) == 1:
                return command, None
        if self.require_registered_commands:
            known = [c["name"] for c in self.global_commands + self.guild_commands.get(self.guild.id, [])]
            raise FakeDiscordError(f"/{name} is not registered (did the bot sync its command tree?); known: {known}")
        return None, None

    def _build_options(
        self, command: JSON | None, values: dict[str, OptionValue], *, focused: str | None
    ) -> tuple[list[JSON], JSON]:
        specs: dict[str, JSON] = {o["name"]: o for o in (command or {}).get("options") or []}
        if command is not None and any(o.get("type") in (1, 2) for o in specs.values()):
            raise FakeDiscordError(f"/{command['name']} has subcommands: invoke '{command['name']} <subcommand>'")
        built: list[JSON] = []
        resolved: JSON = {}
        for name, value in values.items():
            spec = specs.get(name)
            if command is not None and spec is None:
                raise FakeDiscordError(f"/{command['name']} has no option {name!r} (has {sorted(specs)})")
            option: JSON = {"name": name, **self._option_value(name, spec, value, resolved, focused=name == focused)}
            if name == focused:
                option["focused"] = True
            built.append(option)
        if command is not None and focused is None:
            missing = [n for n, s in specs.items() if s.get("required") and n not in values]
            if missing:
                raise FakeDiscordError(f"/{command['name']} needs options {missing}")
        return built, resolved

    def _option_value(self, name: str, spec: JSON | None, value: OptionValue, resolved: JSON, *, focused: bool) -> JSON:
        expected = spec.get("type") if spec is not None else None
        raw: Any
        if isinstance(value, FakeAttachment):
            otype, raw = 11, str(value.id)
            resolved.setdefault("attachments", {})[raw] = value.to_payload()
        elif isinstance(value, FakeMember | FakeUser):
            user = value.user if isinstance(value, FakeMember) else value
            member = value if isinstance(value, FakeMember) else self.guild.member(user.id)
            otype, raw = 6, str(user.id)
            resolved.setdefault("users", {})[raw] = user.to_payload()
            if member is not None:
                perms = self.guild.permissions_for(member.id, member.role_ids)
                resolved.setdefault("members", {})[raw] = member.to_payload(with_user=False, permissions=perms)
        elif isinstance(value, FakeRole):
            otype, raw = 8, str(value.id)
            resolved.setdefault("roles", {})[raw] = value.to_payload()
        elif isinstance(value, FakeChannel):
            otype, raw = 7, str(value.id)
            resolved.setdefault("channels", {})[raw] = {**value.to_payload(), "permissions": str(ALL_PERMISSIONS)}
        elif isinstance(value, bool):
            otype, raw = 5, value
        elif isinstance(value, int):
            otype, raw = (10 if expected == 10 else 4), value
        elif isinstance(value, float):
            otype, raw = 10, value
        else:
            otype, raw = 3, value
        if focused:  # Discord sends what the user typed so far, as a string, with the option's own type
            return {"type": expected or otype, "value": str(raw)}
        if expected is not None and spec is not None:
            if expected == 9 and otype in (6, 8):
                expected = otype
            if expected != otype:
                raise FakeDiscordError(f"option {name!r} is of type {expected}, got {value!r}")
            choices = [c.get("value") for c in spec.get("choices") or []]
            if choices and raw not in choices:
                raise FakeDiscordError(f"option {name!r} must be one of {choices}, got {raw!r}")
            if isinstance(raw, str) and not spec.get("min_length", 0) <= len(raw) <= spec.get("max_length", 6000):
                raise FakeDiscordError(f"option {name!r}: length {len(raw)} outside the registered bounds")
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                low, high = spec.get("min_value"), spec.get("max_value")
                if (low is not None and raw < low) or (high is not None and raw > high):
                    raise FakeDiscordError(f"option {name!r}: {raw} outside [{low}, {high}]")
        return {"type": otype, "value": raw}

    # ---- payloads --------------------------------------------------------------------------------------------

    def _me_payload(self) -> JSON:
        return {**self.bot_user.to_payload(), "verified": True, "mfa_enabled": False, "locale": "en-US", "email": None}

    def _application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.owner.to_payload(),
            "team": None,
            "flags": 0,
            "bot": self.bot_user.to_payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": 1,
            "tags": [],
        }

    def message_payload(self, message: StoredMessage, *, gateway: bool = False, nested: bool = False) -> JSON:
        """The message object Discord would return (``gateway``: as in MESSAGE_CREATE, with guild_id and member)."""
        mentions: list[JSON] = []
        for user_id in message.mention_ids:
            user = self.users.get(user_id)
            if user is None:
                continue
            entry = user.to_payload()
            member = self.guild.member(user_id) if message.guild_id is not None else None
            if member is not None:
                entry["member"] = member.to_payload(with_user=False)
            mentions.append(entry)
        data: JSON = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "author": message.author.to_payload(),
            "content": message.content,
            "timestamp": message.timestamp,
            "edited_timestamp": message.edited_timestamp,
            "tts": message.tts,
            "mention_everyone": message.mention_everyone,
            "mentions": mentions,
            "mention_roles": [str(r) for r in message.mention_role_ids],
            "attachments": [dict(a) for a in message.attachments],
            "embeds": [dict(e) for e in message.embeds],
            "pinned": False,
            "type": message.type,
            "flags": message.flags,
            "components": [dict(c) for c in message.components],
        }
        if message.reactions:
            data["reactions"] = [
                {"emoji": _emoji_payload(e), "count": 1, "me": True, "count_details": {"burst": 0, "normal": 1}}
                for e in message.reactions
            ]
        if message.nonce is not None:
            data["nonce"] = message.nonce
        if message.webhook_id is not None:
            data["webhook_id"] = str(message.webhook_id)
            data["application_id"] = str(self.application_id)
        if message.interaction is not None:
            handle = message.interaction
            data["interaction_metadata"] = {
                "id": str(handle.id),
                "type": handle.type,
                "user": handle.user.to_payload(),
                "authorizing_integration_owners": {"0": str(self.guild.id)},
            }
        if message.message_reference is not None:
            data["message_reference"] = dict(message.message_reference)
            if not nested:
                referenced = self.messages.get(message.reply_to_id or 0)
                data["referenced_message"] = (
                    None if referenced is None or referenced.deleted else self.message_payload(referenced, nested=True)
                )
        if gateway and message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
            member = self.guild.member(message.author.id)
            if member is not None and message.webhook_id is None:
                data["member"] = member.to_payload(with_user=False)
        return data

    # ---- HTTP plumbing ---------------------------------------------------------------------------------------

    def _respond(self, req: _Req, data: Any, status: int = 200) -> web.Response:
        req.record.status, req.record.response = status, data
        return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})

    def _no_content(self, req: _Req) -> web.Response:
        req.record.status = 204
        return web.Response(status=204)

    def _fail(self, req: _Req, status: int, code: int, message: str, errors: JSON | None = None) -> web.Response:
        body: JSON = {"message": message, "code": code}
        if errors:
            body["errors"] = errors
        return self._respond(req, body, status)

    def _problem(self, req: _Req, problem: _Problem) -> web.Response:
        return self._fail(req, problem.status, problem.code, problem.message, problem.errors)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/gateway":
            return await self._gateway(request)
        if request.path.startswith("/attachments/"):
            return self._download(request)
        match = _API_PATH.fullmatch(request.path)
        record = RecordedRequest(
            method=request.method,
            path=match.group(1) if match else request.path,
            raw_path=request.path,
            query=dict(request.query.items()),
            headers=dict(request.headers.items()),
            json=None,
            files=[],
            time=time.monotonic(),
        )
        self.requests.append(record)
        req = _Req(request, record)
        try:
            await self._read_body(request, record)
            fault = self._fault_for(record)
            if fault is not None and not fault.processed:
                response: web.StreamResponse = self._fire(req, fault)
            else:
                routed = await self._route(req) if match else None
                if routed is None:
                    record.handled = False
                    routed = self._fail(req, 404, 0, "404: Not Found")
                response = routed if fault is None else self._fire(req, fault)
        except Exception as exc:  # a bug in the fake: never 5xx, discord.py would retry with sleeps
            self.internal_errors.append(exc)
            response = self._fail(req, 400, 0, f"fake discord internal error: {exc!r}")
        self._notify()
        return response

    async def _read_body(self, request: web.Request, record: RecordedRequest) -> None:
        if not request.can_read_body:
            return
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                raw = bytes(await part.read(decode=False))
                if part.name == "payload_json":
                    record.json = json.loads(raw)
                elif part.filename is not None:
                    ctype = part.headers.get("Content-Type")
                    record.files.append(UploadedFile(part.name or "", part.filename, ctype, raw))
            return
        raw = await request.read()
        if raw:
            try:
                record.json = json.loads(raw)
            except ValueError:
                record.json = raw.decode("utf-8", "replace")

    async def _route(self, req: _Req) -> web.StreamResponse | None:
        for method, pattern, handler, needs_auth in self._routes:
            if method != req.record.method:
                continue
            match = pattern.fullmatch(req.record.path)
            if match is None:
                continue
            if needs_auth and req.request.headers.get("Authorization") != f"Bot {self.token}":
                return self._fail(req, 401, 0, "401: Unauthorized")
            if sum(len(f.data) for f in req.files) > self.max_upload_bytes:
                return self._fail(req, 413, 40005, "Request entity too large")
            return await handler(req, match)
        return None

    def _download(self, request: web.Request) -> web.StreamResponse:
        record = RecordedRequest(
            request.method, request.path, request.path, dict(request.query.items()), {}, None, [], time.monotonic()
        )
        self.downloads.append(record)
        found = self._files.get(request.path)
        if found is None or request.method not in ("GET", "HEAD"):
            record.status = 404
            self._notify()
            return web.Response(status=404, text="404: Not Found")
        data, content_type = found
        record.status = 200
        self._notify()
        headers = {"Content-Type": content_type or "application/octet-stream"}
        return web.Response(status=200, body=data, headers=headers)

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], _Handler, bool]]:
        channel = r"/channels/(?P<channel>\d+)"
        message = channel + r"/messages/(?P<message>\d+)"
        reactions = message + r"/reactions"
        app = r"/applications/(?P<app>\d+)"
        guild_commands = app + r"/guilds/(?P<guild>\d+)/commands"
        webhook = r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)"
        table: list[tuple[str, str, _Handler, bool]] = [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/users/(?P<user>\d+)", self._get_user, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
            ("GET", r"/oauth2/applications/@me", self._get_application, True),
            ("GET", r"/applications/@me", self._get_application, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway, True),
            ("GET", app + r"/commands", self._get_commands, True),
            ("PUT", app + r"/commands", self._put_commands, True),
            ("POST", app + r"/commands", self._post_command, True),
            ("DELETE", app + r"/commands/(?P<command>\d+)", self._delete_command, True),
            ("GET", guild_commands, self._get_commands, True),
            ("PUT", guild_commands, self._put_commands, True),
            ("POST", guild_commands, self._post_command, True),
            ("DELETE", guild_commands + r"/(?P<command>\d+)", self._delete_command, True),
            ("GET", guild_commands + r"/permissions", self._empty_list, True),
            ("GET", r"/guilds/(?P<guild>\d+)", self._get_guild, True),
            ("GET", r"/guilds/(?P<guild>\d+)/channels", self._get_guild_channels, True),
            ("GET", r"/guilds/(?P<guild>\d+)/roles", self._get_guild_roles, True),
            ("GET", r"/guilds/(?P<guild>\d+)/members", self._get_guild_members, True),
            ("GET", r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)", self._get_guild_member, True),
            ("GET", channel, self._get_channel, True),
            ("POST", channel + r"/typing", self._typing, True),
            ("GET", channel + r"/messages", self._list_messages, True),
            ("POST", channel + r"/messages", self._create_message, True),
            ("POST", channel + r"/messages/bulk-delete", self._bulk_delete, True),
            ("GET", message, self._get_message, True),
            ("PATCH", message, self._edit_message, True),
            ("DELETE", message, self._delete_message, True),
            ("PUT", reactions + r"/(?P<emoji>[^/]+)/@me", self._add_reaction, True),
            ("DELETE", reactions + r"/(?P<emoji>[^/]+)/@me", self._remove_reaction, True),
            ("DELETE", reactions + r"/(?P<emoji>[^/]+)/(?P<user>\d+)", self._remove_reaction, True),
            ("GET", reactions + r"/(?P<emoji>[^/]+)", self._get_reactions, True),
            ("DELETE", reactions + r"(?:/(?P<emoji>[^/]+))?", self._remove_reaction, True),
            ("PUT", channel + r"/(?:messages/)?pins/(?P<message>\d+)", self._pin, True),
            ("DELETE", channel + r"/(?:messages/)?pins/(?P<message>\d+)", self._pin, True),
            ("POST", r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback", self._interaction_callback, False),
            ("POST", webhook, self._webhook_execute, False),
            ("GET", webhook + r"/messages/(?P<message>@original|\d+)", self._webhook_get, False),
            ("PATCH", webhook + r"/messages/(?P<message>@original|\d+)", self._webhook_edit, False),
            ("DELETE", webhook + r"/messages/(?P<message>@original|\d+)", self._webhook_delete, False),
        ]
        return [(method, re.compile(pattern), handler, auth) for method, pattern, handler, auth in table]

    # ---- REST: users, application, gateway, guild -----------------------------------------------------------

    async def _get_me(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        return self._respond(req, self._me_payload())

    async def _get_user(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        user = self.users.get(int(match["user"]))
        return self._fail(req, 404, 10013, "Unknown User") if user is None else self._respond(req, user.to_payload())

    async def _create_dm(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        user = self.users.get(int(req.body.get("recipient_id") or 0))
        if user is None:
            return self._fail(req, 400, 50035, "Invalid Form Body")
        return self._respond(req, self.dm_channel(user).to_payload())

    async def _get_application(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        return self._respond(req, self._application_payload())

    async def _get_gateway(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return self._respond(req, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _empty_list(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        return self._respond(req, [])

    def _known_guild(self, req: _Req, match: re.Match[str]) -> web.Response | None:
        if int(match["guild"]) != self.guild.id:
            return self._fail(req, 404, 10004, "Unknown Guild")
        return None

    async def _get_guild(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        refused = self._known_guild(req, match)
        return refused or self._respond(req, self.guild.to_payload(full=False))

    async def _get_guild_channels(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        refused = self._known_guild(req, match)
        return refused or self._respond(req, [c.to_payload() for c in self.guild.channels])

    async def _get_guild_roles(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        refused = self._known_guild(req, match)
        return refused or self._respond(req, [r.to_payload() for r in self.guild.roles])

    async def _get_guild_members(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        refused = self._known_guild(req, match)
        limit = int(req.query.get("limit", "1"))
        return refused or self._respond(req, [m.to_payload() for m in self.guild.members[:limit]])

    async def _get_guild_member(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        refused = self._known_guild(req, match)
        if refused:
            return refused
        member = self.guild.member(int(match["user"]))
        if member is None:
            return self._fail(req, 404, 10007, "Unknown Member")
        return self._respond(req, member.to_payload())

    # ---- REST: application commands -------------------------------------------------------------------------

    def _command_scope(self, req: _Req, match: re.Match[str]) -> tuple[int | None, web.Response | None]:
        if int(match["app"]) != self.application_id:
            return None, self._fail(req, 403, 50001, "Missing Access")
        guild = match.groupdict().get("guild")
        if guild is None:
            return None, None
        if int(guild) != self.guild.id:  # the bot is not in that guild
            return int(guild), self._fail(req, 403, 50001, "Missing Access")
        return int(guild), None

    def _commands_of(self, guild_id: int | None) -> list[JSON]:
        return self.global_commands if guild_id is None else self.guild_commands.setdefault(guild_id, [])

    async def _get_commands(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        guild_id, refused = self._command_scope(req, match)
        return refused or self._respond(req, self._commands_of(guild_id))

    async def _put_commands(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        guild_id, refused = self._command_scope(req, match)
        if refused:
            return refused
        body = req.record.json
        if not isinstance(body, list):
            return self._fail(req, 400, 50035, "Invalid Form Body")
        problem = _check_commands(body)
        if problem is not None:
            return self._problem(req, problem)
        previous = {(c["name"], c.get("type", 1)): c["id"] for c in self._commands_of(guild_id)}
        stored = [self._store_command(c, guild_id, previous) for c in body]
        if guild_id is None:
            self.global_commands = stored
            self.global_commands_puts += 1
        else:
            self.guild_commands[guild_id] = stored
            self.guild_commands_puts[guild_id] += 1
        return self._respond(req, stored)

    async def _post_command(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        guild_id, refused = self._command_scope(req, match)
        if refused:
            return refused
        problem = _check_commands([req.body])
        if problem is not None:
            return self._problem(req, problem)
        commands = self._commands_of(guild_id)
        key = (req.body.get("name"), req.body.get("type", 1))
        previous = {(c["name"], c.get("type", 1)): c["id"] for c in commands}
        stored = self._store_command(req.body, guild_id, previous)
        commands[:] = [c for c in commands if (c["name"], c.get("type", 1)) != key] + [stored]
        return self._respond(req, stored, 200 if key in previous else 201)

    async def _delete_command(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        guild_id, refused = self._command_scope(req, match)
        if refused:
            return refused
        commands = self._commands_of(guild_id)
        kept = [c for c in commands if c["id"] != match["command"]]
        if len(kept) == len(commands):
            return self._fail(req, 404, 10063, "Unknown application command")
        commands[:] = kept
        return self._no_content(req)

    def _store_command(self, payload: JSON, guild_id: int | None, previous: Mapping[tuple[Any, Any], str]) -> JSON:
        command: JSON = {
            "type": 1,
            "description": "",
            "default_member_permissions": None,
            "nsfw": False,
            "name_localizations": None,
            "description_localizations": None,
            **payload,
        }
        command["id"] = previous.get((command["name"], command["type"])) or str(_snowflake())
        command["application_id"] = str(self.application_id)
        command["version"] = str(_snowflake())
        if guild_id is not None:
            command["guild_id"] = str(guild_id)
        return command

    # ---- REST: channels and messages ------------------------------------------------------------------------

    def _find_channel(self, channel_id: int) -> FakeChannel | None:
        for channel in [*self.guild.channels, *self.dm_channels.values()]:
            if channel.id == channel_id:
                return channel
        return None

    def _find_channel_message(self, match: re.Match[str]) -> StoredMessage | None:
        found = self.messages.get(int(match["message"]))
        if found is None or found.deleted or found.ephemeral or found.channel_id != int(match["channel"]):
            return None
        return found

    async def _get_channel(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        channel = self._find_channel(int(match["channel"]))
        if channel is None:
            return self._fail(req, 404, ERROR_UNKNOWN_CHANNEL, "Unknown Channel")
        return self._respond(req, channel.to_payload())

    async def _typing(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        if self._find_channel(int(match["channel"])) is None:
            return self._fail(req, 404, ERROR_UNKNOWN_CHANNEL, "Unknown Channel")
        return self._no_content(req)

    async def _list_messages(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        channel_id = int(match["channel"])
        if self._find_channel(channel_id) is None:
            return self._fail(req, 404, ERROR_UNKNOWN_CHANNEL, "Unknown Channel")
        found = sorted((m for m in self.messages_in(channel_id) if not m.ephemeral), key=lambda m: m.id, reverse=True)
        if "before" in req.query:
            found = [m for m in found if m.id < int(req.query["before"])]
        if "after" in req.query:
            found = [m for m in found if m.id > int(req.query["after"])]
        limit = int(req.query.get("limit", "50"))
        return self._respond(req, [self.message_payload(m) for m in found[:limit]])

    async def _create_message(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        channel = self._find_channel(int(match["channel"]))
        if channel is None:
            return self._fail(req, 404, ERROR_UNKNOWN_CHANNEL, "Unknown Channel")
        body = req.body
        problem = _check_message(body, req.files, creating=True)
        if problem is not None:
            return self._problem(req, problem)
        reference = body.get("message_reference")
        replied: StoredMessage | None = None
        if isinstance(reference, dict) and reference.get("message_id") is not None:
            replied = self.messages.get(int(reference["message_id"]))
            if (replied is None or replied.deleted) and reference.get("fail_if_not_exists", True):
                errors: JSON = {}
                _form_error(errors, ["message_reference"], "REPLIES_UNKNOWN_MESSAGE", "Unknown message")
                return self._fail(req, 400, ERROR_INVALID_FORM_BODY, "Invalid Form Body", errors)
            if replied is None or replied.deleted:
                reference = None
            else:
                reference = {
                    "type": reference.get("type", 0),
                    "message_id": str(replied.id),
                    "channel_id": str(replied.channel_id),
                    **({"guild_id": str(replied.guild_id)} if replied.guild_id is not None else {}),
                }
        message = self._new_message(
            channel.id,
            channel.guild_id,
            body,
            req.files,
            type=19 if reference else 0,
            reference=reference if isinstance(reference, dict) else None,
            flags=int(body.get("flags") or 0) & _SETTABLE_FLAGS,
        )
        await self._echo("MESSAGE_CREATE", message)
        return self._respond(req, self.message_payload(message))

    async def _get_message(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        message = self._find_channel_message(match)
        if message is None:
            return self._fail(req, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        return self._respond(req, self.message_payload(message))

    async def _edit_message(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        message = self._find_channel_message(match)
        if message is None:
            return self._fail(req, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        if message.author.id != self.bot_user.id:
            return self._fail(req, 403, 50005, "Cannot edit a message authored by another user")
        problem = self._apply_edit(message, req.body, req.files)
        if problem is not None:
            return self._problem(req, problem)
        await self._echo("MESSAGE_UPDATE", message)
        return self._respond(req, self.message_payload(message))

    async def _delete_message(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        message = self._find_channel_message(match)
        if message is None:
            return self._fail(req, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        message.deleted = True
        await self._echo("MESSAGE_DELETE", message)
        return self._no_content(req)

    async def _bulk_delete(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        for message_id in req.body.get("messages") or []:
            found = self.messages.get(int(message_id))
            if found is not None and found.channel_id == int(match["channel"]):
                found.deleted = True
        return self._no_content(req)

    async def _add_reaction(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        message = self._find_channel_message(match)
        if message is None:
            return self._fail(req, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        if match["emoji"] not in message.reactions:
            message.reactions.append(match["emoji"])
        return self._no_content(req)

    async def _remove_reaction(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        message = self._find_channel_message(match)
        if message is None:
            return self._fail(req, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        emoji = match.groupdict().get("emoji")
        message.reactions = [] if emoji is None else [e for e in message.reactions if e != emoji]
        return self._no_content(req)

    async def _get_reactions(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        message = self._find_channel_message(match)
        if message is None:
            return self._fail(req, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        users = [self.bot_user.to_payload()] if match["emoji"] in message.reactions else []
        return self._respond(req, users)

    async def _pin(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        if self._find_channel_message(match) is None:
            return self._fail(req, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        return self._no_content(req)

    def _new_message(
        self,
        channel_id: int,
        guild_id: int | None,
        body: JSON,
        files: Sequence[UploadedFile],
        *,
        type: int,
        flags: int,
        reference: JSON | None = None,
        interaction: InteractionHandle | None = None,
    ) -> StoredMessage:
        message = StoredMessage(
            id=_snowflake(),
            channel_id=channel_id,
            guild_id=guild_id,
            author=self.bot_user,
            type=type,
            flags=flags,
            tts=bool(body.get("tts")),
            nonce=body.get("nonce"),
            message_reference=reference,
            webhook_id=self.application_id if interaction is not None else None,
            interaction=interaction,
        )
        self._fill(message, body, files, creating=True)
        self.messages[message.id] = message
        return message

    def _fill(self, message: StoredMessage, body: JSON, files: Sequence[UploadedFile], *, creating: bool) -> None:
        """Apply a create or edit payload (already checked) to a message."""
        if "content" in body or creating:
            message.content = str(body.get("content") or "")
        if "embeds" in body or creating:
            message.embeds = [{"type": "rich", **e} for e in body.get("embeds") or []]
        if "components" in body or creating:
            message.components = [dict(c) for c in body.get("components") or []]
        if "allowed_mentions" in body:
            message.allowed_mentions = body["allowed_mentions"]
        if not creating and "flags" in body and body["flags"] is not None:
            kept = message.flags & (FLAG_EPHEMERAL | FLAG_LOADING)
            message.flags = kept | (int(body["flags"]) & _SETTABLE_FLAGS)
        described = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict) and "id" in a}
        if "attachments" in body:
            message.attachments = [a for a in message.attachments if a["id"] in described]
        for position, upload in enumerate(files):
            index = _FILE_FIELD.fullmatch(upload.field)
            entry = described.get(index.group(1) if index else str(position), {})
            message.attachments.append(self._stored_upload(upload, entry))
        message.files = [*(message.files if not creating else []), *files]
        replied = self.messages.get(message.reply_to_id or 0)
        (message.mention_ids, message.mention_role_ids, message.mention_everyone) = self._pings(
            message.content, message.allowed_mentions, None if replied is None else replied.author
        )
        message.history.append(json.loads(json.dumps(body)))
        message.written_at = time.monotonic()
        if not creating:
            message.edited_timestamp = _now_iso()

    def _stored_upload(self, upload: UploadedFile, entry: JSON) -> JSON:
        attachment_id = _snowflake()
        filename = str(entry.get("filename") or upload.filename)
        ctype = upload.content_type
        if ctype in (None, "application/octet-stream"):
            ctype = mimetypes.guess_type(filename)[0] or ctype
        url = self._serve(attachment_id, filename, upload.data, ctype)
        data = FakeAttachment(attachment_id, filename, len(upload.data), url, ctype, entry.get("description"))
        return data.to_payload()

    def _pings(self, content: str, allowed: JSON | None, replied: FakeUser | None) -> tuple[list[int], list[int], bool]:
        """Who a bot message really pings: mentions in the content that ``allowed_mentions`` lets through."""
        users = [int(u) for u in _USER_MENTION.findall(content)]
        roles = [int(r) for r in _ROLE_MENTION.findall(content)]
        everyone = "@everyone" in content or "@here" in content
        if allowed is None:
            parse, user_list, role_list, ping_replied = {"users", "roles", "everyone"}, set(), set(), True
        else:
            parse = set(allowed.get("parse") or [])
            user_list = {int(u) for u in allowed.get("users") or []}
            role_list = {int(r) for r in allowed.get("roles") or []}
            ping_replied = bool(allowed.get("replied_user", False))
        pinged = [u for u in dict.fromkeys(users) if u in self.users and ("users" in parse or u in user_list)]
        if replied is not None and ping_replied and replied.id != self.bot_user.id and replied.id not in pinged:
            pinged.append(replied.id)
        pinged_roles = [r for r in dict.fromkeys(roles) if "roles" in parse or r in role_list]
        return pinged, pinged_roles, everyone and "everyone" in parse

    def _apply_edit(self, message: StoredMessage, body: JSON, files: Sequence[UploadedFile]) -> _Problem | None:
        problem = _check_message(body, files, creating=False)
        if problem is not None:
            return problem
        content = str(body.get("content") or "") if "content" in body else message.content
        embeds = body.get("embeds") if "embeds" in body else message.embeds
        components = body.get("components") if "components" in body else message.components
        attachments = body.get("attachments") if "attachments" in body else message.attachments
        if not (content.strip() or embeds or components or attachments or files):
            return _Problem(400, ERROR_EMPTY_MESSAGE, "Cannot send an empty message")
        self._fill(message, body, files, creating=False)
        return None

    # ---- REST: interactions ---------------------------------------------------------------------------------

    def _refuse(
        self, req: _Req, handle: InteractionHandle | None, status: int, code: int, message: str
    ) -> web.Response:
        if handle is not None:
            handle.errors.append(req.record)
        return self._fail(req, status, code, message)

    async def _interaction_callback(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        handle = self.interactions.get(match["token"])
        if handle is None or handle.id != int(match["id"]):
            return self._fail(req, 404, ERROR_UNKNOWN_INTERACTION, "Unknown interaction")
        now = time.monotonic()
        handle.requests.append(req.record)
        handle.last_activity = now
        body = req.body
        ctype = body.get("type")
        data = body.get("data") if isinstance(body.get("data"), dict) else None
        record = CallbackRecord(ctype, data, now, now - handle.dispatched_at, files=list(req.files))
        handle.callbacks.append(record)
        response = await self._callback(req, handle, record)
        record.status = req.record.status
        record.error_code = req.record.error_code
        if record.accepted:
            handle.response = record
        return response

    async def _callback(self, req: _Req, handle: InteractionHandle, record: CallbackRecord) -> web.Response:
        late = self.callback_deadline is not None and record.delay > self.callback_deadline
        if handle.expired or late:
            return self._refuse(req, handle, 404, ERROR_UNKNOWN_INTERACTION, "Unknown interaction")
        if handle.response is not None:
            text = "Interaction has already been acknowledged."
            return self._refuse(req, handle, 400, ERROR_ALREADY_ACKNOWLEDGED, text)
        allowed = {
            INTERACTION_APPLICATION_COMMAND: {4, 5, 9},
            INTERACTION_MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
            INTERACTION_AUTOCOMPLETE: {8},
            INTERACTION_MODAL_SUBMIT: {4, 5, 6, 7},
        }[handle.type]
        if record.type not in allowed:
            text = f"Invalid Form Body (callback type {record.type} for interaction type {handle.type})"
            return self._refuse(req, handle, 400, ERROR_INVALID_FORM_BODY, text)
        data = record.data or {}
        if record.type in (CALLBACK_UPDATE_MESSAGE, CALLBACK_DEFERRED_UPDATE_MESSAGE) and not handle.component_message:
            return self._refuse(req, handle, 400, ERROR_INVALID_FORM_BODY, "Invalid Form Body (no message to update)")
        problem: _Problem | None = None
        if record.type == CALLBACK_CHANNEL_MESSAGE:
            problem = _check_message(data, req.files, creating=True)
        elif record.type == CALLBACK_UPDATE_MESSAGE:
            problem = _check_message(data, req.files, creating=False)
        elif record.type == CALLBACK_AUTOCOMPLETE_RESULT:
            problem = _check_choices(data)
        elif record.type == CALLBACK_MODAL:
            problem = _check_modal(data)
        if problem is not None:
            handle.errors.append(req.record)
            return self._problem(req, problem)

        message: StoredMessage | None = None
        flags = int(data.get("flags") or 0)
        kind = 20 if handle.type == INTERACTION_APPLICATION_COMMAND else 0
        if record.type == CALLBACK_CHANNEL_MESSAGE:
            flags = flags & (_SETTABLE_FLAGS | FLAG_EPHEMERAL)
            message = self._new_message(
                handle.channel_id, self.guild.id, data, req.files, type=kind, flags=flags, interaction=handle
            )
            handle.original = message
            await self._echo("MESSAGE_CREATE", message)
        elif record.type == CALLBACK_DEFERRED_CHANNEL_MESSAGE:
            flags = FLAG_LOADING | (flags & FLAG_EPHEMERAL)
            message = self._new_message(
                handle.channel_id, self.guild.id, {}, [], type=kind, flags=flags, interaction=handle
            )
            handle.original = message
            await self._echo("MESSAGE_CREATE", message)
        elif record.type == CALLBACK_DEFERRED_UPDATE_MESSAGE:
            handle.original = message = handle.component_message
        elif record.type == CALLBACK_UPDATE_MESSAGE and handle.component_message is not None:
            message = handle.component_message
            problem = self._apply_edit(message, data, req.files)
            if problem is not None:
                handle.errors.append(req.record)
                return self._problem(req, problem)
            handle.original = message
            await self._echo("MESSAGE_UPDATE", message)
        elif record.type == CALLBACK_AUTOCOMPLETE_RESULT:
            handle.choices = list(data.get("choices") or [])
        elif record.type == CALLBACK_MODAL:
            handle.modal = data

        if req.query.get("with_response") not in ("1", "true", "True"):
            return self._no_content(req)
        answer: JSON = {
            "interaction": {
                "id": str(handle.id),
                "type": handle.type,
                "response_message_id": None if message is None else str(message.id),
                "response_message_loading": record.type == CALLBACK_DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": message is not None and message.ephemeral,
            }
        }
        if message is not None and record.type in (4, 5, 7):
            answer["resource"] = {"type": record.type, "message": self.message_payload(message)}
        return self._respond(req, answer)

    def _webhook_handle(self, req: _Req, match: re.Match[str]) -> InteractionHandle | web.Response:
        """The interaction a webhook call is about, or the refusal to answer."""
        if int(match["app"]) != self.application_id:
            return self._fail(req, 404, ERROR_UNKNOWN_WEBHOOK, "Unknown Webhook")
        handle = self.interactions.get(match["token"])
        if handle is None:
            return self._fail(req, 401, ERROR_INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
        handle.requests.append(req.record)
        handle.last_activity = time.monotonic()
        if handle.expired:
            return self._refuse(req, handle, 401, ERROR_INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
        if handle.response is None:
            return self._refuse(req, handle, 404, ERROR_UNKNOWN_WEBHOOK, "Unknown Webhook")
        return handle

    def _webhook_message(self, handle: InteractionHandle, ref: str) -> StoredMessage | None:
        if ref == "@original":
            found = handle.original
        else:
            found = next((m for m in [handle.original, *handle.followups] if m is not None and m.id == int(ref)), None)
        return None if found is None or found.deleted else found

    async def _webhook_execute(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        handle = self._webhook_handle(req, match)
        if isinstance(handle, web.Response):
            return handle
        body = req.body
        problem = _check_message(body, req.files, creating=True)
        if problem is not None:
            handle.errors.append(req.record)
            return self._problem(req, problem)
        original = handle.original
        if handle.response_type == CALLBACK_DEFERRED_CHANNEL_MESSAGE and original is not None and original.loading:
            # Discord: the first follow-up after a deferral fills in the "thinking" message (keeping its flags).
            self._fill(original, {k: v for k, v in body.items() if k != "flags"}, req.files, creating=False)
            original.flags &= ~FLAG_LOADING
            original.edited_timestamp = None
            message = original
            await self._echo("MESSAGE_UPDATE", message)
        else:
            flags = int(body.get("flags") or 0) & (_SETTABLE_FLAGS | FLAG_EPHEMERAL)
            message = self._new_message(
                handle.channel_id, self.guild.id, body, req.files, type=0, flags=flags, interaction=handle
            )
            handle.followups.append(message)
            await self._echo("MESSAGE_CREATE", message)
        if req.query.get("wait") in ("1", "true", "True"):
            return self._respond(req, self.message_payload(message))
        return self._no_content(req)

    async def _webhook_get(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        handle = self._webhook_handle(req, match)
        if isinstance(handle, web.Response):
            return handle
        message = self._webhook_message(handle, match["message"])
        if message is None:
            return self._refuse(req, handle, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        return self._respond(req, self.message_payload(message))

    async def _webhook_edit(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        handle = self._webhook_handle(req, match)
        if isinstance(handle, web.Response):
            return handle
        message = self._webhook_message(handle, match["message"])
        if message is None:
            return self._refuse(req, handle, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        was_loading = message.loading
        problem = self._apply_edit(message, req.body, req.files)
        if problem is not None:
            handle.errors.append(req.record)
            return self._problem(req, problem)
        if was_loading:
            message.flags &= ~FLAG_LOADING
        await self._echo("MESSAGE_UPDATE", message)
        return self._respond(req, self.message_payload(message))

    async def _webhook_delete(self, req: _Req, match: re.Match[str]) -> web.StreamResponse:
        handle = self._webhook_handle(req, match)
        if isinstance(handle, web.Response):
            return handle
        message = self._webhook_message(handle, match["message"])
        if message is None:
            return self._refuse(req, handle, 404, ERROR_UNKNOWN_MESSAGE, "Unknown Message")
        message.deleted = True
        await self._echo("MESSAGE_DELETE", message)
        return self._no_content(req)


# --------------------------------------------------------------------------------------------------------------
# Discord's validation, as far as a bot could trip over it.


def _merge_resolved(first: JSON, second: JSON) -> JSON:
    merged: JSON = {key: dict(value) for key, value in first.items()}
    for key, value in second.items():
        merged.setdefault(key, {}).update(value)
    return merged


def _emoji_payload(emoji: str) -> JSON:
    """A reaction's emoji from its route form: a unicode emoji, or ``name:id`` (discord.py may add ``:``/``a:``)."""
    parts = [p for p in emoji.split(":") if p]
    if len(parts) >= 2 and parts[-1].isdigit():
        return {"id": parts[-1], "name": parts[-2], "animated": parts[0] == "a" and len(parts) == 3}
    return {"id": None, "name": emoji}


def _check_message(body: JSON, files: Sequence[UploadedFile], *, creating: bool) -> _Problem | None:
    errors: JSON = {}
    content = body.get("content")
    if isinstance(content, str) and len(content) > 2000:
        _form_error(errors, ["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        _form_error(errors, ["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = sum(_check_embed(embed, index, errors) for index, embed in enumerate(embeds))
    if total > 6000:
        _form_error(errors, ["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    flags = int(body.get("flags") or 0)
    components = body.get("components") or []
    if flags & FLAG_COMPONENTS_V2:
        if content or embeds:
            _form_error(
                errors,
                ["content"],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )
    else:
        _check_action_rows(components, errors)
    allowed = body.get("allowed_mentions")
    if isinstance(allowed, dict):
        for kind in ("users", "roles"):
            if kind in (allowed.get("parse") or []) and allowed.get(kind):
                message = f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.'
                _form_error(errors, ["allowed_mentions"], "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", message)
    if errors:
        return _Problem(400, ERROR_INVALID_FORM_BODY, "Invalid Form Body", errors)
    has_content = isinstance(content, str) and content.strip() != ""
    if creating and not (has_content or embeds or components or files or body.get("sticker_ids") or body.get("poll")):
        return _Problem(400, ERROR_EMPTY_MESSAGE, "Cannot send an empty message")
    return None


def _check_embed(embed: JSON, index: int, errors: JSON) -> int:
    path: list[str | int] = ["embeds", index]
    size = 0
    limits = {"title": 256, "description": 4096}
    for key, limit in limits.items():
        text = str(embed.get(key) or "")
        size += len(text)
        if len(text) > limit:
            _form_error(errors, [*path, key], "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    for key, inner, limit in (("footer", "text", 2048), ("author", "name", 256)):
        text = str((embed.get(key) or {}).get(inner) or "")
        size += len(text)
        if len(text) > limit:
            _form_error(errors, [*path, key, inner], "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    fields = embed.get("fields") or []
    if len(fields) > 25:
        _form_error(errors, [*path, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for number, item in enumerate(fields):
        for key, limit in (("name", 256), ("value", 1024)):
            text = str(item.get(key) or "")
            size += len(text)
            if not text.strip():
                _form_error(errors, [*path, "fields", number, key], "BASE_TYPE_REQUIRED", "This field is required")
            elif len(text) > limit:
                message = f"Must be {limit} or fewer in length."
                _form_error(errors, [*path, "fields", number, key], "BASE_TYPE_MAX_LENGTH", message)
    return size


def _check_action_rows(rows: Sequence[JSON], errors: JSON) -> None:
    if len(rows) > 5:
        _form_error(errors, ["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for row_index, row in enumerate(rows):
        path: list[str | int] = ["components", row_index]
        if row.get("type") != 1:
            _form_error(errors, [*path, "type"], "UNION_TYPE_CHOICES", "Value must be an action row (1).")
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= 5:
            _form_error(errors, [*path, "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        for child_index, child in enumerate(children):
            child_path = [*path, "components", child_index]
            custom_id = child.get("custom_id")
            if child.get("type") == 2 and child.get("style") == 5:
                if not child.get("url") or custom_id:
                    _form_error(errors, child_path, "BUTTON_COMPONENT_INVALID_URL", "Link buttons need a url only.")
            elif child.get("type") == 2 and child.get("style") == 6:
                pass  # premium button: sku_id
            elif not custom_id:
                _form_error(errors, [*child_path, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
            if custom_id is not None:
                if len(str(custom_id)) > 100:
                    message = "Must be 100 or fewer in length."
                    _form_error(errors, [*child_path, "custom_id"], "BASE_TYPE_MAX_LENGTH", message)
                if custom_id in seen:
                    message = "Component custom id cannot be duplicated"
                    _form_error(errors, [*child_path, "custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED", message)
                seen.add(str(custom_id))
            if len(str(child.get("label") or "")) > 80:
                _form_error(errors, [*child_path, "label"], "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.")
            if len(child.get("options") or []) > 25:
                message = "Must be 25 or fewer in length."
                _form_error(errors, [*child_path, "options"], "BASE_TYPE_MAX_LENGTH", message)


def _check_choices(data: JSON) -> _Problem | None:
    errors: JSON = {}
    choices = data.get("choices") or []
    if len(choices) > 25:
        _form_error(errors, ["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for index, choice in enumerate(choices):
        name, value = str(choice.get("name") or ""), choice.get("value")
        if not 1 <= len(name) <= 100:
            message = "Must be between 1 and 100 in length."
            _form_error(errors, ["data", "choices", index, "name"], "BASE_TYPE_BAD_LENGTH", message)
        if isinstance(value, str) and len(value) > 100:
            message = "Must be 100 or fewer in length."
            _form_error(errors, ["data", "choices", index, "value"], "BASE_TYPE_MAX_LENGTH", message)
    return _Problem(400, ERROR_INVALID_FORM_BODY, "Invalid Form Body", errors) if errors else None


def _check_modal(data: JSON) -> _Problem | None:
    errors: JSON = {}
    if not 1 <= len(str(data.get("title") or "")) <= 45:
        _form_error(errors, ["data", "title"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
    if not 1 <= len(str(data.get("custom_id") or "")) <= 100:
        _form_error(errors, ["data", "custom_id"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if not 1 <= len(data.get("components") or []) <= 5:
        _form_error(errors, ["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    return _Problem(400, ERROR_INVALID_FORM_BODY, "Invalid Form Body", errors) if errors else None


def _check_commands(commands: Sequence[Any]) -> _Problem | None:
    errors: JSON = {}
    seen: set[tuple[str, int]] = set()
    if sum(1 for c in commands if isinstance(c, dict) and c.get("type", 1) == 1) > 100:
        _form_error(errors, [], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    for index, command in enumerate(commands):
        if not isinstance(command, dict):
            _form_error(errors, [index], "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        ctype = int(command.get("type", 1))
        name = str(command.get("name") or "")
        if ctype == 1 and not (_COMMAND_NAME.fullmatch(name) and name == name.lower()):
            _form_error(errors, [index, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        elif not 1 <= len(name) <= 32:
            _form_error(errors, [index, "name"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
        if (name, ctype) in seen:
            message = "Application command names must be unique"
            _form_error(errors, [index, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", message)
        seen.add((name, ctype))
        description = str(command.get("description") or "")
        if ctype == 1 and not 1 <= len(description) <= 100:
            message = "Must be between 1 and 100 in length."
            _form_error(errors, [index, "description"], "BASE_TYPE_BAD_LENGTH", message)
        _check_command_options(command.get("options") or [], [index, "options"], errors)
    return _Problem(400, ERROR_INVALID_FORM_BODY, "Invalid Form Body", errors) if errors else None


def _check_command_options(options: Sequence[JSON], path: list[str | int], errors: JSON) -> None:
    if len(options) > 25:
        _form_error(errors, path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    optional_seen = False
    for index, option in enumerate(options):
        name = str(option.get("name") or "")
        if not (_COMMAND_NAME.fullmatch(name) and name == name.lower()):
            _form_error(errors, [*path, index, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if not 1 <= len(str(option.get("description") or "")) <= 100:
            message = "Must be between 1 and 100 in length."
            _form_error(errors, [*path, index, "description"], "BASE_TYPE_BAD_LENGTH", message)
        if len(option.get("choices") or []) > 25:
            _form_error(errors, [*path, index, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if option.get("type") in (1, 2):
            _check_command_options(option.get("options") or [], [*path, index, "options"], errors)
        elif option.get("required"):
            if optional_seen:
                message = "Required options must be placed before non-required options"
                _form_error(errors, [*path, index, "required"], "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", message)
        else:
            optional_seen = True

"""What the fake Discord holds and records: its guild, users, roles, channels and messages, the
requests it received, the faults injected, and Discord's constants (intents, flags, error codes)."""

from __future__ import annotations

import asyncio
import fnmatch
import http
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import discord
import discord.gateway
import discord.http
import discord.webhook.async_
from aiohttp import web

if TYPE_CHECKING:
    from tests.bot.fake_discord.interactions import InteractionHandle


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

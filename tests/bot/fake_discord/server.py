"""The fake's HTTP server: its state, start and stop, waiting for what the bot does, lookups,
injected faults, uploaded files, the message payloads, and the request handler every route
goes through."""

from __future__ import annotations

import asyncio
import contextlib
import json
import mimetypes
import re
import socket
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import yarl
from aiohttp import BodyPartReader, web

from tests.bot.fake_discord.client import pointed_at
from tests.bot.fake_discord.limits import _emoji_payload
from tests.bot.fake_discord.model import (
    _API_PATH,
    _BOT_PERMISSIONS,
    _EVERYONE_PERMISSIONS,
    _INTERACTION_TOKEN,
    _MODERATOR_PERMISSIONS,
    _T,
    JSON,
    CallbackRecord,
    FakeAttachment,
    FakeChannel,
    FakeDiscordError,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Fault,
    RecordedRequest,
    StoredMessage,
    UploadedFile,
    UserRef,
    _Connection,
    _Handler,
    _Problem,
    _Req,
    _Session,
    _snowflake,
)

if TYPE_CHECKING:
    from tests.bot.fake_discord.interactions import InteractionHandle


class FakeServer:
    """The server and the state every part of the fake shares (see `FakeDiscord`)."""

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

    async def __aenter__(self) -> Self:
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

    def _member_for(self, user: UserRef) -> FakeMember:
        if user is None:
            return self.member(self.default_user.id)
        if isinstance(user, FakeMember):
            return user
        if isinstance(user, FakeUser):
            return self.guild.member(user.id) or FakeMember(user)
        return self.member(user)

    def dm_channel(self, user: UserRef = None) -> FakeChannel:
        """The DM channel between the bot and ``user`` (made on first use)."""
        target = self._member_for(user).user
        if target.id not in self.dm_channels:
            self.dm_channels[target.id] = FakeChannel(_snowflake(), "", None, type=1, recipient=target)
        return self.dm_channels[target.id]

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

    # Given by the subclasses: the routing table (FakeDiscord) and the websocket (FakeGateway).
    def _build_routes(self) -> list[tuple[str, re.Pattern[str], _Handler, bool]]:
        raise NotImplementedError

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

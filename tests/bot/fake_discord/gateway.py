"""The fake gateway: the websocket the client connects to (HELLO, IDENTIFY, READY, RESUME,
heartbeats), events dispatched to it, dropped and held connections."""

from __future__ import annotations

import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web

from tests.bot.fake_discord.model import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    JSON,
    FakeDiscordError,
    StoredMessage,
    _Connection,
    _Session,
)
from tests.bot.fake_discord.server import FakeServer


class FakeGateway(FakeServer):
    """The gateway half of `FakeDiscord`."""

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

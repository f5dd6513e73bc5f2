"""The fake REST API: users, guilds, commands (sync), channels, messages, reactions and pins."""

from __future__ import annotations

import json
import mimetypes
import re
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.bot.fake_discord.gateway import FakeGateway
from tests.bot.fake_discord.limits import _check_commands, _check_message
from tests.bot.fake_discord.model import (
    _FILE_FIELD,
    _ROLE_MENTION,
    _SETTABLE_FLAGS,
    _USER_MENTION,
    ERROR_EMPTY_MESSAGE,
    ERROR_INVALID_FORM_BODY,
    ERROR_UNKNOWN_CHANNEL,
    ERROR_UNKNOWN_MESSAGE,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    JSON,
    FakeAttachment,
    FakeChannel,
    FakeUser,
    StoredMessage,
    UploadedFile,
    _form_error,
    _now_iso,
    _Problem,
    _Req,
    _snowflake,
)

if TYPE_CHECKING:
    from tests.bot.fake_discord.interactions import InteractionHandle


class FakeRest(FakeGateway):
    """The REST half of `FakeDiscord`."""

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

    def _refuse(
        self, req: _Req, handle: InteractionHandle | None, status: int, code: int, message: str
    ) -> web.Response:
        if handle is not None:
            handle.errors.append(req.record)
        return self._fail(req, status, code, message)

"""The users' side: messages they post, slash commands, autocomplete, buttons, selects and
modals they use; and the bot's answers to those interactions (callbacks and webhooks)."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from tests.bot.fake_discord.limits import _check_choices, _check_message, _check_modal, _merge_resolved
from tests.bot.fake_discord.model import (
    _ROLE_MENTION,
    _SETTABLE_FLAGS,
    _USER_MENTION,
    ALL_PERMISSIONS,
    CALLBACK_AUTOCOMPLETE_RESULT,
    CALLBACK_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_UPDATE_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_UPDATE_MESSAGE,
    ERROR_ALREADY_ACKNOWLEDGED,
    ERROR_INVALID_FORM_BODY,
    ERROR_INVALID_WEBHOOK_TOKEN,
    ERROR_UNKNOWN_INTERACTION,
    ERROR_UNKNOWN_MESSAGE,
    ERROR_UNKNOWN_WEBHOOK,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTENT_MESSAGE_CONTENT,
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_MESSAGE_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    JSON,
    CallbackRecord,
    FakeAttachment,
    FakeChannel,
    FakeDiscordError,
    FakeMember,
    FakeRole,
    FakeUser,
    OptionValue,
    RecordedRequest,
    StoredMessage,
    UserRef,
    _Problem,
    _Req,
    _snowflake,
    _walk_components,
)
from tests.bot.fake_discord.rest import FakeRest


class InteractionHandle:
    """One interaction the fake dispatched, and everything the bot did about it.

    ``response`` is the accepted callback; ``original`` the message it made (or, for component interactions
    answered with type 6 or 7, the message the component is on); ``followups`` the other messages sent through
    the interaction webhook; ``errors`` every request about this interaction that the fake refused.
    """

    def __init__(
        self,
        fake: FakeInteractions,
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


class FakeInteractions(FakeRest):
    """What users do, and the bot's answers to their interactions (see `FakeDiscord`)."""

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

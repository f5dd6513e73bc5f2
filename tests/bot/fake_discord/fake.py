"""`FakeDiscord`: the REST API, the gateway and the interactions together, with the routing
table that sends each request to the part that fakes it."""

from __future__ import annotations

import re

from tests.bot.fake_discord.interactions import FakeInteractions
from tests.bot.fake_discord.model import _Handler


class FakeDiscord(FakeInteractions):
    """A fake Discord API and gateway for one application, one bot user and one guild, on 127.0.0.1."""

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

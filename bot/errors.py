"""One error funnel: user-facing errors carry their message; anything else is logged with an id."""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from bot.embeds import NO_PINGS

log = logging.getLogger(__name__)


class UserError(app_commands.AppCommandError):
    """A problem the user can act on; its message is shown to them as it is."""


class NotModeratorError(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__("Only moderators (Manage Server, or a moderator role) can do that.")


def describe(error: Exception) -> str:
    """The one line a user sees for `error`; unexpected errors are logged with an id to quote."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserError):
        error = error.original
    if isinstance(error, UserError | NotModeratorError):
        return str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"You are asking quickly: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    error_id = secrets.token_hex(4)
    log.error("unexpected error %s", error_id, exc_info=error)
    return f"Something went wrong on my side (error id {error_id}); the maintainers can look it up."


async def reply_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """The CommandTree error handler: one short ephemeral line, whether or not we had deferred."""
    message = describe(error)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(message, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException as exc:  # the interaction may have expired meanwhile
        log.warning("could not report an error to the user: %s", exc)

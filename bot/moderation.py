"""Moderator commands: /ingest an article file, /reindex the knowledge folder.

Who is a moderator is checked here, by the bot, on every use: `default_permissions` only
hides the commands by default, and a server admin can widen it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.context import Bot, bot_of
from bot.errors import NotModeratorError, UserError
from index.files import write_atomically
from index.ingest.articles import ARTICLE_SUFFIXES, ArticleError, parse_article
from index.storage.build import BuildReport
from index.storage.store import BuildInProgressError
from index.text import counted
from index.web.links import LinkError, add_link

log = logging.getLogger(__name__)
T = TypeVar("T")

REPORT_LIMIT = 1900  # below Discord's 2000 characters of content


def fit_report(text: str) -> str:
    """A moderator's reply or report as one message: mentions defused, cut at REPORT_LIMIT."""
    text = discord.utils.escape_mentions(text)
    return text if len(text) <= REPORT_LIMIT else text[: REPORT_LIMIT - 1] + "…"


def is_moderator(interaction: discord.Interaction) -> bool:
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    roles = getattr(interaction.user, "roles", [])
    return any(role.id in bot_of(interaction).settings.moderator_role_ids for role in roles)


async def moderators_only(interaction: discord.Interaction) -> bool:
    if not is_moderator(interaction):
        raise NotModeratorError()
    return True


MAX_NAME = 120
# Windows device names: harmless here, but such a file could not be copied to Windows.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_name(name: str) -> str:
    """The attachment's name if it is a plain article file name; UserError saying why if not.
    (parse_article then allows only ASCII letters, digits, '.', '-' and '_': no look-alikes.)"""
    if len(name) > MAX_NAME:
        raise UserError(f"That file name is {len(name)} characters long; keep it under {MAX_NAME}.")
    if not name or "\x00" in name or "/" in name or "\\" in name or ".." in name:
        raise UserError(f"“{name}” is not a plain file name (no folders, '..' or NUL); rename it and try again.")
    if name.startswith("."):
        raise UserError(f"“{name}” starts with a dot; hidden files are not articles.")
    if Path(name).stem.upper() in _RESERVED:
        raise UserError(f"“{name}” is a reserved device name on some systems; rename it.")
    if Path(name).suffix.lower() not in ARTICLE_SUFFIXES:
        raise UserError(f"“{name}” is not an article: send a {' or '.join(ARTICLE_SUFFIXES)} file.")
    return name


def report_text(report: BuildReport, prefix: str = "") -> str:
    """The build report in lines that are never cut in half."""
    lines = [prefix] if prefix else []
    for label, ids in (("Added", report.added), ("Changed", report.changed), ("Removed", report.removed)):
        if ids:
            lines.append(f"**{label}:** " + ", ".join(f"`{i}`" for i in ids))
    for rejection in report.rejected:
        kept = " (its previous version stays indexed)" if Path(rejection.path).stem in report.kept else ""
        lines.append(f"**Rejected:** `{Path(rejection.path).name}`: {rejection.reason}{kept}")
    lines += [f"**Ignored:** `{Path(i.path).name}`: {i.reason}" for i in report.ignored]
    lines += [f"**Warning:** {warning}" for warning in report.warnings]
    if not report.modified and not report.rejected:
        lines.append("Nothing changed: the index was already up to date.")
    lines.append(f"The index has {counted(report.passages, 'passage')} (version `{report.version}`).")
    text = ""
    for shown, line in enumerate(lines):
        if len(text) + len(line) + 40 > REPORT_LIMIT:
            text += f"\n… and {len(lines) - shown} more lines."
            break
        text += ("\n" if text else "") + line
    return discord.utils.escape_mentions(text)


async def reindexing_alone(bot: Bot, work: Callable[..., T], *args: Any) -> T:
    """Run `work`, which updates the index, off the event loop (questions keep being answered
    from the current version meanwhile), refused while this bot or another process updates it."""
    if bot.reindexing.locked():
        raise UserError("A reindex is already running; wait for it to finish.")
    async with bot.reindexing:
        try:
            return await asyncio.to_thread(work, *args)
        except BuildInProgressError as exc:  # a build from another process (the CLI)
            raise UserError(str(exc)) from None


async def rebuild(interaction: discord.Interaction) -> BuildReport:
    bot = bot_of(interaction)
    return await reindexing_alone(bot, bot.service.rebuild, False)


@app_commands.command(name="ingest", description="Moderators: add an article from a file or a link, and index it.")
@app_commands.describe(
    file="An article file (.md or .txt); optional YAML front matter, one paragraph per line",
    url="Or a link to a news article (http or https): its text is extracted and indexed",
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.check(moderators_only)
async def ingest(
    interaction: discord.Interaction, file: discord.Attachment | None = None, url: str | None = None
) -> None:
    if (file is None) == (url is None):
        raise UserError("Give either a file or a url to add, not both and not neither.")
    await interaction.response.defer(ephemeral=True, thinking=True)
    if url is not None:
        await _ingest_link(interaction, url.strip())
        return
    assert file is not None
    bot = bot_of(interaction)
    name = safe_file_name(file.filename)
    limit = bot.settings.max_article_bytes
    if file.size > limit:  # checked before downloading anything
        raise UserError(f"“{name}” is too large ({file.size:,} bytes; the limit is {limit:,}). Nothing was saved.")
    raw = await file.read()
    if len(raw) > limit:
        raise UserError(f"“{name}” is too large ({len(raw):,} bytes; the limit is {limit:,}). Nothing was saved.")
    try:
        article = parse_article(Path(name), raw)
    except ArticleError as exc:
        raise UserError(f"“{name}” was not saved: {exc}.") from None
    # The same text under another name is the same article; the build refuses it too, but then
    # the file would be saved for nothing.
    duplicate = bot.service.searcher.data.manifest.same_text(article.text_sha256, other_than=article.id)
    if duplicate:
        raise UserError(f"“{name}” was not saved: it has the same text as `{duplicate}`, which is indexed.")
    knowledge = bot.service.knowledge_dir
    target = knowledge / name
    verb = "Replaced" if target.exists() else "Saved"
    await asyncio.to_thread(write_atomically, target, raw)
    log.info("%s saved %s (%d bytes)", interaction.user, name, len(raw))
    try:
        report = await rebuild(interaction)
    except UserError as exc:
        raise UserError(f"{verb} `{name}`, but it is not indexed yet: {exc}") from None
    await interaction.followup.send(report_text(report, f"{verb} `{name}`."), ephemeral=True)


async def _ingest_link(interaction: discord.Interaction, url: str) -> None:
    """Fetch, extract and index the article at `url` (index/web/links.py), off the event loop."""
    bot = bot_of(interaction)
    try:
        added = await reindexing_alone(bot, add_link, bot.service, url, bot.settings.fetch_limits)
    except LinkError as exc:
        raise UserError(f"Nothing was added: {exc}.") from None
    log.info("%s added %s from %s", interaction.user, added.file, url)
    file, _, rest = added.summary().partition(": ")
    text = f"Added `{file}`: {rest}. It is indexed and answers questions now."
    await interaction.followup.send(fit_report(text), ephemeral=True)


@app_commands.command(name="reindex", description="Moderators: re-read the knowledge folder and update the index.")
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.check(moderators_only)
async def reindex(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    report = await rebuild(interaction)
    await interaction.followup.send(report_text(report), ephemeral=True)


COMMANDS: tuple[app_commands.Command[Any, ..., None], ...] = (ingest, reindex)

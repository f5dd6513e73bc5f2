"""What every `pactbot` command shares: the error a command reports, the settings and the search
service."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from bot.settings import Settings, configure_logging
from index.service import SearchService
from index.storage.store import current_name


class CliError(Exception):
    """A problem to report on one line of standard error, then exit non-zero."""


def read_settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a rule about several settings: the message names them
            raise CliError(f"settings: {message}") from None
        raise CliError(f"setting {Settings.variable(str(first['loc'][0]))}: {message}") from None
    configure_logging(settings.log_level)
    return settings


def open_service(
    settings: Settings,
    knowledge_dir: Path | None = None,
    data_dir: Path | None = None,
    need_index: bool = False,
) -> SearchService:
    """The search service; checks what can be checked before the model takes seconds to load."""
    knowledge = knowledge_dir or settings.knowledge_dir
    data = data_dir or settings.data_dir
    if not knowledge.is_dir():
        raise CliError(f"knowledge directory {knowledge} does not exist (set PACTBOT_KNOWLEDGE_DIR)")
    if need_index and current_name(data) is None:
        raise CliError(f"no index in {data}; build it with `pactbot index`")
    from index.models.encoders import embedder_for  # reads the model's configuration; loads it on first use
    from index.models.reranker import reranker_for

    trained = settings.models == "trained"
    return SearchService(
        knowledge,
        data,
        embedder_for(settings.encoder, data, trained),
        settings.max_article_bytes,
        reranker=reranker_for(settings.encoder, data, trained and settings.reranker),
    )

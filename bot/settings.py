"""Settings, read once from the environment and `.env`, validated, and passed where needed."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.models.encoders import Encoder
from index.web.fetch import FetchLimits

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    """Every setting has a default except the Discord token; see `.env.example`."""

    model_config = SettingsConfigDict(
        env_prefix="PACTBOT_", env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    knowledge_dir: Path = Path("knowledge")
    data_dir: Path = Path("data")
    max_article_bytes: int = Field(default=1_000_000, gt=0)
    top_k: int = Field(default=3, ge=1, le=10)
    log_level: LogLevel = "WARNING"
    # How the model runs: ONNX Runtime (fast; exported once into the data folder) or PyTorch
    # through sentence-transformers, the reference it is checked against. Same vectors.
    encoder: Encoder = "onnx"
    # Which models answer: Pactbot's own fine-tuned encoder and reranker (index/models/), or the
    # stock all-MiniLM-L6-v2 alone (for comparison; the index is embedded again on a switch).
    models: Literal["trained", "stock"] = "trained"
    # The trained reranker on top (index/models/reranker.py): better answers on the held-out
    # files for about 25 ms more per answer in the benchmark, more on long news sentences
    # (docs/models.md); false answers from the encoder and the fitted ranker alone.
    reranker: bool = True
    # Adding articles by link (index/web/fetch.py): the download cap, the whole fetch's deadline, and
    # whether links to loopback and private addresses may be fetched (tests and closed networks only).
    max_download_bytes: int = Field(default=5_000_000, gt=0)
    fetch_timeout_seconds: float = Field(default=30.0, gt=0)
    allow_private_urls: bool = False
    # Following feeds (index/web/feeds.py): how often the bot polls them, and where reports go for a
    # feed followed without a channel of its own.
    feed_interval_minutes: float = Field(default=30.0, gt=0)
    log_channel_id: int | None = None

    # Discord
    guild_id: int | None = None
    channel_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    moderator_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    cooldown_seconds: float = Field(default=5.0, ge=0)
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    # Sharding (discord.py's AutoShardedClient): unset runs one unsharded connection; "auto" runs
    # as many shards as Discord recommends, all in this process; a number with shard ids runs
    # those shards of that many here, so several processes can share one data folder.
    shard_count: int | Literal["auto"] | None = Field(default=None)
    shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # How often a running bot looks for an index version published by another process.
    reload_seconds: float = Field(default=2.0, gt=0)

    @field_validator("shard_count", mode="after")
    @classmethod
    def _at_least_one_shard(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and value < 1:
            raise ValueError("must be at least 1, or auto")
        return value

    @model_validator(mode="after")
    def _shards_of_the_count(self) -> Settings:
        if self.shard_ids and not isinstance(self.shard_count, int):
            raise ValueError("PACTBOT_SHARD_IDS needs PACTBOT_SHARD_COUNT set to a number")
        if isinstance(self.shard_count, int) and any(not 0 <= i < self.shard_count for i in self.shard_ids):
            raise ValueError(f"PACTBOT_SHARD_IDS must be between 0 and {self.shard_count - 1}")
        return self

    @property
    def fetch_limits(self) -> FetchLimits:
        return FetchLimits(
            max_bytes=self.max_download_bytes,
            total_timeout=self.fetch_timeout_seconds,
            allow_private=self.allow_private_urls,
        )

    @property
    def feed_interval(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.feed_interval_minutes)

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    @field_validator("channel_ids", "moderator_role_ids", "shard_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable that sets `field`, for error messages."""
        info = cls.model_fields.get(field)
        alias = info.validation_alias if info else None
        return alias if isinstance(alias, str) else f"PACTBOT_{field.upper()}"


def configure_logging(level: LogLevel) -> None:
    """Logging goes to standard error, so answers on standard output stay clean for pipes."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # bm25s sets its own logger to DEBUG; keep it at the chosen level like everything else.
    logging.getLogger("bm25s").setLevel(level)

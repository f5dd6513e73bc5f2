"""Settings, read once from the environment and `.env`, validated, and passed where needed."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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

    # Discord
    guild_id: int | None = None
    channel_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    moderator_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    cooldown_seconds: float = Field(default=5.0, ge=0)
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None

    @field_validator("channel_ids", "moderator_role_ids", mode="before")
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

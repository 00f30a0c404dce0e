"""Settings from the environment (and a .env file), read in one place: the composition root."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

OFFICIAL_API_URL = "https://api.telegram.org"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="forbid", case_sensitive=True
    )

    BOT_TOKEN: SecretStr | None = None
    TELEGRAM_API_URL: str = OFFICIAL_API_URL
    DATABASE_URL: str = "sqlite+aiosqlite:///data/bot.db"
    CONTENT_DIR: Path = Path("content")
    VOLUNTEER_CHAT_ID: int | None = None
    ADMIN_IDS: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    DEFAULT_LOCALE: str = Field(default="be", pattern=r"^[a-z]{2,3}$")
    PSEUDONYM_KEY: SecretStr | None = None
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("ADMIN_IDS", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                msg = "expected Telegram user ids separated by commas, like 12345,67890"
                raise ValueError(msg)
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @property
    def log_level(self) -> int:
        return logging.getLevelNamesMapping()[self.LOG_LEVEL]


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, or raise SettingsError naming the first bad one (never its value)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(part) for part in err["loc"]) or "settings"
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown setting (check its spelling in .env)"
        msg = f"setting {name}: {message}"
        raise SettingsError(msg) from None

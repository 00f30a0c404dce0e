"""Settings from the environment (and a .env file), read in one place: the composition root."""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

OFFICIAL_API_URL = "https://api.telegram.org"


@dataclass(frozen=True)
class VolunteerGroup:
    """A volunteers' forum; `languages` empty: it takes requests in every language."""

    chat_id: int
    languages: frozenset[str] = frozenset()


GROUP_ITEM = re.compile(r"^(-?[0-9]+)(?:@([a-z]{2,3}(?:\+[a-z]{2,3})*))?$")


def parse_groups(value: Any) -> Any:
    """`-100123`, `-100123,-100456`, or by language: `-100123@be+ru,-100456@en`."""
    if isinstance(value, int):
        return (VolunteerGroup(value),)
    if not isinstance(value, str):
        return value
    groups = []
    for item in (part.strip() for part in value.split(",") if part.strip()):
        found = GROUP_ITEM.match(item)
        if found is None:
            msg = (
                "expected the volunteers' group ids separated by commas, each optionally with "
                "its languages, like -1001234567890 or -1001234567890@be+ru,-1009876543210@en"
            )
            raise ValueError(msg)
        languages = frozenset((found.group(2) or "").split("+")) - {""}
        groups.append(VolunteerGroup(int(found.group(1)), languages))
    if len({g.chat_id for g in groups}) != len(groups):
        msg = "a volunteers' group is named twice"
        raise ValueError(msg)
    return tuple(groups)


SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")
SECRET_FORM = "16 to 256 letters, digits, _ or - (for example: openssl rand -hex 32)"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


TOKEN = re.compile(r"^[0-9]+:[A-Za-z0-9_-]{30,}$")
"""The shape of a token from @BotFather (a bot id, a colon, a long secret)."""

EXPECTED_FORM = {
    "TELEGRAM_API_URL": "expected an address like https://api.telegram.org",
    "DATABASE_URL": (
        "expected a database address like sqlite+aiosqlite:///data/bot.db "
        "or postgresql+asyncpg://user:password@host/db"
    ),
    "DEFAULT_LOCALE": "expected a language code like be",
    "VOLUNTEER_HOURS": "expected hours like 09:00-21:00",
    "WEBHOOK_URL": "expected the public address Telegram calls, like https://bot.example.org/telegram",
}
"""What a setting with a pattern should look like: said instead of the pattern itself."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="forbid", case_sensitive=True
    )

    BOT_TOKEN: SecretStr | None = None
    TELEGRAM_API_URL: str = Field(default=OFFICIAL_API_URL, pattern=r"^https?://\S+$")
    DATABASE_URL: str = Field(default="sqlite+aiosqlite:///data/bot.db", pattern=r"^[a-z0-9+]+://")
    CONTENT_DIR: Path = Path("content")
    VOLUNTEER_CHAT_ID: Annotated[tuple[VolunteerGroup, ...], NoDecode] = ()
    ADMIN_IDS: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    DEFAULT_LOCALE: str = Field(default="be", pattern=r"^[a-z]{2,3}$")
    PSEUDONYM_KEY: SecretStr | None = None
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    HANDOFF_REMIND_MINUTES: int = Field(default=10, ge=1, le=24 * 60)
    VOLUNTEER_HOURS: str | None = Field(
        default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$"
    )
    VOLUNTEER_TIMEZONE: str = "UTC"
    HANDOFF_TIMEOUT_MINUTES: int = Field(default=60, ge=1, le=7 * 24 * 60)
    URGENT_TIMEOUT_MINUTES: int = Field(default=10, ge=1, le=24 * 60)
    CASE_TOPIC_DELETE_HOURS: int = Field(default=24, ge=0, le=24 * 365)
    RETENTION_DAYS: int = Field(default=30, ge=1, le=3650)
    TELEGRAM_PACING: bool = True
    WEBHOOK_URL: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/\S*)?$")
    WEBHOOK_SECRET: SecretStr | None = None
    WEBHOOK_HOST: str = "0.0.0.0"
    WEBHOOK_PORT: int = Field(default=8080, ge=1, le=65535)
    CHORES_SECONDS: int = Field(default=30, ge=1, le=3600)

    @field_validator("BOT_TOKEN")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        """A mistyped token fails here in one line, not deep in aiogram (empty: not set yet)."""
        token = value.get_secret_value().strip() if value is not None else ""
        if token and TOKEN.match(token) is None:
            msg = "expected the token from @BotFather, like 123456789:AA..."
            raise ValueError(msg)
        return value

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

    @field_validator("VOLUNTEER_CHAT_ID", mode="before")
    @classmethod
    def _groups(cls, value: Any) -> Any:
        return () if value is None else parse_groups(value)

    @field_validator("VOLUNTEER_TIMEZONE")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = "expected a time zone name like Europe/Vilnius"
            raise ValueError(msg) from None
        return value

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.WEBHOOK_URL and self.WEBHOOK_SECRET is None:
            msg = f"WEBHOOK_SECRET: required when WEBHOOK_URL is set; {SECRET_FORM}"
            raise ValueError(msg)
        return self

    @field_validator("WEBHOOK_SECRET")
    @classmethod
    def _secret_form(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET.fullmatch(value.get_secret_value()):
            msg = f"expected {SECRET_FORM}"
            raise ValueError(msg)
        return value

    @property
    def webhook(self) -> bool:
        """Telegram pushes updates to us (more than one instance is possible) instead of polling."""
        return bool(self.WEBHOOK_URL)

    @property
    def log_level(self) -> int:
        return logging.getLevelNamesMapping()[self.LOG_LEVEL]

    def token(self) -> str:
        """The bot token, or SettingsError saying where to get one."""
        if self.BOT_TOKEN is None or not self.BOT_TOKEN.get_secret_value().strip():
            msg = (
                "setting BOT_TOKEN: required to run the bot; get one from @BotFather in "
                "Telegram (/newbot) and put BOT_TOKEN=... in .env"
            )
            raise SettingsError(msg)
        return self.BOT_TOKEN.get_secret_value().strip()

    def token_of_webhook(self) -> str:
        """WEBHOOK_SECRET: what Telegram must send with every update in webhook mode."""
        if self.WEBHOOK_SECRET is None:
            msg = f"setting WEBHOOK_SECRET: required when WEBHOOK_URL is set; {SECRET_FORM}"
            raise SettingsError(msg)
        return self.WEBHOOK_SECRET.get_secret_value()

    def pseudonym_key(self) -> bytes:
        """PSEUDONYM_KEY, or one derived from the token (a new token then means new pseudonyms)."""
        if self.PSEUDONYM_KEY is not None and self.PSEUDONYM_KEY.get_secret_value():
            return self.PSEUDONYM_KEY.get_secret_value().encode()
        return hmac.new(self.token().encode(), b"volnyja-bot pseudonym key", "sha256").digest()


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, or raise SettingsError naming the first bad one (never its value)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(part) for part in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        if not name:  # a rule between settings names its setting first
            name, _, message = message.partition(": ")
        if err["type"] == "extra_forbidden":
            message = "unknown setting (check its spelling in .env)"
        elif err["type"] == "string_pattern_mismatch":
            message = EXPECTED_FORM.get(name, "not in the expected form (see README, Settings)")
        msg = f"setting {name}: {message}"
        raise SettingsError(msg) from None

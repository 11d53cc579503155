"""Settings from the environment and `.env` (names as in the README)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.logs import LOG_FORMATS, parse_level

DEFAULT_DATABASE_URL = "sqlite:///coachbot.db"
SLACK_API_URL = "https://slack.com/api/"
README_HINT = "see README.md, 'Settings'"
SUPPORTED_DATABASE_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


class SettingsError(Exception):
    """A setting is missing or malformed; str() is one line for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    SLACK_BOT_TOKEN: str = Field(min_length=1)
    SLACK_SIGNING_SECRET: str = Field(min_length=1)
    SLACK_APP_TOKEN: str | None = None
    SLACK_API_URL: str = SLACK_API_URL
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    PORT: int = Field(default=3000, ge=1, le=65535)
    COACHBOT_ADMINS: str = ""
    # The bot's public https base URL; links people open outside Slack (calendar feeds).
    PUBLIC_URL: str | None = None
    LOG_LEVEL: str = "INFO"
    # "json": one JSON object a line, for log shippers.
    LOG_FORMAT: str = "text"
    # Sent outbox messages and request/event receipts older than this many days are
    # purged by the scheduler (OUTBOX_RETENTION_DAYS is accepted too).
    RETENTION_DAYS: int = Field(
        default=30, ge=1, validation_alias=AliasChoices("RETENTION_DAYS", "OUTBOX_RETENTION_DAYS")
    )
    # A directory of program content to use instead of the shipped prompts/.
    COACHBOT_PROMPTS_DIR: str | None = None
    # `coachbot web`: gunicorn worker processes and threads per worker (gunicorn.conf.py).
    WEB_CONCURRENCY: int | None = Field(default=None, ge=1, le=64)
    GUNICORN_THREADS: int | None = Field(default=None, ge=1, le=256)

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token_shape(cls, value: str) -> str:
        if not value.startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token_shape(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("PUBLIC_URL")
    @classmethod
    def _public_url_shape(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL like https://coachbot.example.com")
        return value.rstrip("/")

    @field_validator("LOG_LEVEL")
    @classmethod
    def _log_level_shape(cls, value: str) -> str:
        try:
            parse_level(value)
        except ValueError:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR") from None
        return value.strip().upper()

    @field_validator("LOG_FORMAT")
    @classmethod
    def _log_format_shape(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in LOG_FORMATS:
            raise ValueError("must be text or json")
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("COACHBOT_PROMPTS_DIR")
    @classmethod
    def _prompts_dir_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return value.strip() or None

    @field_validator("COACHBOT_ADMINS")
    @classmethod
    def _admins_shape(cls, value: str) -> str:
        for user_id in _split_ids(value):
            if user_id[:1] not in ("U", "W") or not user_id.isalnum():
                raise ValueError(f"{user_id!r} is not a Slack user id (like U012ABCDEF)")
        return value

    @property
    def admin_user_ids(self) -> frozenset[str]:
        return frozenset(_split_ids(self.COACHBOT_ADMINS))

    @property
    def socket_mode(self) -> bool:
        return self.SLACK_APP_TOKEN is not None


def _split_ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def normalize_database_url(url: str) -> str:
    """Accept Heroku-style `postgres://` and pick the psycopg 3 driver."""
    url = url.strip()
    if not url:
        raise ValueError("must not be empty")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if "://" not in url:
        raise ValueError("must be a database URL like sqlite:///coachbot.db or postgresql://...")
    scheme = url.split("://", 1)[0]
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ValueError(
            f"uses {scheme!r}, which Coachbot does not support: "
            "use sqlite:///coachbot.db or postgresql://..."
        )
    return url


# `coachbot db upgrade` needs only DATABASE_URL: the Slack credentials may be unset.
_NOT_NEEDED = {"SLACK_BOT_TOKEN": "xoxb-not-needed", "SLACK_SIGNING_SECRET": "not-needed"}


def load_database_settings(**overrides: object) -> Settings:
    """Settings for database maintenance: DATABASE_URL (and logging) from the
    environment or `.env`; the Slack credentials are not read and not needed."""
    return load_settings(**{**_NOT_NEEDED, **overrides})


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; raises SettingsError naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        if first["type"] == "missing":
            problem = "is not set"
        else:
            problem = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} {problem} ({README_HINT})") from None

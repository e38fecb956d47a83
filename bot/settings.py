"""Settings from the environment (prefix FRONTDOOR_) and an optional .env file (DESIGN.md §4)."""

from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCALES = ("en", "zh")
# Messages per second Telegram lets a bot send to different chats for free; up to
# PAID_BROADCAST_MAX with paid broadcasts (each message then costs Telegram Stars).
FREE_SEND_RATE = 30
PAID_BROADCAST_MAX = 1000


class Mode(StrEnum):
    polling = "polling"
    webhook = "webhook"


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FRONTDOOR_", env_file=".env", extra="ignore", validate_default=True
    )

    bot_token: SecretStr | None = None
    telegram_api_url: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org")
    database_url: str = "sqlite+aiosqlite:///./frontdoor.db"
    staff_chat_id: int | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    time_zone: str = "Asia/Shanghai"
    locale: str = "zh"
    currency: str = "CNY"
    mode: Mode = Mode.polling
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    listen: str = "127.0.0.1:8080"
    metrics_listen: str | None = None
    # Declared before send_rate: its validator reads it.
    paid_broadcast: bool = False
    send_rate: float = Field(default=25, gt=0, le=PAID_BROADCAST_MAX)
    # Messages sent whose outcome is not yet stored, at most (what a crash can repeat);
    # None: 1 up to the free rate, every lane above it.
    send_in_flight: int | None = Field(default=None, ge=1, le=100)
    log_level: str = "INFO"

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raw = value.get_secret_value().strip()
            head, _, tail = raw.partition(":")
            if not (head.isdigit() and len(tail) >= 10):
                raise ValueError("does not look like a bot token (expected 123456:ABC...)")
            return SecretStr(raw)
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("must be comma-separated numeric Telegram user ids")
            return frozenset(int(p) for p in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("send_rate")
    @classmethod
    def _free_rate(cls, value: float, info: ValidationInfo) -> float:
        if value > FREE_SEND_RATE and not info.data.get("paid_broadcast"):
            raise ValueError(
                f"above {FREE_SEND_RATE} needs FRONTDOOR_PAID_BROADCAST=true"
                " (Telegram then charges Stars per message)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like Asia/Shanghai)"
            ) from None
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"must be one of {', '.join(LOCALES)}")
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not (len(value) == 3 and value.isalpha()):
            raise ValueError("must be a three-letter ISO 4217 code such as CNY")
        return value.upper()

    @field_validator("listen", "metrics_listen")
    @classmethod
    def _listen(cls, value: str | None) -> str | None:
        if not value:
            return None
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 127.0.0.1:8080")
        return value

    @property
    def api_base(self) -> str:
        return str(self.telegram_api_url).rstrip("/")

    def require_token(self) -> SecretStr:
        if self.bot_token is None:
            raise SettingsError("FRONTDOOR_BOT_TOKEN: missing (get one from @BotFather)")
        return self.bot_token

    def require_webhook(self) -> tuple[str, SecretStr | None]:
        if self.webhook_url is None:
            raise SettingsError("FRONTDOOR_WEBHOOK_URL: missing (required when MODE=webhook)")
        return str(self.webhook_url), self.webhook_secret


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one line that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"FRONTDOOR_{field.upper()}: {message}") from None

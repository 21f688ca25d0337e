"""Settings: one object, read once from the environment and `.env`."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.partner.client import DEFAULT_BASE_URLS
from bot.partner.models import Product
from bot.partner.transport import Timeouts

DEFAULT_BOT_SCOPES = (
    "commands",
    "chat:write",
    "users:read",
    "files:write",
    "usergroups:read",
    "channels:read",
    "groups:read",
    "im:write",
    "im:read",
    "mpim:read",
)


class ConfigError(RuntimeError):
    """The configuration cannot work; the text says what to set."""


class SlackMode(StrEnum):
    SINGLE_WORKSPACE = "single-workspace"
    MANY_WORKSPACES = "many-workspaces"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str | None = None
    """Overrides the Slack Web API base URL (tests and the console point it at an emulator)."""
    slack_scopes: str = ",".join(DEFAULT_BOT_SCOPES)

    database_url: str | None = None
    port: int = 3000
    bot_encryption_key: SecretStr | None = None
    bot_encryption_key_file: Path = Path("partner_ops.key")

    sms_partner_url: str = DEFAULT_BASE_URLS[Product.SMS]
    mail_partner_url: str = DEFAULT_BASE_URLS[Product.MAIL]
    voice_partner_url: str = DEFAULT_BASE_URLS[Product.VOICE]

    sms_partner_api_key: SecretStr | None = None
    mail_partner_api_key: SecretStr | None = None
    voice_partner_api_key: SecretStr | None = None

    partner_connect_timeout: float = Field(5.0, gt=0)
    partner_total_timeout: float = Field(20.0, gt=0)
    partner_concurrency_per_key: int = Field(4, ge=1)
    execution_lease_seconds: float = Field(120.0, gt=0)
    """A request left `executing` longer than this belongs to a process presumed dead."""
    reconcile_settle_seconds: float = Field(60.0, ge=0)
    """After an unknown outcome, how long before "no change seen" proves nothing happened."""
    similar_request_window_seconds: float = Field(900.0, ge=0)
    """A request just like one the same person made this recently asks them to confirm."""
    scheduler_interval_seconds: float = Field(30.0, gt=0)
    """How often the worker looks for due digests and the hourly snapshot."""
    maintenance_interval_seconds: float = Field(30.0, gt=0)
    """How often expiry and recovery of abandoned requests run in `serve`/`console`."""
    home_publishes_per_minute: int = Field(100, ge=1)
    """Home tabs published per workspace in any minute: views.publish's tier (Tier 4, 100+
    a minute). Lower it when another app shares the workspace's quota, or in tests."""

    def partner_url(self, product: Product) -> str:
        return {
            Product.SMS: self.sms_partner_url,
            Product.MAIL: self.mail_partner_url,
            Product.VOICE: self.voice_partner_url,
        }[product]

    def partner_api_key(self, product: Product) -> SecretStr | None:
        return {
            Product.SMS: self.sms_partner_api_key,
            Product.MAIL: self.mail_partner_api_key,
            Product.VOICE: self.voice_partner_api_key,
        }[product]

    @property
    def slack_mode(self) -> SlackMode:
        """Many workspaces when OAuth credentials are set, else one workspace with a bot token."""
        if self.slack_client_id and self.slack_client_secret:
            return SlackMode.MANY_WORKSPACES
        if self.slack_bot_token:
            return SlackMode.SINGLE_WORKSPACE
        raise ConfigError(
            "Slack is not configured. For one workspace set SLACK_BOT_TOKEN and "
            "SLACK_SIGNING_SECRET; for many set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
            "SLACK_SIGNING_SECRET. To try the bot without Slack run: python -m bot console"
        )

    @property
    def partner_timeouts(self) -> Timeouts:
        return Timeouts(connect=self.partner_connect_timeout, total=self.partner_total_timeout)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

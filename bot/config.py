"""Settings: one object, read once from the environment and `.env`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.partner.client import DEFAULT_BASE_URLS
from bot.partner.models import Product
from bot.partner.transport import RetryPolicy, Timeouts

DEFAULT_BOT_SCOPES = (
    "commands",
    "chat:write",
    "users:read",
    "files:write",
    "files:read",
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
    # Each field's docstring is its description in `serve --help` (settings_help below).
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", use_attribute_docstrings=True
    )

    slack_signing_secret: SecretStr | None = None
    """Checks that requests come from Slack (the app's Basic Information page)."""
    slack_bot_token: SecretStr | None = None
    """One workspace: its bot token (xoxb-…)."""
    slack_app_token: SecretStr | None = None
    """Socket Mode: an app-level token (xapp-…) with connections:write."""
    slack_client_id: str | None = None
    """Many workspaces (OAuth): the app's client id."""
    slack_client_secret: SecretStr | None = None
    """Many workspaces (OAuth): the app's client secret."""
    slack_api_url: str | None = None
    """Overrides the Slack Web API base URL (tests and the console point it at an emulator)."""
    slack_scopes: str = ",".join(DEFAULT_BOT_SCOPES)
    """Bot scopes asked at install (comma-separated); keep them as manifest.yml has them."""

    database_url: str | None = None
    """Unset: SQLite file partner_ops.db here; postgresql://… for production."""
    host: str = "0.0.0.0"  # noqa: S104 - a server listens on every interface unless told
    """The address `serve` (and `socket`'s /healthz) listens on: 127.0.0.1 behind a local proxy."""
    port: int = 3000
    """The HTTP port (/slack/events, /healthz)."""
    bot_encryption_key: SecretStr | None = None
    """Fernet key(s) sealing stored Partner keys and Slack tokens, comma-separated for rotation."""
    bot_encryption_key_file: Path = Path("partner_ops.key")
    """One workspace on SQLite without BOT_ENCRYPTION_KEY: the key file made and read here."""

    sms_partner_url: str = DEFAULT_BASE_URLS[Product.SMS]
    """SMS Partner API base URL."""
    mail_partner_url: str = DEFAULT_BASE_URLS[Product.MAIL]
    """Mail Partner API base URL."""
    voice_partner_url: str = DEFAULT_BASE_URLS[Product.VOICE]
    """Voice Partner API base URL."""

    sms_partner_api_key: SecretStr | None = None
    """One workspace: the SMS Partner key (a key saved with /partner setup wins)."""
    mail_partner_api_key: SecretStr | None = None
    """One workspace: the Mail Partner key (a key saved with /partner setup wins)."""
    voice_partner_api_key: SecretStr | None = None
    """One workspace: the Voice Partner key (a key saved with /partner setup wins)."""

    partner_connect_timeout: float = Field(5.0, gt=0)
    """Seconds to connect to a Partner API."""
    partner_total_timeout: float = Field(20.0, gt=0)
    """Seconds for a whole Partner API call."""
    partner_retry_base_seconds: float = Field(0.25, gt=0)
    """A failed Partner API read is tried again after up to this long, doubling each time
    (jittered; 4 tries in all)."""
    partner_concurrency_per_key: int = Field(4, ge=1)
    """Partner API calls at once per key."""
    execution_lease_seconds: float = Field(120.0, gt=0)
    """A request left `executing` longer than this belongs to a process presumed dead."""
    reconcile_settle_seconds: float = Field(60.0, ge=0)
    """After an unknown outcome, how long before "no change seen" proves nothing happened."""
    card_grace_seconds: float = Field(5.0, gt=0)
    """A card or a telling still not taken this long after it was stored was left by a
    process that died: maintenance posts or tells it."""
    similar_request_window_seconds: float = Field(900.0, ge=0)
    """A request just like one the same person made this recently asks them to confirm."""
    scheduler_interval_seconds: float = Field(30.0, gt=0)
    """How often the worker looks for due digests and the hourly snapshot."""
    balance_read_seconds: float = Field(900.0, gt=0)
    """How often the worker reads SMS and Mail subaccount balances for the spend ledger."""
    maintenance_interval_seconds: float = Field(30.0, gt=0)
    """How often expiry and recovery of abandoned requests run in `serve`/`console`."""
    home_publishes_per_minute: int = Field(100, ge=1)
    """Home tabs published per workspace in any minute: views.publish's tier (Tier 4, 100+
    a minute). Lower it when another app shares the workspace's quota, or in tests."""

    web_processes: int = Field(1, ge=1)
    """`serve` processes sharing PORT (SO_REUSEPORT, Linux): one per core; `--processes`."""
    installation_cache_seconds: float = Field(10.0, ge=0)
    """Many workspaces: how long a process keeps a workspace's bot token in memory before
    reading it again — the most it can act with a token another process saw revoked."""
    partner_keys_cache_seconds: float = Field(10.0, ge=0)
    """How long a process keeps a workspace's Partner keys in memory for what it only shows
    (balances, subaccount lists) — the most it shows figures read with a key another process
    saw replaced or removed. Moves and decisions always read the keys."""

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

    @property
    def partner_retry(self) -> RetryPolicy:
        return RetryPolicy(base_delay=self.partner_retry_base_seconds)


def settings_help() -> str:
    """Every setting as `NAME (default): what it is`, for `serve|socket|worker --help`."""
    lines = ["settings (environment variables, or a .env file in the working directory):"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "unset" if default is None else str(default)
        lines.append(f"  {name.upper()} ({shown}): {field.description or ''}".rstrip())
    return "\n".join(lines)

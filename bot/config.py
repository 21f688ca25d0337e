"""Settings: one object, read once from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.partner.client import DEFAULT_BASE_URLS
from bot.partner.models import Product
from bot.partner.transport import Timeouts


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    sms_partner_url: str = DEFAULT_BASE_URLS[Product.SMS]
    mail_partner_url: str = DEFAULT_BASE_URLS[Product.MAIL]
    voice_partner_url: str = DEFAULT_BASE_URLS[Product.VOICE]

    sms_partner_api_key: SecretStr | None = None
    mail_partner_api_key: SecretStr | None = None
    voice_partner_api_key: SecretStr | None = None

    partner_connect_timeout: float = Field(5.0, gt=0)
    partner_total_timeout: float = Field(20.0, gt=0)
    partner_concurrency_per_key: int = Field(4, ge=1)

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
    def partner_timeouts(self) -> Timeouts:
        return Timeouts(connect=self.partner_connect_timeout, total=self.partner_total_timeout)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.partner.client import DEFAULT_BASE_URLS
from bot.partner.models import Product
from bot.partner.transport import RetryPolicy


def test_defaults_are_the_vendor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SMS_PARTNER_URL", "MAIL_PARTNER_URL", "VOICE_PARTNER_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert {p: settings.partner_url(p) for p in Product} == dict(DEFAULT_BASE_URLS)
    assert (settings.partner_timeouts.connect, settings.partner_timeouts.total) == (5.0, 20.0)


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "MAIL_PARTNER_URL=http://127.0.0.1:9/mail/v1\nSMS_PARTNER_API_KEY=from-dotenv-123456\n"
    )
    monkeypatch.setenv("SMS_PARTNER_URL", "http://127.0.0.1:9/sms/v1")
    monkeypatch.setenv("PARTNER_TOTAL_TIMEOUT", "7.5")
    settings = Settings()
    assert settings.partner_url(Product.SMS) == "http://127.0.0.1:9/sms/v1"
    assert settings.partner_url(Product.MAIL) == "http://127.0.0.1:9/mail/v1"
    assert settings.partner_timeouts.total == 7.5
    key = settings.partner_api_key(Product.SMS)
    assert key is not None and key.get_secret_value() == "from-dotenv-123456"
    assert "from-dotenv" not in repr(settings)


def test_the_partner_retry_wait_is_a_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PARTNER_RETRY_BASE_SECONDS", raising=False)
    assert Settings().partner_retry == RetryPolicy()  # the transport's own default
    monkeypatch.setenv("PARTNER_RETRY_BASE_SECONDS", "0.5")
    assert Settings().partner_retry.base_delay == 0.5

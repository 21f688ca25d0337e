from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, SlackMode
from bot.db.crypto import EncryptionKeyError
from bot.runtime import Runtime


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def test_postgres_without_an_encryption_key_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = settings(
        slack_bot_token="xoxb-x",
        slack_signing_secret="s",
        database_url="postgresql://nobody@127.0.0.1:1/none",
        bot_encryption_key=None,
    )
    with pytest.raises(EncryptionKeyError):
        await Runtime.start(config, migrate=False)
    assert not list(tmp_path.glob("*.key"))


def test_the_mode_comes_from_the_environment() -> None:
    assert settings(slack_bot_token="xoxb-x").slack_mode is SlackMode.SINGLE_WORKSPACE
    many = settings(slack_client_id="1.2", slack_client_secret="c", slack_bot_token="xoxb-x")
    assert many.slack_mode is SlackMode.MANY_WORKSPACES
    with pytest.raises(ConfigError, match="python -m bot console"):
        _ = settings().slack_mode


def test_serve_without_slack_settings_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err

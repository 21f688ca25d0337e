"""A normal start of the app says nothing an operator would have to learn to ignore."""

from __future__ import annotations

import logging

import pytest

from bot.app import build_app
from bot.db.session import Database
from bot.runtime import Runtime
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.slack.harness import settings_for


async def test_a_one_workspace_start_warns_of_nothing(
    database: Database,
    fake_slack: FakeSlack,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(fake_slack, sandbox, database.url)
    assert settings.slack_bot_token is not None
    # As in production: the token is in the environment, where Bolt looks for it too.
    monkeypatch.setenv("SLACK_BOT_TOKEN", settings.slack_bot_token.get_secret_value())
    runtime = await Runtime.start(settings, migrate=False)
    try:
        with caplog.at_level(logging.DEBUG):
            build_app(runtime)
    finally:
        await runtime.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []

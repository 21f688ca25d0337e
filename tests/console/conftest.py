"""The console session the console tests drive: the real app, in process, on the test's
database (already migrated: a copy of the run's template on SQLite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import Settings
from bot.db.session import Database
from devkit.console.session import ConsoleSession
from tests.conftest import SecretsGuard


@pytest.fixture
async def console(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    secrets_guard: SecretsGuard,
    database: Database,
) -> AsyncIterator[ConsoleSession]:
    monkeypatch.chdir(tmp_path)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database.url,
        bot_encryption_key=Fernet.generate_key().decode(),
        sms_partner_api_key=None,
        mail_partner_api_key=None,
        voice_partner_api_key=None,
    )
    session = await ConsoleSession.start(settings)
    assert session.sandbox is not None
    secrets_guard.watch(session.sandbox.secrets())
    try:
        yield session
    finally:
        await session.close()

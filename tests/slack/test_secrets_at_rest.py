"""Slack tokens at rest: encrypted with the Partner keys' rotating Fernet keys, one row per
install, plain rows from before sealed at start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from bot.__main__ import main
from bot.clock import utcnow
from bot.db.base import slack_bots, slack_installations
from bot.db.crypto import CannotDecrypt, SecretBox
from bot.db.session import Database
from bot.db.slack_tokens import reseal_tokens
from bot.slack import stores
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.conftest import SecretsGuard
from tests.database import database_for_test, empty_all_tables
from tests.slack.harness import (
    CLIENT_SECRET,
    ENCRYPTION_KEY,
    MANIFEST_SCOPE,
    SIGNING_SECRET,
    Harness,
    reply_text,
    running_app,
    settings_for,
)
from tests.slack.test_workspaces import NEW_ADMIN, NEW_BOT_TOKEN, NEW_TEAM, count, install_code

REFRESH_TOKEN = "xoxe-1-refresh-secret-9d8c7b"
SECOND_TOKEN = "xoxb-second-install-token-44ee"


@pytest.fixture
async def multi(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[Harness]:
    secrets_guard.watch([NEW_BOT_TOKEN, REFRESH_TOKEN, SECOND_TOKEN])
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        fake_slack.add_user(NEW_TEAM, NEW_ADMIN, "nina", real_name="Nina", is_admin=True)
        fake_slack.add_channel(NEW_TEAM, "C0NEWGEN", "general")
        yield harness


def grant(fake: FakeSlack, code: str, token: str, **extra) -> None:
    fake.add_oauth_code(
        code,
        team_id=NEW_TEAM,
        team_name="New Co",
        bot_token=token,
        authed_user_id=NEW_ADMIN,
        scope=MANIFEST_SCOPE,
        **extra,
    )


async def raw_rows(database: Database) -> str:
    """Every stored installation and bot row, as SQL returns it."""
    async with database.session() as session:
        rows = [*(await session.execute(select(slack_installations))).all()]
        rows += [*(await session.execute(select(slack_bots))).all()]
    return "\n".join(repr(tuple(row)) for row in rows)


def database_file(database: Database) -> bytes:
    if not database.is_sqlite:
        return b""
    path = Path(make_url(database.url).database or "")
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def answers(slack: Harness) -> None:
    reply = await slack.ask("balance", user=NEW_ADMIN, team_id=NEW_TEAM, channel_id="C0NEWGEN")
    assert "No Partner API key is set up" in reply_text(reply)


async def test_tokens_are_unreadable_in_the_database(multi: Harness) -> None:
    grant(multi.fake, "code-1", NEW_BOT_TOKEN, refresh_token=REFRESH_TOKEN, expires_in=43200)
    await install_code(multi, "code-1")
    database = multi.runtime.database
    assert await count(database, slack_bots) == 1
    stored = await raw_rows(database)
    assert NEW_TEAM in stored  # the rows are there…
    for secret in ("xoxb-", "xoxe", NEW_BOT_TOKEN, REFRESH_TOKEN):  # …their tokens are not
        assert secret not in stored
        assert secret.encode() not in database_file(database)
    store = stores.installation_store(multi.runtime)
    bot = await store.async_find_bot(enterprise_id=None, team_id=NEW_TEAM)
    assert bot is not None
    assert (bot.bot_token, bot.bot_refresh_token) == (NEW_BOT_TOKEN, REFRESH_TOKEN)
    await answers(multi)
    assert multi.fake.calls[-1].token == NEW_BOT_TOKEN


async def test_a_reinstall_leaves_one_row_with_the_new_token(multi: Harness) -> None:
    grant(multi.fake, "code-1", NEW_BOT_TOKEN)
    await install_code(multi, "code-1")
    grant(multi.fake, "code-2", SECOND_TOKEN)
    await install_code(multi, "code-2")
    database = multi.runtime.database
    assert await count(database, slack_bots) == 1
    assert await count(database, slack_installations) == 1
    store = stores.installation_store(multi.runtime)
    bot = await store.async_find_bot(enterprise_id=None, team_id=NEW_TEAM)
    assert bot is not None and bot.bot_token == SECOND_TOKEN
    await answers(multi)
    assert multi.fake.calls[-1].token == SECOND_TOKEN


async def test_a_reinstall_by_someone_else_leaves_no_old_token(multi: Harness) -> None:
    grant(multi.fake, "code-1", NEW_BOT_TOKEN)
    await install_code(multi, "code-1")
    multi.fake.add_user(NEW_TEAM, "UOTHERADMIN", "otto", real_name="Otto", is_admin=True)
    multi.fake.add_oauth_code(
        "code-2",
        team_id=NEW_TEAM,
        team_name="New Co",
        bot_token=SECOND_TOKEN,
        authed_user_id="UOTHERADMIN",
        scope=MANIFEST_SCOPE,
    )
    await install_code(multi, "code-2")
    database = multi.runtime.database
    assert await count(database, slack_bots) == 1
    async with database.session() as session:
        rows = (
            await session.execute(
                select(slack_installations.c.user_id, slack_installations.c.bot_token).order_by(
                    slack_installations.c.id
                )
            )
        ).all()
    # The first installer's row stays (slack_sdk finds installations per user), its token not.
    assert [(user, token is None) for user, token in rows] == [
        (NEW_ADMIN, True),
        ("UOTHERADMIN", False),
    ]
    store = stores.installation_store(multi.runtime)
    first = await store.async_find_installation(
        enterprise_id=None, team_id=NEW_TEAM, user_id=NEW_ADMIN
    )
    assert first is not None and first.bot_token == SECOND_TOKEN  # the latest bot's
    await answers(multi)
    assert multi.fake.calls[-1].token == SECOND_TOKEN


async def test_rotation_re_encrypts_tokens_under_the_new_key(multi: Harness) -> None:
    grant(multi.fake, "code-1", NEW_BOT_TOKEN, refresh_token=REFRESH_TOKEN, expires_in=43200)
    await install_code(multi, "code-1")
    database = multi.runtime.database
    new_key = Fernet.generate_key().decode()
    rotated = await reseal_tokens(database, SecretBox([new_key, ENCRYPTION_KEY]), rotate=True)
    assert rotated == 4  # bot and refresh token, in the installation row and the bot row
    async with database.session() as session:
        row = (await session.execute(select(slack_bots))).one()
    assert SecretBox([new_key]).decrypt(row.bot_token) == NEW_BOT_TOKEN
    assert SecretBox([new_key]).decrypt(row.bot_refresh_token) == REFRESH_TOKEN
    with pytest.raises(CannotDecrypt):
        SecretBox([ENCRYPTION_KEY]).decrypt(row.bot_token)


async def test_plain_rows_from_before_are_sealed_at_start(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> None:
    secrets_guard.watch([NEW_BOT_TOKEN])
    # A row as slack_sdk stored it before tokens were encrypted.
    async with database.session() as session:
        await session.execute(
            insert(slack_bots).values(
                client_id="1111.2222",
                app_id="AAPP",
                team_id=NEW_TEAM,
                team_name="New Co",
                bot_token=NEW_BOT_TOKEN,
                bot_id="BBOT",
                bot_user_id="UBOT",
                bot_scopes=MANIFEST_SCOPE,
                is_enterprise_install=False,
                installed_at=utcnow().replace(tzinfo=None),
            )
        )
    scopes = MANIFEST_SCOPE.split(",")
    fake_slack.add_team(NEW_TEAM, "New Co", bot_token=NEW_BOT_TOKEN, scopes=scopes)
    fake_slack.add_user(NEW_TEAM, NEW_ADMIN, "nina", real_name="Nina", is_admin=True)
    fake_slack.add_channel(NEW_TEAM, "C0NEWGEN", "general")
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        assert "xoxb-" not in await raw_rows(database)
        await answers(harness)
        assert harness.fake.calls[-1].token == NEW_BOT_TOKEN
        # Idempotent: a second start finds nothing left to seal.
        assert await reseal_tokens(database, harness.runtime.box, rotate=False) == 0


def test_db_rotate_keys_re_encrypts_slack_tokens(
    migrated_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = database_for_test(migrated_database_url, tmp_path).url
    old_key, new_key = ENCRYPTION_KEY, Fernet.generate_key().decode()

    # Each asyncio.run has its own loop, and a connection pool belongs to one loop.
    async def store_sealed_bot() -> None:
        database = Database(url)
        await empty_all_tables(database)
        async with database.session() as session:
            await session.execute(
                insert(slack_bots).values(
                    client_id="1111.2222",
                    app_id="AAPP",
                    team_id=NEW_TEAM,
                    bot_token=SecretBox([old_key]).encrypt(NEW_BOT_TOKEN),
                    is_enterprise_install=False,
                    installed_at=utcnow().replace(tzinfo=None),
                )
            )
        await database.dispose()

    async def stored_token() -> str:
        database = Database(url)
        async with database.session() as session:
            token = (await session.execute(select(slack_bots.c.bot_token))).scalar_one()
        await database.dispose()
        return token

    asyncio.run(store_sealed_bot())
    monkeypatch.chdir(tmp_path)  # no .env file
    for name, value in {
        "DATABASE_URL": url,
        "BOT_ENCRYPTION_KEY": f"{new_key},{old_key}",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_CLIENT_ID": "1111.2222",
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert main(["db", "rotate-keys"]) == 0
    token = asyncio.run(stored_token())
    assert SecretBox([new_key]).decrypt(token) == NEW_BOT_TOKEN
    with pytest.raises(CannotDecrypt):
        SecretBox([old_key]).decrypt(token)

"""Fault drill: the database goes away under the app (a PostgreSQL restart, a network cut) and
comes back. Users are told to try again, nothing is half-done, and the app recovers by itself.

The outage is real on the wire: the app reaches PostgreSQL through a TCP relay that the test
cuts (every connection dropped, new ones refused) and restores."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from bot.db.session import Database
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.conftest import SecretsGuard
from tests.database import is_postgres
from tests.slack.approvals import a_subaccount, latest_request, set_up_approvals
from tests.slack.harness import Harness, reply_text, running_app, settings_for

pytestmark = pytest.mark.skipif(not is_postgres(), reason="SQLite has no server to lose")


class Relay:
    """A TCP relay to the database server that can be cut and restored."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for writer in list(self._writers):
            writer.transport.abort()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        pipes = [
            asyncio.create_task(_pipe(reader, up_writer)),
            asyncio.create_task(_pipe(up_reader, writer)),
        ]
        self._pipes.update(pipes)
        await asyncio.gather(*pipes, return_exceptions=True)
        self._pipes.difference_update(pipes)
        self._writers -= {writer, up_writer}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


@pytest.fixture
async def relayed(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[tuple[Harness, Relay]]:
    url = make_url(database.url)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    await relay.open()
    through_relay = url.set(port=relay.port).render_as_string(hide_password=False)
    settings = settings_for(fake_slack, sandbox, through_relay)
    try:
        async with running_app(settings, fake_slack, sandbox) as harness:
            secrets_guard.watch(harness.secrets())
            yield harness, relay
    finally:
        with contextlib.suppress(Exception):
            await relay.cut()


async def test_users_are_told_to_try_again_and_the_app_recovers(relayed) -> None:
    slack, relay = relayed
    await set_up_approvals(slack)
    email = a_subaccount(slack).email
    assert "sent to" in reply_text(await slack.ask(f"credit add {email} 12"))
    before = await latest_request(slack)

    await relay.cut()
    during = reply_text(await slack.ask(f"credit add {email} 13"))
    assert "cannot reach its database" in during and "Nothing was changed" in during
    assert "Something went wrong" not in during

    await relay.open()  # the server is back, on the same address
    after = reply_text(await slack.ask(f"credit add {email} 14"))
    assert "sent to" in after
    # Nothing lost and nothing half-made: the request from before is intact, the one asked
    # during the outage does not exist, the one after does.
    amounts = [
        r.amount
        for r in await slack.runtime.requests.of_requester(slack.team_id, before.requester_id)
    ]
    assert sorted(amounts) == [12, 14]

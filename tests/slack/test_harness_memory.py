"""A test's app is gone once the test is: nothing the suite or its libraries keep holds it
(a worker runs about a thousand apps; each kept alive cost every later garbage collection)."""

from __future__ import annotations

import gc
import weakref

from bot.db.session import Database
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.conftest import release_finished_web_apps
from tests.slack.harness import running_app, settings_for


async def test_a_finished_app_is_freed(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox
) -> None:
    settings = settings_for(fake_slack, sandbox, database.url)
    async with running_app(settings, fake_slack, sandbox) as slack:
        delivery = await slack.command("help")
        assert "what you can ask" in (await delivery.wait_response()).body["text"]
        runtime = weakref.ref(slack.runtime)
        del slack
    release_finished_web_apps()
    gc.collect()
    assert runtime() is None, [type(r).__qualname__ for r in gc.get_referrers(runtime())]

"""The OAuth install flow: a state is good once, expired states go, the state cookie is
strict, an org-wide install is refused, an org-level uninstall forgets the whole org."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import func, select, update

from bot.clock import utcnow
from bot.db.base import slack_bots, slack_installations, slack_oauth_states
from bot.db.models import WorkspacePartnerKey
from bot.db.session import Database
from bot.partner.models import Product
from bot.slack import stores
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
from bot.slack.texts import install as texts
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.slack.harness import MANIFEST_SCOPE, Harness, eventually, running_app, settings_for
from tests.slack.test_workspaces import count, install_code

ORG = "E0ORG"
ORG_TOKEN = "xoxb-org-wide-token-1a2b3c"
GRID_TEAM = "T0GRID"
GRID_TOKEN = "xoxb-grid-team-token-9f8e7d"
OTHER_TEAM = "T0OTHER"
OTHER_TOKEN = "xoxb-other-team-token-6c5b4a"
INSTALLER = "UINSTALLER"


@pytest.fixture
async def multi(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[Harness]:
    secrets_guard.watch([ORG_TOKEN, GRID_TOKEN, OTHER_TOKEN])
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        yield harness


@dataclass
class Visit:
    state: str
    cookie: str
    set_cookie: str


async def visit_install(slack: Harness) -> Visit:
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(f"{slack.root_url}/slack/install", allow_redirects=False) as page,
    ):
        location = page.headers.get("Location", "") + await page.text()
        set_cookie = page.headers["Set-Cookie"]
        cookie = "; ".join(f"{k}={m.value}" for k, m in page.cookies.items())
    match = re.search(r"state=([\w-]+)", location)
    assert match is not None
    return Visit(match.group(1), cookie, set_cookie)


async def come_back(
    slack: Harness, visit: Visit, code: str, accept_language: str = ""
) -> tuple[int, str, str]:
    """The browser back from slack.com at /slack/oauth_redirect: status, page, Set-Cookie.
    The state cookie is `Secure`: a browser sends it back over https only, so over the test's
    plain http it is sent by hand, as the browser would over https."""
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(
            f"{slack.root_url}/slack/oauth_redirect",
            params={"code": code, "state": visit.state},
            allow_redirects=False,
            headers={"Cookie": visit.cookie}
            | ({"Accept-Language": accept_language} if accept_language else {}),
        ) as done,
    ):
        return done.status, await done.text(), done.headers.get("Set-Cookie", "")


def grant(fake: FakeSlack, code: str, team_id: str, token: str, **extra) -> None:
    fake.add_oauth_code(
        code,
        team_id=team_id,
        team_name=f"{team_id} Co",
        bot_token=token,
        authed_user_id=INSTALLER,
        scope=MANIFEST_SCOPE,
        **extra,
    )


async def states(database: Database) -> int:
    return await count(database, slack_oauth_states)


async def test_the_same_state_sent_twice_at_once_installs_once(multi: Harness) -> None:
    grant(multi.fake, "code-1", GRID_TEAM, GRID_TOKEN)
    visit = await visit_install(multi)
    results = await asyncio.gather(*(come_back(multi, visit, "code-1") for _ in range(2)))
    assert sorted(status for status, _, _ in results) == [200, 401]
    # Only one of them got past the state check to spend the code.
    assert len(multi.fake.calls_to("oauth.v2.access")) == 1
    assert await count(multi.runtime.database, slack_bots) == 1
    assert await states(multi.runtime.database) == 0


async def test_a_state_is_consumed_by_exactly_one_of_many_at_once(multi: Harness) -> None:
    store = stores.oauth_state_store(multi.runtime)
    state = await store.async_issue()
    consumed = await asyncio.gather(*(store.async_consume(state) for _ in range(8)))
    assert consumed.count(True) == 1
    assert await store.async_consume(state) is False


async def test_expired_states_are_purged(multi: Harness) -> None:
    database = multi.runtime.database
    for _ in range(12):  # anonymous visits that never come back
        await visit_install(multi)
    assert await states(database) == 12
    async with database.session() as session:
        await session.execute(
            update(slack_oauth_states).values(expire_at=utcnow() - timedelta(seconds=1))
        )
    await visit_install(multi)
    async with database.session() as session:
        left = await session.scalar(
            select(func.count())
            .select_from(slack_oauth_states)
            .where(slack_oauth_states.c.expire_at <= utcnow())
        )
    assert left == 0
    assert await states(database) == 1  # the fresh visit's
    # An expired state is refused, not installed.
    grant(multi.fake, "code-late", GRID_TEAM, GRID_TOKEN)
    late = await visit_install(multi)
    async with database.session() as session:
        await session.execute(
            update(slack_oauth_states)
            .where(slack_oauth_states.c.state == late.state)
            .values(expire_at=utcnow() - timedelta(seconds=1))
        )
    status, _, _ = await come_back(multi, late, "code-late")
    assert status == 401
    assert await count(database, slack_bots) == 0


async def test_maintenance_purges_expired_states(multi: Harness) -> None:
    database = multi.runtime.database
    for _ in range(3):
        await visit_install(multi)
    fresh = await visit_install(multi)
    async with database.session() as session:
        await session.execute(
            update(slack_oauth_states)
            .where(slack_oauth_states.c.state != fresh.state)
            .values(expire_at=utcnow() - timedelta(seconds=1))
        )
    await Maintenance(multi.runtime, WorkspaceClients(multi.runtime, None)).run_once()
    async with database.session() as session:
        left = (await session.execute(select(slack_oauth_states.c.state))).scalars().all()
    assert left == [fresh.state]


async def test_the_state_cookie_is_secure_http_only_and_same_site_lax(
    multi: Harness, secrets_guard: SecretsGuard
) -> None:
    grant(multi.fake, "code-1f7e3a9c", GRID_TEAM, GRID_TOKEN)
    visit = await visit_install(multi)
    # Neither the one-time code nor the state is logged, at any level.
    secrets_guard.watch(["code-1f7e3a9c", visit.state])
    attributes = {part.strip().split("=")[0].lower() for part in visit.set_cookie.split(";")}
    assert {"secure", "httponly", "samesite", "path", "max-age"} <= attributes
    assert "SameSite=Lax" in visit.set_cookie
    status, _, deletion = await come_back(multi, visit, "code-1f7e3a9c")
    assert status == 200
    assert "=deleted" in deletion and "SameSite=Lax" in deletion and "Secure" in deletion
    # Without the cookie (another browser, or a forged link) the state alone is refused.
    grant(multi.fake, "code-2", OTHER_TEAM, OTHER_TOKEN)
    other = await visit_install(multi)
    status, _, _ = await come_back(multi, Visit(other.state, "", ""), "code-2")
    assert status == 400
    assert await count(multi.runtime.database, slack_bots) == 1


async def test_the_org_wide_refusal_follows_the_browsers_language(multi: Harness) -> None:
    grant(multi.fake, "code-org", ORG, ORG_TOKEN, enterprise_id=ORG, org_wide=True)
    visit = await visit_install(multi)
    status, page, _ = await come_back(multi, visit, "code-org", "de-DE,fr;q=0.8,en;q=0.5")
    assert status == 403
    assert "lang='fr'" in page and "Installer Partner Ops dans un espace de travail" in page
    assert "Rien n’a été installé" in page and "Nothing was installed" not in page


async def test_an_org_wide_install_is_refused_and_nothing_stored(multi: Harness) -> None:
    grant(multi.fake, "code-org", ORG, ORG_TOKEN, enterprise_id=ORG, org_wide=True)
    status, page, _ = await come_back(multi, await visit_install(multi), "code-org")
    assert status == 403
    assert "one workspace at a time" in page and "Nothing was installed" in page
    assert str(texts.ORG_WIDE_TITLE) in page and "lang='en'" in page
    database = multi.runtime.database
    assert await count(database, slack_bots) == 0
    assert await count(database, slack_installations) == 0
    # The token Slack issued for the org is given back.
    [revoke] = multi.fake.calls_to("auth.revoke")
    assert revoke.token == ORG_TOKEN and revoke.error is None


async def test_an_org_level_uninstall_forgets_the_org_and_its_workspaces(multi: Harness) -> None:
    grant(multi.fake, "code-grid", GRID_TEAM, GRID_TOKEN, enterprise_id=ORG)
    await install_code(multi, "code-grid")
    grant(multi.fake, "code-other", OTHER_TEAM, OTHER_TOKEN)
    await install_code(multi, "code-other")
    keys = multi.runtime.keys
    await keys.save(GRID_TEAM, {Product.SMS: DEMO_SMS_KEY}, INSTALLER)
    await keys.save(OTHER_TEAM, {Product.SMS: DEMO_SMS_KEY}, INSTALLER)
    database = multi.runtime.database
    assert await count(database, slack_bots) == 2

    org_level = {
        "enterprise_id": ORG,
        "team_id": None,
        "user_id": "UBOT",
        "is_bot": True,
        "is_enterprise_install": True,
    }
    delivery = await multi.driver.event(
        {"type": "app_uninstalled"}, team_id=ORG, authorizations=[org_level]
    )
    assert delivery.status == 200
    await eventually(lambda: keys.teams(), [OTHER_TEAM])
    async with database.session() as session:
        left = (await session.execute(select(slack_bots.c.team_id))).scalars().all()
        installs = (await session.execute(select(slack_installations.c.team_id))).scalars().all()
        key_teams = (await session.execute(select(WorkspacePartnerKey.team_id))).scalars().all()
    assert left == [OTHER_TEAM] and installs == [OTHER_TEAM]
    assert set(key_teams) == {OTHER_TEAM}

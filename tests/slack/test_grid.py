"""A workspace inside an Enterprise Grid org, installed on its own through OAuth: everything
that finds its installation must key it by the org *and* the team."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from bot.clock import utcnow
from bot.db.base import slack_bots, slack_installations
from bot.db.models import CreditRequest
from bot.db.session import Database
from bot.partner.models import Product
from bot.services.requests import Status
from bot.slack import stores
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
from bot.slack.scheduler import ChannelPacer, Scheduler
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    buttons,
    card_of,
    card_text,
    click,
    dms_to,
    latest_request,
    set_up_approvals,
    sms_account,
)
from tests.slack.digests import make_due, posts_in
from tests.slack.harness import (
    ADMIN,
    MANIFEST_SCOPE,
    MEMBER,
    Harness,
    eventually,
    reply_text,
    running_app,
)
from tests.slack.harness import settings_for as harness_settings
from tests.slack.test_workspaces import count, install_code

ORG = "E0ORG"
ORG_NAME = "Org Inc"
GRID_TEAM = "T0GRID"
GRID_TOKEN = "xoxb-grid-team-token-5e6f7a"
GENERAL = "C0GRIDGEN"
ALERTS = "C0GRIDALERTS"


@pytest.fixture
async def grid(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[Harness]:
    """OAuth mode, with one workspace of an org installed through /slack/install; the
    harness speaks as that workspace."""
    secrets_guard.watch([GRID_TOKEN])
    settings = harness_settings(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        fake_slack.add_oauth_code(
            "code-grid",
            team_id=GRID_TEAM,
            team_name="Grid Branch",
            bot_token=GRID_TOKEN,
            authed_user_id=ADMIN,
            enterprise_id=ORG,
            enterprise_name=ORG_NAME,
            scope=MANIFEST_SCOPE,
        )
        fake_slack.add_user(GRID_TEAM, ADMIN, "ada", real_name="Ada Admin", is_admin=True)
        fake_slack.add_user(GRID_TEAM, MEMBER, "max", real_name="Max Member")
        fake_slack.add_channel(GRID_TEAM, GENERAL, "general")
        await install_code(harness, "code-grid")
        await harness.runtime.keys.save(GRID_TEAM, {Product.SMS: DEMO_SMS_KEY}, ADMIN)
        yield dataclasses.replace(harness, team_id=GRID_TEAM)
        assert GRID_TOKEN not in harness.outbound()
        assert harness.block_kit_violations() == []


def worker(h: Harness) -> Scheduler:
    """The worker's scheduler, finding tokens in the installation store as `worker` does."""
    clients = WorkspaceClients(h.runtime, stores.installation_store(h.runtime))
    return Scheduler(h.runtime, clients, worker_id="grid-worker", pacer=ChannelPacer(interval=0))


async def test_the_installation_is_keyed_by_org_and_team(grid: Harness) -> None:
    async with grid.runtime.database.session() as session:
        query = select(slack_bots.c.enterprise_id, slack_bots.c.team_id)
        rows = (await session.execute(query)).all()
    assert [tuple(r) for r in rows] == [(ORG, GRID_TEAM)]
    assert await stores.enterprise_of(grid.runtime, GRID_TEAM) == ORG
    assert await stores.enterprise_of(grid.runtime, "T0NOTHERE") is None
    # The worker finds the token without any Slack request to say which org.
    clients = WorkspaceClients(grid.runtime, stores.installation_store(grid.runtime))
    client = await clients.for_team(GRID_TEAM)
    assert client is not None and client.token == GRID_TOKEN


async def test_a_command_answers(grid: Harness) -> None:
    delivery = await grid.command("balance", user=ADMIN, channel_id=GENERAL)
    assert delivery.sent["enterprise_id"] == ORG
    assert "€10,225.119" in reply_text(await delivery.wait_response())


async def test_an_approval_runs_once_and_the_requester_is_told(grid: Harness) -> None:
    await set_up_approvals(grid)
    sub = a_subaccount(grid)
    account = sms_account(grid)
    main = account.balance
    assert "sent to <#C0APPROVALS>" in reply_text(
        await grid.ask(f"credit add {sub.email} 25 grid top-up", channel_id=GENERAL)
    )
    request = await latest_request(grid)
    card = await card_of(grid, request.id)
    assert grid.fake.calls_to("chat.postMessage")[-1].token == GRID_TOKEN

    delivery = await click(grid, APPROVERS[0], "request_approve", card)
    assert delivery.sent["enterprise"] == {"id": ORG, "name": ORG_NAME}

    async def status() -> Status:
        return (await grid.runtime.requests.get(request.id)).status

    await eventually(status, Status.SUCCEEDED)
    assert account.balance == main - Decimal(25)
    assert len(grid.sandbox.calls(endpoint="/subaccount/credit/add")) == 1
    await grid.fake.wait_for(lambda: dms_to(grid, MEMBER))
    assert "is done" in dms_to(grid, MEMBER)[0]
    await grid.fake.wait_for(
        lambda: "Done" in card_text(grid.fake.find_message(APPROVALS, card.ts))
    )


async def test_an_expiry_notice_reaches_the_card_and_the_requester(grid: Harness) -> None:
    """Expiry runs in the background, outside any Slack request: only the installation store,
    keyed by org and team, can give it a token."""
    await set_up_approvals(grid)
    await grid.ask(f"credit add {a_subaccount(grid).email} 10", channel_id=GENERAL)
    request = await latest_request(grid)
    card = await card_of(grid, request.id)
    async with grid.runtime.database.session() as session:
        await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    clients = WorkspaceClients(grid.runtime, stores.installation_store(grid.runtime))
    await Maintenance(grid.runtime, clients).run_once()
    assert (await grid.runtime.requests.get(request.id)).status is Status.EXPIRED
    card = grid.fake.find_message(APPROVALS, card.ts)
    assert "Expired" in card_text(card) and buttons(card) == []
    assert "expired" in dms_to(grid, MEMBER)[0]


async def test_a_digest_posts(grid: Harness) -> None:
    assert "gets a balance digest" in reply_text(
        await grid.ask("digest subscribe 09:00 UTC", user=ADMIN, channel_id=GENERAL)
    )
    await make_due(grid, GENERAL, utcnow() - timedelta(minutes=1))
    await worker(grid).run_once()
    [digest] = posts_in(grid, GENERAL)
    assert "€10,225.119" in digest.text + str(digest.blocks)
    assert grid.fake.calls_to("chat.postMessage")[-1].token == GRID_TOKEN


async def test_an_alert_posts(grid: Harness) -> None:
    grid.fake.add_channel(GRID_TEAM, ALERTS, "alerts")
    assert "will be posted in" in reply_text(
        await grid.ask("alert channel", user=ADMIN, channel_id=ALERTS)
    )
    await grid.ask("alert main 20000", user=ADMIN, channel_id=GENERAL)
    await worker(grid).run_hourly()
    [alert] = posts_in(grid, ALERTS)
    assert "€10,225.119" in alert.text + str(alert.blocks)


@pytest.mark.parametrize("event_type", ["app_uninstalled", "tokens_revoked"])
async def test_uninstalling_removes_the_org_workspace_installation(
    grid: Harness, event_type: str
) -> None:
    event: dict[str, object] = {"type": event_type}
    if event_type == "tokens_revoked":
        event["tokens"] = {"oauth": [], "bot": ["UBOT"]}
    delivery = await grid.driver.event(event, team_id=GRID_TEAM)
    assert delivery.status == 200
    assert delivery.sent["authorizations"][0]["enterprise_id"] == ORG
    database = grid.runtime.database
    # The listener acks, then deletes: wait for each deletion rather than reading at once.
    await eventually(lambda: count(database, slack_bots), 0)
    await eventually(lambda: count(database, slack_installations), 0)
    await eventually(grid.runtime.keys.teams, [])

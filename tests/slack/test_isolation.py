"""Each workspace sealed off: two workspaces installed through OAuth (T1, T2) and one inside
an Enterprise Grid org. A payload naming another workspace than the installation it came
through is refused and audited, with nothing changed and no vendor call; people of another
organisation in a shared channel are refused; guests only read."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.db.session import Database
from bot.partner.models import Product
from bot.services import audit
from bot.services.policy import change_policy, get_policy
from bot.services.requests import Status
from bot.services.roles import Role, Subject, SubjectKind
from bot.slack.texts import isolation as text
from bot.slack.workspace_guard import CROSS_WORKSPACE_REFUSED
from devkit.emulator import Delivery, FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.slack.barriers import app_settled
from tests.slack.harness import MANIFEST_SCOPE, Harness, reply_text, running_app, settings_for
from tests.slack.modals import modal_text
from tests.slack.test_workspaces import install_code

T1, T2, GRID, SIBLING, ELSEWHERE = "T0ONE", "T0TWO", "T0GRID", "T0GRIDTWO", "T0EXT"
ORG = "E0ORG"
TOKENS = {
    T1: "xoxb-one-token-1a2b3c",
    T2: "xoxb-two-token-4d5e6f",
    GRID: "xoxb-grid-token-7a8b9c",
}
ADMIN = {T1: "U1ADMIN", T2: "U2ADMIN", GRID: "UGADMIN"}
MEMBER = {T1: "U1MEMBER", T2: "U2MEMBER", GRID: "UGMEMBER"}
APPROVER = {T1: "U1APPR", T2: "U2APPR", GRID: "UGAPPR"}
GENERAL = {T1: "C1GEN", T2: "C2GEN", GRID: "CGGEN"}
APPROVALS = {T1: "C1APPR", T2: "C2APPR", GRID: "CGAPPR"}
SHARED = "C1SHARED"  # a Slack Connect channel of T1 with another organisation
STRANGER = "UEXT"  # a person of that other organisation
GUEST = "U1GUEST"
ORG_COLLEAGUE = "UGSIBLING"  # a member of another workspace of the Grid org


@dataclasses.dataclass
class World:
    slack: Harness
    keys: dict[str, str]  # each workspace's SMS Partner key

    def as_team(self, team: str) -> Harness:
        return dataclasses.replace(self.slack, team_id=team)

    def hint(self, team: str) -> str:
        return self.keys[team][-4:]


@pytest.fixture
async def world(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[World]:
    secrets_guard.watch(TOKENS.values())
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as slack:
        secrets_guard.watch(slack.secrets())
        keys = {
            T1: DEMO_SMS_KEY,
            T2: sandbox.add_account(Product.SMS, subaccounts=5).api_key,
            GRID: sandbox.add_account(Product.SMS, subaccounts=5).api_key,
        }
        secrets_guard.watch(keys.values())
        for n, team in enumerate((T1, T2, GRID)):
            grid = {"enterprise_id": ORG, "enterprise_name": "Org Inc"} if team == GRID else {}
            fake_slack.add_oauth_code(
                f"code-{n}",
                team_id=team,
                team_name=f"Team {team}",
                bot_token=TOKENS[team],
                authed_user_id=ADMIN[team],
                scope=MANIFEST_SCOPE,
                **grid,
            )
            fake_slack.add_user(team, ADMIN[team], f"admin{n}", is_admin=True)
            fake_slack.add_user(team, MEMBER[team], f"member{n}")
            fake_slack.add_user(team, APPROVER[team], f"approver{n}")
            fake_slack.add_channel(team, GENERAL[team], "general")
            fake_slack.add_channel(team, APPROVALS[team], "approvals")
            await install_code(slack, f"code-{n}")
            await slack.runtime.keys.save(team, {Product.SMS: keys[team]}, ADMIN[team])
            await slack.runtime.roles.grant(
                team, Role.APPROVER, Subject(SubjectKind.USER, APPROVER[team]), ADMIN[team]
            )
            await change_policy(
                slack.runtime.database, team, ADMIN[team], approvals_channel_id=APPROVALS[team]
            )
        fake_slack.add_channel(T1, SHARED, "shared-with-partners")
        fake_slack.add_user(ELSEWHERE, STRANGER, "outsider", is_admin=True, shared_with=[T1])
        fake_slack.add_user(T1, GUEST, "guest", is_restricted=True)
        # Another workspace of the org, where the app is not installed.
        fake_slack.add_team(
            SIBLING, "Grid Two", bot_token="xoxb-unused-sibling-0f0f", enterprise_id=ORG
        )
        fake_slack.add_user(SIBLING, ORG_COLLEAGUE, "colleague")
        yield World(slack, keys)
        outbound = slack.outbound()
        assert not [k for k in keys.values() if k in outbound]
        assert slack.block_kit_violations() == []
        assert slack.late_acks() == []


# --- helpers ---------------------------------------------------------------------------------


async def send(slack: Harness, payload: dict[str, Any]) -> Delivery:
    """Send exactly this interaction payload, signed as Slack signs it."""
    body = urlencode({"payload": json.dumps(payload)})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers.update(slack.driver.sign(body, int(time.time())))
    delivery = await slack.driver.post_raw(body.encode(), headers)
    assert delivery.status == 200, delivery.body
    return delivery


def click_payload(
    fake: FakeSlack,
    *,
    team: str,
    user: str,
    action_id: str,
    value: str,
    channel: str,
    **extra: Any,
) -> dict[str, Any]:
    own_team = fake.users[user].team_id
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": team.lower()},
        "user": {"id": user, "team_id": own_team, "name": user},
        "api_app_id": "AAPP",
        "trigger_id": fake.new_trigger_id(user_id=user, team_id=team),
        "container": {"type": "message", "channel_id": channel, "message_ts": "1.000001"},
        "channel": {"id": channel},
        "response_url": fake.new_response_url(team_id=team, channel_id=channel, user_id=user),
        "actions": [{"type": "button", "action_id": action_id, "value": value, "action_ts": "1.1"}],
        **extra,
    }


async def refusals(h: Harness, team: str) -> list[Any]:
    await app_settled(h)  # a refusal is audited after its ack
    entries = await audit.recent(h.runtime.database, team, 1)
    return [e for e in entries if e.action == CROSS_WORKSPACE_REFUSED]


async def pending_request(world: World, team: str) -> int:
    """A request of `team` waiting for approval, made by its member through Slack."""
    h = world.as_team(team)
    sub = world.slack.sandbox.accounts[world.keys[team]].subaccounts[0]
    answer = reply_text(
        await h.ask(f"credit add {sub.email} 500 test", user=MEMBER[team], channel_id=GENERAL[team])
    )
    assert "sent to" in answer, answer
    [request] = await h.runtime.requests.of_requester(team, MEMBER[team], limit=1)
    assert request.status is Status.PENDING
    return request.id


def vendor_calls_with(world: World, team: str, since: int) -> list[Any]:
    return [e for e in world.slack.sandbox.journal[since:] if e.key_hint == world.hint(team)]


# --- a payload naming another workspace -----------------------------------------------------


async def test_a_setup_submission_naming_another_workspace_is_refused(world: World) -> None:
    """The attack of issue 10: a setup form whose view says T1, through T2's installation,
    by T2's admin. Bolt authorises T2 (view.app_installed_team_id); the view says T1."""
    slack = world.slack
    before = len(slack.sandbox.journal)
    attacker_key = slack.sandbox.add_account(Product.SMS).api_key
    payload = {
        "type": "view_submission",
        "team": {"id": T2, "domain": "two"},
        "user": {"id": ADMIN[T2], "team_id": T2, "name": "admin"},
        "api_app_id": "AAPP",
        "trigger_id": slack.fake.new_trigger_id(user_id=ADMIN[T2], team_id=T2),
        "view": {
            "id": "VATTACK",
            "type": "modal",
            "callback_id": "partner_setup",
            "team_id": T1,
            "app_installed_team_id": T2,
            "private_metadata": "",
            "state": {
                "values": {
                    "key_sms": {"api_key": {"type": "plain_text_input", "value": attacker_key}}
                }
            },
        },
        "response_urls": [],
    }
    delivery = await send(slack, payload)
    assert delivery.json["response_action"] == "update"
    assert str(text.CROSS_WORKSPACE) in json.dumps(delivery.json["view"])
    assert slack.sandbox.journal[before:] == []  # the attacker's key was not even checked
    [refusal] = await refusals(slack, T2)
    assert refusal.actor_id == ADMIN[T2]
    assert refusal.details["claimed"] == {"view.team_id": T1}
    assert await refusals(slack, T1) == []
    # Each still answers with its own key.
    answer = reply_text(await world.as_team(T1).ask("balance", user=MEMBER[T1]))
    assert "€10,225.119" in answer
    since = len(slack.sandbox.journal)
    await world.as_team(T2).ask("balance", user=MEMBER[T2], channel_id=GENERAL[T2])
    assert {e.key_hint for e in slack.sandbox.journal[since:]} == {world.hint(T2)}


@pytest.mark.parametrize(
    "action_id",
    [
        "request_approve",
        "request_reject",
        "request_cancel",
        "request_mark_done",
        "request_mark_failed",
    ],
)
async def test_a_card_button_of_t1_replayed_through_t2_is_refused(
    world: World, action_id: str
) -> None:
    """T1's card button, its payload naming T1, sent through T2's installation."""
    slack = world.slack
    request_id = await pending_request(world, T1)
    before = len(slack.sandbox.journal)
    payload = click_payload(
        slack.fake,
        team=T1,
        user=APPROVER[T2],
        action_id=action_id,
        value=str(request_id),
        channel=APPROVALS[T2],
        view={"app_installed_team_id": T2},  # what makes Bolt pick T2's installation
    )
    delivery = await send(slack, payload)
    assert str(text.CROSS_WORKSPACE) in reply_text(
        await slack.fake.wait_for(lambda: _posts_to(slack, payload["response_url"]))
    )
    assert delivery.status == 200
    assert (await slack.runtime.requests.get(request_id)).status is Status.PENDING
    assert slack.sandbox.journal[before:] == []
    [refusal] = await refusals(slack, T2)
    assert refusal.details["claimed"] == {"team.id": T1}


async def test_a_cross_workspace_refusal_acks_before_it_writes_or_posts(world: World) -> None:
    """Slack wants the ack within 3 s: the refusal's audit entry and its answer (here a DM,
    the click came from no message) wait until it is sent."""
    slack = world.slack
    request_id = await pending_request(world, T1)
    payload = click_payload(
        slack.fake,
        team=T1,
        user=APPROVER[T2],
        action_id="request_approve",
        value=str(request_id),
        channel=APPROVALS[T2],
        view={"app_installed_team_id": T2},
    )
    del payload["response_url"]
    gate = slack.fake.hold("conversations.open")
    # Answered while the DM cannot even start: the ack did not wait for it.
    delivery = await asyncio.wait_for(send(slack, payload), timeout=5)
    assert delivery.status == 200 and delivery.body == ""
    await gate.held()
    [refusal] = [
        e
        for e in await audit.recent(slack.runtime.database, T2, 1)
        if e.action == CROSS_WORKSPACE_REFUSED
    ]  # written before the answer
    assert refusal.details["claimed"] == {"team.id": T1}
    gate.release()
    dm = await slack.fake.wait_for(lambda: slack.fake.messages.get(f"D{APPROVER[T2]}"))
    assert str(text.CROSS_WORKSPACE) in dm[0].text + json.dumps(dm[0].blocks)
    assert (await slack.runtime.requests.get(request_id)).status is Status.PENDING


@pytest.mark.parametrize("action_id", ["request_approve", "request_cancel", "request_mark_done"])
async def test_a_request_of_t1_is_unknown_to_t2(world: World, action_id: str) -> None:
    """T2's own approver, a consistent T2 payload, T1's request id: not found in T2."""
    slack = world.slack
    request_id = await pending_request(world, T1)
    before = len(slack.sandbox.journal)
    payload = click_payload(
        slack.fake,
        team=T2,
        user=APPROVER[T2],
        action_id=action_id,
        value=str(request_id),
        channel=APPROVALS[T2],
    )
    await send(slack, payload)
    answer = reply_text(
        await slack.fake.wait_for(lambda: _posts_to(slack, payload["response_url"]))
    )
    assert f"#{request_id}" in answer and "No request" in answer
    assert (await slack.runtime.requests.get(request_id)).status is Status.PENDING
    assert vendor_calls_with(world, T1, before) == []
    assert slack.sandbox.journal[before:] == []


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        ("alert_snooze", json.dumps({"p": "sms", "s": ""})),
        ("alert_topup", json.dumps({"p": "sms", "s": "x", "e": "x@y.example"})),
        ("subaccounts_page", "sms||2"),
        ("request_confirm_similar", json.dumps({"a": "credit_add", "p": "sms", "similar": 1})),
    ],
)
async def test_other_buttons_naming_another_workspace_are_refused(
    world: World, action_id: str, value: str
) -> None:
    slack = world.slack
    before = len(slack.sandbox.journal)
    payload = click_payload(
        slack.fake,
        team=T1,
        user=ADMIN[T2],
        action_id=action_id,
        value=value,
        channel=GENERAL[T2],
        view={"app_installed_team_id": T2},
    )
    await send(slack, payload)
    answer = reply_text(
        await slack.fake.wait_for(lambda: _posts_to(slack, payload["response_url"]))
    )
    assert str(text.CROSS_WORKSPACE) in answer
    assert slack.sandbox.journal[before:] == []
    assert slack.fake.calls_to("views.open") == []
    [refusal] = await refusals(slack, T2)
    assert refusal.details["kind"] == "block_actions"


async def test_a_grid_click_naming_another_workspace_is_refused(world: World) -> None:
    slack = world.slack
    before = len(slack.sandbox.journal)
    payload = click_payload(
        slack.fake,
        team=T1,
        user=ADMIN[GRID],
        action_id="alert_snooze",
        value=json.dumps({"p": "sms", "s": ""}),
        channel=GENERAL[GRID],
        view={"app_installed_team_id": GRID},
        enterprise={"id": ORG, "name": "Org Inc"},
    )
    await send(slack, payload)
    answer = reply_text(
        await slack.fake.wait_for(lambda: _posts_to(slack, payload["response_url"]))
    )
    assert str(text.CROSS_WORKSPACE) in answer
    assert slack.sandbox.journal[before:] == []
    assert len(await refusals(slack, GRID)) == 1
    assert await refusals(slack, T1) == []


async def test_a_modal_routed_to_t1_from_a_person_of_t2_is_a_stranger(world: World) -> None:
    """In Slack Connect a modal's `team` is the submitter's own workspace and the
    installation is `view.app_installed_team_id`: accepted as such, but the person must then
    be a member of T1 — T2's admin is not, so T1's keys stay."""
    slack = world.slack
    before = len(slack.sandbox.journal)
    policy_before = await get_policy(slack.runtime.database, T1)
    payload = {
        "type": "view_submission",
        "team": {"id": T2, "domain": "two"},
        "user": {"id": ADMIN[T2], "team_id": T2, "name": "admin"},
        "api_app_id": "AAPP",
        "trigger_id": slack.fake.new_trigger_id(user_id=ADMIN[T2], team_id=T2),
        "view": {
            "id": "VCONNECT",
            "type": "modal",
            "callback_id": "partner_setup",
            "team_id": T2,
            "app_installed_team_id": T1,
            "external_id": "",
            "private_metadata": "",
            "state": {
                "values": {
                    "key_sms": {"api_key": {"type": "plain_text_input", "value": world.keys[T2]}}
                }
            },
        },
        "response_urls": [],
    }
    delivery = await send(slack, payload)
    assert delivery.json["response_action"] == "update"  # "checking…", then the refusal
    working = delivery.json["view"]["external_id"]
    [update] = [
        c
        for c in await slack.fake.wait_for(lambda: slack.fake.calls_to("views.update"))
        if c.args.get("external_id") == working
    ]
    assert str(text.STRANGER) in json.dumps(update.args["view"])
    assert slack.sandbox.journal[before:] == []
    assert await get_policy(slack.runtime.database, T1) == policy_before
    answer = reply_text(await world.as_team(T1).ask("balance", user=MEMBER[T1]))
    assert "€10,225.119" in answer  # still T1's own key


# --- a command the installation's workspace does not match ------------------------------------


async def test_a_command_naming_another_workspace_is_refused(
    slack: Harness,
) -> None:
    """One workspace's token (single-workspace mode) answers whatever is signed with the
    app's secret: a command whose team_id names another workspace is refused, audited."""
    before = len(slack.sandbox.journal)
    delivery = await slack.command("balance", user="UADMIN", team_id="T0OTHER")
    assert str(text.CROSS_WORKSPACE) in reply_text(await delivery.wait_response())
    assert slack.sandbox.journal[before:] == []
    [refusal] = [
        e
        for e in await audit.recent(slack.runtime.database, slack.team_id, 1)
        if e.action == CROSS_WORKSPACE_REFUSED
    ]
    assert refusal.details["claimed"] == {"team_id": "T0OTHER"}


# --- people of another organisation, guests, the Grid org ---------------------------------


STRANGER_COMMANDS = [
    "balance",
    "subaccounts",
    "subaccount 1",
    "credit add x@y.example 10",
    "subaccount delete x@y.example",
    "requests",
    "approvals",
    "approvers list",
    "approvers add <@U1MEMBER>",
    "admins add <@UEXT>",
    "policy",
    "policy auto-approve 50",
    "audit",
    "digest preview",
    "digest now",
    "alert list",
    "alert main 100",
    "help",
]


@pytest.mark.parametrize("command", STRANGER_COMMANDS)
async def test_a_stranger_in_a_shared_channel_is_refused(world: World, command: str) -> None:
    slack = world.as_team(T1)
    before = len(slack.sandbox.journal)
    policy_before = await get_policy(slack.runtime.database, T1)
    answer = reply_text(await slack.ask(command, user=STRANGER, channel_id=SHARED))
    assert str(text.STRANGER) in answer
    assert slack.sandbox.journal[before:] == []  # nothing read from the vendor
    assert await slack.runtime.requests.of_requester(T1, STRANGER) == []
    assert await slack.runtime.roles.members(T1, Role.ADMIN) == []
    assert await get_policy(slack.runtime.database, T1) == policy_before


async def test_a_stranger_cannot_open_setup_even_as_their_own_admin(world: World) -> None:
    slack = world.as_team(T1)
    await slack.command("setup", user=STRANGER, channel_id=SHARED)
    view = await slack.fake.wait_for(
        lambda: next(
            (v for v in slack.fake.open_modals(STRANGER) if str(text.STRANGER) in modal_text(v)),
            None,
        )
    )
    assert "key_sms" not in modal_text(view)


@pytest.mark.parametrize("action_id", ["request_approve", "request_reject", "alert_snooze"])
async def test_a_stranger_clicking_a_card_in_a_shared_channel_is_refused(
    world: World, action_id: str
) -> None:
    slack = world.slack
    request_id = await pending_request(world, T1)
    before = len(slack.sandbox.journal)
    value = (
        str(request_id) if action_id.startswith("request") else json.dumps({"p": "sms", "s": ""})
    )
    payload = click_payload(
        slack.fake, team=T1, user=STRANGER, action_id=action_id, value=value, channel=SHARED
    )
    assert payload["user"]["team_id"] == ELSEWHERE
    await send(slack, payload)
    if action_id == "request_reject":  # opens its modal first, and says it there
        await slack.fake.wait_for(
            lambda: next(
                (
                    v
                    for v in slack.fake.open_modals(STRANGER)
                    if str(text.STRANGER) in modal_text(v)
                ),
                None,
            )
        )
    else:
        answer = reply_text(
            await slack.fake.wait_for(lambda: _posts_to(slack, payload["response_url"]))
        )
        assert str(text.STRANGER) in answer
    assert (await slack.runtime.requests.get(request_id)).status is Status.PENDING
    assert slack.sandbox.journal[before:] == []
    assert await refusals(slack, T1) == []  # a stranger is not a forged payload


async def test_a_guest_reads_but_does_not_ask(world: World) -> None:
    slack = world.as_team(T1)
    assert "€10,225.119" in reply_text(await slack.ask("balance", user=GUEST))
    before = len(slack.sandbox.journal)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    answer = reply_text(await slack.ask(f"credit add {sub.email} 5", user=GUEST))
    assert str(text.GUEST) in answer
    assert slack.sandbox.journal[before:] == []
    assert await slack.runtime.requests.of_requester(T1, GUEST) == []


async def test_a_guest_approver_cannot_decide(world: World) -> None:
    slack = world.slack
    await slack.runtime.roles.grant(T1, Role.APPROVER, Subject(SubjectKind.USER, GUEST), "x")
    request_id = await pending_request(world, T1)
    payload = click_payload(
        slack.fake,
        team=T1,
        user=GUEST,
        action_id="request_approve",
        value=str(request_id),
        channel=APPROVALS[T1],
    )
    await send(slack, payload)
    answer = reply_text(
        await slack.fake.wait_for(lambda: _posts_to(slack, payload["response_url"]))
    )
    assert str(text.GUEST) in answer
    assert (await slack.runtime.requests.get(request_id)).status is Status.PENDING


async def test_a_member_of_the_grid_org_counts_a_member_of_another_org_does_not(
    world: World,
) -> None:
    grid = world.as_team(GRID)
    assert "€" in reply_text(await grid.ask("balance", user=ORG_COLLEAGUE))
    before = len(grid.sandbox.journal)
    answer = reply_text(await grid.ask("balance", user=STRANGER))
    assert str(text.STRANGER) in answer
    assert grid.sandbox.journal[before:] == []
    # T1's member is somebody else's in the Grid workspace.
    assert str(text.STRANGER) in reply_text(await grid.ask("balance", user=MEMBER[T1]))


async def test_a_stranger_is_no_workspace_admin(world: World) -> None:
    """`is_admin` in users.info is about the user's own workspace: an admin of another
    organisation is not one of ours (roles, alerts, setup)."""
    from bot.slack.clients import web_client
    from bot.slack.directory import SlackDirectory
    from bot.slack.permissions import is_workspace_admin

    slack_client = web_client(world.slack.runtime, TOKENS[T1])
    assert await is_workspace_admin(slack_client, ADMIN[T1], T1)
    assert not await is_workspace_admin(slack_client, STRANGER, T1)
    directory = SlackDirectory(slack_client, None, T1)
    assert not await directory.is_workspace_admin(STRANGER)
    assert await directory.is_workspace_admin(ADMIN[T1])


def _posts_to(slack: Harness, response_url: str) -> Any:
    url_id = response_url.rsplit("/", 1)[-1]
    return next((p for p in slack.fake.responses if p.id == url_id), None)


# --- what members see and do beside approvers and admins ----------------------------------


async def test_digest_preview_shows_pending_requests_only_to_approvers_and_admins(
    slack: Harness,
) -> None:
    from tests.slack.approvals import APPROVERS, a_subaccount, latest_request, set_up_approvals
    from tests.slack.harness import ADMIN as ONE_ADMIN
    from tests.slack.harness import MEMBER as ONE_MEMBER

    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 500 for the preview")
    request = await latest_request(slack)
    mark = f"#{request.id}"
    member_view = reply_text(await slack.ask("digest preview", user=ONE_MEMBER))
    assert mark not in member_view and "waiting for approval" not in member_view
    assert "shown to approvers and admins" in member_view
    assert "€10,225.119" in member_view  # the balances are for everyone
    for decider in (APPROVERS[0], ONE_ADMIN):
        preview = reply_text(await slack.ask("digest preview", user=decider))
        assert mark in preview and "waiting for approval" in preview


async def test_snoozing_an_alert_is_for_admins(slack: Harness) -> None:
    from decimal import Decimal

    from tests.slack.harness import MEMBER as ONE_MEMBER
    from tests.slack.test_alerts import ALERTS, alerts_posted, check, set_up_alerts

    await set_up_alerts(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    sub.balance = Decimal("1.000")
    await slack.ask(f"alert subaccount {sub.email} 20", user="UADMIN")
    await check(slack)
    [alert] = alerts_posted(slack)
    snooze = next(
        e
        for b in alert.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "alert_snooze"
    )
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=ONE_MEMBER,
        action_id="alert_snooze",
        value=snooze["value"],
        message=alert,
        channel_id=ALERTS,
    )
    assert "Only admins can snooze alerts" in reply_text(await click.wait_response())
    entries = await audit.recent(slack.runtime.database, slack.team_id, 1)
    assert [e for e in entries if e.action == "alert_snoozed"] == []
    # Not snoozed: the next crossing alerts again.
    sub.balance = Decimal("30.000")
    await check(slack)
    sub.balance = Decimal("2.000")
    await check(slack)
    assert len(alerts_posted(slack)) == 2


@pytest.mark.parametrize("role", ["approvers", "admins"])
async def test_a_stranger_cannot_be_given_a_role(world: World, role: str) -> None:
    slack = world.as_team(T1)
    answer = reply_text(await slack.ask(f"{role} add <@{STRANGER}>", user=ADMIN[T1]))
    assert "`UEXT` is not a user of this workspace" in answer
    granted = await slack.runtime.roles.members(
        T1, Role.APPROVER if role == "approvers" else Role.ADMIN
    )
    assert Subject(SubjectKind.USER, STRANGER) not in granted


async def test_the_refusal_shows_in_the_audit_trail(slack: Harness) -> None:
    await slack.command("balance", user="UADMIN", team_id="T0OTHER")
    await slack.fake.wait_for(lambda: slack.fake.responses)
    answer = reply_text(await slack.ask("audit", user="UADMIN"))
    assert "the request named another workspace" in answer and "T0OTHER" in answer

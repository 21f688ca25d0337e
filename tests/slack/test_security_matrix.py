"""The security matrix: every kind of Slack request with every kind of bad signature is refused
with 401 and changes nothing; every subcommand and button is allowed exactly to the roles that
may use it."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.services.audit import recent
from bot.slack.views.reply import REFUSAL_BLOCK_ID
from tests.slack.approvals import (
    APPROVERS,
    a_subaccount,
    card_of,
    click,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, MEMBER, Harness, eventually, reply_text
from tests.slack.modals import filled_modal

APPROVER = APPROVERS[0]


def _command_body(h: Harness) -> tuple[str, str]:
    fields = {
        "team_id": h.team_id,
        "user_id": ADMIN,
        "channel_id": "C0GENERAL",
        "command": "/partner",
        "text": "policy auto-approve 99",
        "response_url": h.fake.new_response_url(team_id=h.team_id, user_id=ADMIN),
        "trigger_id": h.fake.new_trigger_id(user_id=ADMIN, team_id=h.team_id),
    }
    return urlencode(fields), "application/x-www-form-urlencoded"


def _action_body(h: Harness) -> tuple[str, str]:
    payload = {
        "type": "block_actions",
        "team": {"id": h.team_id},
        "user": {"id": APPROVER, "team_id": h.team_id},
        "trigger_id": h.fake.new_trigger_id(user_id=APPROVER, team_id=h.team_id),
        "actions": [{"action_id": "request_approve", "value": "1", "type": "button"}],
        "container": {"type": "message", "channel_id": "C0APPROVALS", "message_ts": "1.1"},
        "channel": {"id": "C0APPROVALS"},
    }
    return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"


def _view_body(h: Harness) -> tuple[str, str]:
    payload = {
        "type": "view_submission",
        "team": {"id": h.team_id},
        "user": {"id": ADMIN, "team_id": h.team_id},
        "view": {
            "id": "VFORGED",
            "callback_id": "partner_setup",
            "team_id": h.team_id,
            "state": {"values": {"key_sms": {"api_key": {"value": "attacker-key-000"}}}},
        },
    }
    return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"


def _event_body(h: Harness) -> tuple[str, str]:
    envelope = {
        "type": "event_callback",
        "team_id": h.team_id,
        "event_id": "EvFORGED",
        "event": {"type": "app_uninstalled"},
        "authorizations": [{"team_id": h.team_id, "user_id": "UBOT", "is_bot": True}],
    }
    return json.dumps(envelope), "application/json"


BODIES = {
    "command": _command_body,
    "button": _action_body,
    "modal": _view_body,
    "event": _event_body,
}


def _headers(h: Harness, body: str, fault: str) -> tuple[str, dict[str, str]]:
    now = int(time.time())
    match fault:
        case "missing":
            return body, {}
        case "forged":
            forged = "v0=" + "0" * 64
            return body, {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": forged}
        case "replayed":  # a real signature, six minutes old: Slack's window is five
            return body, h.driver.sign(body, now - 360)
        case "tampered":  # signed, then changed on the way (to name another workspace)
            return body.replace(h.team_id, "T0OTHER"), h.driver.sign(body, now)
    raise AssertionError(fault)


FAULTS = ("missing", "forged", "replayed", "tampered")


async def test_a_bad_signature_is_refused_and_changes_nothing(
    slack: Harness, subtests: pytest.Subtests
) -> None:
    # One app for every (kind, fault): each refused delivery must leave it as it found it,
    # which is what each case checks.
    await set_up_approvals(slack)
    for kind in sorted(BODIES):
        for fault in FAULTS:
            with subtests.test(f"{kind} {fault}"):
                body, content_type = BODIES[kind](slack)
                sent, headers = _headers(slack, body, fault)
                calls_before = len(slack.fake.calls)
                audit_before = len(await recent(slack.runtime.database, slack.team_id, 1))
                delivery = await slack.driver.post_raw(
                    sent.encode(), {"Content-Type": content_type, **headers}
                )
                assert delivery.status == 401
                # Nothing processed: no call to Slack or the vendor, nothing audited, no key
                # saved.
                assert len(slack.fake.calls) == calls_before
                assert slack.sandbox.journal == []
                assert len(await recent(slack.runtime.database, slack.team_id, 1)) == audit_before
                assert not await slack.runtime.keys.teams()  # the forged setup saved no key


# --- who may do what -------------------------------------------------------------------------

ROLES = {"member": MEMBER, "approver": APPROVER, "admin": ADMIN}

# subcommand → roles allowed (every other known role is refused with a "Only … can" message)
COMMANDS: dict[str, set[str]] = {
    "balance": {"member", "approver", "admin"},
    "subaccounts": {"member", "approver", "admin"},
    "requests": {"member", "approver", "admin"},
    "approvals": {"approver", "admin"},
    "approvers list": {"member", "approver", "admin"},  # who decides is no secret
    "admins list": {"member", "approver", "admin"},
    "policy": {"member", "approver", "admin"},
    "policy expiry 48h": {"admin"},
    "audit": {"approver", "admin"},
    "alert subaccounts 5": {"admin"},
    "digest preview": {"member", "approver", "admin"},
    "digest subscribe 09:00": {"approver", "admin"},
}


def _refused(text: str) -> bool:
    """Every refusal is marked so (the console's exit status relies on it too)."""
    return REFUSAL_BLOCK_ID in text


async def test_each_subcommand_is_for_its_roles(slack: Harness, subtests: pytest.Subtests) -> None:
    # One app for the whole table: who may run a subcommand does not depend on what the
    # allowed ones before it changed (an expiry, an alert level, a subscription).
    await set_up_approvals(slack)
    for words in sorted(COMMANDS):
        for role in sorted(ROLES):
            with subtests.test(f"{words} by {role}"):
                text = reply_text(await slack.ask(words, user=ROLES[role]))
                assert _refused(text) is (role not in COMMANDS[words]), text


BUTTONS = {
    "request_approve": {"approver"},
    "request_reject": {"approver"},
    "request_cancel": {"member"},  # only the requester
}


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("action_id", sorted(BUTTONS))
async def test_each_card_button_is_for_its_roles(slack: Harness, action_id: str, role: str) -> None:
    await set_up_approvals(slack)
    confirmation = await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    where: Any = await card_of(slack, request.id)
    if action_id == "request_cancel":
        where = _as_message(slack, confirmation)
    delivery = await click(slack, ROLES[role], action_id, where)
    if action_id == "request_reject" and role in BUTTONS[action_id]:
        # Allowed: the reason form opens (and nothing is decided before it is sent).
        modal = await filled_modal(slack.fake, ROLES[role], "reason")
        assert modal.view["callback_id"] in ("request_reject_reason",)
        return
    if action_id == "request_reject":
        [modal] = await slack.fake.wait_for(lambda: slack.fake.open_modals(ROLES[role]))
        shown = json.dumps(
            await slack.fake.wait_for(lambda: _refusal_in(slack, modal.id)), ensure_ascii=False
        )
        assert "Only approvers can reject requests" in shown
        return
    allowed = role in BUTTONS[action_id]

    async def decided() -> bool:
        return (await slack.runtime.requests.get(request.id)).status.value != "pending"

    if allowed:  # the card is redrawn (and, for Cancel, the confirmation replaced)
        await eventually(decided, True)
        return
    answer = reply_text(await delivery.wait_response())
    assert _refused(answer), answer
    assert not await decided()


def _refusal_in(h: Harness, view_id: str) -> Any:
    view = h.fake.views[view_id].view
    text = json.dumps(view, ensure_ascii=False)
    return view if "Only" in text else None


def _as_message(h: Harness, post: Any) -> Any:
    """The requester's ephemeral confirmation, as the message its Cancel button sits on."""
    messages = [
        m for m in h.fake.messages.get("C0GENERAL", []) if m.ephemeral_to == MEMBER and m.blocks
    ]
    return messages[-1]

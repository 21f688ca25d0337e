"""Helpers for approval tests: a workspace with an approvals channel and three approvers."""

from __future__ import annotations

import json
from typing import Any

from bot.services.policy import change_policy
from bot.services.requests import RequestSnapshot
from bot.services.roles import Role, Subject, SubjectKind
from devkit.emulator import Delivery, Message
from devkit.sandbox import DEMO_SMS_KEY, SandboxAccount, SandboxSubaccount
from tests.slack.harness import ADMIN, MEMBER, Harness

APPROVALS = "C0APPROVALS"
APPROVERS = ("UAPPR1", "UAPPR2", "UAPPR3")
OWNER = "UOWNER"
"""Who appointed APPROVERS: nobody who asks in the tests. The asker's own appointees of the
last 24 hours would not count for them (bot.services.four_eyes)."""


async def set_up_approvals(h: Harness, **policy: Any) -> None:
    h.fake.add_channel(h.team_id, APPROVALS, "approvals")
    for n, user in enumerate(APPROVERS, 1):
        h.fake.add_user(h.team_id, user, f"approver{n}", real_name=f"Approver {n}")
        await h.runtime.roles.grant(
            h.team_id, Role.APPROVER, Subject(SubjectKind.USER, user), OWNER
        )
    await change_policy(
        h.runtime.database, h.team_id, ADMIN, approvals_channel_id=APPROVALS, **policy
    )


def sms_account(h: Harness) -> SandboxAccount:
    return h.sandbox.accounts[DEMO_SMS_KEY]


def a_subaccount(h: Harness, index: int = 3) -> SandboxSubaccount:
    return sms_account(h).subaccounts[index]


async def latest_request(h: Harness, requester: str = MEMBER) -> RequestSnapshot:
    [newest] = await h.runtime.requests.of_requester(h.team_id, requester, limit=1)
    return newest


async def card_of(h: Harness, request_id: int) -> Message:
    request = await h.runtime.requests.get(request_id)
    assert request.card_ts, "the request has no card"
    message = h.fake.find_message(APPROVALS, request.card_ts)
    assert message is not None
    return message


def card_text(message: Message) -> str:
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


def buttons(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


async def click(h: Harness, user: str, action_id: str, message: Message, **kwargs: Any) -> Delivery:
    request_button = next(
        e
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    delivery = await h.driver.click(
        team_id=h.team_id,
        user_id=user,
        action_id=action_id,
        value=request_button["value"],
        message=message,
        channel_id=message.channel,
        **kwargs,
    )
    assert delivery.status == 200
    return delivery


def dms_to(h: Harness, user: str) -> list[str]:
    return [m.text for m in h.fake.messages.get(f"D{user}", [])]

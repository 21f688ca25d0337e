"""Cards a dead process owed (bot.services.requests.cards): maintenance rounds, several at once
as in several processes, post a card nobody took once, and never post again a card whose post
was cut short. With a notices recorder in place of Slack, the real database and sandbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from bot.clock import utcnow
from bot.db.models import CreditRequest
from bot.db.session import Database
from bot.runtime import Runtime
from bot.services.audit import recent
from bot.services.policy import change_policy
from bot.services.requests import CardRefused, RequestSnapshot, Status
from bot.services.roles import Role, Subject, SubjectKind
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.services.request_world import ADMIN, APPROVER, TEAM, pending_request
from tests.services.test_request_workflow import CARD, Recorder
from tests.slack.harness import settings_for


async def _age(runtime: Runtime, request: RequestSnapshot, **columns: Any) -> None:
    """As long ago as a dead process left it: `columns` (created_at, card_claimed_at) an hour
    back."""
    an_hour_ago = utcnow() - timedelta(hours=1)
    async with runtime.database.session() as session:
        await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request.id)
            .values(**dict.fromkeys(columns, an_hour_ago))
        )


async def _rounds_at_once(runtime: Runtime, *recorders: Recorder) -> list[tuple[str, int, Status]]:
    async def round_with(recorder: Recorder) -> None:
        async def notices_for(team_id: str) -> Recorder:
            return recorder

        await runtime.requests.run_due(notices_for)

    await asyncio.gather(*(round_with(r) for r in recorders))
    return [call for r in recorders for call in r.calls]


async def test_a_card_nobody_took_is_posted_once_by_rounds_running_at_once(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)  # stored; its process died there
    assert await _rounds_at_once(runtime, Recorder(), Recorder()) == []  # within the grace
    await _age(runtime, request, created_at=True)
    recorders = [Recorder(), Recorder(), Recorder()]
    calls = await _rounds_at_once(runtime, *recorders)
    n = request.number
    assert calls == [("card_needed", n, Status.PENDING), ("sent_late", n, Status.PENDING)]
    assert [known for r in recorders for known in r.card_known] == [True]
    posted = await runtime.requests.get(request.id)
    assert (posted.card_channel_id, posted.card_ts) == (CARD.channel_id, CARD.ts)
    assert await _rounds_at_once(runtime, Recorder()) == []


async def test_a_card_the_channel_refuses_withdraws_the_request_and_says_so_once(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)
    await _age(runtime, request, created_at=True)
    refused = CardRefused("not_in_channel")
    calls = await _rounds_at_once(runtime, Recorder(refused), Recorder(refused))
    n = request.number
    assert calls == [
        ("card_needed", n, Status.PENDING),
        ("withdrawn_late", n, Status.CANCELLED),
    ]
    assert (await runtime.requests.get(request.id)).status is Status.CANCELLED
    assert (await recent(runtime.database, TEAM, 1))[0].action == "withdrawn"
    assert await _rounds_at_once(runtime, Recorder()) == []  # nothing left untold


async def test_a_post_cut_short_is_never_posted_again_and_told_once(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)
    assert await runtime.requests.store.claim_card(request.id)  # the dead process took it
    assert not await runtime.requests.store.claim_card(request.id)  # nobody else can
    assert await _rounds_at_once(runtime, Recorder()) == []  # its post may be under way
    await _age(runtime, request, created_at=True, card_claimed_at=True)
    recorders = [Recorder(), Recorder(), Recorder()]
    calls = await _rounds_at_once(runtime, *recorders)
    assert calls == [("sent_late", request.number, Status.PENDING)]
    assert [known for r in recorders for known in r.card_known] == [False]
    after = await runtime.requests.get(request.id)
    assert (after.status, after.card_channel_id, after.card_ts) == (Status.PENDING, "C0APPR", None)
    assert await _rounds_at_once(runtime, Recorder()) == []


async def test_the_grace_before_a_card_is_owed_is_the_card_grace_seconds_setting(
    database: Database, sandbox: Sandbox
) -> None:
    async with FakeSlack() as fake:  # only its URL: no Slack call is made here
        settings = settings_for(fake, sandbox, database.url, card_grace_seconds=7200)
        runtime = await Runtime.start(settings, migrate=False)
        try:
            await change_policy(database, TEAM, ADMIN, approvals_channel_id="C0APPR")
            await runtime.roles.grant(
                TEAM, Role.APPROVER, Subject(SubjectKind.USER, APPROVER), ADMIN
            )
            request = await pending_request(runtime, sandbox)
            await _age(runtime, request, created_at=True)  # an hour: past the default 5 s
            assert await _rounds_at_once(runtime, Recorder()) == []  # within two hours
        finally:
            await runtime.close()

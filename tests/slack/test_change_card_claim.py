"""A setting change's card, owed by a process that died between storing the change and posting
it (`Maintenance`, `ChangeNotifier.post_owed_card`), end to end: whichever maintenance rounds
and askers go at it at once, exactly one card reaches the channel and the asker is told once.
Each round here is its own `Maintenance`, as in its own process, on one database; the app's
own background round (`maintenance_interval_seconds`) may be one of them, so the tests wait on
what its posting ends with (the asker's DM), never on a given round."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from bot.clock import utcnow
from bot.db.models import SettingChange
from bot.services.settings_changes import Change, ChangeSnapshot, Setting
from bot.slack.clients import WorkspaceClients
from bot.slack.commands import amount
from bot.slack.maintenance import Maintenance
from tests.slack.approvals import APPROVALS, dms_to, set_up_approvals
from tests.slack.barriers import app_settled
from tests.slack.harness import ADMIN, Harness, reply_text

LOOSENING = "policy auto-approve 50"


async def _stored_by_a_process_that_died(h: Harness) -> ChangeSnapshot:
    """What `policy auto-approve 50` stores before it posts the card (its amount as the
    command reads it, so that the command typed again finds this change)."""
    await set_up_approvals(h)
    change = await h.runtime.settings_changes.propose(
        h.team_id, ADMIN, Change(Setting.AUTO_APPROVE_LIMIT, Decimal(0), amount("50", ""))
    )
    return change


async def _age(h: Harness, change: ChangeSnapshot) -> None:
    async with h.runtime.database.session() as session:
        await session.execute(
            update(SettingChange)
            .where(SettingChange.id == change.id)
            .values(created_at=utcnow() - timedelta(hours=1))
        )


def _maintenance(h: Harness) -> Maintenance:
    return Maintenance(h.runtime, WorkspaceClients(h.runtime, None))


def _cards(h: Harness) -> list[str]:
    return [m.text for m in h.fake.messages.get(APPROVALS, []) if "Setting change" in m.text]


def _asker_told(h: Harness) -> list[str]:
    return [m for m in dms_to(h, ADMIN) if "waits for an approver" in m]


async def test_rounds_at_once_post_an_owed_card_once_and_tell_the_asker_once(
    slack: Harness,
) -> None:
    change = await _stored_by_a_process_that_died(slack)
    rounds = [_maintenance(slack) for _ in range(10)]
    await asyncio.gather(*(r.run_once() for r in rounds))
    assert _cards(slack) == []  # within the grace: its process may be posting it still
    await _age(slack, change)
    await asyncio.gather(*(r.run_once() for r in rounds))
    await slack.fake.wait_for(lambda: _asker_told(slack))  # the last step of the one poster
    await asyncio.gather(*(r.run_once() for r in rounds[:2]))  # and later rounds: no more
    [card] = _cards(slack)
    assert "50" in card
    assert len(_asker_told(slack)) == 1
    posted = await slack.runtime.settings_changes.get(change.id)
    assert posted.card_channel_id == APPROVALS and posted.card_ts is not None


async def test_the_asker_asking_again_while_maintenance_posts_the_card_gets_no_second_card(
    slack: Harness,
) -> None:
    """Maintenance took the owed card and its post is under way (held at Slack); the asker,
    seeing no card, types the command again: their process must not take the card too."""
    change = await _stored_by_a_process_that_died(slack)
    await _age(slack, change)
    posts = slack.fake.hold("chat.postMessage")
    maintenance = asyncio.ensure_future(_maintenance(slack).run_once())
    [card_post] = await posts.held()  # taken by a round, not in the channel yet
    assert card_post.args["channel"] == APPROVALS
    asked = await slack.command(LOOSENING, user=ADMIN)
    reply = asyncio.ensure_future(asked.wait_response())
    second_post = asyncio.ensure_future(posts.held(2))
    await asyncio.wait({reply, second_post}, return_when=asyncio.FIRST_COMPLETED)
    second_post.cancel()
    # The asker's process answered after its claim was refused: a post it made would wait here.
    assert [call.args["channel"] for call in posts.waiting] == [APPROVALS]
    assert "waits for an approver" in reply_text(await reply)
    posts.release()
    await maintenance
    await slack.fake.wait_for(lambda: _asker_told(slack))  # the last step of the one poster
    await app_settled(slack)
    assert len(_cards(slack)) == 1
    assert len(_asker_told(slack)) == 1

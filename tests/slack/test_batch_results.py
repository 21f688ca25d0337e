"""A finished batch's results CSV at least once to each place (the card's thread, the
requester), never twice where it arrived: a place Slack failed gets it from maintenance once
the sender's lease passed, and so do the results a sender that died (or a runner without
Slack) left; a live lease is left alone (bot/services/batches/delivery.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.clock import utcnow
from bot.db.batch_models import Batch
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
from tests.services.request_world import People
from tests.slack.approvals import APPROVERS, card_text, click, set_up_approvals
from tests.slack.harness import MEMBER, Harness
from tests.slack.test_batch_lists import a_pending_batch, batch_cards
from tests.slack.test_batches import ADD

A1 = APPROVERS[0]


def results_in_thread(h: Harness, card_ts: str) -> list:
    return [f for f in h.fake.files if f.thread_ts == card_ts and "results" in f.filename]


def results_to_requester(h: Harness) -> list:
    return [f for f in h.fake.files if f.channel_id == f"D{MEMBER}" and "results" in f.filename]


async def lease_passes(h: Harness) -> None:
    async with h.runtime.database.session() as session:
        await session.execute(update(Batch).values(results_until=utcnow() - timedelta(seconds=1)))


async def sent_at(h: Harness) -> object:
    async with h.runtime.database.session() as session:
        return await session.scalar(select(Batch.results_sent_at))


async def test_a_place_slack_failed_gets_the_results_later_and_only_it(slack: Harness) -> None:
    await set_up_approvals(slack)
    card = await a_pending_batch(slack)
    await slack.fake.wait_for(lambda: [f for f in slack.fake.files if f.thread_ts == card.ts])
    # The thread's upload comes first: Slack fails it (its own trouble, worth trying again).
    slack.fake.server_error("files.completeUploadExternal")

    await click(slack, A1, "batch_approve", card)

    await slack.fake.wait_for(lambda: results_to_requester(slack))
    await slack.fake.wait_for(lambda: "Finished" in card_text(batch_cards(slack)[0]))
    maintenance = Maintenance(slack.runtime, WorkspaceClients(slack.runtime, None))
    await maintenance.run_once()  # the sender's lease holds: nobody sends meanwhile
    assert results_in_thread(slack, card.ts) == [] and await sent_at(slack) is None

    await lease_passes(slack)
    await maintenance.run_once()
    await maintenance.run_once()

    assert len(results_in_thread(slack, card.ts)) == 1
    assert len(results_to_requester(slack)) == 1  # it had arrived: not sent again
    assert await sent_at(slack) is not None


async def test_results_a_sender_left_are_sent_once_its_lease_passed(slack: Harness) -> None:
    await set_up_approvals(slack)
    card = await a_pending_batch(slack)
    batch = await slack.runtime.batches.store.by_number(slack.team_id, 1)
    await slack.runtime.batches.approve(slack.team_id, 1, A1, People())
    # Carried out by a process with no Slack at hand; then one took the sending and died.
    await slack.runtime.batches.run(batch.id)
    async with slack.runtime.database.session() as session:
        await session.execute(update(Batch).values(results_until=utcnow() + timedelta(hours=1)))
    maintenance = Maintenance(slack.runtime, WorkspaceClients(slack.runtime, None))
    await maintenance.run_once()
    assert results_in_thread(slack, card.ts) == [] and results_to_requester(slack) == []

    await lease_passes(slack)
    await maintenance.run_once()
    await maintenance.run_once()

    assert len(results_in_thread(slack, card.ts)) == 1
    assert len(results_to_requester(slack)) == 1
    assert "1 done" in (results_to_requester(slack)[0].initial_comment or "")
    assert len(slack.sandbox.calls(endpoint=ADD)) == 1

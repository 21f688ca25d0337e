"""`/partner batch` end to end: the form with a file input (Slack's file id, files.info and the
download with the bot token), every problem in the form, the card with its CSV in the thread,
one approval, each row once, the results CSV to the thread and the requester; and French."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from bot.app import services_of
from bot.clock import utcnow
from bot.db.batch_models import Batch, BatchRowState
from bot.db.models import AuditEntry
from bot.services.batches.model import BatchStatus, RowStatus
from bot.services.languages import Languages
from bot.slack.batches.notices import SlackBatchNotices
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
from devkit.emulator import Message
from tests.services.request_world import People
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    OWNER,
    a_subaccount,
    card_text,
    click,
    dms_to,
    set_up_approvals,
    sms_account,
)
from tests.slack.harness import MEMBER, Harness
from tests.slack.modals import filled_modal

A1, A2, _ = APPROVERS
FRENCH = "UFRENCH"
ADD = "/subaccount/credit/add"


def cards(h: Harness) -> list[Message]:
    return [m for m in h.fake.messages.get(APPROVALS, []) if not m.thread_ts]


async def submit(h: Harness, values: dict) -> dict:
    await h.command("batch")
    modal = await filled_modal(h.fake, MEMBER, "file")
    delivery = await h.driver.submit_view(modal, team_id=h.team_id, user_id=MEMBER, values=values)
    assert delivery.status == 200
    return delivery.json or {}


async def test_a_file_batch_from_form_to_results(slack: Harness) -> None:
    await set_up_approvals(slack)
    account = sms_account(slack)
    total = account.total()
    subs = [a_subaccount(slack, n) for n in range(3)]
    before = [s.balance for s in subs]
    text = "subaccount,action,amount,reason,row_id\n" + "\n".join(
        f"{s.email},add,{n + 1},March,m-{n}" for n, s in enumerate(subs)
    )
    file = slack.fake.user_upload(slack.team_id, MEMBER, "march.csv", text)

    ack = await submit(slack, {"file": {"file": [file.id]}})

    assert ack.get("response_action") == "update"  # working: checked against the vendor
    await slack.fake.wait_for(lambda: cards(slack))
    [card] = cards(slack)
    shown = card_text(card)
    assert "Batch #1: 3 credit moves" in shown and "€6.00" in shown
    assert slack.fake.calls_to("files.info")[0].error is None
    await slack.fake.wait_for(lambda: [f for f in slack.fake.files if f.thread_ts == card.ts])
    [thread_csv] = [f for f in slack.fake.files if f.thread_ts == card.ts]
    assert thread_csv.content.decode() == text

    await click(slack, A1, "batch_approve", card)

    await slack.fake.wait_for(lambda: len([f for f in slack.fake.files if f.thread_ts]) == 2)
    assert [s.balance for s in subs] == [b + n + 1 for n, b in enumerate(before)]
    assert account.total() == total
    assert len(slack.sandbox.calls(endpoint=ADD)) == 3
    results = next(f for f in slack.fake.files if f.thread_ts and f.id != thread_csv.id)
    lines = list(csv.reader(io.StringIO(results.content.decode())))
    assert [line[5] for line in lines[1:]] == ["done"] * 3

    def to_requester() -> list:
        return [f for f in slack.fake.files if f.channel_id == f"D{MEMBER}"]

    await slack.fake.wait_for(to_requester)
    assert len(to_requester()) == 1
    assert to_requester()[0].content == results.content
    await slack.fake.wait_for(lambda: "Finished" in card_text(cards(slack)[0]))


async def test_every_problem_is_listed_in_the_form_by_row(slack: Harness) -> None:
    await set_up_approvals(slack)
    bad = "\n".join(["acme,add,5", "acme,give,5", "acme,add,1.000", "acme", "acme,add,-2"])
    ack = await submit(slack, {"rows": {"rows": bad}})
    assert ack["response_action"] == "errors"
    said = ack["errors"]["rows"]
    for line in (2, 3, 4, 5):
        assert f"Row {line}:" in said
    assert "Row 1:" not in said
    assert not cards(slack) and not slack.sandbox.calls(endpoint="/subaccount/list")


async def test_unknown_subaccounts_are_listed_and_nothing_is_made(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    rows = f"{sub.email},add,1\nnobody@nowhere.example,add,1\n{sub.email},remove,999999"
    await submit(slack, {"rows": {"rows": rows}})

    def problems() -> str:
        return " ".join(
            str(v.blocks) for v in slack.fake.open_modals(MEMBER) if "Row 2" in str(v.blocks)
        )

    said = await slack.fake.wait_for(problems)
    assert "Row 3" in said and "Row 1" not in said
    assert not cards(slack)


async def test_an_identical_upload_is_asked_before_it_goes_on(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    rows = f"{sub.email},add,1,,r-1"
    await submit(slack, {"rows": {"rows": rows}})
    await slack.fake.wait_for(lambda: cards(slack))
    await submit(slack, {"rows": {"rows": rows}})

    def question():
        return next(
            (
                v
                for v in slack.fake.open_modals(MEMBER)
                if v.view.get("callback_id") == "batch_confirm"
            ),
            None,
        )

    asked = await slack.fake.wait_for(question)
    assert "less than 24 hours" in str(asked.blocks)
    assert len(cards(slack)) == 1
    await slack.driver.submit_view(asked, team_id=slack.team_id, user_id=MEMBER, values={})
    await slack.fake.wait_for(lambda: len(cards(slack)) == 2)


async def test_without_files_read_the_admin_is_told_to_reinstall(slack: Harness) -> None:
    await set_up_approvals(slack)
    team = slack.fake.teams[slack.team_id]
    team.scopes = frozenset(team.scopes - {"files:read"})
    file = slack.fake.user_upload(slack.team_id, MEMBER, "march.csv", "x,add,1")
    ack = await submit(slack, {"file": {"file": [file.id]}})
    assert ack["response_action"] == "errors"
    assert "files:read" in ack["errors"]["file"] and "reinstall" in ack["errors"]["file"]


async def test_in_french_the_form_the_card_and_the_results(slack: Harness) -> None:
    await set_up_approvals(slack)
    await Languages(slack.runtime.database).set(slack.team_id, "fr", OWNER, APPROVALS)
    slack.fake.add_user(slack.team_id, FRENCH, "celine", real_name="Céline", locale="fr-FR")
    sub = a_subaccount(slack)
    before = sub.balance

    await slack.command("lot", user=FRENCH)
    modal = await filled_modal(slack.fake, FRENCH, "file")
    assert "Fichier CSV" in str(modal.blocks)
    bad = await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=FRENCH,
        values={"rows": {"rows": f"{sub.email};donner;5"}},
    )  # fmt: skip
    said = bad.json["errors"]["rows"].replace("\u00a0", " ")
    assert "Ligne 1 : « donner » : l’action est `ajouter` ou `retirer`." in said
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=FRENCH,
        values={"rows": {"rows": f"sous-compte;action;montant\n{sub.email};ajouter;1 000,50"}},
    )  # fmt: skip
    await slack.fake.wait_for(lambda: cards(slack))
    card = cards(slack)[0]
    shown = card_text(card).replace("\u202f", " ").replace("\u00a0", " ")
    assert (
        "Lot n° 1 de <@UFRENCH> : 1 mouvement de crédit" in shown
        and "1 000,50 €" in shown
        and "Approuver" in shown
    )
    await click(slack, A1, "batch_approve", card)
    await slack.fake.wait_for(lambda: "Terminé" in card_text(cards(slack)[0]))
    async with slack.runtime.database.session() as session:
        batch_id = await session.scalar(select(func.max(Batch.id)))
    batch = await slack.runtime.batches.get(batch_id)
    assert batch.status is BatchStatus.DONE
    assert [r.status for r in await slack.runtime.batches.rows(batch.id)] == [RowStatus.SUCCEEDED]
    assert sub.balance == before + Decimal("1000.5")


async def test_a_rejection_takes_a_reason_and_the_requester_is_told(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await submit(slack, {"rows": {"rows": f"{sub.email},add,3"}})
    card = await slack.fake.wait_for(lambda: cards(slack) and cards(slack)[0])

    await click(slack, A1, "batch_reject", card)
    modal = await filled_modal(slack.fake, A1, "reason")
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=A1, values={"reason": {"reason": "wrong month"}}
    )

    told = await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert "rejected" in told[0] and "wrong month" in told[0]
    shown = card_text(cards(slack)[0])
    assert "Rejected by" in shown and "batch_approve" not in shown
    assert not slack.sandbox.calls(endpoint=ADD)


async def test_an_unapproved_batch_expires_and_its_requester_is_told(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await submit(slack, {"rows": {"rows": f"{sub.email},add,3"}})
    card = await slack.fake.wait_for(lambda: cards(slack) and cards(slack)[0])
    async with slack.runtime.database.session() as session:
        await session.execute(update(Batch).values(expires_at=utcnow() - timedelta(minutes=1)))
    # a click past its time finds it decided; the next maintenance round expires it and tells
    await click(slack, A1, "batch_approve", card)

    await Maintenance(slack.runtime, WorkspaceClients(slack.runtime, None)).run_once()

    told = await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert "expired" in told[0]
    assert "Expired" in card_text(cards(slack)[0])
    assert not slack.sandbox.calls(endpoint=ADD)


async def test_a_card_slack_refuses_leaves_no_batch_waiting(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.fail("chat.postMessage", "not_in_channel", channel=APPROVALS)
    sub = a_subaccount(slack)
    await submit(slack, {"rows": {"rows": f"{sub.email},add,3"}})

    async def status() -> BatchStatus | None:
        async with slack.runtime.database.session() as session:
            found = await session.scalar(select(Batch.status))
        return None if found is None else BatchStatus(found)

    for _ in range(250):
        if await status() is BatchStatus.CANCELLED:
            break
        await asyncio.sleep(0.02)
    assert await status() is BatchStatus.CANCELLED
    assert not cards(slack)


async def test_an_approver_settles_the_rows_the_balances_could_not(slack: Harness) -> None:
    await set_up_approvals(slack)
    one, two = a_subaccount(slack, 1), a_subaccount(slack, 2)
    await submit(slack, {"rows": {"rows": f"{one.email},add,1\n{two.email},add,2"}})
    card = await slack.fake.wait_for(lambda: cards(slack) and cards(slack)[0])
    await click(slack, A1, "batch_approve", card)
    await slack.fake.wait_for(lambda: "Finished" in card_text(cards(slack)[0]))
    async with slack.runtime.database.session() as session:
        # Set-up only: row 2 as a lost answer the balances could not tell leaves it.
        await session.execute(
            update(BatchRowState).where(BatchRowState.line == 2).values(status="unknown")
        )
        batch_id = await session.scalar(select(Batch.id))
    batch = await slack.runtime.batches.get(batch_id)
    number = batch.number
    client = await WorkspaceClients(slack.runtime, None).for_team(slack.team_id)
    await SlackBatchNotices(client, services_of(slack.runtime)).redraw(batch)  # as the run would
    await slack.fake.wait_for(lambda: "batch_mark" in card_text(cards(slack)[0]))
    uploads = len(slack.fake.files)

    async def open_and_submit(user: str, values: dict) -> dict:
        await slack.driver.click(
            team_id=slack.team_id, user_id=user, action_id="batch_mark", value=str(number),
            message=cards(slack)[0], channel_id=APPROVALS,
        )  # fmt: skip
        modal = await filled_modal(slack.fake, user, "done")
        answer = await slack.driver.submit_view(
            modal, team_id=slack.team_id, user_id=user, values=values
        )
        return answer.json or {}

    refused = await open_and_submit(A2, {"done": {"done": "two"}, "failed": {"failed": "2"}})
    assert set(refused["errors"]) == {"done"}
    await open_and_submit(MEMBER, {"done": {"done": "2"}})
    await open_and_submit(A2, {"done": {"done": "2"}})

    await slack.fake.wait_for(lambda: len(slack.fake.files) >= uploads + 2)
    async with slack.runtime.database.session() as session:
        statuses = (await session.scalars(select(BatchRowState.status))).all()
        marked = (
            await session.scalars(
                select(AuditEntry.actor_id).where(AuditEntry.action == "batch_row_marked_done")
            )
        ).all()
    assert sorted(statuses) == ["succeeded", "succeeded"]
    assert marked == [A2]
    assert len(slack.sandbox.calls(endpoint=ADD)) == 2


async def test_a_batch_whose_process_died_before_its_card_gets_one_card(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    # What a process stored before it died: the batch, and no card.
    batch = await slack.runtime.batches.ask(
        slack.team_id, MEMBER, sms_account(slack).product, f"{sub.email},add,3", "pasted", People()
    )
    maintenance = Maintenance(slack.runtime, WorkspaceClients(slack.runtime, None))
    await maintenance.run_once()
    assert not cards(slack)  # within its grace the asking process may still be posting it
    async with slack.runtime.database.session() as session:
        await session.execute(update(Batch).values(updated_at=utcnow() - timedelta(minutes=1)))

    await maintenance.run_once()
    await maintenance.run_once()

    [card] = cards(slack)
    assert f"Batch #{batch.number}" in card_text(card)
    await click(slack, A1, "batch_approve", card)
    await slack.fake.wait_for(lambda: "Finished" in card_text(cards(slack)[0]))

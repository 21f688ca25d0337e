"""Requests in English and French over signed HTTP: the approval card in its channel's language
(`/partner language`), whoever redraws it; what one person reads (the confirmation, a DM, the
reject modal, a refusal) in that person's Slack language."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from bot.clock import utcnow
from bot.db.models import CreditRequest
from bot.services.languages import Languages
from bot.services.requests import Status
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
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
)
from tests.slack.harness import ADMIN, MEMBER, TEAM, Harness, reply_text
from tests.slack.modals import filled_modal, modal_saying, modal_text

NNBSP, NBSP = "\u202f", "\u00a0"
A1, A2, _ = APPROVERS


def speaks(h: Harness, user: str, locale: str) -> None:
    h.fake.users[user].locale = locale


async def settled(h: Harness, request_id: int) -> None:
    async def final() -> bool:
        request = await h.runtime.requests.get(request_id)
        return request.status.is_final or request.needs_a_person

    for _ in range(300):
        if await final():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the request never settled")


def card_now(h: Harness, ts: str) -> str:
    message = h.fake.find_message(APPROVALS, ts)
    assert message is not None
    return card_text(message)


async def test_a_french_workspace_gets_a_french_card_redrawn_in_french(slack: Harness) -> None:
    await set_up_approvals(slack)
    await Languages(slack.runtime.database).set(TEAM, "fr", ADMIN)
    speaks(slack, MEMBER, "en-US")
    speaks(slack, A1, "en-GB")
    sub = a_subaccount(slack)

    post = await slack.ask(f"credit add {sub.email} 50,5 € top-up for May")
    # The requester reads their own confirmation in English, their money too.
    confirmation = reply_text(post)
    assert "Request #1 sent to <#C0APPROVALS> for approval" in confirmation
    assert "Cancel request" in confirmation and "€50.50" in confirmation
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    text = card_text(card)
    for expected in (
        "Ajout de crédit · demande n°\u00a01",
        "*Demandeur*",
        "*Montant*",
        f"50,50{NBSP}€",
        f"10{NNBSP}225,119{NBSP}€ → 10{NNBSP}174,619{NBSP}€",  # the vendor's 3 decimals kept
        "top-up for May",
        "En attente d’approbation",
        "Approuver",
        "Refuser",
    ):
        assert expected in text, expected
    assert "Waiting for approval" not in text and "EUR" not in text
    assert card.text.startswith("Demande n°\u00a01 (SMS Partner)\u00a0: ajouter 50,50")

    # An English-speaking approver's click redraws it: still in the channel's French.
    await click(slack, A1, "request_approve", card)
    await settled(slack, request.id)
    assert (await slack.runtime.requests.get(request.id)).status is Status.SUCCEEDED
    await slack.fake.wait_for(lambda: "Effectuée" in card_now(slack, card.ts))
    done = card_now(slack, card.ts)
    assert f"Effectuée · approuvée par <@{A1}>." in done
    assert "Le sous-compte contient désormais" in done
    assert "Done" not in done and "approved by" not in done
    # The requester's DM is in the requester's language, not the channel's.
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    dm = dms_to(slack, MEMBER)[0]
    assert "Your request #1 (add €50.50 to" in dm and "is done" in dm


async def test_two_approvers_progress_in_the_channels_language(slack: Harness) -> None:
    await set_up_approvals(slack, two_approver_threshold=Decimal(100))
    await Languages(slack.runtime.database).set(TEAM, "fr", ADMIN, channel_id=APPROVALS)
    speaks(slack, A1, "en-US")
    await slack.ask(f"credit add {a_subaccount(slack).email} 150")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    assert "il faut 2 approbateurs" in card_text(card)
    post = await (await click(slack, A1, "request_approve", card)).wait_response()
    # The clicker's answer is theirs (English); the card stays the channel's (French).
    assert "it needs one more approver" in reply_text(post)
    await slack.fake.wait_for(
        lambda: f"approuvée par <@{A1}> (1 sur 2)" in card_now(slack, card.ts)
    )
    assert "approved by" not in card_now(slack, card.ts)
    post = await (await click(slack, A1, "request_approve", card)).wait_response()
    assert "You already approved request #1; it needs 2 different approvers." in reply_text(post)


async def test_a_french_requester_and_approver_in_an_english_channel(slack: Harness) -> None:
    await set_up_approvals(slack)
    await Languages(slack.runtime.database).set(TEAM, "fr", ADMIN)
    await Languages(slack.runtime.database).set(TEAM, "en", ADMIN, channel_id=APPROVALS)
    speaks(slack, MEMBER, "fr-FR")
    speaks(slack, A1, "fr-CA")
    sub = a_subaccount(slack)

    post = await slack.ask(f"credit add {sub.email} 10")
    confirmation = reply_text(post)
    assert "Demande n°\u00a01 envoyée dans <#C0APPROVALS> pour approbation" in confirmation
    assert f"ajouter 10,00{NBSP}€ à" in confirmation and "Annuler la demande" in confirmation
    assert "Vous recevrez un message privé" in confirmation
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    text = card_text(card)
    assert "Credit top-up · request #1" in text and "Waiting for approval" in text
    assert "€10.00" in text and "Approuver" not in text

    # The reject modal speaks the clicker's French.
    await click(slack, A1, "request_reject", card)
    modal = await filled_modal(slack.fake, A1, "reason")
    shown = modal_text(modal)
    assert "Refuser la demande n°\u00a01"[:24] in shown
    assert "Pourquoi\u00a0? (l’auteur de la demande le lira)" in shown and "Retour" in shown
    empty = await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=A1, values={"reason": {"reason": " "}}
    )
    assert empty.json["errors"] == {"reason": "Dites pourquoi, pour l’auteur de la demande."}
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=A1, values={"reason": {"reason": "Budget gelé"}}
    )
    await modal_saying(slack.fake, A1, "La demande n°\u00a01 est refusée")
    # The card, redrawn by a French approver, stays in the channel's English.
    await slack.fake.wait_for(lambda: "Rejected by" in card_now(slack, card.ts))
    assert f"Rejected by <@{A1}>: Budget gelé" in card_now(slack, card.ts)
    assert "Refusée" not in card_now(slack, card.ts)
    assert buttons(slack.fake.find_message(APPROVALS, card.ts)) == []
    # The requester's DM in their French.
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    dm = dms_to(slack, MEMBER)[0]
    assert f"Votre demande n°\u00a01 (ajouter 10,00{NBSP}€ à {sub.email})" in dm
    assert f"a été refusée par <@{A1}>\u00a0: Budget gelé" in dm


async def test_the_worker_redraws_an_expired_card_in_the_channels_language(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    await Languages(slack.runtime.database).set(TEAM, "fr", ADMIN, channel_id=APPROVALS)
    speaks(slack, MEMBER, "en-US")
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    async with slack.runtime.database.session() as session:
        await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    await Maintenance(slack.runtime, WorkspaceClients(slack.runtime, None)).run_once()
    assert (await slack.runtime.requests.get(request.id)).status is Status.EXPIRED
    expired = card_now(slack, card.ts)
    assert "Expirée\u00a0: personne n’a statué" in expired and "Expired" not in expired
    assert "Your request #1" in dms_to(slack, MEMBER)[0] and "expired" in dms_to(slack, MEMBER)[0]


async def test_request_refusals_in_french(slack: Harness) -> None:
    speaks(slack, MEMBER, "fr-FR")
    email = a_subaccount(slack).email
    post = await slack.ask(f"credit add {email} 10")
    assert "Pas encore de canal des approbations" in reply_text(post)
    assert "Aucune demande n’a été faite." in reply_text(post)
    await set_up_approvals(slack)
    post = await slack.ask(f"credit add {email} 20000")
    refused = reply_text(post)
    assert (
        f"Le compte principal contient 10{NNBSP}225,119{NBSP}€{NBSP}: il ne peut pas donner "
        f"20{NNBSP}000,00{NBSP}€. Aucune demande n’a été faite." in refused
    )
    assert await slack.runtime.requests.of_requester(slack.team_id, MEMBER) == []
    # Someone who is not an approver clicks the card's Approve: refused in their French.
    speaks(slack, ADMIN, "fr-FR")
    await slack.ask(f"credit add {email} 10")
    card = await card_of(slack, (await latest_request(slack)).id)
    post = await (await click(slack, ADMIN, "request_approve", card)).wait_response()
    assert "Seuls les approbateurs peuvent approuver les demandes." in reply_text(post)
    # The lists, in French too.
    text = reply_text(await slack.ask("requests"))
    assert "Vos demandes" in text and "en attente d’approbation" in text


async def test_the_new_subaccount_form_in_french(slack: Harness) -> None:
    await set_up_approvals(slack)
    speaks(slack, MEMBER, "fr-FR")
    await slack.command("subaccount create")
    modal = await filled_modal(slack.fake, MEMBER, "email")
    shown = modal_text(modal)
    assert "Sous-compte SMS" in shown and "Avancé (identifiant propre" in shown
    assert "Crédit initial (EUR)" in shown and "Demander" in shown
    answer = await slack.driver.submit_view(
        modal,
        team_id=slack.team_id,
        user_id=MEMBER,
        values={"type": {"type": "advanced"}},
    )
    assert answer.json["errors"] == {
        "email": "Un sous-compte avancé doit avoir une adresse e-mail."
    }


async def test_a_lock_out_is_told_to_each_admin_in_their_language(slack: Harness) -> None:
    finance = "S0FIN"
    slack.fake.add_user(slack.team_id, "UADMIN2", "eve", locale="fr-FR")
    await slack.ask("admins add <@UADMIN2|eve>", user=ADMIN)  # before any approver: at once
    await set_up_approvals(slack)
    slack.fake.add_usergroup(slack.team_id, finance, "finance", [ADMIN])
    await slack.ask(f"policy requesters <!subteam^{finance}|@finance>", user=ADMIN)
    slack.fake.usergroups[finance].users = []  # emptied: nobody can ask
    changed = {"type": "subteam_members_changed", "subteam_id": finance, "team_id": TEAM}
    assert (await slack.driver.event(changed, team_id=TEAM)).status == 200
    speaks(slack, MEMBER, "fr-FR")
    refused = reply_text(await slack.ask(f"credit add {a_subaccount(slack).email} 5"))
    assert f"Seuls les membres de <!subteam^{finance}|@finance> peuvent faire des demandes" in (
        refused
    )
    assert "les administrateurs ont été prévenus" in refused
    [french] = [m for m in dms_to(slack, "UADMIN2") if "Partner Ops" in m]
    assert french.startswith(":warning: Plus personne ne peut faire de demande Partner Ops")
    [english] = [m for m in dms_to(slack, ADMIN) if "Partner Ops requests" in m]
    assert english.startswith(":warning: Nobody can make Partner Ops requests")

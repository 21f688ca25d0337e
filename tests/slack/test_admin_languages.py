"""The admin commands, settings under four eyes and the setup modal in French and English,
over signed HTTP: what one person sees in their Slack language, what the approvals channel
sees in the channel's language (`/partner language`), whoever clicked."""

from __future__ import annotations

import copy

import pytest

from bot.services.languages import Languages
from bot.services.roles import Role, Subject, SubjectKind
from bot.slack.oauth import browser_language
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    buttons,
    card_text,
    click,
    dms_to,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, MEMBER, TEAM, Harness, reply_text
from tests.slack.modals import filled_modal, modal_saying, modal_text

NNBSP, NBSP = "\u202f", "\u00a0"
A1, A2, _ = APPROVERS
CONFIRM = "setting_change_confirm"


async def test_the_policy_for_a_french_user(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    text = reply_text(await slack.ask("policy"))
    assert "Règles d’approbation" in text and "*Ce que devient une demande*" in text
    assert "Tout mouvement de crédit demande un approbateur." in text
    assert "Les demandes expirent au bout de 24 h." in text
    assert "*Expiration*\u00a0: 24 heures" in text
    assert "Approval policy" not in text and "Every credit move" not in text


async def test_the_policy_for_an_english_user(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "en-US"
    text = reply_text(await slack.ask("policy"))
    assert "Approval policy" in text and "Every credit move needs an approver." in text
    assert "*Expiry*: 24 hours" in text
    assert "Règles" not in text


async def test_an_admin_refusal_in_the_askers_language(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    text = reply_text(await slack.ask("policy auto-approve 50"))
    assert "Seuls les administrateurs de Partner Ops" in text
    assert "peuvent modifier les règles d’approbation." in text
    slack.fake.add_user(TEAM, "UENGLISH", "eve", locale="en-GB")
    text = reply_text(await slack.ask("audit", user="UENGLISH"))
    assert "Only Partner Ops admins and approvers can read the audit trail." in text


async def test_a_policy_conflict_and_amounts_in_french(slack: Harness) -> None:
    slack.fake.users[ADMIN].locale = "fr-FR"
    await slack.ask("policy two-approvers 1000", user=ADMIN)
    text = reply_text(await slack.ask("policy auto-approve 2000", user=ADMIN))
    assert f"le seuil à deux approbateurs (1{NNBSP}000,00{NBSP}€)" in text
    assert "Rien n’a été modifié." in text


async def test_the_audit_trail_in_french(slack: Harness) -> None:
    slack.fake.users[ADMIN].locale = "fr-FR"
    await slack.ask("policy expiry 1h", user=ADMIN)
    text = reply_text(await slack.ask("audit", user=ADMIN))
    assert "Journal d’audit" in text
    assert f"1 entrée sur la période (7{NBSP}j)" in text
    assert "a modifié les règles d’approbation — Expiration\u00a0: 24 heures → 1 heure" in text


async def test_audit_details_are_words_in_french_not_codes(slack: Harness) -> None:
    """What a request was for and which request it resembles, in French: never `credit_add`
    or `#1` in a French line."""
    await set_up_approvals(slack)
    slack.fake.users[ADMIN].locale = "fr-FR"
    email = a_subaccount(slack).email
    await slack.ask(f"crédit ajouter {email} 12 démo", user=ADMIN)
    asked = await slack.ask(f"crédit ajouter {email} 12 démo", user=ADMIN)  # the same again
    [send] = [
        e
        for b in asked.body["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "request_confirm_similar"
    ]
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=ADMIN,
        action_id="request_confirm_similar",
        value=send["value"],
        response_url=asked.url,
    )
    await click.wait_response(count=3)  # the question, its removal, then the answer
    text = reply_text(await slack.ask("journal", user=ADMIN))
    assert f"objet{NBSP}: Ajout de crédit" in text and "credit_add" not in text
    assert f"semblable à{NBSP}: demande n°{NBSP}1" in text and "#1" not in text


async def test_a_settings_card_speaks_the_channels_language_whoever_clicks(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    await Languages(slack.runtime.database).set(TEAM, "fr", ADMIN, APPROVALS)
    slack.fake.users[ADMIN].locale = "en-US"  # the asker
    for approver in APPROVERS:
        slack.fake.users[approver].locale = "en-GB"  # the approvers too
    asked = reply_text(await slack.ask("policy auto-approve 50", user=ADMIN))
    assert "waits for an approver (not you)" in asked  # the asker's own reply: English

    [change] = await slack.runtime.settings_changes.pending(TEAM)
    card = slack.fake.find_message(APPROVALS, change.card_ts)
    assert card is not None
    shown = card_text(card)
    assert "Changement à confirmer" in shown
    assert f"<@{ADMIN}> demande un changement qui assouplit le contrôle des fonds" in shown
    assert f"jusqu’à 50,00{NBSP}€ seraient exécutés aussitôt" in shown
    assert "asks for a change" not in shown

    card = copy.deepcopy(card)
    done = await (await click(slack, A2, CONFIRM, card)).wait_response()
    assert "Confirmed: the change is applied." in reply_text(done)  # the clicker's: English
    told = await slack.fake.wait_for(
        lambda: [m for m in dms_to(slack, ADMIN) if "setting change" in m]
    )
    assert f"<@{A2}> confirmed your setting change" in told[0]  # the asker's DM: English
    redrawn = slack.fake.find_message(APPROVALS, card.ts)
    assert redrawn is not None and buttons(redrawn) == []
    assert f"Confirmé par <@{A2}>" in card_text(redrawn)
    assert "Confirmed by" not in card_text(redrawn)
    announced = [m.text for m in slack.fake.messages.get(APPROVALS, []) if m.ts != card.ts]
    assert any(f"<@{A2}> a confirmé le changement de réglage" in t for t in announced)


async def test_a_french_approver_is_answered_in_french_on_an_english_card(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    await slack.runtime.roles.grant(TEAM, Role.APPROVER, Subject(SubjectKind.USER, ADMIN), ADMIN)
    slack.fake.users[ADMIN].locale = "fr-FR"
    asked = reply_text(await slack.ask("policy auto-approve 50", user=ADMIN))
    assert "il attend qu’un approbateur (pas vous) le confirme" in asked
    [change] = await slack.runtime.settings_changes.pending(TEAM)
    card = slack.fake.find_message(APPROVALS, change.card_ts)
    assert card is not None and "Setting change to confirm" in card_text(card)
    own = await (await click(slack, ADMIN, CONFIRM, copy.deepcopy(card))).wait_response()
    assert "Vous avez demandé ce changement vous-même" in reply_text(own)
    slack.fake.users[MEMBER].locale = "fr-CA"
    member = await (await click(slack, MEMBER, CONFIRM, copy.deepcopy(card))).wait_response()
    assert "Seuls les approbateurs peuvent confirmer les changements de réglage" in reply_text(
        member
    )
    # An English approver confirms: the English channel's card, the French asker's DM.
    done = await (await click(slack, A1, CONFIRM, copy.deepcopy(card))).wait_response()
    assert "Confirmed: the change is applied." in reply_text(done)
    told = await slack.fake.wait_for(
        lambda: [m for m in dms_to(slack, ADMIN) if "changement de réglage" in m]
    )
    assert f"<@{A1}> a confirmé votre changement de réglage" in told[0]
    redrawn = slack.fake.find_message(APPROVALS, card.ts)
    assert redrawn is not None and f"Confirmed by <@{A1}>" in card_text(redrawn)


async def test_the_setup_modal_in_french(slack_unconfigured: Harness) -> None:
    slack = slack_unconfigured
    slack.fake.users[ADMIN].locale = "fr-FR"
    await slack.command("setup", user=ADMIN)
    modal = await filled_modal(slack.fake, ADMIN, "key_sms")
    shown = modal_text(modal)
    assert "Clés API Partner" in shown and "Vérifier et enregistrer" in shown
    assert "Collez la clé API de chaque produit" in shown and "Pas encore configurée." in shown
    delivery = await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=ADMIN, values={}
    )
    assert delivery.json["errors"] == {"key_sms": "Saisissez au moins une clé API, ou annulez."}


async def test_a_member_is_refused_setup_in_french(slack_unconfigured: Harness) -> None:
    slack = slack_unconfigured
    slack.fake.users[MEMBER].locale = "fr-FR"
    await slack.command("setup", user=MEMBER)
    refused = await modal_saying(slack.fake, MEMBER, "Seuls les administrateurs et propriétaires")
    assert "peuvent configurer les clés API Partner." in modal_text(refused)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-US,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE,fr;q=0.5,en;q=0.3", "fr"),
        ("de-DE", "en"),
        ("", "en"),
        ("fr;q=0, en", "en"),
        ("fr;q=x", "en"),
        ("FR_ca", "fr"),
    ],
)
def test_the_install_pages_language_from_accept_language(header: str, expected: str) -> None:
    assert browser_language(header) == expected


async def test_a_french_admin_types_french_commands_without_accents(slack: Harness) -> None:
    """Issue 19: the French words, typed as a French keyboard-less user would, over Slack."""
    slack.fake.users[ADMIN].locale = "fr-FR"
    listed = reply_text(await slack.ask("approbateurs liste", user=ADMIN))
    assert "Personne n’est encore approbateur" in listed
    assert "`/partner approbateurs ajouter @quelqu’un`" in listed
    empty = reply_text(await slack.ask("journal 1j", user=ADMIN))
    assert f"Rien n’a été enregistré sur la période (1{NBSP}j)." in empty
    export = reply_text(await slack.ask("JOURNAL EXPORTER 1", user=ADMIN))
    assert "aucun fichier à envoyer" in export and slack.fake.files == []
    policy = reply_text(await slack.ask("regles", user=ADMIN))
    assert "`plafond-quotidien 200|aucun`" in policy and "daily-cap" not in policy

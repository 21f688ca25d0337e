"""French and English beyond the balance, over signed HTTP: a digest and an alert in their
channel's language, the subaccount list, help and refusals in the asker's, and the French
command words end to end."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import time_machine

from bot.clock import utcnow
from bot.partner.models import Product
from bot.services.languages import Languages
from bot.services.requests import Action, Status
from bot.slack.digests.parsing import parse_subscription
from devkit.sandbox import DEMO_SMS_KEY
from tests.slack.approvals import latest_request, set_up_approvals
from tests.slack.digests import make_due, posts_in, scheduler, seed_history
from tests.slack.harness import (
    ADMIN,
    AN_ORDINARY_MORNING,
    CHANNEL,
    MEMBER,
    TEAM,
    Harness,
    reply_text,
)
from tests.slack.modals import filled_modal

NNBSP, NBSP = "\u202f", "\u00a0"
ENGLISH_CHANNEL = "C0ENGLISH"
ALERTS = "C0ALERTS"


def french(amount: str) -> str:
    """`10 225,119 €` as Babel writes it: narrow no-break spaces, a no-break space before €."""
    return amount.replace(" ", NNBSP) + NBSP + "€"


async def french_channel(h: Harness, channel_id: str = CHANNEL) -> None:
    await Languages(h.runtime.database).set(TEAM, "fr", ADMIN, channel_id)


async def week_of_spending(h: Harness) -> None:
    account = h.sandbox.accounts[DEMO_SMS_KEY]
    subs = {s.token: s.balance for s in account.subaccounts}
    await seed_history(h, Product.SMS, [account.balance + 100 * n for n in range(7, 0, -1)], subs)


# --- digests ---------------------------------------------------------------------------------


async def test_digest_now_in_a_french_channel_and_an_english_one(slack: Harness) -> None:
    slack.fake.users[ADMIN].locale = "fr-FR"
    slack.fake.add_channel(slack.team_id, ENGLISH_CHANNEL, "english")
    await french_channel(slack)
    await week_of_spending(slack)
    assert "Récapitulatif publié" in reply_text(await slack.ask("résumé maintenant", user=ADMIN))
    [digest] = posts_in(slack, CHANNEL)
    text = digest.text + json.dumps(digest.blocks, ensure_ascii=False)
    assert "Récapitulatif des soldes — " in text
    assert digest.text.startswith("Récapitulatif des soldes\u00a0: SMS Partner ")
    assert french("10 225,119") in text and "EUR" not in text
    assert "jours restants au rythme récent" in text and "*Crédit restant*" in text
    assert "45 sous-comptes · " in text and "la liste complète est dans le CSV joint" in text
    assert "*Achats*" in text and "Balance digest" not in text
    assert any(spark in text for spark in "▁▂▃▄▅▆▇█")  # the sparkline, unchanged
    [upload] = slack.fake.files
    assert upload.title.startswith("Sous-comptes ") and upload.initial_comment.startswith(
        "Le solde de chaque sous-compte"
    )
    # The same French asker in a channel nobody set: the digest is English, the reply French.
    reply = reply_text(await slack.ask("digest now", user=ADMIN, channel_id=ENGLISH_CHANNEL))
    assert "Récapitulatif publié" in reply
    [english] = posts_in(slack, ENGLISH_CHANNEL)
    shown = english.text + json.dumps(english.blocks)
    assert "Balance digest" in shown and "€10,225.119" in shown
    assert "45 subaccounts" in shown and "Récapitulatif" not in shown


async def test_a_scheduled_digest_speaks_its_channels_language(slack: Harness) -> None:
    slack.fake.add_channel(slack.team_id, ENGLISH_CHANNEL, "english")
    await french_channel(slack)
    with time_machine.travel(AN_ORDINARY_MORNING, tick=True):
        await week_of_spending(slack)
        for channel in (CHANNEL, ENGLISH_CHANNEL):
            spec = parse_subscription(["09:00", "sms"], default_zone="Europe/Paris")
            await slack.runtime.digests.subscribe(slack.team_id, channel, spec, ADMIN)
            # Due now: a run a minute back would, between 09:00 and 09:01 Paris time, compare
            # with the reading before yesterday's (the baseline is the 09:00 before the run).
            await make_due(slack, channel, utcnow())
        await scheduler(slack).run_once()
    [french_digest] = posts_in(slack, CHANNEL)
    [english_digest] = posts_in(slack, ENGLISH_CHANNEL)
    fr_text = json.dumps(french_digest.blocks, ensure_ascii=False)
    assert "Récapitulatif des soldes — " in fr_text
    assert "*Depuis le dernier récapitulatif*" in fr_text and f"-{french('100,00')}" in fr_text
    assert "Aucune demande en attente d’approbation." in fr_text
    en_text = json.dumps(english_digest.blocks)
    assert "Balance digest" in en_text and "*Since last digest*" in en_text
    assert "No request waiting for approval" in en_text
    titles = sorted(f.title or "" for f in slack.fake.files)
    assert titles[0].startswith("Sous-comptes ") and titles[1].startswith("Subaccounts ")


async def test_a_digest_preview_is_in_the_askers_language(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    text = reply_text(await slack.ask("résumé aperçu", user=MEMBER))
    assert "Récapitulatif des soldes — " in text and french("10 225,119") in text
    assert "Les demandes en attente d’approbation sont montrées" in text
    assert posts_in(slack, CHANNEL) == []


async def test_a_french_member_is_refused_a_digest_in_french(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    text = reply_text(await slack.ask("résumé maintenant", user=MEMBER))
    assert "les administrateurs et les approbateurs" in text
    assert "publier un récapitulatif dans un canal" in text
    assert posts_in(slack, CHANNEL) == []


# --- alerts ----------------------------------------------------------------------------------


async def test_an_alert_in_a_french_channel_and_its_buttons(slack: Harness) -> None:
    slack.fake.add_channel(slack.team_id, ALERTS, "alerts")
    slack.fake.users[ADMIN].locale = "fr-FR"
    await french_channel(slack, ALERTS)
    assert "seront publiées dans <#C0ALERTS>" in reply_text(
        await slack.ask("alerte canal", user=ADMIN, channel_id=ALERTS)
    )
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    sub.balance = Decimal("1.000")
    set_reply = reply_text(await slack.ask(f"alerte sous-compte {sub.email} 20", user=ADMIN))
    assert f"alerte sous {french('20,00')}" in set_reply
    reading = await slack.runtime.snapshots.read(slack.team_id, Product.SMS, "hourly")
    await scheduler(slack).check_alerts(slack.team_id, Product.SMS, reading)
    [alert] = posts_in(slack, ALERTS)
    shown = alert.text + json.dumps(alert.blocks, ensure_ascii=False)
    assert f"n’a plus que *{french('1,00')}*, sous {french('20,00')}" in shown
    assert alert.text.startswith("Solde bas\u00a0: ")
    buttons = {
        e["action_id"]: e for b in alert.blocks if b["type"] == "actions" for e in b["elements"]
    }
    assert buttons["alert_topup"]["text"]["text"] == "Demander une recharge"
    assert buttons["alert_snooze"]["text"]["text"] == "Mettre en pause 24 h"

    # The top-up form is the clicker's: an English member gets it in English.
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="alert_topup",
        value=buttons["alert_topup"]["value"],
        message=alert,
        channel_id=ALERTS,
    )
    form = await filled_modal(slack.fake, MEMBER, "amount")
    assert form.view["title"]["text"] == "Request a top-up"

    # A French admin snoozes it: the note stays in the channel's language.
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=ADMIN,
        action_id="alert_snooze",
        value=buttons["alert_snooze"]["value"],
        message=alert,
        channel_id=ALERTS,
    )
    replaced = reply_text(await click.wait_response())
    assert "en pause jusqu’à" in replaced and "snoozed" not in replaced


async def test_the_top_up_form_in_french(slack: Harness) -> None:
    slack.fake.add_channel(slack.team_id, ALERTS, "alerts")
    slack.fake.users[MEMBER].locale = "fr-FR"
    await slack.ask("alert channel", user=ADMIN, channel_id=ALERTS)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    sub.balance = Decimal("1.000")
    await slack.ask(f"alert subaccount {sub.email} 20", user=ADMIN)
    reading = await slack.runtime.snapshots.read(slack.team_id, Product.SMS, "hourly")
    await scheduler(slack).check_alerts(slack.team_id, Product.SMS, reading)
    [alert] = posts_in(slack, ALERTS)
    assert "Request top-up" in json.dumps(alert.blocks)  # a channel nobody set: English
    [top_up] = [
        e
        for b in alert.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "alert_topup"
    ]
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="alert_topup",
        value=top_up["value"],
        message=alert,
        channel_id=ALERTS,
    )
    # "Loading…" opens first; the membership check's users.info then gives the clicker's
    # language, and the form replaces it in French, once.
    form = await filled_modal(slack.fake, MEMBER, "amount")
    assert form.view["title"]["text"] == "Demander une recharge"
    assert [c.method for c in slack.fake.calls if c.method.startswith("views.")] == [
        "views.open",
        "views.update",
    ]
    view = json.dumps(form.view, ensure_ascii=False)
    assert "Montant (EUR)" in view and "Motif" in view and "Recharger *" in view
    bad = await slack.driver.submit_view(
        form, team_id=slack.team_id, user_id=MEMBER, values={"amount": {"amount": "zéro"}}
    )
    assert "12,50" in bad.json["errors"]["amount"] and "Give" not in bad.json["errors"]["amount"]


# --- lookups, help, refusals and the French words -------------------------------------------


async def test_subaccounts_for_a_french_user_and_the_next_page(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    delivery = await slack.command("sous-comptes", user=MEMBER)
    first = await delivery.wait_response()
    text = reply_text(first)
    assert "Sous-comptes SMS Partner" in text
    assert "45 sous-comptes · " in text and " au total · Page 1 sur 3" in text
    assert "subaccounts" not in text.replace("subaccounts_page", "")
    [actions] = [b for b in first.body["blocks"] if b["type"] == "actions"]
    [next_button] = actions["elements"]
    assert next_button["text"]["text"] == "Suivant ▶"
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id=next_button["action_id"],
        value=next_button["value"],
        block_id=actions["block_id"],
        response_url=delivery.response_url,
        channel_id=CHANNEL,
    )
    second = await delivery.wait_response(count=2)
    assert "Page 2 sur 3" in reply_text(second) and "◀ Précédent" in reply_text(second)


async def test_one_subaccount_for_a_french_user(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    text = reply_text(await slack.ask(f"sous-compte {sub.email}", user=MEMBER))
    assert "Sous-compte SMS Partner" in text and "*Jeton*" in text and "*Solde*" in text
    assert "n’est jamais affichée ici" in text


async def test_one_subaccount_matching_is_singular(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    text = reply_text(await slack.ask(f"sous-comptes {sub.token}", user=MEMBER))
    assert f"1 sous-compte correspondant à «\u00a0{sub.token}\u00a0»" in text
    slack.fake.users[ADMIN].locale = "en-US"
    english = reply_text(await slack.ask(f"subaccounts {sub.token}", user=ADMIN))
    assert f"1 subaccount matching “{sub.token}”" in english


async def test_solde_is_the_balance(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    text = reply_text(await slack.ask("solde", user=MEMBER))
    assert "Soldes du compte principal" in text and french("10 225,119") in text


async def test_credit_ajouter_asks_for_a_credit_move(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.users[MEMBER].locale = "fr-FR"
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    await slack.ask(f"crédit ajouter {sub.email} 12,50 recharge de mai", user=MEMBER)
    request = await latest_request(slack)
    assert (request.action, request.subaccount_token, request.amount, request.reason) == (
        Action.CREDIT_ADD,
        sub.token,
        Decimal("12.5"),
        "recharge de mai",
    )
    assert request.status is Status.PENDING
    await slack.ask(f"credit retirer {sub.email} 0,5", user=MEMBER)
    removal = await latest_request(slack)
    assert (removal.action, removal.amount) == (Action.CREDIT_REMOVE, Decimal("0.5"))


async def test_help_in_french_names_the_french_words(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    text = reply_text(await slack.ask("aide", user=MEMBER))
    assert "Partner Ops — ce que vous pouvez demander" in text
    # The usage lines themselves are French, placeholders included; the English words still work.
    usage = (
        "`/partner [produit] crédit ajouter|retirer &lt;sous-compte&gt; &lt;montant&gt; [motif…]`"
    )
    assert usage in text and "`/partner langue [fr|en] [ici]`" in text
    assert "Les mots de commande anglais marchent aussi" in text
    assert "Le détail d’un sous-compte." in text and "/partner language" not in text
    slack.fake.users[ADMIN].locale = "en-GB"
    english = reply_text(await slack.ask("help", user=ADMIN))
    assert "Partner Ops — what you can ask" in english
    assert "`/partner language [fr|en] [here]`" in english and "langue" not in english
    assert "command words" not in english and "One subaccount's details." in english


async def test_refusals_are_worded_in_the_askers_language(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    text = reply_text(await slack.ask("soldd", user=MEMBER))
    assert "Je ne connais pas `soldd`." in text
    assert "Vouliez-vous dire `/partner solde`\u00a0?" in text
    ambiguous = reply_text(await slack.ask("crédit ajouter a@b.co 12 50", user=MEMBER))
    assert "«\u00a012 50\u00a0» est ambigu" in ambiguous
    # The reason, its subcommand's usage line and where help is: not the whole help.
    assert "Syntaxe\u00a0: `/partner [produit] crédit ajouter &lt;sous-compte&gt;" in ambiguous
    assert "`/partner aide` liste toutes les commandes." in ambiguous
    assert "ce que vous pouvez demander" not in ambiguous


async def test_a_broken_digest_channel_is_reported_in_each_readers_language(
    slack: Harness,
) -> None:
    slack.fake.users[ADMIN].locale = "fr-FR"
    slack.fake.add_channel(slack.team_id, "C0GONE", "gone", is_archived=True)
    spec = parse_subscription(["09:00", "voice"], default_zone="Europe/Paris")
    await slack.runtime.digests.subscribe(slack.team_id, "C0GONE", spec, ADMIN)
    await make_due(slack, "C0GONE", utcnow() - timedelta(minutes=1))
    await scheduler(slack).run_once()
    [dm] = [m.text for m in slack.fake.messages.get(f"D{ADMIN}", [])]
    assert "n’a pas pu être publié (is_archived)" in dm
    assert "/partner récapitulatif désabonner" in dm

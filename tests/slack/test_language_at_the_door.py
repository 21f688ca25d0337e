"""The language at the door: every command and click runs in the acting user's Slack language,
learnt from the membership check's one users.info (with `include_locale`) — no call of its own —
so what is answered before a listener does anything (a typo, a refusal) speaks it too."""

from __future__ import annotations

from tests.slack.approvals import set_up_approvals
from tests.slack.harness import ADMIN, MEMBER, TEAM, Harness, reply_text
from tests.slack.modals import filled_modal

GUEST_FR = "U0INVITE"


def infos(slack: Harness) -> list[dict]:
    return [call.args for call in slack.fake.calls_to("users.info")]


async def test_a_french_users_mistyped_amount_is_answered_in_french(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    text = reply_text(await slack.ask("credit add someone@example.org 0"))
    assert "Le montant doit être supérieur à 0." in text
    assert "greater than 0" not in text
    # One users.info for the whole request: the membership check's, which asked the locale.
    assert [(args["user"], bool(args.get("include_locale"))) for args in infos(slack)] == [
        (MEMBER, True)
    ]


async def test_the_same_typo_in_english(slack: Harness) -> None:
    text = reply_text(await slack.ask("credit add someone@example.org 0"))
    assert "The amount must be greater than 0." in text


async def test_a_known_language_is_not_asked_again(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    await slack.ask("credit add someone@example.org 0")
    text = reply_text(await slack.ask("credit add someone@example.org 1,2345"))
    assert "au plus 3 décimales" in text
    # The membership is checked on every request; the locale only while not known.
    assert [bool(args.get("include_locale")) for args in infos(slack)] == [True, False]


async def test_a_guest_is_refused_in_their_language(slack: Harness) -> None:
    slack.fake.add_user(TEAM, GUEST_FR, "invite", is_restricted=True, locale="fr-FR")
    text = reply_text(await slack.ask("credit add someone@example.org 5", user=GUEST_FR))
    # Raised by the membership check, answered by the listener's error handler: both in French.
    assert "Les invités peuvent consulter les soldes" in text
    assert "Guests can" not in text
    assert len(infos(slack)) == 1


async def test_a_guests_click_is_refused_in_their_language(slack: Harness) -> None:
    slack.fake.add_user(TEAM, GUEST_FR, "invite", is_restricted=True, locale="fr-FR")
    click = await slack.driver.click(
        team_id=slack.team_id, user_id=GUEST_FR, action_id="request_approve", value="1"
    )
    assert click.status == 200 and slack.late_acks() == []
    text = reply_text(await click.wait_response())
    assert "Les invités peuvent consulter les soldes" in text


async def test_an_admin_check_reuses_the_membership_lookup(slack: Harness) -> None:
    slack.fake.users[ADMIN].locale = "fr-FR"
    await slack.ask("alert channel", user=ADMIN)
    # The membership check's users.info (with the locale) also answered "is this an admin?".
    assert [(args["user"], bool(args.get("include_locale"))) for args in infos(slack)] == [
        (ADMIN, True)
    ]


async def test_a_forms_errors_before_the_ack_speak_the_known_language(slack: Harness) -> None:
    """A form's errors are the ack itself, before any Slack call: the language is the one the
    process learnt when the same user opened the form."""
    slack.fake.users[MEMBER].locale = "fr-FR"
    await set_up_approvals(slack)
    await slack.command("subaccount create")
    modal = await filled_modal(slack.fake, MEMBER, "type")
    lookups = len(infos(slack))
    bad = await slack.driver.submit_view(
        modal,
        team_id=slack.team_id,
        user_id=MEMBER,
        values={"type": {"type": "simple"}, "credit": {"credit": "1,23456"}},
    )
    assert bad.json["response_action"] == "errors"
    assert "au plus 3 décimales" in bad.json["errors"]["credit"]
    assert len(infos(slack)) == lookups  # no Slack call to find the language


async def test_a_user_without_a_locale_is_remembered_as_english(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = ""
    assert "Main account balances" in reply_text(await slack.ask("balance"))
    # The balance's own language lookup found it known: one users.info for the request.
    assert len(infos(slack)) == 1
    assert slack.runtime.user_locales.get(TEAM, MEMBER) == "en"

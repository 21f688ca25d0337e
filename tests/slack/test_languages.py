"""English and French over signed HTTP: the balance in the asker's Slack language (users.info
with include_locale), and `/partner language fr|en [here]` for what channels see."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.partner.models import Product
from bot.services.languages import Languages, UserLocales
from bot.slack.locale import user_language
from devkit.sandbox import Fault, FaultKind
from tests.slack.harness import ADMIN, BOT_TOKEN, CHANNEL, MEMBER, TEAM, Harness, reply_text

NNBSP, NBSP = "\u202f", "\u00a0"
OTHER_CHANNEL = "C0OTHER"


async def test_balance_for_a_french_user(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    post = await slack.ask("balance")
    text = reply_text(post)
    assert post.body["response_type"] == "ephemeral"
    assert post.body["text"].startswith("Soldes\u00a0: SMS Partner ")
    assert "Soldes du compte principal" in text
    assert f"10{NNBSP}225,119{NBSP}€" in text  # the SMS demo balance, its 3 decimals kept
    assert f"2{NNBSP}480,35{NBSP}€" in text  # Mail: a 3rd decimal only when not 0
    assert f"*SMS (premium)*\\n269{NNBSP}082 messages" in text
    assert "*Solde*" in text and "Lu à l’instant chez le fournisseur." in text
    assert "Main account balances" not in text and "EUR" not in text
    lookups = [c for c in slack.fake.calls_to("users.info") if c.args.get("include_locale")]
    assert [c.args["user"] for c in lookups] == [MEMBER]


async def test_balance_for_an_english_user(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "en-GB"
    text = reply_text(await slack.ask("balance"))
    assert "Main account balances" in text
    assert "€10,225.119" in text and "€2,480.35" in text
    assert "*SMS (premium)*\\n269,082 messages" in text
    assert "Soldes" not in text


async def test_a_users_locale_is_looked_up_once_for_a_while(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    for _ in range(3):
        assert "Soldes du compte principal" in reply_text(await slack.ask("balance sms"))
    lookups = [c for c in slack.fake.calls_to("users.info") if c.args.get("include_locale")]
    assert len(lookups) == 1


async def test_a_locale_we_do_not_speak_gets_english(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "de-DE"
    assert "Main account balances" in reply_text(await slack.ask("balance"))


async def test_admin_sets_the_workspace_language(slack: Harness) -> None:
    slack.fake.users[ADMIN].locale = "fr-FR"
    text = reply_text(await slack.ask("language fr", user=ADMIN))
    assert "Les canaux de l’espace de travail reçoivent désormais Partner Ops en français" in text
    languages = Languages(slack.runtime.database)
    assert await languages.for_channel(TEAM, CHANNEL) == "fr"
    assert await languages.for_channel(TEAM, OTHER_CHANNEL) == "fr"
    async with slack.runtime.database.session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "language_set"))
    assert entry is not None and entry.actor_id == ADMIN
    assert entry.details == {"language": "fr"}


async def test_admin_sets_one_channels_language_with_here(slack: Harness) -> None:
    await slack.ask("language fr", user=ADMIN)
    text = reply_text(await slack.ask("language en here", user=ADMIN))
    assert "This channel now gets Partner Ops in English." in text
    languages = Languages(slack.runtime.database)
    assert await languages.for_channel(TEAM, CHANNEL) == "en"
    assert await languages.for_channel(TEAM, OTHER_CHANNEL) == "fr"
    # French words work too (the reply is in the asker's language, cached: still English).
    slack.fake.users[ADMIN].locale = "fr-CA"
    text = reply_text(await slack.ask("langue français ici", user=ADMIN))
    assert "This channel now gets Partner Ops in French." in text
    assert await languages.for_channel(TEAM, CHANNEL) == "fr"


async def test_anyone_sees_the_languages(slack: Harness) -> None:
    await slack.ask("language fr", user=ADMIN)
    await slack.ask("language en here", user=ADMIN, channel_id=OTHER_CHANNEL)
    text = reply_text(await slack.ask("language", user=MEMBER))
    assert "The workspace's channels get Partner Ops in French; this channel, in French." in text
    assert "Your own replies are in English" in text


async def test_a_member_may_not_set_a_language(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    text = reply_text(await slack.ask("language en", user=MEMBER))
    assert "changer la langue des canaux" in text
    assert await Languages(slack.runtime.database).for_channel(TEAM, CHANNEL) == "en"
    async with slack.runtime.database.session() as session:
        assert (
            await session.scalar(select(AuditEntry).where(AuditEntry.action == "language_set"))
            is None
        )


async def test_a_language_we_do_not_speak_is_explained(slack: Harness) -> None:
    for typed in ("language de", "language fr en", "language here now"):
        text = reply_text(await slack.ask(typed, user=ADMIN))
        assert "/partner language fr" in text, typed
    assert (await Languages(slack.runtime.database).settings(TEAM)).default is None


async def test_a_product_down_is_explained_in_french(slack: Harness) -> None:
    slack.fake.users[MEMBER].locale = "fr-FR"
    slack.sandbox.inject(Fault(FaultKind.HTML_PAGE, product=Product.SMS, times=None))
    text = reply_text(await slack.ask("balance"))
    assert "*SMS Partner*\u00a0: lecture impossible." in text
    assert "SMS Partner est injoignable pour le moment" in text
    assert "Rien n’a été modifié" in text
    assert "Soldes\u00a0: SMS Partner\u00a0: indisponible\u00a0; Mail Partner" in text


async def test_a_locale_slack_cannot_give_is_english_and_not_remembered(slack: Harness) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.fake.api_url)
    locales = UserLocales()
    assert await user_language(locales, client, TEAM, "UNOBODY") == "en"  # user_not_found
    assert locales.get(TEAM, "UNOBODY") is None
    slack.fake.users[MEMBER].locale = "fr-FR"
    slack.fake.fail("users.info", "fatal_error")
    assert await user_language(locales, client, TEAM, MEMBER) == "en"
    assert await user_language(locales, client, TEAM, MEMBER) == "fr"  # asked again
    assert locales.get(TEAM, MEMBER) == "fr"


def test_user_locales_are_forgotten_after_their_time() -> None:
    now = [1000.0]
    locales = UserLocales(ttl=60, clock=lambda: now[0])
    locales.put(TEAM, MEMBER, "fr")
    now[0] += 59
    assert locales.get(TEAM, MEMBER) == "fr"
    assert locales.get("T0OTHER", MEMBER) is None  # per workspace
    now[0] += 1
    assert locales.get(TEAM, MEMBER) is None

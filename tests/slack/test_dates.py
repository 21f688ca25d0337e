"""Times over signed HTTP. What one person reads (an ephemeral reply, their Home) is in their
Slack time zone (users.info `tz`, learnt at the door with the locale) and language; what a
channel sees is a Slack date token each viewer's Slack renders in their own zone, with a
fallback in the channel's language, in UTC, saying so."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.services.languages import Languages
from bot.services.policy import change_policy
from devkit.sandbox import SandboxSubaccount
from tests.slack.approvals import a_subaccount, card_of, card_text, latest_request, set_up_approvals
from tests.slack.approvals import sms_account as sms
from tests.slack.harness import ADMIN, MEMBER, TEAM, Harness, reply_text
from tests.slack.test_home import open_home, text_of

PARIS, NEW_YORK = "Europe/Paris", "America/New_York"
TOKEN = re.compile(r"<!date\^(\d+)\^([^|>]+)\|([^>]+)>")


def lives_in(h: Harness, user: str, zone: str, locale: str) -> None:
    h.fake.users[user].tz = zone
    h.fake.users[user].locale = locale


def add_subaccount(h: Harness, created_at: datetime) -> SandboxSubaccount:
    sub = SandboxSubaccount(
        id=9001,
        email="dated@client.example",
        type="simple",
        token="dated-token",
        api_key="dated-sub-key-0001",
        created_at=created_at,
        balance=Decimal("1.000"),
    )
    sms(h).subaccounts.append(sub)
    return sub


def local_clock(moment: datetime, zone: str) -> str:
    return f"{moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)):%H:%M}"


async def test_a_french_user_in_paris_sees_created_on_in_their_zone_and_words(
    slack: Harness,
) -> None:
    lives_in(slack, MEMBER, PARIS, "fr-FR")
    # 23:30 UTC on Saturday 20 January is already Sunday the 21st in Paris.
    add_subaccount(slack, datetime(2024, 1, 20, 23, 30))
    listed = reply_text(await slack.ask("subaccounts dated@"))
    assert "créé le 21 janvier 2024" in listed
    detail = reply_text(await slack.ask("subaccount dated@client.example"))
    assert "dimanche 21 janvier 2024 à 00:30" in detail
    assert "UTC" not in detail and "2024-01-20" not in detail


async def test_a_user_in_new_york_sees_created_on_in_theirs(slack: Harness) -> None:
    lives_in(slack, MEMBER, NEW_YORK, "en-US")
    add_subaccount(slack, datetime(2024, 1, 20, 23, 30))
    assert "created 20 January 2024" in reply_text(await slack.ask("subaccounts dated@"))
    detail = reply_text(await slack.ask("subaccount dated@client.example"))
    assert "Saturday 20 January 2024 at 18:30" in detail and "UTC" not in detail


async def test_the_next_digest_in_paris_for_a_french_admin(slack: Harness) -> None:
    lives_in(slack, ADMIN, PARIS, "fr-FR")
    text = reply_text(await slack.ask("digest subscribe 08:30 mon-fri", user=ADMIN))
    [subscription] = await slack.runtime.digests.subscriptions(slack.team_id)
    # Their own zone goes unnamed; the days in French; the next run at 08:30 their time.
    assert "08:30, lun.–ven." in text and "Europe/Paris" not in text
    assert f"à {local_clock(subscription.next_run_at, PARIS)}" in text
    assert local_clock(subscription.next_run_at, PARIS) == "08:30"
    assert "UTC" not in text and "<!date" not in text
    listed = reply_text(await slack.ask("digest list", user=ADMIN))
    assert "08:30, lun.–ven." in listed and "à 08:30" in listed


async def test_a_paris_digest_read_from_new_york(slack: Harness) -> None:
    lives_in(slack, ADMIN, NEW_YORK, "en-US")
    text = reply_text(await slack.ask("digest subscribe 08:30 Europe/Paris", user=ADMIN))
    [subscription] = await slack.runtime.digests.subscriptions(slack.team_id)
    # Not the reader's zone: named; the next run in New York's time, which is not 08:30.
    assert "08:30 Europe/Paris, every day" in text
    shown = local_clock(subscription.next_run_at, NEW_YORK)
    assert shown != "08:30"
    assert re.search(rf"Next: (today|tomorrow|\w+day \d+ \w+) at {shown}\.", text), text
    # No extra Slack call for the zone: the door's users.info told it.
    assert len(slack.fake.calls_to("users.info")) == 1


async def test_the_audit_view_is_in_the_readers_zone(slack: Harness) -> None:
    lives_in(slack, ADMIN, NEW_YORK, "fr-CA")
    await change_policy(slack.runtime.database, slack.team_id, ADMIN, expiry_hours=3)
    text = reply_text(await slack.ask("audit", user=ADMIN))
    assert re.search(r"(aujourd’hui|hier) à \d\d:\d\d · <@UADMIN>", text), text
    assert "<!date" not in text and "UTC" not in text


async def test_a_card_in_a_french_channel_carries_date_tokens(slack: Harness) -> None:
    await set_up_approvals(slack)
    await Languages(slack.runtime.database).set(TEAM, "fr", ADMIN)
    lives_in(slack, MEMBER, NEW_YORK, "en-US")
    await slack.ask(f"credit add {a_subaccount(slack).email} 50")
    request = await latest_request(slack)
    text = card_text(await card_of(slack, request.id))
    # The expiry, among the card's dates (its figures also say when they were read).
    expiry = int(request.expires_at.replace(tzinfo=UTC).timestamp())
    [(_unix, tokens, fallback)] = [t for t in TOKEN.findall(text) if int(t[0]) == expiry]
    assert all(t[1] == "{date_short_pretty} à {time}" for t in TOKEN.findall(text))
    # Slack renders the token in each viewer's zone; our words around it are the channel's.
    assert tokens == "{date_short_pretty} à {time}"
    expires = request.expires_at
    assert fallback.endswith(f"à {expires:%H:%M} UTC") and " at " not in fallback


async def test_the_home_of_a_user_in_new_york_shows_their_time(slack: Harness) -> None:
    # The Home is published from an event, not a command: the publisher learns the zone.
    await set_up_approvals(slack)
    lives_in(slack, MEMBER, NEW_YORK, "fr-FR")
    await slack.ask(f"credit add {a_subaccount(slack).email} 50")
    request = await latest_request(slack)
    home = text_of(await open_home(slack, MEMBER))
    mine = home.split("Mes demandes")[-1]
    shown, in_paris = (local_clock(request.created_at, z) for z in (NEW_YORK, PARIS))
    assert re.search(rf"(aujourd’hui|hier) à {shown} ", mine), mine
    assert f"à {in_paris}" not in mine and "UTC" not in mine and "<!date" not in mine

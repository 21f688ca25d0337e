"""`product_digest`: one product's part of a digest from what was read beside the vendor.

The history is read while the vendor is asked, so it may or may not hold the new reading's own
row already; the digest must come out the same either way, and its trends end with the new
reading (a history without it would show no spending for a day that spent).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from bot.partner.errors import Endpoint, PartnerUnavailable
from bot.partner.models import AccountUser, Product, SmsAccount, Subaccount, VoiceAccount
from bot.services.alerts import AlertConfig
from bot.services.digests import ProductDigest, ProductFacts, product_digest
from bot.services.snapshots import Reading
from bot.services.trends import Snapshot

NOW = datetime(2026, 12, 7, 8, 0)
NO_THRESHOLDS = AlertConfig(channel_id=None, thresholds=())


def account(balance: str) -> SmsAccount:
    return SmsAccount(AccountUser("reseller"), Decimal(balance), "EUR", 0, 0, 0, 0)


def sub(token: str, email: str, balance: str) -> Subaccount:
    return Subaccount(1, email, "simple", token, None, Decimal(balance), "EUR")


READING = Reading(
    Product.SMS,
    NOW,
    account("60"),
    (sub("t2", "zoe@example.com", "25"), sub("t1", "Anna@example.com", "15")),
    None,
)
"""Now: 60 on the main account, 40 on its subaccounts (100 in all)."""

DAY_BEFORE = Snapshot(NOW - timedelta(hours=24), Decimal("150"), {}, Decimal("50"))
"""200 in all a day earlier: 100 spent since."""

OWN_ROW = READING.totals
"""The new reading as history gives it once its row is written."""


def digest(recorded: list[Snapshot]) -> ProductDigest:
    return product_digest(
        ProductFacts(READING, recorded, None), NO_THRESHOLDS, zone="UTC", since=None, now=NOW
    )


def test_the_same_digest_whether_or_not_history_holds_the_reading() -> None:
    read_before_written = digest([DAY_BEFORE])
    read_after_written = digest([DAY_BEFORE, OWN_ROW])
    assert read_after_written == read_before_written
    assert read_before_written.change_since_last == Decimal("-90")  # main: 150 a day ago, 60 now
    assert read_before_written.days_left == Decimal("1.0")  # 100 spent in a day, 100 left


def test_the_trends_end_with_the_new_reading() -> None:
    # Without the new reading, one snapshot alone says nothing of spending.
    assert digest([DAY_BEFORE]).days_left is not None
    assert digest([]).days_left is None


def test_subaccounts_listed_by_email_whatever_their_case() -> None:
    assert [s.token for s in digest([]).subaccounts] == ["t1", "t2"]


def test_a_failed_reading_says_why_and_nothing_else() -> None:
    failure = PartnerUnavailable(Product.SMS, Endpoint.ME, "the vendor did not answer")
    failed = Reading(Product.SMS, NOW, None, (), failure)
    part = product_digest(
        ProductFacts(failed, [DAY_BEFORE], None), NO_THRESHOLDS, zone="UTC", since=None, now=NOW
    )
    assert part.account is None
    assert part.failure == failure.detail
    assert part.subaccounts == () and part.sparkline == ""


def test_a_product_without_subaccounts_counts_its_main_account_alone() -> None:
    voice = Reading(Product.VOICE, NOW, VoiceAccount(Decimal("40"), "EUR", None, None, 0), (), None)
    assert voice.totals.subaccount_total == Decimal(0)
    before = Snapshot(NOW - timedelta(hours=24), Decimal("60"), {}, Decimal(0))
    part = product_digest(
        ProductFacts(voice, [before], None), NO_THRESHOLDS, zone="UTC", since=None, now=NOW
    )
    assert part.subaccounts == ()
    assert part.change_since_last == Decimal("-20")
    assert part.days_left == Decimal("2.0")  # 20 spent in a day, 40 left

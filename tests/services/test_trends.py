from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from bot.services.trends import (
    SPARKS,
    Attention,
    Snapshot,
    at_or_before,
    change_since,
    daily_series,
    days_left,
    needing_attention,
    sparkline,
    spending_per_day,
    thin,
)

D = Decimal
T0 = datetime(2024, 3, 10, 12, 0)


def snap(taken_at: datetime, main: str | None, subs: dict[str, str] | None = None) -> Snapshot:
    return Snapshot(
        taken_at=taken_at,
        main_balance=None if main is None else D(main),
        subaccounts={token: D(value) for token, value in (subs or {}).items()},
    )


# Snapshot.total


def test_total_adds_main_and_subaccounts() -> None:
    assert snap(T0, "10.000", {"a": "1.5", "b": "2.251"}).total == D("13.751")


def test_total_without_subaccounts_is_main() -> None:
    assert snap(T0, "10.5").total == D("10.5")


def test_total_unknown_when_main_unknown() -> None:
    assert snap(T0, None, {"a": "1"}).total is None


# at_or_before


def test_at_or_before_picks_latest_not_after_moment_in_any_order() -> None:
    early, middle, late = (
        snap(T0, "1"),
        snap(T0 + timedelta(hours=1), "2"),
        snap(T0 + timedelta(hours=2), "3"),
    )
    shuffled = [late, early, middle]
    assert at_or_before(shuffled, T0 + timedelta(minutes=90)) is middle
    assert at_or_before(shuffled, T0 + timedelta(hours=1)) is middle  # exact moment counts
    assert at_or_before(shuffled, T0 + timedelta(days=1)) is late


def test_at_or_before_none_when_all_later_or_empty() -> None:
    assert at_or_before([snap(T0, "1")], T0 - timedelta(seconds=1)) is None
    assert at_or_before([], T0) is None


# change_since


def test_change_since_compares_with_main_balance_then() -> None:
    snapshots = [snap(T0, "100.000", {"a": "50"}), snap(T0 + timedelta(hours=2), "90.000")]
    assert change_since(snapshots, D("85.5"), T0 + timedelta(hours=1)) == D("-14.5")
    assert change_since(snapshots, D("95"), T0 + timedelta(hours=3)) == D("5")


def test_change_since_none_without_a_known_main_balance_then() -> None:
    assert change_since([snap(T0, "100")], D("1"), T0 - timedelta(hours=1)) is None
    assert change_since([snap(T0, None)], D("1"), T0) is None


# daily_series


def test_daily_series_last_snapshot_of_day_wins_and_gaps_are_none() -> None:
    end = datetime(2024, 3, 10, 18, 0)
    snapshots = [
        snap(datetime(2024, 3, 10, 9, 0), "70"),
        snap(datetime(2024, 3, 8, 20, 0), "90"),
        snap(datetime(2024, 3, 8, 8, 0), "100"),
        snap(datetime(2024, 3, 7, 23, 59), "500"),  # before the first day shown
        snap(datetime(2024, 3, 10, 19, 0), "1"),  # after `end`: not known yet at `end`
    ]
    assert daily_series(snapshots, end=end, days=3) == [D("90"), None, D("70")]


def test_daily_series_default_is_seven_days_oldest_first() -> None:
    end = datetime(2024, 3, 10, 18, 0)
    snapshots = [snap(end - timedelta(days=n), str(n)) for n in range(10)]
    assert daily_series(snapshots, end=end) == [D(n) for n in range(6, -1, -1)]


def test_daily_series_skips_unreadable_main_balance() -> None:
    end = datetime(2024, 3, 10, 18, 0)
    snapshots = [snap(datetime(2024, 3, 10, 9, 0), "70"), snap(datetime(2024, 3, 10, 10, 0), None)]
    assert daily_series(snapshots, end=end, days=2) == [None, D("70")]


def test_daily_series_uses_local_days_of_the_zone() -> None:
    snapshots = [
        snap(datetime(2024, 3, 9, 22, 0), "100"),  # 23:00 in Paris, still the 9th
        snap(datetime(2024, 3, 9, 23, 30), "80"),  # 00:30 on the 10th in Paris
    ]
    end = datetime(2024, 3, 10, 12, 0)
    assert daily_series(snapshots, end=end, days=2) == [D("80"), None]
    assert daily_series(snapshots, end=end, days=2, zone="Europe/Paris") == [D("100"), D("80")]


def test_daily_series_end_day_is_local_too() -> None:
    snapshots = [
        snap(datetime(2024, 3, 10, 22, 0), "90"),  # 23:00 on the 10th in Paris
        snap(datetime(2024, 3, 10, 23, 30), "80"),  # 00:30 on the 11th in Paris
    ]
    end = datetime(2024, 3, 10, 23, 45)  # already the 11th in Paris
    assert daily_series(snapshots, end=end, days=2, zone="Europe/Paris") == [D("90"), D("80")]
    assert daily_series(snapshots, end=end, days=2) == [None, D("80")]


# sparkline


def test_sparkline_scales_between_min_and_max() -> None:
    assert sparkline([D(n) for n in range(8)]) == SPARKS
    assert sparkline([D("10"), D("20"), D("15")]) == "▁█▅"


def test_sparkline_flat_series_is_mid_height() -> None:
    assert sparkline([D("5"), D("5.000"), D("5")]) == "▄▄▄"
    assert sparkline([D("5")]) == "▄"


def test_sparkline_gaps_are_spaces() -> None:
    assert sparkline([D("1"), None, D("8")]) == "▁ █"
    assert sparkline([None, D("3"), None]) == " ▄ "


def test_sparkline_empty_or_unknown_is_empty() -> None:
    assert sparkline([]) == ""
    assert sparkline([None, None]) == ""


# spending_per_day


def test_spending_counts_drops_around_a_top_up() -> None:
    now = T0 + timedelta(days=2)
    snapshots = [
        snap(T0, "60", {"a": "40"}),  # total 100
        snap(T0 + timedelta(hours=12), "50", {"a": "40"}),  # spent 10
        snap(T0 + timedelta(days=1), "150", {"a": "40"}),  # bought 100 from the vendor
        snap(now, "130", {"a": "40"}),  # spent 20
    ]
    result = spending_per_day(snapshots, now=now)
    assert result == D("15")
    assert str(result) == "15.000"


def test_spending_ignores_transfers_between_main_and_subaccounts() -> None:
    now = T0 + timedelta(days=1)
    snapshots = [snap(T0, "100", {"a": "0"}), snap(now, "50", {"a": "50"})]
    assert str(spending_per_day(snapshots, now=now)) == "0.000"


def test_spending_rounds_half_up_to_three_decimals() -> None:
    now = T0 + timedelta(days=3)
    snapshots = [snap(T0, "100"), snap(now, "90")]  # 10 over 3 days
    assert str(spending_per_day(snapshots, now=now)) == "3.333"
    snapshots = [snap(T0, "100"), snap(T0 + timedelta(hours=36), "90")]  # 10 over 1.5 days
    assert str(spending_per_day(snapshots, now=now)) == "6.667"


def test_spending_averages_over_covered_span_inside_window() -> None:
    now = T0 + timedelta(days=10)
    snapshots = [
        snap(T0, "1000"),  # outside the 7-day window
        snap(now - timedelta(days=2), "100"),
        snap(now - timedelta(days=1), None),  # main unreadable: no total
        snap(now, "80"),
    ]
    assert spending_per_day(snapshots, now=now) == D("10")


def test_spending_needs_two_snapshots_twelve_hours_apart() -> None:
    assert spending_per_day([], now=T0) is None
    assert spending_per_day([snap(T0, "100")], now=T0) is None
    eleven = [snap(T0 - timedelta(hours=11), "100"), snap(T0, "90")]
    assert spending_per_day(eleven, now=T0) is None
    twelve = [snap(T0 - timedelta(hours=12), "100"), snap(T0, "90")]
    assert spending_per_day(twelve, now=T0) == D("20")
    unknown = [snap(T0 - timedelta(days=1), None), snap(T0, "90")]
    assert spending_per_day(unknown, now=T0) is None


# days_left


def test_days_left_rounds_down_to_a_tenth() -> None:
    assert str(days_left(D("100"), D("3"))) == "33.3"
    assert str(days_left(D("100"), D("6"))) == "16.6"
    assert str(days_left(D("10"), D("2"))) == "5.0"


def test_days_left_none_without_spending() -> None:
    assert days_left(D("100"), None) is None
    assert days_left(D("100"), D("0")) is None
    assert days_left(D("100"), D("-1")) is None


def test_days_left_zero_when_already_empty() -> None:
    assert days_left(D("0"), D("5")) == D("0")
    assert days_left(D("-3"), D("5")) == D("0")


# needing_attention


def test_needing_attention_below_threshold_then_big_spenders() -> None:
    current = {
        "a": D("5"),
        "b": D("2"),
        "c": D("50"),
        "d": D("80"),
        "e": D("100"),
        "f": D("30"),
        "g": D("1000"),
    }
    yesterday = snap(
        T0,
        "0",
        {"a": "100", "c": "60", "d": "100", "e": "90", "f": "30", "gone": "5"},
    )
    result = needing_attention(
        current,
        yesterday=yesterday,
        thresholds={"a": D("10"), "c": D("40")},
        default_threshold=D("3"),
    )
    assert result == [
        Attention("b", D("2"), "below_threshold", threshold=D("3")),
        Attention("a", D("5"), "below_threshold", threshold=D("10")),
        Attention("d", D("80"), "big_spender", spent=D("20")),
        Attention("c", D("50"), "big_spender", spent=D("10")),
    ]


def test_needing_attention_caps_spenders() -> None:
    current = {token: D("0") for token in "abcdefg"}
    yesterday = snap(T0, "0", {token: str(n + 1) for n, token in enumerate("abcdefg")})
    result = needing_attention(current, yesterday=yesterday, thresholds={}, default_threshold=None)
    assert [a.token for a in result] == ["g", "f", "e", "d", "c"]
    result = needing_attention(
        current, yesterday=yesterday, thresholds={}, default_threshold=None, spenders=1
    )
    assert [a.token for a in result] == ["g"]
    result = needing_attention(
        current, yesterday=yesterday, thresholds={}, default_threshold=None, spenders=0
    )
    assert result == []


def test_needing_attention_threshold_is_strict_and_optional() -> None:
    current = {"a": D("10"), "b": D("1")}
    assert (
        needing_attention(
            current, yesterday=None, thresholds={"a": D("10")}, default_threshold=None
        )
        == []
    )


def test_needing_attention_without_yesterday_lists_only_low_balances() -> None:
    current = {"a": D("1"), "b": D("100")}
    result = needing_attention(current, yesterday=None, thresholds={}, default_threshold=D("5"))
    assert result == [Attention("a", D("1"), "below_threshold", threshold=D("5"))]


# thin


def _half_hourly(start: datetime, end: datetime) -> list[tuple[int, datetime]]:
    rows, moment, n = [], start, 0
    while moment <= end:
        rows.append((n, moment))
        moment += timedelta(minutes=30)
        n += 1
    return rows


def test_thin_keeps_one_per_hour_recently_and_one_per_day_before() -> None:
    now = datetime(2024, 3, 11, 0, 0)
    rows = _half_hourly(datetime(2024, 3, 1, 0, 0), datetime(2024, 3, 10, 23, 30))
    newest_id = rows[-1][0]
    doomed = thin(list(reversed(rows)), now=now)
    kept = [row for row in rows if row[0] not in set(doomed)]
    assert len(set(doomed)) == len(doomed)

    cutoff = now - timedelta(days=7)
    old = [taken for _, taken in kept if taken < cutoff]
    assert old == [datetime(2024, 3, day, 0, 0) for day in (1, 2, 3)]

    recent = [(i, taken) for i, taken in kept if taken >= cutoff]
    hours = [taken.replace(minute=0) for _, taken in recent]
    assert sorted(set(hours)) == [cutoff + timedelta(hours=h) for h in range(7 * 24)]
    firsts = [taken for _, taken in recent if taken.minute == 0]
    assert len(firsts) == 7 * 24
    # Only the newest snapshot is kept although it is not the first of its hour.
    assert [i for i, taken in recent if taken.minute != 0] == [newest_id]

    assert thin(kept, now=now) == []


def test_thin_day_straddling_the_cutoff() -> None:
    now = datetime(2024, 3, 11, 12, 0)
    rows = _half_hourly(datetime(2024, 3, 4, 0, 0), datetime(2024, 3, 4, 14, 0))
    doomed = set(thin(rows, now=now))
    kept = [taken for i, taken in rows if i not in doomed]
    assert kept == [
        datetime(2024, 3, 4, 0, 0),  # first of the day, before the cutoff
        datetime(2024, 3, 4, 12, 0),
        datetime(2024, 3, 4, 13, 0),
        datetime(2024, 3, 4, 14, 0),
    ]


def test_thin_never_deletes_the_newest_and_handles_tiny_tables() -> None:
    now = datetime(2024, 3, 11, 0, 0)
    assert thin([], now=now) == []
    assert thin([(1, now)], now=now) == []
    same_day_long_ago = [(1, datetime(2024, 1, 1, 3, 0)), (2, datetime(2024, 1, 1, 9, 0))]
    assert thin(same_day_long_ago, now=now) == []
    three = [*same_day_long_ago, (3, datetime(2024, 1, 1, 6, 0))]
    assert thin(three, now=now) == [3]

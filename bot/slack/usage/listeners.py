"""`/partner usage`: the month's statement, to the asker alone, by direct message (as the
ledger export goes). Admins and approvers: those who see spend alerts and invoice clients."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date

from bot.i18n import current_language, current_zone, times
from bot.i18n.formatting import number
from bot.services.anomalies.ledger import HOURS_KEPT
from bot.services.errors import NotAllowed
from bot.services.usage import FutureMonth, MonthNoLongerKept, Period
from bot.slack.context import SlashCommand
from bot.slack.direct import dm_channel
from bot.slack.replies import reply
from bot.slack.slack_text import escape
from bot.slack.usage import texts as text
from bot.slack.usage.parsing import UsageStatement
from bot.slack.views.reply import plain_reply, refusal_reply

LAST_DAY_TO_ASK = HOURS_KEPT.days - 31
"""The last day of the following month on which any month can still be stated whole (the 5th:
a 31-day month's opening reading is kept 36 days)."""


def _month(first: date) -> str:
    return format_date(first, "LLLL y", locale=current_language())


def _period(period: Period) -> str:
    month = _month(period.month)
    if period.to_date:
        until = times.when(period.end, period.zone)
        return text.PERIOD_TO_DATE.format(month=month, zone=period.zone, until=until)
    return text.PERIOD.format(month=month, zone=period.zone)


def _asker_zone() -> str:
    """The asker's zone, learnt at the door with their language; UTC when unknown or odd."""
    name = current_zone()
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


async def usage_statement(parsed: UsageStatement, call: SlashCommand) -> None:
    services, team_id, user_id = call.services, call.team_id, call.user_id
    if not await services.roles.is_manager(team_id, user_id, call.directory):
        raise NotAllowed(str(text.ACTION), str(text.WHO))
    zone = _asker_zone()
    try:
        statement = await services.usage.statement(
            team_id, parsed.month, zone, parsed.products, parsed.subaccount
        )
    except FutureMonth:
        assert parsed.month is not None  # the current month has always begun
        message = text.FUTURE.format(month=_month(parsed.month), zone=zone)
        await reply(call.respond, refusal_reply(message))
        return
    except MonthNoLongerKept as gone:
        old: Period = gone.args[0]
        message = text.NO_LONGER_KEPT.format(
            month=_month(old.month), days=number(HOURS_KEPT.days), by=number(LAST_DAY_TO_ASK)
        )
        await reply(call.respond, refusal_reply(message))
        return
    period = _period(statement.period)
    named = (
        text.FOR_SUBACCOUNT.format(subaccount=escape(statement.subaccount))
        if statement.subaccount
        else ""
    )
    if statement.lines == 0:
        await reply(call.respond, plain_reply(text.EMPTY.format(period=period, subaccount=named)))
        return
    month = f"{statement.period.month:%Y-%m}"
    opened = await dm_channel(call.client, user_id)
    await call.client.files_upload_v2(
        channel=opened,
        content=statement.csv,
        filename=f"partner-ops-usage-{month}.csv",
        title=text.TITLE.format(month=month),
        initial_comment=text.COMMENT.format(
            period=period,
            subaccount=named,
            lines=text.lines(statement.lines).format(lines=number(statement.lines)),
        ),
    )
    await services.audit.record(
        team_id,
        "usage_statement_sent",
        user_id,
        month=month,
        zone=zone,
        products=",".join(p.value for p in parsed.products),
        subaccount=statement.subaccount,
        to_date=statement.period.to_date or None,
    )
    await reply(call.respond, plain_reply(text.SENT.format(period=period)))

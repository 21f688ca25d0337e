"""Block Kit for recurring and automatic top-ups: the approval card, the list, the owner's DMs,
the Home lines. The card is built like a request's (header, fields, status line, buttons)."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n import _
from bot.i18n.times import when
from bot.money import format_money
from bot.services.recurring.model import KIND_AUTO, Run, RunState, Series, SeriesState, Why
from bot.services.recurring.notices import News, Told
from bot.services.recurring.schedule import Every
from bot.slack.blocks import escape, fit, pack
from bot.slack.recurring import texts as text
from bot.slack.views.reply import Reply, plain_reply

APPROVE_ACTION = "recurring_approve"
REJECT_ACTION = "recurring_reject"


def describe(series: Series) -> str:
    """`7,00 € to client05@example.com` / `up to 100,00 €` — what one run does."""
    who = escape(series.subaccount_email or series.subaccount_token)
    if series.level is not None:
        return _("up to {amount} for {email}").format(amount=format_money(series.level), email=who)
    assert series.amount is not None
    return _("{amount} to {email}").format(amount=format_money(series.amount), email=who)


def cadence(series: Series) -> str:
    if series.kind == KIND_AUTO:
        assert series.below is not None
        return str(text.WHEN_BELOW).format(below=format_money(series.below))
    assert series.frequency is not None and series.at is not None
    clock, zone = f"{series.at:%H:%M}", series.zone or "UTC"
    if series.frequency.every is Every.WEEKLY:
        assert series.frequency.weekday is not None
        weekday = str(text.WEEKDAYS[series.frequency.weekday])
        return str(text.EVERY_WEEKLY).format(weekday=weekday, time=clock, zone=zone)
    if series.frequency.every is Every.MONTHLY:
        return str(text.EVERY_MONTHLY).format(day=series.frequency.day, time=clock, zone=zone)
    return str(text.EVERY_DAILY).format(time=clock, zone=zone)


def next_runs(series: Series, now: datetime, count: int = 3) -> list[datetime]:
    if series.kind == KIND_AUTO or series.state in (SeriesState.CANCELLED, SeriesState.ENDED):
        return []
    start = max(now, series.starts_at or now)
    return [o.due_at for o in series.schedule(start).next_runs(now, count)]


def series_card(series: Series, now: datetime) -> Reply:
    header = text.AUTO_HEADER if series.kind == KIND_AUTO else text.CARD_HEADER
    fields = [
        text.FIELD_ASKER.format(user=series.created_by),
        text.FIELD_SUBACCOUNT.format(
            product=series.product.label,
            email=escape(series.subaccount_email or series.subaccount_token),
        ),
        (text.FIELD_LEVEL if series.level is not None else text.FIELD_PER_RUN).format(
            amount=format_money(series.per_run)
        ),
        text.FIELD_WHEN.format(when=cadence(series)),
    ]
    runs = next_runs(series, now)
    if runs:
        shown = "\n".join(when(r, series.zone, now=now, named=True) for r in runs)
        fields.append(text.FIELD_NEXT.format(runs=shown))
    end = series.until.isoformat() if series.until else str(text.NO_END)
    fields.append(text.FIELD_END.format(end=end))
    if series.kind == KIND_AUTO and series.monthly_max is None:
        fields.append(str(text.NO_MONTHLY_MAX))
    else:
        fields.append(text.FIELD_MONTH.format(amount=format_money(series.most_per_month)))
    fields.append(
        text.FIELD_REASON.format(reason=escape(series.reason) if series.reason else text.NO_REASON)
    )
    blocks: list = [
        HeaderBlock(text=fit(header.format(number=series.number), 150)),
        SectionBlock(fields=[MarkdownTextObject(text=fit(f, 2000)) for f in fields[:10]]),
        ContextBlock(elements=[MarkdownTextObject(text=str(text.CARD_NOTE))]),
        ContextBlock(elements=[MarkdownTextObject(text=fit(state_line(series)))]),
    ]
    if series.state is SeriesState.PENDING or series.proposed is not None:
        value = str(series.number)
        blocks.append(
            ActionsBlock(
                block_id=f"recurring_{series.number}",
                elements=[
                    ButtonElement(
                        text=str(text.APPROVE),
                        action_id=APPROVE_ACTION,
                        value=value,
                        style="primary",
                    ),
                    ButtonElement(
                        text=str(text.REJECT),
                        action_id=REJECT_ACTION,
                        value=value,
                        style="danger",
                    ),
                ],
            )
        )
    state = str(text.STATE_WORDS[series.state.value])
    fallback = text.CARD_FALLBACK.format(number=series.number, what=describe(series), state=state)
    return Reply(text=fallback, blocks=blocks)


def state_line(series: Series) -> str:
    line = {
        SeriesState.PAUSED: text.STATE_PAUSED,
        SeriesState.CANCELLED: text.STATE_CANCELLED,
        SeriesState.ENDED: text.STATE_ENDED,
    }.get(series.state)
    if series.state is SeriesState.PENDING:
        said = text.STATE_PENDING.format(count=series.approvals_needed, done=len(series.approvers))
    elif series.state is SeriesState.ACTIVE:
        who = ", ".join(f"<@{a}>" for a in series.approvers)
        said = text.STATE_ACTIVE.format(approvers=who)
    else:
        said = str(line)
    if series.proposed is not None:
        raised = ", ".join(f"{k} {v}" for k, v in series.raised_figures.items())
        said += " " + text.RAISE_WAITING.format(user=series.proposed["by"], what=escape(raised))
    return said


def run_word(run: Run) -> str:
    """A run's state as its list and the Home say it."""
    if run.state is RunState.WAITING and run.note == Why.INTERRUPTED.value:
        return str(text.RUN_TRIED_AGAIN)  # not "waiting for money"
    return str(text.RUN_WORDS[run.state.value])


def series_list(all_series: list[Series], now: datetime) -> Reply:
    if not all_series:
        return plain_reply(text.LIST_EMPTY.format(usage=text.USAGE))
    lines = []
    for series in all_series:
        last = ""
        if series.last_run is not None:
            result = run_word(series.last_run)
            last = text.LAST_RESULT.format(result=result, period=series.last_run.period)
        lines.append(
            text.LIST_LINE.format(
                number=series.number,
                state=text.STATE_WORDS[series.state.value],
                what=describe(series),
                when=cadence(series),
                last=last,
            )
        )
    chunks = pack(lines)
    return Reply(text=chunks[0], blocks=[SectionBlock(text=chunk) for chunk in chunks[:40]])


def owner_dm(series: Series, news: News) -> str:
    what = describe(series)
    why = str(text.WHY.get(news.why or "", "")) if news.why else ""
    periods = ", ".join(news.periods)
    match news.told:
        case Told.SKIPPED:
            return text.DM_SKIPPED.format(number=series.number, what=what, periods=periods, why=why)
        case Told.FAILED:
            return text.DM_FAILED.format(number=series.number, what=what, periods=periods, why=why)
        case Told.PAUSED:
            return text.DM_PAUSED.format(number=series.number, what=what, why=why)
        case Told.ENDED:
            if why:
                return text.DM_ENDED_WHY.format(number=series.number, what=what, why=why)
            return text.DM_ENDED.format(number=series.number, what=what)
        case Told.LOW_MAIN:
            assert news.amount is not None and news.main is not None
            return text.DM_LOW_MAIN.format(
                number=series.number,
                what=what,
                period=periods,
                amount=format_money(news.amount),
                product=series.product.label,
                main=format_money(news.main),
            )
    raise AssertionError(news.told)  # pragma: no cover


def home_lines(all_series: list[Series], now: datetime) -> list[str]:
    lines = []
    for series in all_series:
        if series.state is not SeriesState.ACTIVE:
            continue
        runs = next_runs(series, now, 1)
        nxt = when(runs[0], series.zone, now=now) if runs else cadence(series)
        last = (
            f"{run_word(series.last_run)} ({series.last_run.period})"
            if series.last_run is not None
            else str(text.HOME_NONE)
        )
        lines.append(
            text.HOME_LINE.format(number=series.number, what=describe(series), next=nxt, last=last)
        )
    return lines

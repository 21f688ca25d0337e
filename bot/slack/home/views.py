"""A HomeSnapshot as a Home tab view, always within Block Kit's limits, in the current
language (the publisher sets the viewer's).

Lists are cut to a few items with an "…and N more" line; the buttons on requests are the
request card's own (same action_id, same value), so the card's listeners decide them.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.i18n import _
from bot.i18n.formatting import joined, money, number
from bot.i18n.times import when
from bot.services.batches.listing import MyBatch
from bot.services.digests import Subscription
from bot.services.home import HomeSnapshot, MyRequest, ProductBalance, WorkspaceSettings
from bot.services.partner_keys import KeyStatus
from bot.services.requests import RequestSnapshot
from bot.services.roles import Subject
from bot.slack.admin.audit_views import audit_line, merged
from bot.slack.admin.views import policy_rules
from bot.slack.batches.lists import awaiting_blocks, mine_blocks
from bot.slack.blocks import escape, fit
from bot.slack.controls.views import controlled
from bot.slack.digests.views import schedule_text
from bot.slack.errors import message_for
from bot.slack.home import texts as text
from bot.slack.home.settings_edit import EDIT_ACTION
from bot.slack.mentions import channel_mention, subject_mention
from bot.slack.recurring import texts as recurring_text
from bot.slack.recurring.views import home_lines
from bot.slack.requests import texts as request_text
from bot.slack.requests.views import (
    APPROVE_ACTION,
    CANCEL_ACTION,
    MARK_DONE_ACTION,
    MARK_FAILED_ACTION,
    REJECT_ACTION,
    what,
)

MAX_VIEW_BLOCKS = 100
WAITING_SHOWN = 10
"""Each takes two blocks (the request and its buttons): 20 of the view's 100."""
SETUP_ACTION = "home_open_setup"


def home_view(home: HomeSnapshot) -> View:
    blocks: list[Block] = [HeaderBlock(text=text.TITLE)]
    if home.first_run:
        blocks += _first_run(home)
    else:
        blocks.append(_context(str(text.INTRO)))
        blocks += _balances(home.balances)
    if home.is_approver:
        blocks += _waiting(home)
    if home.controls:
        blocks += controlled(home.controls)
    blocks += _mine(home.mine, home.my_batches)
    blocks += _activity(home)
    if home.recurring:
        lines = home_lines(list(home.recurring), home.taken_at)
        blocks += [
            HeaderBlock(text=str(recurring_text.HOME_TITLE)),
            _section(fit("\n".join(lines))),
        ]
    if home.settings is not None:
        blocks += _settings(home.settings)
    assert len(blocks) <= MAX_VIEW_BLOCKS, "the Home grew past Slack's 100 blocks"
    return View(type="home", blocks=blocks)


def _section(markdown: str, **kwargs: object) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=fit(markdown)), **kwargs)  # type: ignore[arg-type]


def _context(markdown: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=fit(markdown))])


def _setup_button() -> ButtonElement:
    return ButtonElement(text=str(text.SETUP_BUTTON), action_id=SETUP_ACTION, value="setup")


def _change_button(item: str) -> ButtonElement:
    """Opens the item's form (bot.slack.home.settings_edit)."""
    return ButtonElement(text=str(text.CHANGE), action_id=EDIT_ACTION, value=item)


# --- first run ----------------------------------------------------------------------------------


def _first_run(home: HomeSnapshot) -> list[Block]:
    blocks: list[Block] = [
        _section(f"*{text.FIRST_RUN_TITLE}*\n{text.FIRST_RUN_INTRO}"),
        *(_section(str(step)) for step in text.FIRST_RUN_STEPS),
    ]
    if home.is_admin:
        blocks.append(ActionsBlock(block_id="home_first_run", elements=[_setup_button()]))
    else:
        blocks.append(_context(str(text.FIRST_RUN_MEMBER)))
    return blocks


# --- balances -----------------------------------------------------------------------------------


def _balances(balances: Sequence[ProductBalance]) -> list[Block]:
    return [HeaderBlock(text=str(text.BALANCES)), *(_section(_balance(b)) for b in balances)]


def _balance(balance: ProductBalance) -> str:
    if balance.balance is None:
        reason = message_for(balance.failure) if balance.failure is not None else "—"
        return text.BALANCE_FAILED.format(product=balance.product.label, reason=reason)
    line = text.BALANCE_LINE.format(product=balance.product.label, balance=money(balance.balance))
    if balance.stale_age is not None:
        line += text.STALE.format(seconds=number(int(balance.stale_age)))
    if balance.sparkline:
        line += text.SPARKLINE.format(sparkline=balance.sparkline)
    if balance.days_left is not None:
        line += text.DAYS_LEFT.format(days=number(balance.days_left))
    return line


# --- waiting for me -----------------------------------------------------------------------------


def _waiting(home: HomeSnapshot) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text=str(text.WAITING))]
    batches = home.waiting_batches
    batch_blocks = awaiting_blocks(batches, "home_waiting_batches") if batches else []
    if not home.waiting:
        return [*blocks, *(batch_blocks or [_context(str(text.WAITING_NONE))])]
    for request in home.waiting[:WAITING_SHOWN]:
        blocks.append(_section(_waiting_item(request)))
        blocks.append(
            ActionsBlock(
                block_id=f"home_waiting_{request.number}", elements=_waiting_buttons(request)
            )
        )
    more = len(home.waiting) - WAITING_SHOWN
    if home.waiting_capped:
        blocks.append(_context(str(text.WAITING_MORE_UNCOUNTED)))
    elif more > 0:
        blocks.append(_context(text.WAITING_MORE.format(count=number(more))))
    return blocks + batch_blocks


def _waiting_buttons(request: RequestSnapshot) -> list[ButtonElement]:
    """The card's own buttons (same action_id, same value): the card's listeners decide."""
    value = str(request.number)
    if request.needs_a_person:
        return [
            ButtonElement(
                text=str(request_text.MARK_DONE), action_id=MARK_DONE_ACTION, value=value
            ),
            ButtonElement(
                text=str(request_text.MARK_FAILED),
                action_id=MARK_FAILED_ACTION,
                value=value,
                style="danger",
            ),
        ]
    return [
        ButtonElement(
            text=_(request_text.APPROVE), action_id=APPROVE_ACTION, value=value, style="primary"
        ),
        ButtonElement(
            text=_(request_text.REJECT), action_id=REJECT_ACTION, value=value, style="danger"
        ),
    ]


def _waiting_item(request: RequestSnapshot) -> str:
    progress = ""
    if request.approvals_needed > 1:
        progress = text.WAITING_PROGRESS.format(
            done=len(request.approvers), needed=request.approvals_needed
        )
    reason = ""
    if request.reason:
        reason = text.WAITING_REASON.format(reason=fit(escape(request.reason), 300))
    if request.needs_a_person:
        reason += str(text.WAITING_UNKNOWN)
    return text.WAITING_ITEM.format(
        id=request.number,
        product=request.product.label,
        what=what(request),
        requester=request.requester_id,
        when=when(request.created_at),
        progress=progress,
        reason=reason,
    )


# --- my requests --------------------------------------------------------------------------------


def _mine(mine: Sequence[MyRequest], batches: Sequence[MyBatch]) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text=str(text.MINE))]
    if not mine:
        return [*blocks, *(mine_blocks(batches) or [_context(str(text.MINE_NONE))])]
    for item in mine:
        request = item.request
        line = text.MINE_ITEM.format(
            id=request.number,
            product=request.product.label,
            what=what(request),
            state=str(request_text.STATE_WORDS[request.status.value]),
            when=when(request.created_at),
        )
        accessory = None
        if item.cancellable:
            accessory = ButtonElement(
                text=str(text.CANCEL), action_id=CANCEL_ACTION, value=str(request.number)
            )
        blocks.append(_section(line, block_id=f"home_mine_{request.number}", accessory=accessory))
    return blocks + mine_blocks(batches)


# --- activity -----------------------------------------------------------------------------------


def _activity(home: HomeSnapshot) -> list[Block]:
    lines = [audit_line(entry) for entry in merged(home.activity)]  # one line an approval
    return [
        DividerBlock(),
        HeaderBlock(text=str(text.ACTIVITY)),
        _section("\n".join(lines)) if lines else _context(str(text.ACTIVITY_NONE)),
    ]


# --- settings (admins) --------------------------------------------------------------------------


def _settings(settings: WorkspaceSettings) -> list[Block]:
    policy = settings.policy
    return [
        DividerBlock(),
        HeaderBlock(text=str(text.SETTINGS)),
        _section(
            text.KEYS.format(lines=_keys(settings.keys)),
            accessory=_setup_button(),
        ),
        _editable(text.ADMINS.format(who=_who(settings.admins)), "admins"),
        _editable(text.APPROVERS.format(who=_who(settings.approvers)), "approvers"),
        _editable(
            text.POLICY.format(rules="\n".join(f"• {r}" for r in policy_rules(policy))),
            "policy",
        ),
        _editable(
            text.APPROVALS_CHANNEL.format(channel=_channel(settings.approvals_channel_id)),
            "approvals-channel",
        ),
        _editable(
            text.ALERTS_CHANNEL.format(channel=_channel(settings.alerts_channel_id)),
            "alerts-channel",
        ),
        _editable(text.DIGESTS.format(lines=_digests(settings.digests)), "digest"),
        _context(str(text.SETTINGS_HINT)),
    ]


def _editable(markdown: str, item: str) -> SectionBlock:
    return _section(markdown, block_id=f"home_setting_{item}", accessory=_change_button(item))


def _keys(keys: Sequence[KeyStatus]) -> str:
    if not keys:
        return str(text.KEYS_NONE)
    lines = []
    for status in keys:
        origin = str(text.KEY_FROM_ENVIRONMENT) if status.from_environment else ""
        if status.set_by:
            origin += text.KEY_SET_BY.format(user=status.set_by)
        lines.append(
            text.KEY_LINE.format(
                product=status.product.label,
                fingerprint=escape(status.fingerprint),
                origin=origin,
            )
        )
    return "\n".join(lines)


SUBJECTS_SHOWN = 20
"""Admins or approvers named on the Home before "+N"."""


def _who(subjects: Sequence[Subject]) -> str:
    shown = [subject_mention(s) for s in subjects[:SUBJECTS_SHOWN]]
    if len(subjects) > SUBJECTS_SHOWN:
        shown.append(f"+{len(subjects) - SUBJECTS_SHOWN}")
    return ", ".join(shown) or str(text.NOBODY)


def _channel(channel_id: str | None) -> str:
    return channel_mention(channel_id) if channel_id else str(text.NO_CHANNEL)


def _digests(digests: Sequence[Subscription]) -> str:
    lines = [
        text.DIGEST_LINE.format(
            channel=channel_mention(d.channel_id), schedule=escape(schedule_text(d.schedule))
        )
        for d in digests[:10]
    ]
    if len(digests) > 10:
        lines.append(f"+{len(digests) - 10}")
    return joined(lines) or str(text.DIGESTS_NONE)

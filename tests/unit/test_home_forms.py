"""The Home's Settings forms build the typed `/partner` command themselves
(bot/slack/home/settings_edit.py `command_of`): each form, filled in, is the very command the
table's parser makes of the words it stands for, and goes to that command's entry."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack.commands import CommandError
from bot.slack.home.listeners import FORMS
from bot.slack.home.settings_edit import (
    CHANNEL,
    ITEMS,
    SETTING,
    VERB,
    WHO,
    FormError,
    command_of,
)
from bot.slack.partner_command import parse


def _form(**fields: Any) -> dict[str, Any]:
    """A submitted view's state, as Slack sends it: one input per block, keyed by block id."""
    values: dict[str, Any] = {}
    for block_id, value in fields.items():
        if block_id in (VERB, SETTING):
            state = {"selected_option": {"value": value}}
        elif block_id == WHO:
            state = {"selected_user": value}
        elif block_id == CHANNEL:
            state = {"selected_conversation": value}
        else:
            state = {"value": value}
        values[block_id] = {block_id: state}
    return {"state": {"values": values}}


FILLED = [
    ("approvers", _form(verb="add", who="U1"), "approvers add <@U1>", ""),
    ("approvers", _form(verb="remove", who="U1"), "approvers remove <@U1>", ""),
    ("admins", _form(verb="add", who="U2"), "admins add <@U2>", ""),
    ("policy", _form(setting="auto-approve", value="1 000,50"), "policy auto-approve 1 000,50", ""),
    ("policy", _form(setting="expiry", value="24"), "policy expiry 24", ""),
    ("policy", _form(setting="daily-cap", value="none"), "policy daily-cap none", ""),
    ("approvals-channel", _form(channel="C1"), "approvals-channel", "C1"),
    ("alerts-channel", _form(channel="C2"), "alert channel", "C2"),
    ("digest", _form(channel="C3", verb="unsubscribe"), "digest unsubscribe", "C3"),
    ("digest", _form(channel="C3", verb="subscribe"), "digest subscribe", "C3"),
    (
        "digest",
        _form(channel="C3", verb="subscribe", schedule="09:00 Europe/Paris mon-fri all"),
        "digest subscribe 09:00 Europe/Paris mon-fri all",
        "C3",
    ),
]


@pytest.mark.parametrize(("item", "view", "typed", "channel"), FILLED)
def test_a_form_is_the_command_it_stands_for(
    item: str, view: dict[str, Any], typed: str, channel: str
) -> None:
    form = command_of(item, view)
    parsed = parse(typed)
    assert form.command == parsed.command
    assert FORMS[item] is parsed.subcommand
    assert form.channel_id == channel


def test_every_item_has_its_entry() -> None:
    assert set(FORMS) == set(ITEMS)


@pytest.mark.parametrize(
    ("item", "view", "block_id"),
    [
        ("approvers", _form(who="U1"), VERB),
        ("admins", _form(verb="add"), WHO),
        ("policy", _form(value="10"), SETTING),
        ("policy", _form(setting="requesters", value="everyone"), SETTING),  # not offered
        ("approvals-channel", _form(), CHANNEL),
        ("digest", _form(verb="subscribe"), CHANNEL),
    ],
)
def test_a_field_left_empty_is_shown_under_it(
    item: str, view: dict[str, Any], block_id: str
) -> None:
    with pytest.raises(FormError) as empty:
        command_of(item, view)
    assert empty.value.block_id == block_id


@pytest.mark.parametrize("value", ["", "lots", "1000h"])
def test_a_policy_value_is_judged_by_the_command_parser(value: str) -> None:
    """The listener shows the refusal under the value's field."""
    view = _form(setting="expiry", value=value)
    with pytest.raises(CommandError) as refused:
        command_of("policy", view)
    with pytest.raises(CommandError) as typed:
        parse(f"policy expiry {value}".strip())
    assert refused.value.message == typed.value.message

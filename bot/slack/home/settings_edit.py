"""The Home's Settings buttons: a small form per item, read as the typed `/partner` command it
stands for, so its submission takes the command's own handler (checks, four eyes, audit).

`edit_modal(item)` draws the form; `command_of(item, view)` reads a submitted one into the
typed command and the channel it acts in (`approvals-channel`, `alert channel` and `digest`
act in the channel they are typed in: here, the one chosen in the form). Only a value typed in
a text field (a policy's amount or hours, a digest's schedule) goes through the words the
command's parser reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ConversationSelectElement,
    InputBlock,
    Option,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.services.roles import Subject, SubjectKind
from bot.slack.admin.parsing import ManageRole, SetApprovalsChannel, SetPolicy, parse_policy
from bot.slack.alerts.parsing import AlertCommand
from bot.slack.blocks import fit, form_state, form_text, text_input
from bot.slack.digests.parsing import DigestCommand, DigestSubscribe
from bot.slack.home import texts as text
from bot.slack.minted import Garbled
from bot.slack.views.modal import MAX_TITLE

EDIT_ACTION = "home_edit_setting"
"""The Settings buttons; their value is the item."""
EDIT_CALLBACK = "home_edit_setting"
ITEMS = ("approvers", "admins", "policy", "approvals-channel", "alerts-channel", "digest")

VERB, WHO, SETTING, VALUE, CHANNEL, SCHEDULE = (
    "verb",
    "who",
    "setting",
    "value",
    "channel",
    "schedule",
)


class FormError(Exception):
    """A field left empty: `block_id` is where Slack shows `message`."""

    def __init__(self, block_id: str, message: str) -> None:
        super().__init__(message)
        self.block_id = block_id
        self.message = message


FormCommand = (
    ManageRole | SetPolicy | SetApprovalsChannel | AlertCommand | DigestSubscribe | DigestCommand
)


@dataclass(frozen=True, slots=True)
class Command:
    """The typed `/partner` command a form stands for, and the channel it is as if typed in."""

    command: FormCommand
    channel_id: str
    block_id: str
    """The field a refusal of the command (its parser's or its handler's) is shown under."""


def _select(block_id: str, label: object, options: dict[str, object]) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=str(label),
        element=StaticSelectElement(
            action_id=block_id,
            options=[Option(value=value, text=str(shown)) for value, shown in options.items()],
        ),
    )


def _channel(hint: object) -> InputBlock:
    return InputBlock(
        block_id=CHANNEL,
        label=str(text.CHANNEL),
        hint=str(hint),
        element=ConversationSelectElement(
            action_id=CHANNEL, filter={"include": ["public", "private"]}
        ),
    )


def edit_title(item: str) -> str:
    """The form's title, for its "Loading…" view too (a forged item: the app's name)."""
    return fit(str(text.EDIT_TITLES[item]) if item in ITEMS else "Partner Ops", MAX_TITLE)


def edit_modal(item: str) -> View:
    if item not in ITEMS:
        raise Garbled("a Home setting")
    blocks: list[InputBlock] = []
    if item in ("approvers", "admins"):
        blocks += [
            _select(VERB, text.VERB, {"add": text.ADD, "remove": text.REMOVE}),
            InputBlock(
                block_id=WHO, label=str(text.PERSON), element=UserSelectElement(action_id=WHO)
            ),
        ]
    elif item == "policy":
        blocks += [
            _select(SETTING, text.SETTING, dict(text.POLICY_SETTINGS)),
            text_input(VALUE, str(text.VALUE), max_length=40, hint=str(text.VALUE_HINT)),
        ]
    elif item == "digest":
        blocks += [
            _channel(text.CHANNEL_HINT),
            _select(
                VERB,
                text.DIGEST_ACTION,
                {"subscribe": text.SUBSCRIBE, "unsubscribe": text.UNSUBSCRIBE},
            ),
            text_input(
                SCHEDULE,
                str(text.DIGEST_SCHEDULE),
                max_length=100,
                optional=True,
                hint=str(text.DIGEST_SCHEDULE_HINT),
            ),
        ]
    else:
        blocks.append(_channel(text.CHANNEL_HINT))
    return View(
        type="modal",
        callback_id=EDIT_CALLBACK,
        private_metadata=json.dumps({"item": item}),
        title=edit_title(item),
        submit=str(text.SUBMIT),
        close=str(text.CLOSE),
        blocks=blocks,
    )


def item_of(view: dict[str, Any]) -> str:
    item = json.loads(view.get("private_metadata") or "{}").get("item")
    if item not in ITEMS:
        raise Garbled("a Home setting")
    return str(item)


def _chosen(view: dict[str, Any], block_id: str, key: str = "selected_option") -> str:
    state = form_state(view, block_id)
    chosen = state.get(key)
    value = chosen.get("value") if isinstance(chosen, dict) else chosen
    if not value:
        raise FormError(block_id, str(text.CHOOSE_ONE))
    return str(value)


def command_of(item: str, view: dict[str, Any]) -> Command:
    """The command a submitted form stands for. Raises FormError for a field left empty, and
    the policy parser's CommandError for a value it refuses."""
    match item:
        case "approvers" | "admins":
            verb = _chosen(view, VERB)
            if verb not in ("add", "remove"):
                raise FormError(VERB, str(text.CHOOSE_ONE))
            user = Subject(SubjectKind.USER, _chosen(view, WHO, "selected_user"))
            return Command(ManageRole(item.removesuffix("s"), verb, user), "", WHO)
        case "policy":
            setting = _chosen(view, SETTING)
            if setting not in text.POLICY_SETTINGS:
                raise FormError(SETTING, str(text.CHOOSE_ONE))
            # The value is typed: its grammar is the command's (amounts, "none", hours).
            parsed = parse_policy(None, [setting, *form_text(view, VALUE).split()])
            assert isinstance(parsed, SetPolicy)  # a setting was chosen
            return Command(parsed, "", VALUE)
        case "approvals-channel":
            channel = _chosen(view, CHANNEL, "selected_conversation")
            return Command(SetApprovalsChannel(), channel, CHANNEL)
        case "alerts-channel":
            channel = _chosen(view, CHANNEL, "selected_conversation")
            return Command(AlertCommand("channel"), channel, CHANNEL)
        case _:
            channel = _chosen(view, CHANNEL, "selected_conversation")
            verb = _chosen(view, VERB)
            if verb == "unsubscribe":
                return Command(DigestCommand("unsubscribe"), channel, VERB)
            # Read with the subscriber's zone by the handler, as after `digest subscribe`.
            schedule = tuple(form_text(view, SCHEDULE).split())
            return Command(DigestSubscribe(schedule), channel, SCHEDULE)

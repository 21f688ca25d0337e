"""Every command and interaction checks the member, and every modal opens first: read from the
listeners registered on a real app (bot/slack/registration.py) and from their source.

- Every listener but an event's reaches `check_member` (bot/slack/membership.py): right after
  its `await ack()`, or through `open_loading` (once its modal is open) or `ack_working` (after
  a submission's ack). Nobody has to remember a wrapper: forgetting the call fails here.
- Only bot/slack/modals.py calls `views_open`, and whoever opens a modal does not check the
  member itself: a trigger_id lives 3 s, and users.info answered 429 waits 3 s.
- Listeners take what Bolt injects by name: its own arguments or a context key
  (bot/slack/context.py `CONTEXT_KEYS`); Bolt hands None for any other name.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.kwargs_injection.async_args import AsyncArgs

from bot.slack.context import CONTEXT_KEYS
from bot.slack.registration import register_listeners
from tests.unit.source_calls import SLACK, calls, modules, qualified, reaches

CHECK_MEMBER = "bot.slack.membership.check_member"
OPEN_LOADING = "bot.slack.modals.open_loading"


async def _registered() -> list[tuple[str, Callable[..., Any]]]:
    """(kind, function) of every listener the app registers: `command`, `action`, `event`…"""
    app = AsyncApp(signing_secret="not-used", token="xoxb-not-used")
    register_listeners(app, None)
    found = []
    for listener in app._async_listeners:  # no public list; Bolt keeps them here
        [matcher] = listener.matchers
        [kind] = [cell.cell_contents for cell in matcher.func.__closure__ or ()]
        function = listener.ack_function
        found.append((kind.__qualname__.split(".")[0], function))
    return found


def _unwrapped(function: Callable[..., Any]) -> Callable[..., Any]:
    return function.func if isinstance(function, partial) else function


async def test_every_listener_that_acts_checks_the_member() -> None:
    registered = await _registered()
    acting = [qualified(_unwrapped(f)) for kind, f in registered if kind != "event"]
    assert [name for name in acting if not reaches(name, CHECK_MEMBER)] == []
    # The ones this is about, so the walk above cannot quietly find nothing.
    assert {
        "bot.slack.partner_listener.partner",
        "bot.slack.requests.deciding.approve",
        "bot.slack.requests.deciding.reject",
        "bot.slack.requests.deciding.reject_reason",
        "bot.slack.setup.listeners.submitted",
        "bot.slack.home.listeners.setting_submitted",
    } <= set(acting)
    assert {kind for kind, _ in registered} == {"command", "action", "view_submission", "event"}


async def test_events_are_not_checked_as_someone_acting() -> None:
    """The guard makes no gate for an event (nobody acts): the Home checks who opened it."""
    events = {qualified(_unwrapped(f)) for kind, f in await _registered() if kind == "event"}
    assert "bot.slack.home.listeners.home_opened" in events
    assert [name for name in events if reaches(name, CHECK_MEMBER)] == []


async def test_listeners_take_what_bolt_injects() -> None:
    bolt = set(inspect.signature(AsyncArgs.__init__).parameters) - {"self", "kwargs"}
    for _kind, function in await _registered():
        bound = set(function.keywords) if isinstance(function, partial) else set()
        wanted = set(inspect.signature(_unwrapped(function)).parameters) - bound
        assert wanted <= bolt | set(CONTEXT_KEYS), (qualified(_unwrapped(function)), wanted)


def test_only_the_modals_module_calls_views_open() -> None:
    callers = [
        str(path.relative_to(SLACK))
        for path in modules()
        if any(
            isinstance(node, ast.Attribute) and node.attr == "views_open"
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert callers == ["modals.py"]


def test_whoever_opens_a_modal_checks_only_once_it_is_open() -> None:
    opening = [
        name
        for name in calls()
        if reaches(name, OPEN_LOADING) and not name.startswith("bot.slack.modals.")
    ]
    assert [name for name in opening if CHECK_MEMBER in calls()[name]] == []
    assert {
        "bot.slack.setup.listeners.open_setup",
        "bot.slack.home.listeners.open_setup_from_home",
        "bot.slack.home.listeners.open_setting_form",
        "bot.slack.requests.deciding.reject",
        "bot.slack.requests.asking.subaccount_create",
        "bot.slack.alerts.listeners.top_up",
    } <= set(opening)
    assert CHECK_MEMBER in calls()[OPEN_LOADING]

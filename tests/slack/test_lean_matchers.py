"""The app's listeners are matched without Bolt's argument injection (bot.slack.lean_matchers),
and every one of them matches exactly what Bolt's own matcher matches."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt.listener_matcher.async_builtins import AsyncBuiltinListenerMatcher
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.db.session import Database
from bot.slack.lean_matchers import LeanMatcher
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.slack.harness import app_built_with, settings_for

FORM = {"content-type": ["application/x-www-form-urlencoded"]}
JSON = {"content-type": ["application/json"]}


def interaction(payload: dict[str, Any]) -> AsyncBoltRequest:
    return AsyncBoltRequest(body=urlencode({"payload": json.dumps(payload)}), headers=FORM)


TEAM = {"id": "T1"}
USER = {"id": "U1", "team_id": "T1"}
REQUESTS = {
    "/partner": AsyncBoltRequest(
        body=urlencode({"command": "/partner", "text": "balance", "team_id": "T1"}), headers=FORM
    ),
    "another command": AsyncBoltRequest(
        body=urlencode({"command": "/other", "text": "", "team_id": "T1"}), headers=FORM
    ),
    "app_home_opened": AsyncBoltRequest(
        body=json.dumps(
            {"type": "event_callback", "team_id": "T1", "event": {"type": "app_home_opened"}}
        ),
        headers=JSON,
    ),
    "app_uninstalled": AsyncBoltRequest(
        body=json.dumps(
            {"type": "event_callback", "team_id": "T1", "event": {"type": "app_uninstalled"}}
        ),
        headers=JSON,
    ),
}
ACTION_IDS = [
    "request_approve",
    "request_reject",
    "batch_approve",
    "subaccounts_page",
    "home_settings",
    "nothing_we_know",
]
CALLBACK_IDS = ["request_credit", "batch_rows", "nothing_we_know"]


def all_requests() -> dict[str, AsyncBoltRequest]:
    made = dict(REQUESTS)
    for action_id in ACTION_IDS:
        made[f"click {action_id}"] = interaction(
            {
                "type": "block_actions",
                "team": TEAM,
                "user": USER,
                "actions": [{"action_id": action_id, "block_id": "b", "type": "button"}],
            }
        )
    for callback_id in CALLBACK_IDS:
        for kind in ("view_submission", "view_closed"):
            made[f"{kind} {callback_id}"] = interaction(
                {
                    "type": kind,
                    "team": TEAM,
                    "user": USER,
                    "view": {"type": "modal", "callback_id": callback_id},
                }
            )
    return made


@pytest.mark.parametrize("many_workspaces", [False, True])
async def test_every_listener_matches_what_bolt_would_match_without_injection(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, many_workspaces: bool
) -> None:
    app = await app_built_with(
        settings_for(fake_slack, sandbox, database.url, many_workspaces=many_workspaces)
    )
    matchers = [m for listener in app._async_listeners for m in listener.matchers]
    assert [m for m in matchers if type(m) is AsyncBuiltinListenerMatcher] == []
    lean = [m for m in matchers if isinstance(m, LeanMatcher)]
    assert len(lean) >= len(app._async_listeners)  # each listener has its built-in one

    response = BoltResponse(status=404)
    matched_any = set()
    for name, request in all_requests().items():
        for matcher in lean:
            bolt_own = AsyncBuiltinListenerMatcher(func=matcher.func)
            expected = await bolt_own.async_matches(request, response)
            assert await matcher.async_matches(request, response) is expected, name
            if expected:
                matched_any.add(name)
    # The table reaches real listeners, not only misses.
    assert {"/partner", "click request_approve", "app_home_opened"} <= matched_any

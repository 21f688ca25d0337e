"""Which Slack answers to a results upload are tried again (Slack's trouble, its rate limit)
and which mark the place done (refused for good: sending again would not help)."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.batches.notices import worth_trying_again


def refused(status: int, error: str) -> SlackApiError:
    response = AsyncSlackResponse(
        client=None, http_verb="POST", api_url="https://slack.com/api/files.completeUploadExternal",
        req_args={}, data={"ok": False, "error": error}, headers={}, status_code=status,
    )  # fmt: skip
    return SlackApiError(error, response)


@pytest.mark.parametrize(
    ("status", "error", "again"),
    [
        (500, "internal_error", True),
        (503, "service_unavailable", True),
        (429, "ratelimited", True),
        (200, "fatal_error", True),
        (200, "request_timeout", True),
        (200, "channel_not_found", False),
        (200, "not_in_channel", False),
        (200, "is_archived", False),
        (200, "invalid_auth", False),
    ],
)
def test_which_answers_are_tried_again(status: int, error: str, again: bool) -> None:
    assert worth_trying_again(refused(status, error)) is again

"""bot.slack.mentions: an id becomes a mention only when it looks like a Slack id; anything
else is shown inert, so a stored value never pings, links or broadcasts."""

from __future__ import annotations

import pytest

from bot.services.roles import Subject, SubjectKind
from bot.slack.mentions import channel_mention, group_mention, is_slack_id, subject_mention

USER, GROUP = SubjectKind.USER, SubjectKind.USERGROUP


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        (Subject(USER, "U0123ABC"), "<@U0123ABC>"),
        (Subject(GROUP, "S0FINANCE", "finance"), "<!subteam^S0FINANCE|@finance>"),
        (Subject(GROUP, "S0FINANCE", "@finance"), "<!subteam^S0FINANCE|@finance>"),
        (Subject(GROUP, "S0FINANCE", "Finance team"), "<!subteam^S0FINANCE>"),
        (Subject(GROUP, "S0FINANCE"), "<!subteam^S0FINANCE>"),
        (Subject(USER, "<!channel>"), "`&lt;!channel&gt;`"),
        (Subject(USER, "u0123abc"), "`u0123abc`"),
    ],
)
def test_subject_mention(subject: Subject, shown: str) -> None:
    assert subject_mention(subject) == shown


@pytest.mark.parametrize(
    ("channel_id", "shown"),
    [("C0APPROVALS", "<#C0APPROVALS>"), ("<!here>", "&lt;!here&gt;"), ("#general", "#general")],
)
def test_channel_mention(channel_id: str, shown: str) -> None:
    assert channel_mention(channel_id) == shown


@pytest.mark.parametrize(
    ("group_id", "handle", "shown"),
    [
        ("S1", None, "<!subteam^S1>"),
        ("S1", "ops.team-2", "<!subteam^S1|@ops.team-2>"),
        ("S1", "ops|<!channel>", "<!subteam^S1>"),
        ("not an id", "ops", "not an id"),
    ],
)
def test_group_mention(group_id: str, handle: str | None, shown: str) -> None:
    assert group_mention(group_id, handle) == shown


@pytest.mark.parametrize(
    ("value", "is_id"),
    [("U1", True), ("C" + "0" * 31, True), ("C" + "0" * 32, False), ("U", False), ("u1", False)],
)
def test_is_slack_id(value: str, is_id: bool) -> None:
    assert is_slack_id(value) is is_id

"""Who belongs to a workspace, which payload fields must name it, what a guest may do: the
pure rules of bot.slack.membership and bot.slack.workspace_guard, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack.commands import CommandError
from bot.slack.membership import Belonging, belonging, is_admin_of, owners_of
from bot.slack.partner_command import COMMAND, SUBCOMMANDS, parse, read
from bot.slack.slack_text import from_slack
from bot.slack.workspace_guard import Workspace, foreign_claims, guest_may

T1, T2, ORG = "T0ONE", "T0TWO", "E0ORG"


def grid_user(team: str, org: str = ORG, **flags: Any) -> dict[str, Any]:
    return {"team_id": team, "enterprise_user": {"enterprise_id": org, "teams": [team]}, **flags}


@pytest.mark.parametrize(
    ("user", "enterprise", "expected"),
    [
        ({"team_id": T1}, None, Belonging.MEMBER),
        ({"team_id": T1, "is_admin": True}, None, Belonging.MEMBER),
        ({"team_id": T1, "is_restricted": True}, None, Belonging.GUEST),
        ({"team_id": T1, "is_ultra_restricted": True}, None, Belonging.GUEST),
        (None, None, Belonging.STRANGER),  # users.info: user_not_found
        ({"team_id": T1, "deleted": True}, None, Belonging.STRANGER),
        ({"team_id": T1, "is_stranger": True}, None, Belonging.STRANGER),
        ({"team_id": T2}, None, Belonging.STRANGER),  # another organisation's workspace
        ({"team_id": T2, "is_admin": True}, None, Belonging.STRANGER),
        (grid_user(T2), ORG, Belonging.MEMBER),  # a sibling workspace of the org
        (grid_user(T2, org="E0OTHER"), ORG, Belonging.STRANGER),
        (grid_user(T2), None, Belonging.STRANGER),  # we are not in that org
        (grid_user(T2, is_restricted=True), ORG, Belonging.GUEST),
        (grid_user(T2, is_stranger=True), ORG, Belonging.STRANGER),
    ],
)
def test_belonging(
    user: dict[str, Any] | None, enterprise: str | None, expected: Belonging
) -> None:
    assert belonging(user, T1, enterprise) is expected


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"team_id": T1, "is_admin": True}, True),
        ({"team_id": T1, "is_owner": True}, True),
        ({"team_id": T1, "is_primary_owner": True}, True),
        ({"team_id": T1}, False),
        (None, False),
        ({"team_id": T1, "is_admin": True, "deleted": True}, False),
        ({"team_id": T2, "is_admin": True}, False),  # their own workspace's admin, not ours
        ({"team_id": T1, "is_admin": True, "is_stranger": True}, False),
        ({"team_id": T1, "is_admin": True, "is_restricted": True}, False),
        (grid_user(T2, is_admin=True), False),  # an admin of a sibling workspace
        ({**grid_user(T2, is_admin=True), "enterprise_user": {"teams": [T2, T1]}}, True),
    ],
)
def test_admin_only_of_this_workspace(user: dict[str, Any] | None, expected: bool) -> None:
    assert is_admin_of(user, T1) is expected


HERE = Workspace(T1, None)
IN_ORG = Workspace(T1, ORG)


def command(**fields: Any) -> dict[str, Any]:
    return {"command": "/partner", "team_id": T1, "user_id": "U1", "text": "balance", **fields}


def message_click(**fields: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": T1},
        "user": {"id": "U1", "team_id": T1},
        "container": {"type": "message"},
        "actions": [{"action_id": "request_approve"}],
        **fields,
    }


def submission(team: str = T1, user_team: str = T1, **view: Any) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team},
        "user": {"id": "U1", "team_id": user_team},
        "view": {"team_id": T1, "app_installed_team_id": T1, **view},
    }


@pytest.mark.parametrize(
    ("body", "workspace", "expected"),
    [
        (command(), HERE, {}),
        (command(team_id=T2), HERE, {"team_id": T2}),
        (command(enterprise_id=ORG), IN_ORG, {}),
        (command(enterprise_id="E0OTHER"), IN_ORG, {"enterprise_id": "E0OTHER"}),
        (message_click(), HERE, {}),
        (message_click(team={"id": T2}), HERE, {"team.id": T2}),
        # A message click carries the installed workspace even for a shared channel's guest
        # from another organisation: their own team there is not enough.
        (message_click(team={"id": T2}, user={"id": "U", "team_id": T2}), HERE, {"team.id": T2}),
        (message_click(enterprise={"id": "E0OTHER"}), IN_ORG, {"enterprise.id": "E0OTHER"}),
        (
            message_click(view={"app_installed_team_id": T2}),
            HERE,
            {"view.app_installed_team_id": T2},
        ),
        (submission(), HERE, {}),
        # Slack Connect: a modal submitted from the person's own workspace.
        (submission(team=T2, user_team=T2, team_id=T2), HERE, {}),
        # The setup attack: the view says T1 while the request came through T2's install.
        (
            submission(team=T2, user_team=T2, app_installed_team_id=T2),
            Workspace(T2, None),
            {"view.team_id": T1},
        ),
        (submission(team=T2, user_team=T1), HERE, {"team.id": T2}),
        (submission(app_installed_team_id=T2), HERE, {"view.app_installed_team_id": T2}),
        (
            {**submission(), "type": "view_closed", "view": {"team_id": "T0THIRD"}},
            HERE,
            {"view.team_id": "T0THIRD"},
        ),
        # A click inside a modal is a view payload too.
        (
            {
                **message_click(team={"id": T2}, user={"id": "U", "team_id": T2}),
                "container": {"type": "view"},
            },
            HERE,
            {},
        ),
    ],
)
def test_foreign_claims(
    body: dict[str, Any], workspace: Workspace, expected: dict[str, str]
) -> None:
    assert foreign_claims(body, workspace) == expected


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("help", True),
        ("balance", True),
        ("mail balance", True),
        ("subaccounts acme", True),
        ("subaccount acme@x.example", True),
        ("requests", True),
        ("policy", True),
        ("approvers list", True),
        ("digest list", True),
        ("digest preview", True),
        ("alert list", True),
        ("no such thing", True),  # answered with the usage
        ("credit add acme 10", False),
        ("subaccount create", False),
        ("subaccount delete acme", False),
        ("approvals", False),
        ("approve 3", False),
        ("reject 3 too much", False),
        ("approuver 3", False),
        ("setup", False),
        ("approvers add <@U1>", False),
        ("policy auto-approve 50", False),
        ("audit", False),
        ("digest now", False),
        ("digest subscribe", False),
        ("alert channel", False),
        ("alert main 100", False),
        ("solde", True),
        ("sous-compte acme@x.example", True),
        ("approbateurs list", True),
        ("approbateurs add <@U1>", False),
        ("règles", True),
        ("crédit ajouter acme 10", False),
        ("journal", False),
        ("language fr", False),
    ],
)
def test_what_a_guest_may_type(text: str, allowed: bool) -> None:
    assert guest_may(*at_the_door(text)) is allowed


def at_the_door(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A command's payload and the context the door (read_command) leaves it: read once."""
    return command(text=text), {COMMAND: read(from_slack(text))}


@pytest.mark.parametrize("arguments", ["", "list", "preview", "acme 10", "<@U1>"])
def test_guest_rights_come_from_the_command_table(arguments: str) -> None:
    """Every word of the table, aliases included, says what its entry says."""
    for word in SUBCOMMANDS:
        text = f"{word} {arguments}".strip()
        try:
            parsed = parse(text)
        except CommandError:
            assert guest_may(*at_the_door(text)), text
            continue
        assert guest_may(*at_the_door(text)) is parsed.subcommand.guests(parsed.command), text


@pytest.mark.parametrize(
    ("action_id", "allowed"),
    [
        ("subaccounts_page", True),
        ("request_drop_similar", True),
        ("request_approve", False),
        ("request_reject", False),
        ("request_cancel", False),
        ("request_confirm_similar", False),
        ("alert_snooze", False),
        ("alert_topup", False),
    ],
)
def test_what_a_guest_may_click(action_id: str, allowed: bool) -> None:
    assert guest_may(message_click(actions=[{"action_id": action_id}]), {}) is allowed
    assert guest_may(submission(), {}) is False


def test_a_command_the_door_did_not_read_is_refused_to_guests() -> None:
    assert guest_may(command(text="balance"), {}) is False


def _member(user_id: str, **flags: object) -> dict[str, object]:
    return {"id": user_id, "team_id": "T1", **flags}


@pytest.mark.parametrize(
    ("members", "owners"),
    [
        ([], []),
        ([_member("U1"), _member("U2", is_admin=True)], []),
        ([_member("U1", is_owner=True), _member("U2", is_owner=True, is_primary_owner=True)],
         ["U2", "U1"]),
        ([_member("U1", is_owner=True, deleted=True)], []),
        ([_member("U1", is_owner=True, is_bot=True)], []),
        ([{"id": "U9", "team_id": "T9", "is_owner": True}], []),  # another workspace's
        ([_member("U1", is_primary_owner=True)], ["U1"]),
    ],
)  # fmt: skip
def test_owners_of_a_workspace(members: list[dict[str, object]], owners: list[str]) -> None:
    assert owners_of(members, "T1") == owners

"""views.*: modals (a trigger_id is good once, for 3 s; at most three views stacked; a hash must
match) and App Home, plus what Slack does with an app's answer to a view_submission."""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import TYPE_CHECKING, Any

from devkit.emulator.api import Call, SlackError, method_table
from devkit.emulator.blocks import fill_ids
from devkit.emulator.limits import view_problems
from devkit.emulator.records import Team, View
from devkit.emulator.world import Trigger

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

# Slack keeps at most three views in a modal stack.
MAX_STACK = 3

HANDLERS, api = method_table()


@api("views.open")
def _views_open(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("view")
    trigger = use_trigger(world, call)
    view_id = world.new_id("V")
    payload = view_payload(
        world, call.team, call.args["view"], view_id=view_id, root_view_id=view_id, previous=None
    )
    if payload["type"] != "modal":
        raise SlackError("invalid_arguments")
    world.views[view_id] = View(view_id, call.team.id, trigger.user_id, payload, "modal", view_id)
    return {"view": payload}


@api("views.push")
def _views_push(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("view")
    trigger = use_trigger(world, call)
    stack = [view for view in world.open_modals(trigger.user_id) if view.team_id == call.team.id]
    if not stack:
        raise SlackError("not_found")
    return {"view": push_view(world, stack[-1], call.args["view"]).view}


@api("views.update")
def _views_update(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("view")
    view = find_view(world, call)
    if call.args.get("hash") and call.args["hash"] != view.hash:
        raise SlackError("hash_conflict")
    replace_view(world, view, call.args["view"])
    return {"view": view.view}


@api("views.publish")
def _views_publish(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("user_id", "view")
    user = world.member(call.team, call.args["user_id"])
    home = world.home_view(user.id)
    if home is not None and call.args.get("hash") and call.args["hash"] != home.hash:
        raise SlackError("hash_conflict")
    view_id = home.id if home is not None else world.new_id("V")
    payload = view_payload(
        world, call.team, call.args["view"], view_id=view_id, root_view_id=view_id, previous=None
    )
    if payload["type"] != "home":
        raise SlackError("invalid_arguments")
    world.views[view_id] = View(view_id, call.team.id, user.id, payload, "home", view_id)
    return {"view": payload}


# ---------------------------------------------------------------------- Slack's view rules


def view_payload(
    world: SlackWorld,
    team: Team,
    sent: Any,
    *,
    view_id: str,
    root_view_id: str,
    previous: str | None,
) -> dict[str, Any]:
    if not isinstance(sent, dict) or sent.get("type") not in ("modal", "home"):
        raise SlackError("invalid_arguments")
    problems = view_problems(sent)
    if problems:
        raise SlackError("invalid_arguments", response_metadata={"messages": problems})
    payload: dict[str, Any] = {
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "state": {"values": {}},
        "title": None,
        "close": None,
        "submit": None,
        "clear_on_close": False,
        "notify_on_close": False,
    }
    payload.update(sent)
    payload.update(
        blocks=fill_ids(sent.get("blocks")),
        id=view_id,
        team_id=team.id,
        app_installed_team_id=team.id,
        bot_id=team.bot_id,
        root_view_id=root_view_id,
        previous_view_id=previous,
        hash=f"{int(time.time())}.{secrets.token_hex(4)}",
    )
    return payload


def replace_view(world: SlackWorld, view: View, sent: dict[str, Any]) -> None:
    team = world.teams.get(view.team_id) or Team(view.team_id, "", "", "", "", "")
    view.view = view_payload(
        world,
        team,
        sent,
        view_id=view.id,
        root_view_id=view.root_view_id,
        previous=view.previous_view_id,
    )


def push_view(world: SlackWorld, under: View, sent: dict[str, Any]) -> View:
    depth = sum(
        1 for v in world.views.values() if v.root_view_id == under.root_view_id and not v.closed
    )
    if depth >= MAX_STACK:
        raise SlackError("push_limit_reached")
    team = world.teams.get(under.team_id) or Team(under.team_id, "", "", "", "", "")
    view_id = world.new_id("V")
    payload = view_payload(
        world, team, sent, view_id=view_id, root_view_id=under.root_view_id, previous=under.id
    )
    view = View(
        view_id, under.team_id, under.user_id, payload, "modal", under.root_view_id, under.id
    )
    world.views[view_id] = view
    return view


def use_trigger(world: SlackWorld, call: Call) -> Trigger:
    call.require("trigger_id")
    trigger_id = str(call.args["trigger_id"])
    if trigger_id in world.used_triggers:
        raise SlackError("invalid_trigger_id")
    trigger = world.triggers.get(trigger_id)
    if trigger is None:
        # Not issued by this fake (a test wrote its own): usable once, user unknown.
        trigger = Trigger(None, call.team.id, world.clock())
    elif world.trigger_ttl is not None and world.clock() - trigger.issued_at > world.trigger_ttl:
        raise SlackError("expired_trigger_id")
    world.used_triggers.add(trigger_id)
    return trigger


def find_view(world: SlackWorld, call: Call) -> View:
    view_id, external_id = call.args.get("view_id"), call.args.get("external_id")
    if not view_id and not external_id:
        call.require("view_id")
    for view in world.views.values():
        if view.team_id != call.team.id or view.closed:
            continue
        if (view_id and view.id == view_id) or (
            external_id and view.view.get("external_id") == external_id
        ):
            return view
    raise SlackError("not_found")


def apply_submission_ack(world: SlackWorld, view_id: str, ack: Any) -> None:
    """Do what Slack does with an app's answer to a view_submission: close the view (empty
    ack), or apply its response_action (errors, update, push, clear)."""
    view = world.views.get(view_id)
    if view is None:
        return
    action = ack.get("response_action") if isinstance(ack, dict) else None
    view.errors = {}
    if action == "errors":
        view.errors = dict(ack.get("errors") or {})
    elif action == "update":
        with contextlib.suppress(SlackError):  # an invalid view: Slack shows an error
            replace_view(world, view, ack.get("view") or {})
    elif action == "push":
        with contextlib.suppress(SlackError):  # a full stack: Slack shows an error
            push_view(world, view, ack.get("view") or {})
    elif action == "clear":
        for other in world.views.values():
            if other.root_view_id == view.root_view_id:
                other.closed = True
    else:
        view.closed = True

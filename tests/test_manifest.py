"""The Slack manifest asks for what the app serves and the scopes of every Web API method the
code calls, and the Procfile runs what exists.

The scopes are checked twice: statically here (every `client.<method>(` in bot/ against the
emulator's method → scope table), and at run time by the whole Slack suite, where the emulated
workspace is granted exactly the manifest's bot scopes and a call without its scope answers
missing_scope."""

from __future__ import annotations

import inspect
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import yaml
from slack_sdk.web.async_client import AsyncWebClient

from bot.__main__ import build_parser
from bot.app import EVENTS_PATH, REDIRECT_PATH
from bot.config import DEFAULT_BOT_SCOPES
from devkit.emulator.api import METHOD_SCOPES, NO_SCOPE
from devkit.emulator.handlers import HANDLERS

ROOT = Path(__file__).resolve().parents[1]
# slack_sdk client methods: chat_postMessage, files_upload_v2, usergroups_users_list, ...
_CLIENT_CALL = re.compile(
    r"\.((?:auth|chat|conversations|files|usergroups|users|views|team|reactions|pins|bots)"
    r"_[A-Za-z0-9_]+)\("
)


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_slash_command_and_urls_match_the_app() -> None:
    data = manifest()
    [command] = data["features"]["slash_commands"]
    assert command["command"] == "/partner"
    assert command["should_escape"] is True
    settings = data["settings"]
    urls = [
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert {urlparse(url).path for url in urls} == {EVENTS_PATH}
    assert {urlparse(u).path for u in data["oauth_config"]["redirect_urls"]} == {REDIRECT_PATH}
    assert settings["interactivity"]["is_enabled"] is True


def test_events_scopes_and_home_tab() -> None:
    data = manifest()
    # Subscribed to exactly the events the app listens for.
    # As a decorator (`@app.event("x")`) or called (`app.event("x")(listener)`).
    listened = set(re.findall(r'\bapp\.event\("(\w+)"\)', _bot_source()))
    assert (
        set(data["settings"]["event_subscriptions"]["bot_events"])
        == listened
        == {
            "app_uninstalled",
            "tokens_revoked",
            "app_home_opened",
            "subteam_members_changed",
            "subteam_updated",
        }
    )
    assert set(data["oauth_config"]["scopes"]["bot"]) == set(DEFAULT_BOT_SCOPES)
    assert data["features"]["app_home"]["home_tab_enabled"] is True


def test_the_messages_tab_shows_the_apps_dms_read_only() -> None:
    app_home = manifest()["features"]["app_home"]
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is True


@cache
def api_methods(client_method: str) -> frozenset[str]:
    """The Web API methods a slack_sdk client method calls (files_upload_v2 calls two)."""
    source = inspect.getsource(getattr(AsyncWebClient, client_method))
    found = set(re.findall(r'api_call\(\s*"([\w.]+)"', source))
    for inner in set(re.findall(r"self\.(\w+_\w+)\(", source)) - {client_method}:
        if callable(getattr(AsyncWebClient, inner, None)) and not inner.startswith("_"):
            found |= api_methods(inner)
    return frozenset(found)


def called_methods() -> dict[str, set[str]]:
    """Web API method → the files of bot/ that call it (the emulator, being Slack, aside)."""
    called: dict[str, set[str]] = {}
    for path in (ROOT / "bot").rglob("*.py"):
        if "emulator" in path.parts:
            continue
        for client_method in _CLIENT_CALL.findall(path.read_text()):
            for method in api_methods(client_method):
                called.setdefault(method, set()).add(str(path.relative_to(ROOT)))
    return called


def test_the_scan_finds_the_calls_the_code_makes() -> None:
    assert api_methods("files_upload_v2") == {
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    }
    called = called_methods()
    assert {"chat.postMessage", "conversations.info", "views.open", "users.info"} <= set(called)


def test_the_manifest_has_the_scope_of_every_method_the_code_calls() -> None:
    granted = set(manifest()["oauth_config"]["scopes"]["bot"])
    called = called_methods()
    unknown = set(called) - set(METHOD_SCOPES) - NO_SCOPE
    assert not unknown, f"add these methods to the emulator's METHOD_SCOPES: {unknown}"
    assert set(called) <= set(HANDLERS), "the emulator must answer every method the code calls"
    needed: dict[str, str] = {}
    for method in set(called) & set(METHOD_SCOPES):
        kinds = dict(METHOD_SCOPES[method])
        if method == "conversations.open":
            # The code opens 1:1 DMs only: see test_dms_are_opened_with_one_user.
            kinds = {"im": kinds["im"]}
        # Commands may be typed in any kind of conversation: every kind's scope is needed.
        needed |= {scope: method for scope in kinds.values()}
    missing = {scope: method for scope, method in needed.items() if scope not in granted}
    assert missing == {}
    # and nothing asked for that no call needs, but `commands` (the slash command)
    assert granted - set(needed) == {"commands"}


def test_dms_are_opened_with_one_user() -> None:
    for path in (ROOT / "bot").rglob("*.py"):
        if "emulator" in path.parts:
            continue
        for arguments in re.findall(r"conversations_open\(([^)]*)\)", path.read_text()):
            assert re.fullmatch(r"users=[\w.]+", arguments.strip()), (path, arguments)


def test_procfile_runs_existing_commands() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for line in (ROOT / "Procfile").read_text().splitlines():
        _kind, command = line.split(":", 1)
        words = command.split()
        assert words[:3] == ["python", "-m", "bot"], line
        assert words[3] in commands, line
    kinds = {line.split(":")[0] for line in (ROOT / "Procfile").read_text().splitlines()}
    assert {"release", "web", "worker"} <= kinds


def _bot_source() -> str:
    return "\n".join(p.read_text() for p in sorted((ROOT / "bot").rglob("*.py")))

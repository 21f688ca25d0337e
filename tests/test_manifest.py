"""The Slack manifest asks for what the app serves, and the Procfile runs what exists."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import yaml

from bot.__main__ import build_parser
from bot.app import EVENTS_PATH, REDIRECT_PATH
from bot.config import DEFAULT_BOT_SCOPES

ROOT = Path(__file__).resolve().parents[1]


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
    assert set(data["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_uninstalled",
        "tokens_revoked",
        "app_home_opened",
    }
    assert set(data["oauth_config"]["scopes"]["bot"]) == set(DEFAULT_BOT_SCOPES)
    assert data["features"]["app_home"]["home_tab_enabled"] is True


def test_procfile_runs_existing_commands() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for line in (ROOT / "Procfile").read_text().splitlines():
        _kind, command = line.split(":", 1)
        words = command.split()
        assert words[:3] == ["python", "-m", "bot"], line
        assert words[3] in commands, line
    kinds = {line.split(":")[0] for line in (ROOT / "Procfile").read_text().splitlines()}
    assert {"release", "web", "worker"} <= kinds

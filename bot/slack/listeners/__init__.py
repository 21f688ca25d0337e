"""One registration point: each listener group registers itself on the app."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.runtime import Runtime
from bot.slack.home import listeners as home
from bot.slack.listeners import (
    alerts,
    decisions,
    events,
    partner_command,
    requesting,
    settings_changes,
    setup,
    subaccounts,
)


def register_listeners(
    app: AsyncApp, runtime: Runtime, installation_store: AsyncInstallationStore | None
) -> None:
    partner_command.register(app, runtime)
    setup.register(app, runtime)
    subaccounts.register(app, runtime)
    requesting.register(app, runtime)
    decisions.register(app, runtime)
    settings_changes.register(app, runtime)
    alerts.register(app, runtime)
    events.register(app, runtime, installation_store)
    home.register(app)

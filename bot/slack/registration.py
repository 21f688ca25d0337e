"""One registration point: each feature registers its listeners on the app.

Part of the wiring: the requests listeners (bot.slack.listeners.requesting, decisions) still
take the process's Runtime until they become plain functions like the others.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.runtime import Runtime
from bot.slack import partner_command
from bot.slack.admin import change_listeners
from bot.slack.alerts import listeners as alerts
from bot.slack.events import listeners as events
from bot.slack.listeners import decisions, requesting
from bot.slack.lookups import listeners as lookups
from bot.slack.setup import listeners as setup


def register_listeners(
    app: AsyncApp, runtime: Runtime, installation_store: AsyncInstallationStore | None
) -> None:
    partner_command.register(app)
    setup.register(app)
    lookups.register(app)
    requesting.register(app, runtime)
    decisions.register(app, runtime)
    change_listeners.register(app)
    alerts.register(app)
    events.register(app, installation_store)

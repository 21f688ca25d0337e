"""One registration point: each feature registers its listeners on the app.

Listeners are plain functions; what they use comes from the context (bot.slack.context).
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.slack import partner_listener
from bot.slack.admin import change_listeners
from bot.slack.alerts import listeners as alerts
from bot.slack.anomalies import listeners as anomalies
from bot.slack.batches import listeners as batches
from bot.slack.controls import listeners as controls
from bot.slack.home import listeners as home
from bot.slack.lookups import listeners as lookups
from bot.slack.recurring import listeners as recurring
from bot.slack.requests import listeners as requests
from bot.slack.setup import listeners as setup
from bot.slack.workspace_events import listeners as workspace_events


def register_listeners(app: AsyncApp, installation_store: AsyncInstallationStore | None) -> None:
    partner_listener.register(app)
    setup.register(app)
    lookups.register(app)
    requests.register(app)
    change_listeners.register(app)
    alerts.register(app)
    anomalies.register(app)
    recurring.register(app)
    batches.register(app)
    home.register(app)
    controls.register(app)
    workspace_events.register(app, installation_store)

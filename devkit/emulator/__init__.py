"""A local emulator of Slack for tests and the terminal console: a fake Web API (`FakeSlack`,
which apps may also reach over Socket Mode), a driver sending the app what Slack sends
(`SlackDriver`, over HTTP or Socket Mode) and a Block Kit renderer."""

from bot.devkit.emulator.api import SlackError
from bot.devkit.emulator.driver import Delivery, SlackDriver
from bot.devkit.emulator.gates import Gate
from bot.devkit.emulator.records import (
    ApiCall,
    Channel,
    Envelope,
    Message,
    ResponseUrlPost,
    Team,
    UploadedFile,
    User,
    View,
)
from bot.devkit.emulator.render import Button, Rendered, mrkdwn_to_text, render_message, render_view
from bot.devkit.emulator.server import FakeSlack
from bot.devkit.emulator.socket_mode import SocketConnection
from bot.devkit.emulator.world import SlackWorld

__all__ = [
    "ApiCall",
    "Button",
    "Channel",
    "Delivery",
    "Envelope",
    "FakeSlack",
    "Gate",
    "Message",
    "Rendered",
    "ResponseUrlPost",
    "SlackDriver",
    "SlackError",
    "SlackWorld",
    "SocketConnection",
    "Team",
    "UploadedFile",
    "User",
    "View",
    "mrkdwn_to_text",
    "render_message",
    "render_view",
]

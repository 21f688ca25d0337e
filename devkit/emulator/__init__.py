"""A local emulator of Slack for tests and the terminal console: a fake Web API (`FakeSlack`,
which apps may also reach over Socket Mode), a driver sending the app what Slack sends
(`SlackDriver`, over HTTP or Socket Mode) and a Block Kit renderer."""

from devkit.emulator.api import SlackError
from devkit.emulator.driver import Delivery, SlackDriver
from devkit.emulator.gates import Gate
from devkit.emulator.records import (
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
from devkit.emulator.render import Button, Rendered, mrkdwn_to_text, render_message, render_view
from devkit.emulator.server import FakeSlack
from devkit.emulator.socket_mode import SocketConnection
from devkit.emulator.world import SlackWorld

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

"""The Web API methods the fake Slack answers, one module per API family."""

from devkit.emulator.api import Handler
from devkit.emulator.handlers import auth, chat, conversations, files, users, views

HANDLERS: dict[str, Handler] = {
    **auth.HANDLERS,
    **chat.HANDLERS,
    **conversations.HANDLERS,
    **files.HANDLERS,
    **users.HANDLERS,
    **views.HANDLERS,
}

__all__ = ["HANDLERS"]

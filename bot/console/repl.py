"""The console's read-print loop, and its one-shot mode (`-c`)."""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.config import Settings
from bot.console.session import ConsoleSession

QUIT = {"quit", "exit", "q", ":q"}


async def run_console(settings: Settings, *, one_shot: str | None = None) -> int:
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # The console shows Slack's view of things; routine logs would drown it.
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
    session = await ConsoleSession.start(settings)
    try:
        if one_shot is not None:
            output = await session.run_line(one_shot)
            print(output)
            return 0 if output.strip() else 1
        print(session.banner())
        while True:
            try:
                line = await asyncio.to_thread(input, "\n" + session.prompt())
            except EOFError:
                break
            if line.strip().lower() in QUIT:
                break
            print(await session.run_line(line))
        return 0
    finally:
        await session.close()
        sys.stdout.flush()

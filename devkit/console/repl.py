"""The console's read-print loop, and its one-shot mode (`-c`)."""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.config import Settings
from devkit.console.session import ConsoleSession

QUIT = {"quit", "exit", "q", ":q"}


async def run_console(settings: Settings, *, one_shot: str | None = None) -> int:
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # The console shows Slack's view of things; routine logs would drown it.
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
    session = await ConsoleSession.start(settings)
    try:
        if one_shot is not None:
            for notice in session.notices:
                print(notice, file=sys.stderr)
            output = await session.run_line(one_shot)
            print(output)
            # Non-zero when the app refused or failed what was asked, or did not answer.
            return 1 if session.refused or not output.strip() else 0
        print(session.banner())
        for notice in session.notices:
            print(notice)
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

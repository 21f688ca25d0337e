"""The console's read-print loop, and its one-shot mode (`-c`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from bot.config import Settings
from devkit.console import texts
from devkit.console.session import ConsoleSession

QUIT = {"quit", "exit", "q", ":q"}
CLOSE_SECONDS = 10.0

ONE_SHOT_SECONDS = 60.0
"""How long `-c` may take in all (start, the command, closing) before it gives up, exit 1.

`console -c hello` once ran for 622 s: with Partner keys in the environment for a vendor
whose name did not resolve, the scheduler's first round (started with the app) was reading
every product; closing cancelled it in the middle, and the process then waited on the round's
tasks (aiohttp's shielded name lookups, SQLAlchemy's shielded close of a connection) long
after the answer was printed. A one-shot now runs no scheduler, and whatever else may hang
(a database lock, a vendor that does not answer) ends at this deadline.
"""


async def run_console(
    settings: Settings, *, one_shot: str | None = None, deadline: float = ONE_SHOT_SECONDS
) -> int:
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # The console shows Slack's view of things; routine logs would drown it.
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if one_shot is not None:
        return await _one_shot(settings, one_shot, deadline)
    session = await ConsoleSession.start(settings)
    try:
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


class _Unwaited(ThreadPoolExecutor):
    """The one-shot's blocking calls (name lookups), each on a daemon thread of its own, which
    nothing waits for at exit. With the loop's default executor, a process that gave up at its
    deadline still waited, before exiting, for each lookup a resolver had not answered yet
    (seconds each). (asyncio takes only a ThreadPoolExecutor; its pool is never used.)"""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as error:  # handed to whoever awaits it, as an executor does
                future.set_exception(error)

        threading.Thread(target=run, name="one-shot-call", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass  # nothing to wait for: see above


async def _one_shot(settings: Settings, line: str, deadline: float) -> int:
    """One command, then exit: 0 when answered; 1 when refused, unanswered, or not done within
    `deadline` seconds (saying what was under way)."""
    asyncio.get_running_loop().set_default_executor(_Unwaited())
    doing = texts.DOING_START
    session: ConsoleSession | None = None
    try:
        async with asyncio.timeout(deadline):
            session = await ConsoleSession.start(settings, scheduler=False)
            for notice in session.notices:
                print(notice, file=sys.stderr)
            doing = texts.DOING_COMMAND
            output = await session.run_line(line)
            print(output, flush=True)
            # Non-zero when the app refused or failed what was asked, or did not answer.
            failed = session.refused or not output.strip()
            doing = texts.DOING_CLOSE
            closing, session = session, None
            await closing.close()
    except TimeoutError:
        print(texts.ONE_SHOT_TIMEOUT.format(seconds=f"{deadline:g}", doing=doing), file=sys.stderr)
        return 1
    finally:
        if session is not None:  # a timeout or an error before closing: close, bounded too
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_SECONDS):
                    await session.close()
        sys.stdout.flush()
    return 1 if failed else 0

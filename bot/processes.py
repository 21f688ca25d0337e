"""`serve --processes N`: N `serve` processes sharing one port, the way to use every core.

Why N processes of our own on `SO_REUSEPORT` rather than gunicorn with aiohttp's
GunicornWebWorker: `serve` is more than an aiohttp app — it opens the runtime (database pool,
Partner transports), runs maintenance beside the HTTP site, and on SIGTERM drains in a set
order (stop listening, finish requests and listeners, end the round under way, close). A
gunicorn worker would bypass that (`serve`'s start and stop become gunicorn's), bring a
second way to configure the process (gunicorn's flags beside our settings), and one more
dependency in the lock. With `SO_REUSEPORT` (Linux ≥ 3.9) the kernel spreads connections over
the processes listening on the port; each child is the same `python -m bot serve` as with
one process, so nothing about a request differs.

The parent only supervises: it starts the children, passes SIGTERM/SIGINT on to them (each
drains as `serve` does) and exits when they have; a child that dies on its own makes the parent
stop the others and exit 1, so the platform restarts the whole group instead of serving on
with fewer processes than asked. On SQLite, where `serve` also runs the scheduler, only the
first child does (any number would still post each digest once: fewer rounds is all).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from types import FrameType

log = logging.getLogger(__name__)

CHILD = "PARTNER_OPS_PROCESS_INDEX"
"""Set by the parent in each child's environment: its index in the group (0 first)."""

POLL_SECONDS = 0.2
STOP_SECONDS = 30.0
"""How long the parent waits for the children after passing SIGTERM on (each drains 10 s)."""


def child_index() -> int | None:
    """This process's index when started by `serve --processes`, else None."""
    value = os.environ.get(CHILD)
    return int(value) if value is not None and value.isdigit() else None


def run_group(count: int) -> int:
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    children = [_start(index) for index in range(count)]
    log.info("serve: %d processes on one port (SO_REUSEPORT)", count)
    exit_code = 0
    while not stopping:
        died = [(n, c.returncode) for n, c in enumerate(children) if c.poll() is not None]
        if died:
            index, code = died[0]
            log.error("serve process %d exited (%s): stopping the others", index, code)
            exit_code = 1
            break
        time.sleep(POLL_SECONDS)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            code = child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            code = child.wait()
        if code != 0 and not exit_code:
            exit_code = 1
    return exit_code


def _start(index: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, CHILD: str(index), "WEB_PROCESSES": "1"}
    return subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env)

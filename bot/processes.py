"""`serve --processes N`: N `serve` processes sharing one port, the way to use every core.

Why N processes of our own on `SO_REUSEPORT` rather than gunicorn with aiohttp's
GunicornWebWorker: `serve` is more than an aiohttp app — it opens the runtime (database pool,
Partner transports), runs maintenance beside the HTTP site, and on SIGTERM drains in a set
order (stop listening, finish requests and listeners, end the round under way, close). A
gunicorn worker would bypass that (`serve`'s start and stop become gunicorn's), bring a
second way to configure the process (gunicorn's flags beside our settings), and one more
dependency in the lock. With `SO_REUSEPORT` (Linux ≥ 3.9) the kernel spreads connections over
the processes listening on the port; each child runs the same `serve` entry point as one
process does, so nothing about a request differs.

Each child is forked from the parent once the parent has imported the app, as gunicorn's
`--preload` does: a child starts in a fraction of the second a fresh `python -m bot serve` spends
importing, which is most of a restart's time, and the imported code's pages are shared. The
parent has no event loop running, no thread and no open connection when it forks (`prepare`
ran and closed its own before), so a child holds nothing of the parent's but the code.

The parent only supervises: it starts the children, passes SIGTERM/SIGINT on to them (each
drains as `serve` does) and exits when they have; a child that dies on its own makes the parent
stop the others and exit 1, so the platform restarts the whole group instead of serving on
with fewer processes than asked. On SQLite, where `serve` also runs the scheduler, only the
first child does (any number would still post each digest once: fewer rounds is all).
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import time
import traceback
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


COLLECT_YOUNG_EVERY = 50_000
"""Objects allocated (net) between two collections of the youngest generation; Python's
default is 700. A page of 20 subaccounts allocates hundreds, so a digest round (20 workspaces
of 1,000) ran about 60 young, 5 middle and half a full collection, 80–90 ms of its 0.7 s of
CPU, each pass walking the round's rows again while they were still alive (`bench digest`).
Almost everything the app allocates is freed by its reference count; what only a collection
frees (cycles, such as an exception and its traceback) now waits a little longer."""
OLDER_GENERATIONS_EVERY = 20
"""Collections of a generation between two of the next (Python's default: 10)."""


def settle_garbage_collection() -> int:
    """Once the process is up: everything alive (the imported code, the app, its listeners
    and pools) lives until it stops, so it is frozen out of every later garbage collection,
    whose full passes otherwise walk all of it again, a pause of tens of milliseconds in the
    middle of whatever the process is answering; and collections come less often
    (`COLLECT_YOUNG_EVERY`). Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(COLLECT_YOUNG_EVERY, OLDER_GENERATIONS_EVERY, OLDER_GENERATIONS_EVERY)
    return gc.get_freeze_count()


def run_group(count: int) -> int:
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    # What the parent imported lives as long as the children do: frozen before the fork, it is
    # left out of their garbage collections, which then neither walk it again nor write to its
    # pages (so copy-on-write keeps them shared), as Python's `gc.freeze` documentation advises.
    frozen = settle_garbage_collection()
    children = [_start(index) for index in range(count)]
    log.info(
        "serve: %d processes on one port (SO_REUSEPORT), %d imported objects shared and "
        "frozen out of their garbage collections",
        count,
        frozen,
    )
    exit_code = 0
    codes: dict[int, int] = {}
    while not stopping:
        died = [(n, pid) for n, pid in enumerate(children) if _ended(pid, codes)]
        if died:
            index, pid = died[0]
            log.error("serve process %d exited (%s): stopping the others", index, codes[pid])
            exit_code = 1
            break
        time.sleep(POLL_SECONDS)
    for pid in children:
        if not _ended(pid, codes):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for pid in children:
        while not _ended(pid, codes) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not _ended(pid, codes):
            os.kill(pid, signal.SIGKILL)
            codes[pid] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if codes[pid] != 0 and not exit_code:
            exit_code = 1
    return exit_code


def _ended(pid: int, codes: dict[int, int]) -> bool:
    """Whether child `pid` has exited (reaped once; its code kept in `codes`)."""
    if pid in codes:
        return True
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0:
        return False
    codes[pid] = os.waitstatus_to_exitcode(status)  # minus the signal, as subprocess says
    return True


def _start(index: int) -> int:
    sys.stdout.flush()
    sys.stderr.flush()  # what the parent printed is not printed again by each child
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)  # `serve` sets its own once its loop runs
        os.environ[CHILD] = str(index)
        os.environ["WEB_PROCESSES"] = "1"
        from bot.__main__ import main

        code = main(["serve"])
    except SystemExit as leaving:
        code = leaving.code if isinstance(leaving.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

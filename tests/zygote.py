"""A process that has imported the app once and forks one child per start: the drills that
kill and restart app processes many times pay `python -m bot`'s imports (1–3 s a start on a
busy machine) once instead of at every start.

    python -m tests.zygote

It reads one JSON request a line on stdin — {"id", "argv", "env", "cwd", "log"} — forks, and
answers `started <id> <pid>`; when a child ends it answers `exited <pid> <returncode>` (minus
the signal, as `subprocess` says it). The child is what `python -m bot …` (or
`python -m <module> …`) would be after its imports: its environment replaced by the request's,
stdout and stderr on the log file, stdin on /dev/null, then the same entry point, then exit.
A SIGKILL to it is as brutal as to any process. End of stdin (the test process is gone) kills
the children that are left and ends the zygote.

Only modules the app's own processes import are loaded here (no dev kit, no test module), so
a child holds nothing a real process would not. What reads the environment does so when the
entry point runs (Settings, logging), never at import: the child's environment is its own.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import runpy
import select
import signal
import sys
import traceback

from bot.processes import settle_garbage_collection

PRELOADED = (
    "bot.__main__",
    "bot.serve",
    "bot.processes",
    "bot.db.migrate",
    "alembic.command",
    "alembic.config",
    "alembic.runtime.migration",
    "alembic.script",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy.dialects.sqlite.aiosqlite",
    "sqlalchemy.dialects.postgresql.asyncpg",
)


def _child(request: dict[str, object], keep: list[int]) -> None:
    """In the forked child: become the process the request describes; never returns."""
    code: object = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in keep:
            os.close(fd)
        log = os.open(str(request["log"]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        os.chdir(str(request["cwd"]))
        os.environ.clear()
        os.environ.update(request["env"])  # type: ignore[arg-type]
        argv = list(request["argv"])  # type: ignore[call-overload]
        if argv[:1] != ["-m"]:
            raise ValueError(f"only `-m module …` is forked, not {argv}")
        sys.argv = [argv[1], *argv[2:]]
        code = 0
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    except SystemExit as leaving:
        code = leaving.code
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else (0 if code is None else 1))


def main() -> None:
    for module in PRELOADED:
        importlib.import_module(module)
    # As `serve --processes` does before it forks: the children's garbage collections leave
    # what was imported here alone.
    settle_garbage_collection()
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    woken, wake = os.pipe()
    os.set_blocking(woken, False)
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake)
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)
    children: set[int] = set()
    pending = b""
    answers.write("ready\n")
    while True:
        try:
            ready, _, _ = select.select([0, woken], [], [])
        except InterruptedError:
            continue
        if woken in ready:
            while True:
                try:
                    if not os.read(woken, 512):
                        break
                except BlockingIOError:
                    break
            while children:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                children.discard(pid)
                answers.write(f"exited {pid} {os.waitstatus_to_exitcode(status)}\n")
        if 0 in ready:
            chunk = os.read(0, 65536)
            if not chunk:
                for pid in children:
                    os.kill(pid, signal.SIGKILL)
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                answers.flush()
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    _child(request, [woken, wake, answers.fileno()])
                children.add(pid)
                answers.write(f"started {request['id']} {pid}\n")


if __name__ == "__main__":
    main()

"""The app as separate `python -m bot serve` processes sharing one database, as in production."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import aiohttp
from pydantic import SecretStr

from devkit.emulator import FakeSlack, SlackDriver
from devkit.sandbox import Sandbox
from devkit.stack import partner_values
from tests.slack.harness import BOT_TOKEN, ENCRYPTION_KEY, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]


def _plain(value: object) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Forked:
    """A child of the zygote (tests/zygote.py), with what the drills use of `subprocess.Popen`:
    the zygote reaps it and tells its return code."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self._zygote = zygote
        self.pid = pid

    @property
    def returncode(self) -> int | None:
        return self._zygote.returncode(self.pid)

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._zygote.exited(self.pid).wait(timeout):
            raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
        code = self.returncode
        assert code is not None
        return code

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:  # not reaped: the pid is still this child's
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    """The test process's end of tests/zygote.py: one per test process, started on first use
    (its imports, once), ended with the test process (its stdin closes)."""

    _shared: Zygote | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.zygote"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._ready = threading.Event()
        self._started: dict[str, int] = {}
        self._codes: dict[int, int] = {}
        self._events: dict[int | str, threading.Event] = {}
        self._guard = threading.Lock()
        self._count = 0
        threading.Thread(target=self._read, name="zygote-answers", daemon=True).start()

    @classmethod
    def shared(cls) -> Zygote:
        with cls._lock:
            if cls._shared is None or cls._shared._process.poll() is not None:
                cls._shared = cls()
            return cls._shared

    def _event(self, key: int | str) -> threading.Event:
        with self._guard:
            return self._events.setdefault(key, threading.Event())

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            word, *rest = line.decode().split()
            if word == "ready":
                self._ready.set()
            elif word == "started":
                self._started[rest[0]] = int(rest[1])
                self._event(rest[0]).set()
            elif word == "exited":
                self._codes[int(rest[0])] = int(rest[1])
                self._event(int(rest[0])).set()

    def returncode(self, pid: int) -> int | None:
        return self._codes.get(pid)

    def exited(self, pid: int) -> threading.Event:
        return self._event(pid)

    async def fork(self, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> Forked:
        """`python <argv>` as a child of the zygote (argv: `-m module …`)."""
        if not await asyncio.to_thread(self._ready.wait, 120):
            raise AssertionError("the zygote did not finish its imports")
        with self._guard:
            self._count += 1
            key = str(self._count)
        request = {"id": key, "argv": argv, "env": env, "cwd": str(cwd), "log": str(log)}
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(request).encode() + b"\n")
        self._process.stdin.flush()
        if not await asyncio.to_thread(self._event(key).wait, 30):
            raise AssertionError("the zygote did not fork")
        return Forked(self, self._started[key])


class PortTaken(Exception):
    """The process could not listen: its port was taken meanwhile."""


class AppProcess:
    def __init__(
        self,
        name: str,
        database_url: str,
        fake: FakeSlack,
        sandbox: Sandbox,
        log_dir: Path,
        *,
        command: str = "serve",
        forked: bool = False,
        **settings: str,
    ) -> None:
        """`forked`: a child of the zygote rather than a `python -m bot` of its own (the same
        entry point, without its imports) — for drills about crashes and restarts, not about
        the command line."""
        self.name = name
        self.command = command
        self.forked = forked
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_"))},
            "PYTHONPATH": str(ROOT),
            "PORT": str(self.port),
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "BOT_ENCRYPTION_KEY": ENCRYPTION_KEY,
            **{name.upper(): _plain(value) for name, value in partner_values(sandbox).items()},
            **{k.upper(): v for k, v in settings.items()},
        }
        self._process: subprocess.Popen[bytes] | Forked | None = None

    async def start(self) -> None:
        try:
            await self._start()
        except PortTaken:
            # The free port was free when probed; another xdist worker's process took it
            # since. Once more on another one.
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            self.env["PORT"] = str(self.port)
            await self._start()

    async def launch(self, argv: list[str]) -> None:
        """`python <argv>` with the app's environment, its output in the log; no wait."""
        if self.forked:
            self._process = await Zygote.shared().fork(
                argv, self.env, self.log_path.parent, self.log_path
            )
            return
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(  # noqa: ASYNC220, S603 - our own CLI; starts, no wait
            [sys.executable, *argv],
            cwd=self.log_path.parent,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    async def _start(self) -> None:
        await self.launch(["-m", "bot", *self.command.split()])
        if self.command.split()[0] != "serve":
            return  # a worker serves no HTTP: the test watches what it does instead
        # Healthy once it says it listens on its port (not before: another process may answer
        # on a port taken meanwhile) and answers /healthz there.
        listening = f"port {self.port}:"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            while loop.time() < deadline:
                if self._process.poll() is not None:
                    if "address already in use" in self.log().lower():
                        raise PortTaken(self.port)
                    raise AssertionError(f"{self.name} exited:\n{self.log()}")
                if listening in self.log():
                    try:
                        async with session.get(f"{self.url}/healthz") as answer:
                            if answer.status == 200:
                                return
                    except (aiohttp.ClientError, TimeoutError):
                        pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"{self.name} did not become healthy:\n{self.log()}")

    def kill(self) -> None:
        """As the OOM killer or a crashed host would: no cleanup at all."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        self._process.wait(timeout=10)

    def terminate(self) -> None:
        """SIGTERM, as a platform stopping the process would; `exit_code` waits for the end."""
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)

    async def exit_code(self, within: float = 20) -> int:
        assert self._process is not None
        for _ in range(int(within / 0.05)):
            if (code := self._process.poll()) is not None:
                return code
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.name} still running {within:.0f} s after SIGTERM")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def driver(self, fake: FakeSlack) -> SlackDriver:
        return SlackDriver(fake, app_url=f"{self.url}/slack/events", signing_secret=SIGNING_SECRET)

"""The app as separate `python -m bot serve` processes sharing one database, as in production."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
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
        **settings: str,
    ) -> None:
        self.name = name
        self.command = command
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
        self._process: subprocess.Popen[bytes] | None = None

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

    async def _start(self) -> None:
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(  # noqa: ASYNC220, S603 - our own CLI; starts, no wait
            [sys.executable, "-m", "bot", *self.command.split()],
            cwd=self.log_path.parent,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
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
                self._process.wait()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def driver(self, fake: FakeSlack) -> SlackDriver:
        return SlackDriver(fake, app_url=f"{self.url}/slack/events", signing_secret=SIGNING_SECRET)

"""What every benchmark shares: the machine, percentiles, tables, app processes and their
memory, a throwaway database."""

from __future__ import annotations

import asyncio
import math
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.session import database_url

# Made up per run: nothing outside this run's processes ever sees them.
SIGNING_SECRET = secrets.token_hex(16)
BOT_TOKEN = f"xoxb-bench-{secrets.token_hex(8)}"
ENCRYPTION_KEY = Fernet.generate_key().decode()
ROOT = Path(__file__).resolve().parents[2]


def machine() -> str:
    return (
        f"{os.cpu_count()} CPU(s), Python {platform.python_version()}, "
        f"{platform.platform()}, load average {_load()}"
    )


def _load() -> str:
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "n/a"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    # The smallest value with at least `fraction` of all values at or below it.
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered) - 1e-9) - 1))
    return ordered[rank]


def ms(seconds: float) -> str:
    return "–" if seconds != seconds else f"{seconds * 1000:.0f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table (readable in a terminal, pasteable into docs/performance.md)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process in MB, from /proc (Linux); NaN elsewhere."""
    values = {"VmRSS": float("nan"), "VmHWM": float("nan")}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in values:
                values[name] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return values["VmRSS"], values["VmHWM"]


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user and system), from /proc (Linux); NaN elsewhere
    or once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return float("nan")
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def _nice(niceness: int) -> Callable[[], None] | None:
    """What a child runs before it starts: `os.nice(niceness)` (its children inherit it)."""
    if not niceness:
        return None

    def lower_priority() -> None:
        os.nice(niceness)

    return lower_priority


class Process:
    """A child process serving HTTP on a port of its own, stopped with SIGTERM."""

    def __init__(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        workdir: Path,
        *,
        niceness: int = 0,
    ) -> None:
        self.name = name
        self._niceness = niceness
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{name}.log"
        self._args = args
        self._env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_"))},
            "PYTHONPATH": str(ROOT),
            "PORT": str(self.port),
            **env,
        }
        self._workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, health_path: str = "/healthz") -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: ASYNC220, S603 - our own CLI
                [sys.executable, *self._args],
                cwd=self._workdir,
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_nice(self._niceness),
            )
        async with aiohttp.ClientSession() as session:
            for _ in range(600):
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited:\n{self.log()}")
                try:
                    async with session.get(f"{self.url}{health_path}") as answer:
                        if answer.status < 500:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start:\n{self.log()}")

    async def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.terminate()
        for _ in range(400):
            if self.process.poll() is not None:
                return self.process.returncode
            await asyncio.sleep(0.05)
        self.process.kill()
        return self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@asynccontextmanager
async def scratch_database(kind: str, workdir: Path) -> AsyncIterator[str]:
    """A new, migrated database: a SQLite file, or (kind "postgresql", from DATABASE_URL) a
    database created on that server and dropped afterwards."""
    from bot.db.migrate import upgrade_async

    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        await upgrade_async(url)
        yield url
        return
    server = make_url(database_url(os.environ["DATABASE_URL"]))
    name = f"partner_ops_bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(
        server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        await upgrade_async(url)
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def database_kinds() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    return ["sqlite", "postgresql"] if url.startswith(("postgres://", "postgresql")) else ["sqlite"]


@asynccontextmanager
async def workdir() -> AsyncIterator[Path]:
    with tempfile.TemporaryDirectory(prefix="partner-ops-bench-") as directory:
        yield Path(directory)

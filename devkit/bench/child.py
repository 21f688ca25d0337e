"""A bench helper process spoken to in JSON lines: one order a line on its stdin, one answer
a line on its stdout; it ends at the end of its stdin. The ack bench's client
(devkit/bench/client.py) and the digest bench's vendor (devkit/bench/vendor.py) are such
processes: each keeps its own event loop away from the loop it measures."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

ROOT = str(Path(__file__).resolve().parents[2])
"""Where `python -m devkit.bench.…` runs from."""


class ChildProcess:
    """`python -m <module> <args>`, started by `start`, ended by `close`."""

    def __init__(self, module: str, *args: str, limit: int = 2**16) -> None:
        self._argv = ("-m", module, *args)
        self._limit = limit
        self._process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            *self._argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            limit=self._limit,
        )

    async def ask(self, order: Any) -> Any:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(json.dumps(order).encode() + b"\n")
        await self._process.stdin.drain()
        return await self.answer()

    async def answer(self) -> Any:
        """The next line the process writes, decoded."""
        assert self._process is not None and self._process.stdout is not None
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self._argv[1]} exited ({await self._process.wait()})")
        return json.loads(line)

    async def close(self) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            await self._process.wait()
            self._process = None

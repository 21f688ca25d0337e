"""Child of `bench digest`: build one workspace's digest and print this process's memory as
JSON (started_mb, peak_mb, seconds). Settings from the environment, the team as argument."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from bot.config import Settings
from bot.partner.models import Product
from bot.runtime import Runtime
from devkit.bench.common import memory_mb


async def measure(team: str) -> dict[str, float]:
    runtime = await Runtime.start(Settings(), migrate=False)
    try:
        started = memory_mb(os.getpid())[0]
        clock = time.monotonic()
        await runtime.digests.build(team, [Product.SMS], zone="UTC", since=None)
        seconds = time.monotonic() - clock
    finally:
        await runtime.close()
    return {"started_mb": started, "peak_mb": memory_mb(os.getpid())[1], "seconds": seconds}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure(sys.argv[1]))))

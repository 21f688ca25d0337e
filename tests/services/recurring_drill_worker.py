"""One worker of the recurring drill (tests/services/test_recurring_drill.py), as a process of
its own: the app's Runtime from the environment (as `python -m bot worker` builds it), running
the request machinery's recovery and the recurring runner in a loop, at the simulated time the
drill writes in a file. The drill SIGKILLs it at random moments and starts it again.

    python -m tests.services.recurring_drill_worker <clock file> <pass file>

After each full pass it writes the clock tick the pass started from to <pass file> (a rename:
never half written), so the drill knows a pass has seen a tick.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.runtime import Runtime


async def nobody(_team_id: str) -> None:
    return None  # the drill counts runs and vendor calls; nobody is told


AGAIN_SECONDS = 0.1
"""A pass at a tick already passed, this often: what a killed worker left (a run under way,
an execution whose lease ran out) is taken over. A new tick is passed at once."""


async def main(clock: Path, passes: Path) -> None:
    runtime = await Runtime.start(Settings(), migrate=False)
    loop = asyncio.get_running_loop()
    passed, passed_at = None, 0.0
    try:
        while True:
            tick = json.loads(clock.read_text())
            if tick["tick"] == passed and loop.time() - passed_at < AGAIN_SECONDS:
                # Reading the file costs nothing; a pass costs the database (shared by three
                # workers and the drill) a dozen statements.
                await asyncio.sleep(0.005)
                continue
            passed_at = loop.time()
            now = datetime.fromisoformat(tick["now"])
            if tick["tick"] == passed:
                # Executions a killed worker abandoned. Only ever during the tick it was killed
                # in: the drill moves the clock on once nothing is under way.
                await runtime.requests.run_due(nobody)
            await runtime.recurring.run_due(now, nobody)
            written = passes.with_suffix(".tmp")
            written.write_text(json.dumps({"tick": tick["tick"], "pid": os.getpid()}))
            written.replace(passes)
            passed = tick["tick"]
    finally:
        await runtime.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))

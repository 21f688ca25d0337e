"""One burst of `/partner balance` commands against an app, as `bench ack` times it: built and
signed here, sent by the client process (devkit/bench/client.py), each ack timed there and each
reply as it reaches the emulator."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from devkit.bench.client import Client
from devkit.bench.common import Process, cpu_seconds, memory_mb, ms, percentile
from devkit.emulator import Delivery, SlackDriver
from devkit.sandbox import Sandbox

TEAM = "T0BENCH"
USER = "UBENCH"
CHANNEL = "C0BENCH"


@dataclass
class Round:
    label: str
    acks: list[float] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)
    all_replied: float = float("nan")
    """From the first command sent to the last reply received."""
    errors: int = 0
    vendor_calls: int = 0
    wall: float = 0.0
    peak_rss: float = float("nan")
    cpu: float = float("nan")
    """CPU seconds the app's processes used from the first command built to the last reply:
    the work the round cost, which a machine's pauses do not move as they move a p99."""

    @property
    def cpu_per_command(self) -> float:
        return self.cpu / len(self.acks) if self.acks else float("nan")

    def row(self) -> list[str]:
        return [
            self.label,
            str(len(self.acks)),
            ms(percentile(self.acks, 0.5)),
            ms(percentile(self.acks, 0.95)),
            ms(percentile(self.acks, 0.99)),
            ms(max(self.acks, default=float("nan"))),
            f"{percentile(self.replies, 0.5):.2f}",
            f"{max(self.replies, default=float('nan')):.2f}",
            f"{self.all_replied:.2f}",
            f"{self.cpu_per_command * 1000:.2f}",
            str(self.vendor_calls),
            str(self.errors),
            f"{self.peak_rss:.0f}",
        ]


HEADERS = [
    "run",
    "commands",
    "ack p50 ms",
    "ack p95 ms",
    "ack p99 ms",
    "ack max ms",
    "reply p50 s",
    "reply max s",
    "all replied s",
    "CPU ms a command",
    "vendor calls",
    "errors",
    "peak RSS MB",
]


class Recorder(SlackDriver):
    """Builds and signs each request as the driver does, and keeps it instead of sending it:
    the client process sends them (devkit.bench.client)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prepared: list[dict[str, Any]] = []

    async def _post(
        self,
        body: bytes,
        headers: dict[str, str],
        *,
        sent: dict[str, Any],
        response_url: str | None = None,
        trigger_id: str | None = None,
    ) -> Delivery:
        self.prepared.append({"body": body.decode(), "headers": headers})
        return Delivery(
            status=0,
            body="",
            json=None,
            response_url=response_url,
            trigger_id=trigger_id,
            sent=sent,
            fake=self.fake,
        )


async def burst(
    client: Client,
    driver: Recorder,
    sandbox: Sandbox,
    process: Process,
    label: str,
    count: int,
    at_a_time: int,
    deadline: float,
) -> Round:
    result = Round(label)
    calls_before = len(sandbox.journal)
    started = time.monotonic()
    cpu_before = _group_cpu(process.pid)
    driver.prepared.clear()
    prepared = [await driver.command("balance", team_id=TEAM, user_id=USER) for _ in range(count)]
    answers = await client.send(driver.app_url, at_a_time, driver.prepared)
    first_sent = min(a["sent"] for a in answers)
    last_sent = time.monotonic()
    sent: list[tuple[float, Delivery | None]] = []
    for delivery, answer in zip(prepared, answers, strict=True):
        late = answer["elapsed"] > driver.ack_timeout
        done = replace(
            delivery,
            status=504 if late else answer["status"],
            body=answer["body"],
            elapsed=answer["elapsed"],
            late=late,
            app_status=answer["status"],
        )
        if answer["status"] == 0 or done.status != 200 or late:
            result.errors += 1
        if answer["status"]:
            result.acks.append(done.elapsed)
        sent.append((answer["sent"], done if answer["status"] else None))

    arrivals: list[float] = []

    async def reply(at: float, delivery: Delivery | None) -> None:
        if delivery is None or delivery.status != 200:
            return
        remaining = max(0.1, deadline - (time.monotonic() - last_sent))
        try:
            post = await delivery.wait_response(timeout=remaining)
        except AssertionError:
            result.errors += 1  # no reply before the deadline
            return
        result.replies.append(post.at - at)
        arrivals.append(post.at)

    await asyncio.gather(*(reply(at, delivery) for at, delivery in sent))
    if arrivals and not result.errors:
        result.all_replied = max(arrivals) - first_sent
    result.wall = time.monotonic() - started
    result.vendor_calls = len(sandbox.journal) - calls_before
    result.peak_rss = max(memory_mb(pid)[1] for pid in process_group(process.pid))
    result.cpu = _group_cpu(process.pid) - cpu_before
    return result


def _group_cpu(pid: int) -> float:
    return sum(cpu_seconds(member) for member in process_group(pid))


def process_group(pid: int) -> list[int]:
    """The process and its children (`serve --processes N` is a parent and N children): the
    peak RSS reported is the largest of them, per process as the target counts it."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *(int(child) for child in children)]

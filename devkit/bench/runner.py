"""The `bench` subcommand: which benchmarks exist and how each is run."""

from __future__ import annotations

import argparse
import importlib
import logging

BENCHES = {
    "ack": "a burst of /partner balance: ack times, replies, vendor calls, memory",
    "digest": "a digest round over many workspaces and pages; memory with a week of history",
    "approvals": "credit requests clicked 5 times each across two processes (PostgreSQL)",
    "soak": "many mixed commands and clicks: memory growth, leaked tasks, files, connections",
    "anomalies": "the anomaly detector over synthetic histories: false alerts, detection, speed",
}


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", choices=sorted(BENCHES), help="which benchmark")
    parser.add_argument("--quick", action="store_true", help="smaller counts (a minute or so)")
    parser.add_argument(
        "--tiny", action="store_true", help="the smallest counts: proves the bench runs"
    )
    parser.add_argument("--oauth", action="store_true", help="ack: many-workspace (OAuth) mode")
    parser.add_argument(
        "--both-modes",
        action="store_true",
        help="ack: one workspace and many-workspace (OAuth) side by side in one run",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="ack: Partner Ops as `serve --processes N` (the naive app stays one process)",
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=0,
        help="ack: both apps up at once, N warm bursts on each taken in turns (same load)",
    )
    parser.add_argument(
        "--seed", type=int, default=20, help="anomalies: the seed of the synthetic histories"
    )


def run_bench(args: argparse.Namespace) -> int:
    if not args.verbose:
        # The sandbox logs every call it serves: the table is what matters here.
        logging.getLogger().setLevel(logging.WARNING)
    module = importlib.import_module(f"devkit.bench.{args.name}")
    print(module.main(args), flush=True)
    return 0

"""`python -m bot` (also installed as `partner-ops`): the one entry point of every process."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

from bot import dev_tools
from bot.config import ConfigError, Settings, settings_help
from bot.db.crypto import CannotDecrypt, EncryptionKeyError
from bot.logs import configure_logging

log = logging.getLogger("bot")


def _at_least_one(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"a number of processes, 1 or more (not {value!r})")
    return number


def _serve(args: argparse.Namespace) -> int:
    from bot.processes import child_index, run_group
    from bot.serve import prepare, serve

    settings = Settings()
    count = args.processes or settings.web_processes
    if count > 1 and child_index() is None:
        # Migrations (SQLite) and a generated key file: made once, before any child races.
        asyncio.run(prepare(settings))
        return run_group(count)
    asyncio.run(serve(settings))
    return 0


def _socket(args: argparse.Namespace) -> int:
    from bot.serve import socket

    asyncio.run(socket(Settings()))
    return 0


def _worker(args: argparse.Namespace) -> int:
    from bot.serve import work

    asyncio.run(work(Settings()))
    return 0


def _console(args: argparse.Namespace) -> int:
    repl = dev_tools.load("devkit.console.repl")
    if args.command_text is None:
        return asyncio.run(repl.run_console(Settings()))
    # Past the one-shot's own deadline, asyncio.run still waits for every task it cancels
    # when it ends; one that will not end (a shielded close of a dead connection) would hold
    # the process for good. A one-shot ends, whatever is left.
    watchdog = threading.Timer(args.deadline + repl.CLOSE_SECONDS + 5, _give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        return asyncio.run(
            repl.run_console(Settings(), one_shot=args.command_text, deadline=args.deadline)
        )
    finally:
        watchdog.cancel()


def _give_up() -> None:
    print("console -c: still not finished after its deadline; exiting.", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


def _bench(args: argparse.Namespace) -> int:
    # The dev kit defines the bench's arguments: read here, so that building the parser for
    # `serve` (or on an installed wheel, which has no dev kit) never loads it.
    runner = dev_tools.load("devkit.bench.runner")
    parser = argparse.ArgumentParser(prog="partner-ops bench", description=BENCH_DESCRIPTION)
    runner.add_bench_arguments(parser)
    options = parser.parse_args(args.passed_on, argparse.Namespace(verbose=args.verbose))
    return runner.run_bench(options)


def _anomalies(args: argparse.Namespace) -> int:
    import time

    from bot.services.anomalies import AnomalyDetector
    from bot.services.anomalies.replay import BadHistory, ReplaySummary, alert_line, replay

    summary = ReplaySummary()
    started = time.perf_counter()
    try:
        detector = AnomalyDetector(tz=args.tz, floor_per_hour=args.floor)
        with open(args.file, encoding="utf-8", newline="") as history:
            for alert in replay(history, detector, summary):
                sys.stdout.write(alert_line(alert) + "\n")
    except (OSError, BadHistory, ValueError) as error:
        print(f"partner-ops anomalies replay: {error}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    print(summary.line(time.perf_counter() - started), file=sys.stderr)
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    sandbox = dev_tools.load("devkit.sandbox")
    return sandbox.main(["--host", args.host, "--port", str(args.port)])


def _db(args: argparse.Namespace) -> int:
    from bot.db.migrate import downgrade, upgrade
    from bot.db.session import database_url, redacted

    settings = Settings()
    url = database_url(settings.database_url)
    if args.action == "upgrade":
        upgrade(url, args.revision or "head")
    elif args.action == "downgrade":
        downgrade(url, args.revision or "-1")
    elif args.action == "rotate-keys":
        return asyncio.run(_rotate_keys(settings))
    log.info("database %s: %s done", redacted(url), args.action)
    return 0


async def _rotate_keys(settings: Settings) -> int:
    from bot.db.slack_tokens import reseal_tokens
    from bot.runtime import Runtime

    runtime = await Runtime.start(settings, migrate=False)
    try:
        count = await runtime.keys.rotate_encryption()
        tokens = await reseal_tokens(runtime.database, runtime.box, rotate=True)
    finally:
        await runtime.close()
    log.info(
        "re-encrypted %d stored Partner key(s) and %d Slack token(s) under the first "
        "BOT_ENCRYPTION_KEY",
        count,
        tokens,
    )
    return 0


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"not a positive amount: {text!r}")
    return value


BENCH_DESCRIPTION = "Run a benchmark and print its table with the machine it ran on."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partner-ops",
        description="Partner Ops: Slack chat-ops for SMS, Mail and Voice Partner accounts.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    console = commands.add_parser(
        "console",
        help="try the bot in a terminal: no Slack and no Partner account needed",
        description="Run the real app against a local Slack emulator (and, without Partner "
        "keys, a local sandbox of the Partner APIs). Type /partner help.",
    )
    console.add_argument(
        "-c",
        dest="command_text",
        metavar="COMMAND",
        help='run one command and exit, e.g. -c "/partner balance"',
    )
    console.add_argument(
        "--deadline",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="with -c: give up (exit 1) when not done after this long (default 60)",
    )
    console.set_defaults(run=_console)

    with_settings = {
        "epilog": settings_help(),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }
    serve = commands.add_parser(
        "serve",
        help="serve Slack over HTTP on $HOST:$PORT (/slack/events, /healthz)",
        description="Serve Slack's requests over HTTP; start `worker` beside it.",
        **with_settings,
    )
    serve.add_argument(
        "--processes",
        type=_at_least_one,
        metavar="N",
        help="N processes sharing $PORT (SO_REUSEPORT, Linux), e.g. one per core "
        "(default: $WEB_PROCESSES)",
    )
    serve.set_defaults(run=_serve)

    socket = commands.add_parser(
        "socket",
        help="connect to Slack over Socket Mode (SLACK_APP_TOKEN); /healthz on $PORT",
        description="Take Slack's requests over Socket Mode; start `worker` beside it.",
        **with_settings,
    )
    socket.set_defaults(run=_socket)

    worker = commands.add_parser(
        "worker",
        help="run digests, hourly snapshots, alerts and approval expiry (no HTTP)",
        description="Run the scheduled jobs: digests, balance readings, alerts, expiry and "
        "recovery. Required beside `serve` or `socket` on PostgreSQL (there they do not run "
        "the scheduler themselves); any number of workers run each job once.",
        **with_settings,
    )
    worker.set_defaults(run=_worker)

    db = commands.add_parser("db", help="database maintenance: upgrade, downgrade, rotate-keys")
    db.add_argument("action", choices=["upgrade", "downgrade", "rotate-keys"])
    db.add_argument("revision", nargs="?", help="target revision (upgrade: head; downgrade: -1)")
    db.set_defaults(run=_db)

    bench = commands.add_parser(
        "bench",
        help="benchmarks against the sandbox and the Slack emulator (docs/performance.md)",
        description=BENCH_DESCRIPTION,
        add_help=False,  # its --help, with its arguments, is the dev kit's: see _bench
    )
    bench.set_defaults(run=_bench, passes_on=True)

    anomalies = commands.add_parser(
        "anomalies", help="spend anomalies: replay a history of balance readings"
    )
    anomaly_commands = anomalies.add_subparsers(dest="action", metavar="ACTION", required=True)
    replay = anomaly_commands.add_parser(
        "replay",
        help="run the detector over FILE.csv (time,subaccount,balance,moved)",
        description="Print one JSON object per line per alert opened; a summary on stderr.",
    )
    replay.add_argument("file", metavar="FILE.csv")
    replay.add_argument("--tz", default="Europe/Paris", help="the vendor's calendar zone")
    replay.add_argument(
        "--floor",
        type=_amount,
        default=None,
        help="cold-start floor in EUR per hour (default 50)",
    )
    replay.set_defaults(run=_anomalies)

    sandbox = commands.add_parser(
        "sandbox",
        help="run a local fake of the SMS, Mail and Voice Partner APIs with demo accounts",
        description="Serve a local fake of the three Partner APIs and print its demo API keys.",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on")
    sandbox.add_argument("--port", type=int, default=8765, help="port to listen on")
    sandbox.set_defaults(run=_sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    # As parse_args does, but a dev tool that reads its own arguments gets the rest.
    args, rest = parser.parse_known_args(argv)
    if getattr(args, "passes_on", False):
        args.passed_on = rest
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    # The console prints Slack's view of things for a person: readable lines there.
    configure_logging(args.verbose, json_lines=False if args.run is _console else None)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (ConfigError, EncryptionKeyError, CannotDecrypt) as error:
        print(f"partner-ops: {error}", file=sys.stderr)
        return 2
    except dev_tools.DevToolsMissing as error:
        print(f"partner-ops: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())

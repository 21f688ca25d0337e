"""`python -m bot` (also installed as `partner-ops`): the one entry point of every process."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence


def _sandbox(args: argparse.Namespace) -> int:
    from bot.partner import sandbox

    argv = ["--host", args.host, "--port", str(args.port)]
    return sandbox.main(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partner-ops",
        description="Partner Ops: Slack chat-ops for SMS, Mail and Voice Partner accounts.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bot sandbox`: the sandbox with its demo accounts, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from bot.partner.models import Product
from devkit.sandbox.server import Sandbox
from devkit.sandbox.state import DEMO_MAIL_KEY, DEMO_SMS_KEY, DEMO_VOICE_KEY


async def _serve_forever(host: str, port: int) -> None:
    sandbox = Sandbox()
    root = await sandbox.start(host, port)
    try:
        print(f"Partner sandbox listening on {root}")
        for product, key in (
            (Product.SMS, DEMO_SMS_KEY),
            (Product.MAIL, DEMO_MAIL_KEY),
            (Product.VOICE, DEMO_VOICE_KEY),
        ):
            print(f"  {product.label:<14} {sandbox.url(product):<40} apiKey {key}")
        print("Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    """Serve the sandbox with its demo accounts until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="partner-ops sandbox", description="Local fake of the Partner APIs."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

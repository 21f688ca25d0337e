"""A faithful local fake of the SMS, Mail and Voice Partner APIs.

The sandbox serves the endpoints Partner Ops uses, with the vendor's exact answer shapes
(see `/work/shared/partner-api/API.md`), under one aiohttp application:
`/sms/v1/...`, `/mail/v1/...` and `/voice/v1/...`. The client's tests, the console demo, the
benchmarks and the end-to-end tests all run against it.

- `state.py`: the accounts, subaccounts and journal (public), and the seeded demo data;
- `server.py`: `Sandbox`, the aiohttp server: routes, the journal of every request, faults;
- `products.py`: what the vendor does for each endpoint of each product;
- `faults.py`: the faults a test can inject (latency, broken bodies, drops, paging bugs);
- `wire.py`, `money.py`: one call and one answer; exact Decimal JSON;
- `cli.py`: `python -m bot sandbox`.
"""

from devkit.sandbox.cli import main
from devkit.sandbox.faults import Fault, FaultKind
from devkit.sandbox.money import decimal_literal, money_text, parse_amount, to_json
from devkit.sandbox.server import Sandbox
from devkit.sandbox.state import (
    CURRENCY,
    DEMO_KEYS,
    DEMO_MAIL_KEY,
    DEMO_SMS_KEY,
    DEMO_VOICE_KEY,
    PER_PAGE,
    VOICE_CURRENCY,
    VOICE_LIMIT,
    VOICE_WINDOW_SECONDS,
    JournalEntry,
    SandboxAccount,
    SandboxState,
    SandboxSubaccount,
)

__all__ = [
    "CURRENCY",
    "DEMO_KEYS",
    "DEMO_MAIL_KEY",
    "DEMO_SMS_KEY",
    "DEMO_VOICE_KEY",
    "PER_PAGE",
    "VOICE_CURRENCY",
    "VOICE_LIMIT",
    "VOICE_WINDOW_SECONDS",
    "Fault",
    "FaultKind",
    "JournalEntry",
    "Sandbox",
    "SandboxAccount",
    "SandboxState",
    "SandboxSubaccount",
    "decimal_literal",
    "main",
    "money_text",
    "parse_amount",
    "to_json",
]

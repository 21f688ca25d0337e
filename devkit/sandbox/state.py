"""What the fake vendor knows: its accounts and their subaccounts (Decimal balances), the
journal of every request it handled, and the seeded demo data. Public: tests read and change
it; `Sandbox` serves it over HTTP."""

from __future__ import annotations

import itertools
import json
import random
import secrets as secrets_module
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.partner.models import Product
from devkit.sandbox.faults import FaultKind
from devkit.sandbox.money import MILLI, to_json

DEMO_SMS_KEY = "sandbox-sms-demo-4f1c9a2e7b"
DEMO_MAIL_KEY = "sandbox-mail-demo-8d3e5b1c6a"
DEMO_VOICE_KEY = "sandbox-voice-demo-2a7f4c9e1d"
DEMO_KEYS = {Product.SMS: DEMO_SMS_KEY, Product.MAIL: DEMO_MAIL_KEY, Product.VOICE: DEMO_VOICE_KEY}

PER_PAGE = 20
CURRENCY = "EUR"
VOICE_CURRENCY = "€"
VOICE_LIMIT = 5  # requests per window, per key (the vendor documents 5 per minute)
VOICE_WINDOW_SECONDS = 60.0

DELETE_PATHS = ("delete", "remove")
GENERATED_EMAIL_DOMAIN = {Product.SMS: "smspartner.fr", Product.MAIL: "mailpartner.fr"}
_DEMO_SEED = 20_240_611


@dataclass
class SandboxSubaccount:
    id: int
    email: str
    type: str
    token: str
    api_key: str
    created_at: datetime
    balance: Decimal
    firstname: str | None = None
    lastname: str | None = None
    title: str | None = None
    is_buyer: bool = False


def _default_voice_details() -> dict[str, Any]:
    # The vendor's example, verbatim (including its 66 seconds).
    return {
        "tts": {"h": 5, "m": 55, "s": 66},
        "tts_fixe": {"h": 3, "m": 44, "s": 55},
        "voice": {"message": 10},
    }


@dataclass
class SandboxAccount:
    product: Product
    api_key: str
    username: str
    firstname: str | None
    lastname: str | None
    balance: Decimal
    subaccounts_enabled: bool = True
    subaccounts: list[SandboxSubaccount] = field(default_factory=list)
    delete_paths: tuple[str, ...] = DELETE_PATHS
    voice_details: dict[str, Any] = field(default_factory=_default_voice_details)

    def total(self) -> Decimal:
        """Main balance plus every subaccount's: constant under credit moves."""
        return self.balance + sum((s.balance for s in self.subaccounts), Decimal(0))

    def find_subaccount(self, token: str) -> SandboxSubaccount | None:
        return next((s for s in self.subaccounts if s.token == token), None)


@dataclass(frozen=True)
class JournalEntry:
    product: Product
    method: str
    endpoint: str
    key_hint: str
    params: dict[str, Any]
    http_status: int
    code: int | None
    applied: bool
    fault: FaultKind | None


_COMPANIES = (
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
    "cyberdyne", "soylent", "vandelay", "dunder", "piedpiper", "oscorp", "aperture",
    "massive", "blueharbor", "boulangerie-paul", "lumiere", "optique-roux", "garage-leroy",
)  # fmt: skip
_TEAMS = (
    "marketing", "support", "sales", "alerts", "billing", "rh", "ops", "events", "promo",
    "notif", "agence-lyon", "agence-lille", "relances", "newsletter",
)  # fmt: skip
_FIRSTNAMES = (
    "Camille", "Léa", "Hugo", "Louis", "Chloé", "Manon", "Lucas", "Jules", "Inès", "Nathan",
    "Sarah", "Thomas", "Emma", "Arthur", "Zoé", "Paul",
)  # fmt: skip
_LASTNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Roux",
)  # fmt: skip
# Demo dates end at a fixed instant so that the demo data never changes.
_DEMO_LAST_CREATED = datetime(2025, 5, 30, 17, 42, 10)
_DEMO_SPAN = timedelta(days=730)


def _demo_balance(rng: random.Random) -> Decimal:
    """Mostly comfortable balances, with some empty and some nearly empty ones."""
    draw = rng.random()
    if draw < 0.12:
        return Decimal("0.000")
    if draw < 0.30:
        return (Decimal(rng.randrange(1, 20)) * Decimal("0.5")).quantize(MILLI)
    return Decimal(rng.randrange(10_000, 900_000)).scaleb(-3)


def _demo_email(rng: random.Random, taken: set[str], product: Product, kind: str) -> str:
    for attempt in itertools.count():
        if kind == "simple" and rng.random() < 0.2:
            email = f"{rng.randrange(10**6, 10**7)}@{GENERATED_EMAIL_DOMAIN[product]}"
        else:
            company = rng.choice(_COMPANIES)
            # Only some hundreds of company-team pairs exist: thousands of subaccounts (load
            # tests) number the teams once the plain names keep colliding.
            team = rng.choice(_TEAMS) + (f"-{attempt}" if attempt >= _PLAIN_EMAIL_TRIES else "")
            email = f"{company}-{team}@{company}.example"
        if email not in taken:
            taken.add(email)
            return email
    raise AssertionError("unreachable")  # pragma: no cover


_PLAIN_EMAIL_TRIES = 20


class SandboxState:
    """The vendor's accounts and journal."""

    def __init__(self, *, demo: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.accounts: dict[str, SandboxAccount] = {}
        self.journal: list[JournalEntry] = []
        # Seconds, for Voice's rate-limit windows: tests may pass a clock they move forward.
        self.clock = clock
        # Voice's fixed rate-limit window per API key: (opened at, requests used).
        self.voice_windows: dict[str, tuple[float, int]] = {}
        # Seeded on purpose: demo data must be the same on every run. Secrets (tokens and
        # keys of subaccounts created over the API) come from `secrets` instead.
        self.rng = random.Random(_DEMO_SEED)  # noqa: S311
        self._ids = itertools.count(1)
        # Subaccounts spending on their own (a runaway campaign): per second, since when.
        self._drains: dict[int, tuple[SandboxSubaccount, Decimal, float]] = {}
        if demo:
            self._add_demo_accounts()

    def next_id(self) -> int:
        """A new subaccount id, after every id so far (restored ones included)."""
        return next(self._ids)

    # ------------------------------------------------------------------ accounts

    def add_account(
        self,
        product: Product,
        *,
        api_key: str | None = None,
        balance: Decimal = Decimal("1000.000"),
        subaccounts: int = 0,
        subaccounts_enabled: bool = True,
        delete_paths: tuple[str, ...] = DELETE_PATHS,
    ) -> SandboxAccount:
        if subaccounts and not product.has_subaccounts:
            raise ValueError(f"{product.label} has no subaccounts")
        if not isinstance(balance, Decimal):
            raise TypeError("balance must be a Decimal")
        key = api_key or f"sandbox-{product.value}-{secrets_module.token_hex(12)}"
        if key in self.accounts:
            raise ValueError("an account already uses this api key")
        firstname, lastname = self.rng.choice(_FIRSTNAMES), self.rng.choice(_LASTNAMES)
        account = SandboxAccount(
            product=product,
            api_key=key,
            username=f"{firstname.lower()}.{lastname.lower()}.{len(self.accounts)}@reseller.example",
            firstname=firstname,
            lastname=lastname,
            balance=balance,
            subaccounts_enabled=subaccounts_enabled,
            delete_paths=tuple(delete_paths),
        )
        account.subaccounts.extend(self.realistic_subaccounts(product, subaccounts))
        self.accounts[key] = account
        return account

    def account(self, api_key: str) -> SandboxAccount:
        return self.accounts[api_key]

    # ------------------------------------------------------------------ spending

    def drain(self, subaccount: SandboxSubaccount, per_second: Decimal) -> None:
        """The subaccount spends `per_second` EUR a second from now on (0 stops it), down to
        zero, as the vendor would bill its messages: seen by every read after this."""
        self.settle_drains()
        self._drains[subaccount.id] = (subaccount, Decimal(per_second), self.clock())

    def settle_drains(self) -> None:
        """Take what the draining subaccounts spent since last asked (before each request)."""
        now = self.clock()
        for key, (sub, rate, since) in list(self._drains.items()):
            spent = (rate * Decimal(repr(now - since))).quantize(Decimal("0.001"))
            sub.balance = max(sub.balance - spent, Decimal(0))
            self._drains[key] = (sub, rate, now)

    def export_state(self) -> str:
        """Every account and subaccount as JSON (Decimals exact), for `load_state` on a later
        run: the console keeps its sandbox beside its database so the two never disagree."""
        accounts = [
            {
                "product": account.product.value,
                "api_key": account.api_key,
                "username": account.username,
                "firstname": account.firstname,
                "lastname": account.lastname,
                "balance": account.balance,
                "subaccounts_enabled": account.subaccounts_enabled,
                "delete_paths": list(account.delete_paths),
                "subaccounts": [
                    {**vars(sub), "created_at": sub.created_at.isoformat()}
                    for sub in account.subaccounts
                ],
            }
            for account in self.accounts.values()
        ]
        return to_json({"version": 1, "accounts": accounts})

    def load_state(self, text: str) -> None:
        """Replace every account with those `export_state` wrote. Raises ValueError when the
        text is not such a state, leaving the accounts as they were."""
        try:
            data = json.loads(text, parse_float=Decimal)
            if data.get("version") != 1:
                raise ValueError("unknown sandbox state version")
            accounts: dict[str, SandboxAccount] = {}
            for raw in data["accounts"]:
                subaccounts = [
                    SandboxSubaccount(
                        **{
                            **sub,
                            "created_at": datetime.fromisoformat(sub["created_at"]),
                            "balance": Decimal(sub["balance"]),
                        }
                    )
                    for sub in raw["subaccounts"]
                ]
                account = SandboxAccount(
                    product=Product(raw["product"]),
                    api_key=raw["api_key"],
                    username=raw["username"],
                    firstname=raw["firstname"],
                    lastname=raw["lastname"],
                    balance=Decimal(raw["balance"]),
                    subaccounts_enabled=raw["subaccounts_enabled"],
                    subaccounts=subaccounts,
                    delete_paths=tuple(raw["delete_paths"]),
                )
                accounts[account.api_key] = account
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a sandbox state: {error}") from None
        self.accounts = accounts
        last_id = max((s.id for a in accounts.values() for s in a.subaccounts), default=0)
        self._ids = itertools.count(last_id + 1)

    def secrets(self) -> set[str]:
        keys = set(self.accounts)
        for account in self.accounts.values():
            keys.update(sub.api_key for sub in account.subaccounts)
        return keys

    def _add_demo_accounts(self) -> None:
        sms = self.add_account(
            Product.SMS, api_key=DEMO_SMS_KEY, balance=Decimal("10225.119"), subaccounts=45
        )
        sms.username, sms.firstname, sms.lastname = "demo@example.com", "John", "Doe"
        mail = self.add_account(
            Product.MAIL, api_key=DEMO_MAIL_KEY, balance=Decimal("2480.350"), subaccounts=12
        )
        mail.username, mail.firstname, mail.lastname = "demo@example.com", "John", "Doe"
        voice = self.add_account(Product.VOICE, api_key=DEMO_VOICE_KEY, balance=Decimal("19"))
        voice.username, voice.firstname, voice.lastname = "demo@example.com", "John", "Doe"

    def realistic_subaccounts(self, product: Product, count: int) -> list[SandboxSubaccount]:
        """Seeded, varied rows: ids and createdAt rise together, as they do upstream."""
        rng, taken = self.rng, set[str]()
        span = int(_DEMO_SPAN.total_seconds())
        offsets = sorted(rng.randrange(span) for _ in range(count))
        rows = []
        for offset in offsets:
            kind = "advanced" if rng.random() < 0.3 else "simple"
            rows.append(
                SandboxSubaccount(
                    id=self.next_id(),
                    email=_demo_email(rng, taken, product, kind),
                    type=kind,
                    token=f"{rng.getrandbits(128):032x}",
                    api_key=f"{rng.getrandbits(160):040x}",
                    created_at=_DEMO_LAST_CREATED - _DEMO_SPAN + timedelta(seconds=offset),
                    balance=_demo_balance(rng),
                    firstname=rng.choice(_FIRSTNAMES),
                    lastname=rng.choice(_LASTNAMES),
                    title=rng.choice(("M.", "Mme")),
                    is_buyer=kind == "advanced" and rng.random() < 0.5,
                )
            )
        return rows

"""Checking a batch before anything is made: every row by the command's rules against the live
subaccounts (all problems at once, by row number), then what the requester must confirm (the
same rows within 24 hours, row ids already carried out, the same row twice)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from bot.clock import utcnow
from bot.i18n import N_
from bot.money import format_money
from bot.partner.models import Product, Subaccount
from bot.services.batches.errors import BatchInvalid
from bot.services.batches.model import Question
from bot.services.batches.rows import BatchRow, RowProblem, read_rows
from bot.services.batches.store import BatchStore
from bot.services.errors import Ambiguous, NotFound
from bot.services.partner_access import PartnerAccess
from bot.services.subaccounts import pick_subaccount

SAME_FILE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class CheckedBatch:
    product: Product
    rows: list[tuple[BatchRow, Subaccount]]
    content_hash: str
    main_balance: Decimal
    key_id: str
    questions: list[tuple[Question, list[str]]]

    @property
    def total_add(self) -> Decimal:
        return sum((row.amount for row, _ in self.rows if row.add), Decimal(0))

    @property
    def total_remove(self) -> Decimal:
        return sum((row.amount for row, _ in self.rows if not row.add), Decimal(0))


def content_hash(rows: list[BatchRow]) -> str:
    """The rows as read, not the bytes: the same file saved again, or pasted, is the same."""
    canonical = "\n".join(
        f"{r.ref.strip().lower()}|{int(r.add)}|{r.amount}|{r.reason or ''}|{r.row_id or ''}"
        for r in rows
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def controls_refusal(team_id: str, row: BatchRow, subaccount: Subaccount) -> RowProblem | None:
    """HOOK for the subaccount controls (bot/services/subaccount_controls.py, being built
    apart): a frozen subaccount, a cap the row would break. Return the row's problem, or None.
    The request machinery refuses such rows too when they run; this says so before."""
    return None


class Checking:
    def __init__(self, store: BatchStore, partner: PartnerAccess) -> None:
        self._store = store
        self._partner = partner

    async def check(self, team_id: str, product: Product, text: str) -> CheckedBatch:
        read = read_rows(text)
        if read.errors:
            raise BatchInvalid(read.errors)
        client = await self._partner.subaccount_client(team_id, product)
        # Money decisions read fresh, as the command does.
        main = (await client.me(fresh=True)).balance
        subaccounts = await client.all_subaccounts(fresh=True)
        problems: list[RowProblem] = []
        found: list[tuple[BatchRow, Subaccount]] = []
        removing: dict[str, Decimal] = defaultdict(Decimal)
        for row in read.rows:
            subaccount = _pick(row, subaccounts, problems)
            if subaccount is None:
                continue
            refusal = controls_refusal(team_id, row, subaccount)
            if refusal is not None:
                problems.append(refusal)
                continue
            if not row.add:
                removing[subaccount.token] += row.amount
                if removing[subaccount.token] > subaccount.balance:
                    problems.append(
                        RowProblem(
                            row.line,
                            N_("{email} holds {balance}: the removals up to this row are {total}."),
                            {
                                "email": subaccount.email,
                                "balance": format_money(subaccount.balance),
                                "total": format_money(removing[subaccount.token]),
                            },
                        )
                    )
                    continue
            found.append((row, subaccount))
        if problems:
            raise BatchInvalid(problems)
        hashed = content_hash(read.rows)
        questions = await self._questions(team_id, hashed, found, read.repeated)
        return CheckedBatch(product, found, hashed, main, client.key_id, questions)

    async def _questions(
        self,
        team_id: str,
        hashed: str,
        rows: list[tuple[BatchRow, Subaccount]],
        repeated: list[RowProblem],
    ) -> list[tuple[Question, list[str]]]:
        questions: list[tuple[Question, list[str]]] = []
        earlier = await self._store.same_content_since(team_id, hashed, utcnow() - SAME_FILE_WINDOW)
        if earlier is not None:
            questions.append((Question.SAME_FILE, [str(earlier)]))
        done = await self._store.row_ids_executed(
            team_id, [row.row_id for row, _ in rows if row.row_id]
        )
        if done:
            lines = [str(row.line) for row, _ in rows if row.row_id in done]
            questions.append((Question.ROW_IDS_DONE, lines))
        if repeated:
            questions.append((Question.REPEATED_ROWS, [str(p.line) for p in repeated]))
        return questions


def _pick(
    row: BatchRow, subaccounts: list[Subaccount], problems: list[RowProblem]
) -> Subaccount | None:
    try:
        return pick_subaccount(subaccounts, row.ref)
    except Ambiguous as many:
        problems.append(
            RowProblem(
                row.line,
                N_("“{ref}” matches several subaccounts: {names}."),
                {"ref": row.ref, "names": ", ".join(many.matches[:3])},
            )
        )
    except NotFound as missing:
        problems.append(
            RowProblem(
                row.line,
                N_("No subaccount “{ref}”{close}."),
                {
                    "ref": row.ref,
                    "close": f" ({', '.join(missing.suggestions)}?)" if missing.suggestions else "",
                },
            )
        )
    return None

"""The alert check at thousands of subaccounts: a bounded number of SQL statements."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy import func, select

from bot.db.models import AlertState, AuditEntry
from bot.partner.client import SubaccountClient
from bot.partner.models import Product
from bot.services.alerts import Scope
from tests.database import listening
from tests.slack.harness import ADMIN, Harness


async def test_the_alert_check_at_two_thousand_subaccounts_is_a_few_statements(
    slack: Harness,
) -> None:
    account = slack.sandbox.add_account(Product.SMS, subaccounts=2000)
    alerts = slack.runtime.alerts
    await alerts.set_threshold(slack.team_id, Product.SMS, Scope.SUBACCOUNTS, Decimal(5), ADMIN)
    config = await alerts.config(slack.team_id)
    sms = slack.runtime.partner.client_with(Product.SMS, account.api_key)
    assert isinstance(sms, SubaccountClient)
    subaccounts = await sms.all_subaccounts()
    low = [s for s in subaccounts if s.balance < 5]
    assert 100 < len(low) < 2000

    statements: list[str] = []

    evaluating = asyncio.current_task()

    def count(conn, cursor, statement, *args: object) -> None:
        # This task's statements only: the app's own maintenance round runs beside the test
        # on the same engine (SQLAlchemy runs this hook in the awaiting task's greenlet).
        if asyncio.current_task() is evaluating:
            statements.append(statement)

    with listening(slack.runtime.database, "before_cursor_execute", count):
        fired = await alerts.evaluate(slack.team_id, Product.SMS, Decimal(100), subaccounts, config)
        first = list(statements)
        statements.clear()
        again = await alerts.evaluate(slack.team_id, Product.SMS, Decimal(100), subaccounts, config)

    assert len(fired) == len(low) and again == []  # once per crossing
    # Read the levels, write the changed ones, audit what fired (plus BEGIN/COMMIT-ish
    # statements a driver may add): a handful, not one per subaccount.
    assert 2 <= len(first) <= 6, first  # at least the read and a write: the hook saw them
    assert len(statements) <= 3, statements
    async with slack.runtime.database.session() as session:
        stored = await session.scalar(
            select(func.count()).select_from(AlertState).where(AlertState.level == "warn")
        )
        audited = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "alert_fired", AuditEntry.product == "sms")
        )
    assert stored == len(low) and audited == len(low)

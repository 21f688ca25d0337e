"""Every action the code records is in the registry `record` checks (bot.services.audit.ACTIONS),
and every action in it has words in the trail, in English and in French; every detail the code
records has a label. The source is read, not run: a path no test takes is walked too."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import AuditEntry
from bot.db.session import Database
from bot.i18n import language
from bot.services import audit
from bot.slack.admin import texts as text

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

_RECORDERS = {"record": 2, "record_many": 2, "transition": 3}
"""Callee → position of the action among its arguments (after session and team, or after
the request id and two statuses: RequestStore.transition's `event`)."""
_SERVICE_RECORD = 1
"""Position of the action in `audit_log.record(team, action, …)` (bot.services.audit.AuditLog),
for callers that hold no session (bot/slack/workspace_guard.py)."""
_NOT_DETAILS = {"request_id", "product", "amount", "values", "label"}
"""Keyword arguments that are columns, the row's new values, or shown through another detail
(`label`: a group's handle, shown in its mention)."""
_PASSED_ON = {
    ("bot/services/requests/store.py", "event"),
    ("bot/services/recurring/store.py", "event"),
    ("bot/services/batches/store.py", "event"),
}
"""(file, parameter) of a recorder that records what its caller names: RequestStore.transition
writes the `event` each of its calls (walked here too) gives it; SeriesStore (recurring) writes
the `event` its callers name; BatchStore.move and move_row the `event` their callers give
(bot/services/batches/) — bot.services.audit.record refuses an unknown one at once."""


def _constants(tree: ast.Module) -> dict[str, str]:
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def _pattern(value: ast.expr, constants: dict[str, str]) -> str | None:
    """The action a call records as a regex (an f-string's holes match any word)."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return re.escape(value.value)
    if isinstance(value, ast.Name) and value.id in constants:
        return re.escape(constants[value.id])
    if isinstance(value, ast.Attribute) and value.attr in constants:
        return re.escape(constants[value.attr])
    if isinstance(value, ast.JoinedStr):
        return "".join(
            re.escape(part.value) if isinstance(part, ast.Constant) else r"[a-z]+"
            for part in value.values
        )
    return None


@functools.cache
def recording_calls() -> list[tuple[str, int, ast.Call, str | None]]:
    """(file, line, call, action pattern) of every call that records an audit entry.

    Walked when a test first asks, not at collection: parsing every module of `bot` took each
    pytest-xdist worker a second before its first test, and only one worker runs these."""
    imported: dict[str, str] = {}
    trees = {}
    for path in sorted(BOT.rglob("*.py")):
        if "devkit" in path.parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        trees[path] = tree
        imported.update(_constants(tree))
    found = []
    for path, tree in trees.items():
        constants = {**imported, **_constants(tree)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name, owner = node.func.attr, node.func.value
            if name not in _RECORDERS:
                continue
            service = name == "record" and isinstance(owner, ast.Name) and owner.id == "audit_log"
            module = isinstance(owner, ast.Name) and owner.id == "audit"
            if name != "transition" and not (module or service):
                continue
            # AuditLog.record (bot.services.audit) opens its own session: no session argument.
            position = _SERVICE_RECORD if service else _RECORDERS[name]
            action = node.args[position] if len(node.args) > position else None
            where = str(path.relative_to(ROOT))
            if isinstance(action, ast.Name) and (where, action.id) in _PASSED_ON:
                continue
            pattern = _pattern(action, constants) if action is not None else None
            found.append((where, node.lineno, node, pattern))
    return found


def test_every_recorded_action_is_registered_and_every_detail_labelled(
    subtests: pytest.Subtests,
) -> None:
    # One walk of the source for the three checks: each xdist worker that ran one of them
    # parsed every module of `bot` again (seconds on a loaded machine).
    calls = recording_calls()
    with subtests.test("the walk finds the recorders"):  # or the checks pass on nothing
        patterns = {pattern for *_, pattern in calls}
        assert len(calls) > 30
        for expected in ("approval_counted", "withdrawn", "cross_workspace_refused", "alert_fired"):
            assert re.escape(expected) in patterns
        assert any(p and p.startswith("reconciled_") for p in patterns)  # an f-string
    with subtests.test("every recorded action is registered"):
        unreadable, unregistered = [], []
        for where, line, _call, pattern in calls:
            if pattern is None:
                unreadable.append(f"{where}:{line}")
            elif not any(re.fullmatch(pattern, a) for a in audit.ACTIONS):
                unregistered.append(f"{where}:{line} records {pattern!r}")
        assert not unreadable, f"actions that are not a name this test can read: {unreadable}"
        assert not unregistered, f"not in bot.services.audit.ACTIONS: {unregistered}"
    with subtests.test("every recorded detail has a label"):
        unlabelled = {
            f"{where}:{line} {keyword.arg}"
            for where, line, call, _ in calls
            for keyword in call.keywords
            if keyword.arg is not None
            and keyword.arg not in _NOT_DETAILS
            and keyword.arg not in text.DETAIL_LABELS
        }
        assert not unlabelled


@pytest.mark.parametrize("action", sorted(audit.ACTIONS))
def test_every_registered_action_has_words(action: str) -> None:
    words = text.ACTIONS.get(action)
    assert words is not None, f"{action!r} has no words in bot.slack.admin.texts.ACTIONS"
    with language("en"):
        english = str(words)
    with language("fr"):
        french = str(words)
    assert english.strip()  # "approved" may say itself in English; never in French
    assert french and french != english, f"{action!r} is not in French"


async def test_record_refuses_an_action_it_does_not_know(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(audit.UnknownAction):
            await audit.record(session, "T1", "something_unheard_of", "U1")
        with pytest.raises(audit.UnknownAction):
            await audit.record_many(session, "T1", "something_unheard_of", "U1", [{}])
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0

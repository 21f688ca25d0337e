"""Who counts as the second pair of eyes on something somebody asked for.

Four eyes mean nothing if the asker can pick the second pair: an admin who makes a colleague
an approver (adding an approver tightens, so it applies at once) could have that colleague
confirm the admin's own raise of auto-approve a minute later. So, one rule for every check
where an approver stands in for "somebody else" — confirming a setting change (a Partner key
replacement included) and approving a credit request:

    An approver counts for something X asked for only through an appointment that X did not
    make, or that X made at least `SETTLING_TIME` (24 hours) before asking.

An appointment X made after asking never counts for it either. The appointment is the
approver's current one (a role removed and given again starts anew). An appointment of a
user group is judged the same way: who appointed the group, and when.
Membership of a group is Slack's: the bot cannot know when someone joined it, so whoever may
edit that group in Slack chooses approvers (restrict who manages it in Slack's settings).
The 24 hours leave everybody else time to see the appointment, which is announced in the
approvals channel, and to undo it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.services.errors import ServiceError

SETTLING_TIME = timedelta(hours=24)
"""How long before asking the asker's own appointee must have been appointed to count."""


@dataclass(frozen=True, slots=True)
class Appointment:
    """One way a person holds the approver role: directly, or through a user group."""

    granted_by: str
    granted_at: datetime


class Eyes(StrEnum):
    COUNTS = "counts"
    ASKER = "asker"
    """The asker themselves."""
    NOT_APPROVER = "not_approver"
    APPOINTED_BY_ASKER = "appointed_by_asker"
    """An approver only through appointments the asker made too recently (or after asking)."""


def appointed_for_it(appointment: Appointment, asker_id: str, asked_at: datetime) -> bool:
    """Whether this appointment was the asker's, too close to (or after) the asking."""
    return appointment.granted_by == asker_id and appointment.granted_at > asked_at - SETTLING_TIME


def second_eyes(
    person_id: str, asker_id: str, asked_at: datetime, appointments: Iterable[Appointment]
) -> Eyes:
    """Whether `person_id`, an approver through `appointments`, counts for what `asker_id`
    asked for at `asked_at`. One appointment that passes is enough."""
    if person_id == asker_id:
        return Eyes.ASKER
    held = list(appointments)
    if not held:
        return Eyes.NOT_APPROVER
    if any(not appointed_for_it(a, asker_id, asked_at) for a in held):
        return Eyes.COUNTS
    return Eyes.APPOINTED_BY_ASKER


class AppointedByAsker(ServiceError):
    """The approver was appointed by the asker too recently to be their second pair of eyes."""

    def __init__(self, asker_id: str, number: int, *, change: bool) -> None:
        what = "setting change" if change else "request"
        super().__init__(f"{what} #{number}: this approver was appointed by its asker")
        self.asker_id = asker_id
        self.number = number
        self.change = change

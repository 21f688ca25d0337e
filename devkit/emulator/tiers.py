"""Slack's per-method rate-limit tiers, counted per workspace as Slack counts them.

Slack's Web API limits are "per API method per workspace per app", in calls a minute
(docs.slack.dev/apis/web-api/rate-limits): views.publish is Tier 4, 100+ a minute. Past the
limit Slack answers HTTP 429 with `Retry-After` (whole seconds to wait) and does nothing.

Here a method's tier is a sliding minute on the world's clock: a call is refused while
`per_minute` calls of that method by that workspace were admitted in the last 60 s, with a
Retry-After saying when the oldest of them leaves the minute. Tests set a smaller tier
(`FakeSlack.tier`) and a simulated clock, and read the fake's own accounting
(`busiest_minute`) instead of waiting a real minute.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable

WINDOW = 60.0

DEFAULT_TIERS = {"views.publish": 100}
"""Methods the fake limits unless a test says otherwise (Slack's documented floor)."""


class RateTiers:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.per_minute: dict[str, int] = dict(DEFAULT_TIERS)
        self._recent: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.admitted: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
        """(method, team) → when each admitted call came, on the world's clock."""
        self.refused: defaultdict[tuple[str, str], list[float]] = defaultdict(list)

    def set(self, method: str, per_minute: int | None) -> None:
        if per_minute is None:
            self.per_minute.pop(method, None)
        else:
            self.per_minute[method] = per_minute

    def admit(self, method: str, team_id: str) -> int | None:
        """None when the call may go on (and it is counted), else the Retry-After to answer."""
        limit = self.per_minute.get(method)
        if limit is None:
            return None
        now = self._clock()
        key = (method, team_id)
        recent = self._recent[key]
        while recent and recent[0] <= now - WINDOW:
            recent.popleft()
        if len(recent) >= limit:
            self.refused[key].append(now)
            return max(1, math.ceil(recent[0] + WINDOW - now))
        recent.append(now)
        self.admitted[key].append(now)
        return None

    def busiest_minute(self, method: str, team_id: str) -> int:
        """The most calls of `method` by `team_id` admitted within any 60 s."""
        times = self.admitted[(method, team_id)]
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= WINDOW:
                start += 1
            most = max(most, end - start + 1)
        return most

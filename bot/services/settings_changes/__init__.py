"""Settings under four eyes: a change that loosens money control waits for an approver.

Which changes loosen is decided by one pure function, `loosens`. A loosening change is stored
as *pending* and applied only when an approver other than the asker confirms it (nor one the
asker appointed less than a day before asking, or since: bot.services.four_eyes); a change that
tightens (or changes nothing about money) is applied at once. Like a request, a pending change
moves on exactly once: every status change is one `UPDATE … WHERE status = 'pending'`, and a
confirmation applies the change in the same transaction as that UPDATE, so of any number of
clicks exactly one applies it, and a change is never half applied.

```
pending ──confirm (an approver, not the asker)──▶ applied
   ├──reject (an approver, or the asker withdrawing it)──▶ rejected
   └──expire (after the policy's expiry)──▶ expired
```

While nobody could confirm (no approvals channel, or no approver yet), a workspace admin or
owner — who could give themselves any role in Slack anyway — applies a loosening change at
once; anybody else is refused.
"""

from bot.services.settings_changes.model import (
    NO_KEY_IN_USE,
    Change,
    ChangeAlreadyDecided,
    ChangeSnapshot,
    NobodyToConfirm,
    OwnChange,
    Route,
    Setting,
    Status,
    key_change,
    loosens,
    replaced_key,
)
from bot.services.settings_changes.service import SettingsChanges

__all__ = [
    "NO_KEY_IN_USE",
    "Change",
    "ChangeAlreadyDecided",
    "ChangeSnapshot",
    "NobodyToConfirm",
    "OwnChange",
    "Route",
    "Setting",
    "SettingsChanges",
    "Status",
    "key_change",
    "loosens",
    "replaced_key",
]

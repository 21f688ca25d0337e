"""Text of freeze and cap, in the reader's language: replies in the asker's or clicker's, the
over-cap notice in the alerts channel's."""

from bot.i18n import _l, ngettext

FREEZE_USAGE = _l("Write it as `/partner [product] freeze &lt;subaccount&gt;`.")
UNFREEZE_USAGE = _l("Write it as `/partner [product] unfreeze &lt;subaccount&gt;`.")
CAP_USAGE = _l(
    "Write it as `/partner [product] cap &lt;subaccount&gt; &lt;amount&gt;`, "
    "`/partner [product] cap &lt;subaccount&gt; off` or `/partner cap list`."
)
NO_SUBACCOUNTS = _l("{product} has no subaccounts.")
WHO = _l("approvers and admins")
FREEZE_ACTION = _l("freeze a subaccount")
UNFREEZE_ACTION = _l("unfreeze a subaccount")
CAP_ACTION = _l("set a subaccount's cap")
SWEEP_ACTION = _l("sweep a subaccount's excess")

NUMBER = _l("#{number}")
FREEZE = _l("Freeze")
UNFREEZE = _l("Unfreeze")
HOME_TITLE = _l("Frozen and capped subaccounts")
HOME_HINT = _l(
    "A frozen subaccount takes no credit from the app; a capped one none over its cap. An "
    "advanced subaccount may still buy credit itself. `/partner freeze|cap` set them."
)
HOME_MORE = _l("{count} more: `/partner cap list`.")
SWEEP = _l("Sweep the excess")

FROZEN = _l(
    ":ice_cube: *{subaccount}* ({product}) is frozen: every add to it is refused until it is unfrozen."
)
ALREADY_FROZEN = _l(
    ":ice_cube: *{subaccount}* ({product}) was already frozen (by {user}): its balance was swept again."
)
ADVANCED = _l(
    "An advanced subaccount may still buy credit itself from the vendor: a freeze only stops "
    "the app's adds. Unfreezing needs a second approver: `/partner unfreeze {subaccount}`."
)
NOTHING_MOVED = _l("Nothing was left to move back.")
NOW_HOLDS = _l("It now holds {balance}.")
NOT_READ = _l(
    "Its balance could not be read again: check it with `/partner subaccount {subaccount}`."
)
STOPPED_UNKNOWN = _l(
    "Request #{number} has an unknown outcome: no further removal was made over it. "
    "Check it with `/partner requests`."
)
CARD_FROZEN = _l(
    ":ice_cube: {user} froze this subaccount {at}: {moved} moved back to the main account, "
    "and the app adds nothing to it until it is unfrozen. An advanced subaccount may still buy "
    "credit itself."
)

ANNOUNCE_FROZEN = _l(
    ":ice_cube: {user} froze *{subaccount}* ({product}): {moved} moved back to the main "
    "account; no add until it is unfrozen."
)
ANNOUNCE_SWEPT = _l(
    ":broom: {user} moved {moved} over the cap of *{subaccount}* ({product}) back to the main "
    "account."
)
NOT_FROZEN = _l("*{subaccount}* is not frozen: nothing to unfreeze.")
UNFROZEN = _l(":sunny: *{subaccount}* is unfrozen: the app may add credit to it again.")

CAP_SET = _l(
    ":straight_ruler: *{subaccount}* now has a cap of {cap}: the app adds no credit that would "
    "take its balance over it. It holds {balance} (room left {room})."
)
CAP_SET_OVER = _l(
    ":straight_ruler: *{subaccount}* now has a cap of {cap}, and holds {balance}: {excess} "
    "over it. Sweep the excess back to the main account?"
)
CAP_REMOVED = _l(":straight_ruler: *{subaccount}* has no cap any more.")
CAP_SAME = _l("*{subaccount}* already has that cap: nothing changed.")
NO_CAP = _l("*{subaccount}* has no cap: nothing to sweep.")
CAP_ADVANCED = _l(
    "A cap stops the app's adds only: an advanced subaccount may still buy credit itself."
)

LIST_HEADER = _l("*Frozen and capped subaccounts*")
LIST_EMPTY = _l("No subaccount is frozen or capped.")
LIST_FROZEN = _l("frozen by {user}")
LIST_CAP = _l("cap {cap}")
CAP_ROOM = _l("cap {cap} (room left {room})")

OVER_CAP_NOTICE = _l(
    ":straight_ruler: *{product}*: *{subaccount}* holds {balance}, over its cap of {cap}: "
    "credit came from outside the app (the vendor's site, or the subaccount buying it)."
)
SWEPT_EXCESS = _l(":broom: {user} swept {moved} over the cap back to the main account {at}.")
SWEEP_DONE = _l(":broom: *{subaccount}*: {moved} over its cap moved back to the main account.")
UNDER_CAP = _l("*{subaccount}* holds {balance}, within its cap of {cap}: nothing to sweep.")


def moved_in(count: int) -> str:
    return ngettext(
        "{moved} moved back to the main account in {count} removal ({numbers}).",
        "{moved} moved back to the main account in {count} removals ({numbers}).",
        count,
    )

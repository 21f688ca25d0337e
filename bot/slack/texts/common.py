"""User-facing text shared by every feature, marked `_l` for the catalogs (bot.i18n): each
renders in the language of the moment it is used. Product names are brands: not translated."""

from bot.i18n import _l

NOT_CONFIGURED_ONE = _l(
    ":key: {product} is not set up in this workspace yet. An admin can add its API key "
    "with `/partner setup`."
)
NOT_CONFIGURED_ANY = _l(
    ":key: No Partner API key is set up in this workspace yet. An admin can add one with "
    "`/partner setup`."
)
NOT_FOUND = _l(":mag: No {what} matches `{ref}`.")
NOT_FOUND_SUGGEST = _l(" Did you mean: {suggestions}?")
AMBIGUOUS = _l(
    ":mag: `{ref}` matches several {what}s: {matches}. Be more precise (an email, id or token)."
)
NOT_ALLOWED = _l(":no_entry: Only {who_may} can {action}.")
NO_SUBACCOUNTS = _l(":information_source: {product} has no subaccounts.")

VENDOR_REFUSED = _l(":warning: {product} refused: {explanation}{vendor}")
VENDOR_SAID = _l(" (the vendor said: “{message}”, code {code})")
VENDOR_UNAVAILABLE = _l(
    ":warning: {product} cannot be reached right now ({detail}). Nothing was changed; "
    "try again in a few minutes."
)
VENDOR_OUTCOME_UNKNOWN = _l(
    ":warning: {product} did not confirm the operation ({detail}). It may or may not have "
    "been carried out: check the balances before trying again."
)
REQUEST_REFUSED = _l(":no_entry: {message} Nothing was requested.")
INVALID_AMOUNT = _l(":warning: {message}")
DATABASE_UNAVAILABLE = _l(
    ":warning: Partner Ops cannot reach its database right now. Nothing was changed: try "
    "again in a minute."
)
BUG = _l(
    ":boom: Something went wrong on our side and nothing more was done. The error was "
    "logged with reference `{reference}`."
)
GARBLED = _l(
    ":warning: This click or form carried data Partner Ops did not make, so nothing was done. "
    "Try again from a fresh message or form."
)
BOT_NOT_IN_CHANNEL = _l(
    ":no_entry: Partner Ops is not in this channel: invite it first (`/invite @Partner Ops`), then try again."
)

# Modals: shown at once, while the app looks things up or does the work.
LOADING = _l(":hourglass_flowing_sand: Loading…")
WORKING = _l(":hourglass_flowing_sand: Working on it…")
CLOSE = _l("Close")

LANGUAGE_NAMES = {"en": _l("English"), "fr": _l("French")}
"""The languages Partner Ops speaks, by code, as a reader names them."""

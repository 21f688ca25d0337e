"""Text of `/partner subaccounts` and `/partner subaccount`, in the reader's language."""

from bot.i18n import _l, ngettext

LIST_TITLE = _l("{product} subaccounts")
LIST_PAGE = _l("Page {page} of {pages}")
LIST_EMPTY = _l("{product} has no subaccounts yet.")
LIST_EMPTY_FILTERED = _l(
    "No {product} subaccount matches “{search}”. Search looks at emails, ids and tokens."
)
ROW = _l("*{email}*\n{balance} · {type} · id {id}{created}")
ROW_CREATED = _l(" · created {date}")
NO_EMAIL = _l("(no email)")
PREVIOUS = _l("◀ Previous")
NEXT = _l("Next ▶")
FALLBACK = _l("{product} subaccounts, page {page} of {pages}")

DETAIL_TITLE = _l("{product} subaccount")
DETAIL_FIELDS = [
    (_l("Email"), "{email}"),
    (_l("Balance"), "{balance}"),
    (_l("Type"), "{type}"),
    (_l("Id"), "{id}"),
    (_l("Token"), "`{token}`"),
    (_l("Created"), "{created}"),
]
DETAIL_FIELD = "*{label}*\n{value}"
DETAIL_HINT = _l("Its own API key is never shown here; the token is what credit moves use.")
DETAIL_FALLBACK = "{email}: {balance}"


def list_summary(n: int) -> str:
    """A plural by the language's rules: call, then `.format(count=…, total=…)`."""
    return ngettext(
        "{count} subaccount · {total} in all", "{count} subaccounts · {total} in all", n
    )


def list_summary_filtered(n: int) -> str:
    return ngettext(
        "{count} subaccount matching “{search}” · {total} in all",
        "{count} subaccounts matching “{search}” · {total} in all",
        n,
    )

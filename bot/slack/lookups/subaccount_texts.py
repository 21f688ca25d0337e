"""Text of `/partner subaccounts` and `/partner subaccount`."""

LIST_TITLE = "{product} subaccounts"
LIST_SUMMARY = "{count} subaccounts · {total} in all"
LIST_SUMMARY_FILTERED = "{count} subaccounts matching “{search}” · {total} in all"
LIST_PAGE = "Page {page} of {pages}"
LIST_EMPTY = "{product} has no subaccounts yet."
LIST_EMPTY_FILTERED = (
    "No {product} subaccount matches “{search}”. Search looks at emails, ids and tokens."
)
ROW = "*{email}*\n{balance} · {type} · id {id}{created}"
ROW_CREATED = " · created {date}"
NO_EMAIL = "(no email)"
PREVIOUS = "◀ Previous"
NEXT = "Next ▶"
FALLBACK = "{product} subaccounts, page {page} of {pages}"

DETAIL_TITLE = "{product} subaccount"
DETAIL_FIELDS = [
    ("Email", "{email}"),
    ("Balance", "{balance}"),
    ("Type", "{type}"),
    ("Id", "{id}"),
    ("Token", "`{token}`"),
    ("Created", "{created}"),
]
DETAIL_FIELD = "*{label}*\n{value}"
DETAIL_HINT = "Its own API key is never shown here; the token is what credit moves use."
DETAIL_FALLBACK = "{email}: {balance}"

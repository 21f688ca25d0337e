"""English and French: message catalogs (gettext, Babel) and the language of the moment.

Slack-free, so services may use it too. The language is a context variable: set it for what
one reader sees, then everything that renders under it speaks that language.

Marking a string (the English text is the key, the msgid):

    from bot.i18n import N_, _, _l, _lp, ngettext

    TITLE = _l("Main account balances")          # module constant: translated when used
    shown = _("Read from the vendor just now.")   # inside a function: translated now
    shown = ngettext("{count} subaccount", "{count} subaccounts", n).format(count=n)
    raise InvalidAmount(N_("Too many digits."))   # kept English, `_(message)` when shown
    REJECTED = _lp("request state", "rejected")   # one English word, French by context

`_l` gives a `babel.support.LazyProxy`: `text.TITLE.format(...)` returns a `str` in the
current language, and so does `str(text.TITLE)` — use that where a real `str` is required
(slack_sdk's Block Kit models check `isinstance(value, str)`; a dict key is not translated).
Keep `{placeholders}` named, so a translation may put them in another order, and pass
numbers and money already formatted (bot.i18n.formatting), not `{count:,}`.

Choosing the language: what the acting user of a command, click or submission sees is already
in their language, set at the door (bot.slack.workspace_guard.MemberGate, from the membership
check's users.info). For someone else or a channel, in a listener (bot.slack.locale):

    use_language(await user_language(services.user_locales, client, team_id, user_id))
    with language(await channel_language(services, team_id, channel_id)):
        ...                                         # what a channel sees: the admin's choice

`use_language` holds for the rest of the listener's task (Bolt runs each listener in a task
of its own), so an error answered by bot.slack.error_handler speaks it too; `language()` is
scoped. Outside any of these, English.

Converting a feature: wrap its texts module's strings in `_l(...)`, `str()` the ones handed
to Block Kit unformatted, format numbers/money with bot.i18n.formatting, set a channel's
language where a channel is the reader (the actor's is set already), run
`python -m bot.i18n extract`, translate, and test it in both languages (see
bot/slack/lookups/balance_texts.py and balance_views.py, tests/slack/test_languages.py;
tests/unit/test_texts_are_marked.py fails while a texts module keeps an unmarked text).

Numbers, money, counts and dates: bot.i18n.formatting, in the current language.

After adding or changing a marked string: `python -m bot.i18n extract` refreshes both catalogs
(bot/i18n/locales/{en,fr}/LC_MESSAGES/messages.po), then write the French by hand in
fr/…/messages.po. tests/unit/test_i18n_catalogs.py fails while a string used in code is missing
from a catalog, a French translation is empty, or a catalog keeps an entry no code uses.
Catalogs are read from the .po files when first needed: no compile step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LANGUAGES = ("en", "fr")
DEFAULT = "en"
DOMAIN = "messages"
LOCALES = Path(__file__).parent / "locales"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT)
_zone: ContextVar[str | None] = ContextVar("zone", default=None)


def normalise(code: str | None) -> str:
    """A language we speak for a Slack locale or a typed word: `fr-FR`, `fr_CA`, `FR` → `fr`;
    anything else (`en-US`, `de-DE`, empty) → English."""
    head = (code or "").strip().replace("_", "-").split("-")[0].lower()
    return head if head in LANGUAGES else DEFAULT


def current_language() -> str:
    return _current.get()


@contextmanager
def language(code: str | None) -> Iterator[str]:
    """`with language("fr"):` — everything translated or formatted inside speaks French.
    Context-variable based, so concurrent requests (asyncio tasks) do not see each other's."""
    token = _current.set(normalise(code))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def catalog_path(code: str) -> Path:
    return LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(code: str) -> NullTranslations:
    """The language's catalog, read from its .po file once per process."""
    path = catalog_path(code)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=code)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _(message: str) -> str:
    """`message` (its English text) in the current language, now."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for `n` by the current language's plural rules (French: 0 and 1 singular)."""
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language as meant in `context`: one English word French
    words by what it qualifies (a request is « refusée », a setting change « refusé », and
    in the audit trail someone « a refusé »)."""
    return translations(_current.get()).pgettext(context, message)


def _lp(context: str, message: str) -> LazyProxy:
    """`_l` with a context (see `pgettext`)."""
    return LazyProxy(pgettext, context, message, enable_cache=False)


def _l(message: str) -> LazyProxy:
    """`message` translated each time it is used, in the language of that moment: for module
    constants, which are built before any reader is known."""
    return LazyProxy(_, message, enable_cache=False)


def use_language(code: str | None) -> str:
    """The language for the rest of the current asyncio task (a Bolt listener runs in a task
    of its own, so this ends with it); `language()` is the scoped form."""
    _current.set(normalise(code))
    return _current.get()


def current_zone() -> str | None:
    """The reader's IANA time zone (Slack's `tz`), None when no one reader is known (a channel,
    the worker): then times are written in UTC, saying so (bot.i18n.formatting.when)."""
    return _zone.get()


def use_zone(name: str | None) -> str | None:
    """The reader's time zone for the rest of the current asyncio task, as `use_language`."""
    _zone.set(name or None)
    return _zone.get()


@contextmanager
def zone(name: str | None) -> Iterator[str | None]:
    """`with zone("Europe/Paris"):` — times formatted inside are that reader's."""
    token = _zone.set(name or None)
    try:
        yield _zone.get()
    finally:
        _zone.reset(token)


def N_(message: str) -> str:
    """Marks `message` for the catalogs and returns it as is (English): for text kept now and
    translated when shown, e.g. an exception's message (`_(error.message)` at display)."""
    return message

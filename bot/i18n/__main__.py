"""`python -m bot.i18n extract`: refresh bot/i18n/locales/*/LC_MESSAGES/messages.po from the
code. Then translate the new French entries by hand (empty `msgstr ""`)."""

from __future__ import annotations

import sys

from bot.i18n.catalogs import read, refresh


def main(argv: list[str]) -> int:
    if argv != ["extract"]:
        print("usage: python -m bot.i18n extract", file=sys.stderr)
        return 2
    for path in refresh():
        print(f"wrote {path}")
    untranslated = [m.id for m in read("fr") if m.id and not all(_strings(m.string))]
    for msgid in untranslated:
        print(f"to translate in French: {msgid!r}")
    return 0


def _strings(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

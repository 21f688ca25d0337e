"""French typography in translations: a no-break space (U+00A0) before `:` `;` `?` `!`, inside
« » and after `n°` (`demande n° 15` never breaks before its number), and the French apostrophe
’ for '. A plain space there lets Slack wrap the colon alone onto the next line.

`python -m bot.i18n extract` applies `french_typography` to every French msgstr, so a string
translated on any branch with plain spaces is fixed by re-running it. What is not prose is left
as it is: `{placeholders}` (a format spec may hold a colon), Slack tokens (`<!date^…|…>`,
`<@U1>`), URLs (`https://x`), inline code and emoji codes (`Bonjour :wave:` keeps its space).
"""

from __future__ import annotations

import re

NBSP = "\u00a0"

# Longest first where they overlap: a URL may hold an emoji-like `:x:`, code may hold a URL.
_NOT_PROSE = re.compile(
    r"`[^`\n]*`"
    r"|<[^<>]*>"
    r"|\{[^{}]*\}"
    r"|https?://\S+"
    r"|(?<![\w:]):[a-z0-9_+-]+:(?![\w:])"
)
# Spaces of any width but the no-break one, as translators type them.
_SPACES = "[ \u2000-\u200a\u202f\u205f]+"
_BEFORE_MARK = re.compile(_SPACES + r"(?=[:;?!])")
_AFTER_OPENING = re.compile("«" + _SPACES)
_BEFORE_CLOSING = re.compile(_SPACES + "»")
_AFTER_NUMERO = re.compile("n°" + _SPACES)


def _prose(text: str) -> str:
    text = _BEFORE_MARK.sub(NBSP, text)
    text = _AFTER_OPENING.sub("«" + NBSP, text)
    text = _AFTER_NUMERO.sub("n°" + NBSP, text)
    text = text.replace("'", "’")
    return _BEFORE_CLOSING.sub(NBSP + "»", text)


def french_typography(text: str) -> str:
    """`text` with a no-break space wherever French puts a space before `:` `;` `?` `!`, inside
    « » or after `n°`, ’ for ', and nothing else changed."""
    parts: list[str] = []
    position = 0
    for match in _NOT_PROSE.finditer(text):
        parts.append(_prose(text[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_prose(text[position:]))
    return "".join(parts)


def plain_spaces_in_french_prose(text: str) -> list[str]:
    """Where `text` has a breaking space French wants unbreakable: each as a few characters of
    context, for a test to show."""
    prose = _NOT_PROSE.sub("\x00", text)
    found = []
    for pattern in (_BEFORE_MARK, _AFTER_OPENING, _BEFORE_CLOSING, _AFTER_NUMERO):
        found += [prose[max(m.start() - 8, 0) : m.end() + 8] for m in pattern.finditer(prose)]
    return found

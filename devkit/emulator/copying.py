"""What a person gets when they select a rendered mrkdwn text in Slack and copy it.

Slack renders the formatting and copies what it shows: the marks of `*bold*`, `_italic_`,
`~strike~` and `` `code` `` are gone, a `>` quote loses its `>`, links and mentions become
the names shown, entities are characters. Invisible characters (word joiner, soft hyphen) are
copied as they are. Tests paste the result back into a command, as a person would.

The model is deliberately eager: it formats whatever Slack might, so text that survives it
unchanged is text that cannot format in Slack either.
"""

from __future__ import annotations

import re

from devkit.emulator.render import mrkdwn_to_text

# A mark opens after a line start, a space or punctuation and before a non-space; it closes
# after a non-space and before a line end, a space or punctuation (Slack's word-edge rule).
_FORMATTED = re.compile(r"(?<![^\W_])([*_~])(?=\S)(.+?)(?<=\S)\1(?![^\W_])")
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"<(?![@#!])([^<>|]*)\|([^<>]*)>")
_QUOTE = re.compile(r"^(?:&gt;|>) ?", re.MULTILINE)


def copied(mrkdwn: str) -> str:
    """The characters a person copies from `mrkdwn` as Slack shows it."""
    text = _QUOTE.sub("", mrkdwn)
    spans: list[str] = []

    def code(match: re.Match[str]) -> str:
        # Nothing formats inside code: keep it aside until the marks outside are read.
        spans.append(match.group(1))
        return f"\x00{len(spans) - 1}\x00"

    text = _CODE.sub(code, text)
    while (unmarked := _FORMATTED.sub(r"\2", text)) != text:
        text = unmarked
    text = re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)
    # A link copies as the words it shows; people, channels and @here as their names.
    text = _LINK.sub(lambda m: m.group(2) or m.group(0), text)
    return mrkdwn_to_text(text)

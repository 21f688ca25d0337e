"""The one door for Slack's text: what people typed in, mrkdwn-safe text out.

In: the manifest sets `should_escape: true`, so Slack sends a slash command's text formatted —
a typed email as `<mailto:a@b.c|a@b.c>`, a domain as `<http://acme.com|acme.com>`, `@here` as
`<!here>`, people, channels and groups as `<@U1|max>`, `<#C1|ops>`, `<!subteam^S1|@finance>`,
and `&`, `<`, `>` always as `&amp;`, `&lt;`, `&gt;`. `from_slack` turns that back into what the
person typed, decoding entities exactly once. Mentions of people, channels and groups stay as
Slack tokens (`<@U1|max>`): that is how commands tell a picked person from a typed word, and
the id is what they need. `mentions_as_typed` turns those into `@max` for free text (reasons).

Not everything Slack sends is formatted: a modal's plain_text_input value and a button's value
come back exactly as typed or as the app set them, so they only go through `clean`.

Out: `escape` makes any user or vendor text inert in mrkdwn (see its docstring for how).
plain_text objects are never escaped: Slack shows them literally, `&amp;` included.

Round trip: mrkdwn has no escape character (Slack's formatting reference lists only `&amp;`,
`&lt;`, `&gt;`), so `escape` shows some characters as look-alikes or adds invisible ones. A
person copies what they see — `opsˍ@acme.com` for `ops_@acme.com` — and pastes it into a
command or a form. `clean`, which every way in goes through, maps those back (`as_typed`), so
whatever the app showed finds the same thing when pasted.
"""

from __future__ import annotations

import re
import unicodedata

# `<…>` tokens: Slack never sends a bare `<` or `>`, so everything between them is one token.
_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_SPECIAL = {"here", "channel", "everyone"}
_MENTION = re.compile(r"<(@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+|!subteam\^[A-Z0-9]+)(?:\|([^<>]*))?>")


def _entities(text: str) -> str:
    """`&amp;`, `&lt;`, `&gt;` back to `&`, `<`, `>` in one pass: `&amp;lt;` becomes `&lt;`."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def clean(text: str, *, multiline: bool = False) -> str:
    """Text without control characters (NUL, escape codes, bidi overrides…), which no person
    means to type and some databases refuse (PostgreSQL will not store NUL). Tabs become spaces;
    line breaks stay only in `multiline` fields. What `escape` put in shown text is undone
    (`as_typed`): a pasted identifier is the one the app showed."""
    kept = []
    for char in as_typed(text):
        if char == "\n" and multiline:
            kept.append(char)
        elif char in "\t\n\r":
            kept.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs") or _is_bidi_control(char):
            continue
        else:
            kept.append(char)
    return "".join(kept)


def _is_bidi_control(char: str) -> bool:
    # Overrides and isolates can make a reason read backwards on screen.
    return "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069"


def from_slack(text: str) -> str:
    """Slack-formatted text (`should_escape: true`) → what the person typed.

    `<mailto:x|x>` → x; `<http://acme.com|acme.com>` → acme.com (the label, when it is the URL as
    typed without its scheme), `<https://x.io/a>` → the URL; `<!here>`, `<!channel>`,
    `<!everyone>` → `@here`…; `<@U1|max>`, `<#C1|ops>`, `<!subteam^S1|@finance>` stay (ids are
    what commands need; see `mentions_as_typed`); `<!date^…|fallback>` → its fallback; then
    `&lt;` `&gt;` `&amp;` decoded once. Control characters are dropped (see `clean`).
    """
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        parts.append(_entities(text[position : match.start()]))
        parts.append(_token(match.group(0), match.group(1)))
        position = match.end()
    parts.append(_entities(text[position:]))
    return clean("".join(parts), multiline=True)


def _token(whole: str, inner: str) -> str:
    target, _, label = inner.partition("|")
    target, label = _entities(target), _entities(label)
    if _MENTION.fullmatch(whole):
        return whole
    if target.startswith("!"):
        name = target[1:]
        if name in _SPECIAL:
            return f"@{name}"
        return label or target
    if target.startswith("mailto:"):
        return target.removeprefix("mailto:")
    if re.match(r"(?i)https?://", target):
        bare = re.sub(r"(?i)^https?://", "", target)
        # A typed `acme.com` arrives as <http://acme.com|acme.com>: give back what was typed.
        if label and label in (bare, bare.rstrip("/"), target):
            return label
        return target
    # tel:, slack:// and anything newer: what was shown is what was typed.
    return label or target


def mentions_as_typed(text: str) -> str:
    """`<@U1|max>` → `@max`, `<#C1|ops>` → `#ops`, `<!subteam^S1|@finance>` → `@finance`;
    without a label, the id (`@U1`). For free text such as a reason, where an id means nothing
    to a reader and a mention must never ping."""

    def typed(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("!subteam^"):
            return label if label and label.startswith("@") else f"@{label or target[9:]}"
        return target[0] + label if label else target

    return _MENTION.sub(typed, text)


# --------------------------------------------------------------------------- out

# Slack has no escape character for mrkdwn. `&`, `<`, `>` become entities, which is enough
# for links and mentions (`<!channel>` needs a literal `<`). Formatting marks `*` `_` `~` and
# backticks pair only at word edges, and a zero-width space does not stop that (it counts as a
# word edge: jsx-slack uses it to *force* formatting). So a mark at a word edge is swapped for
# a look-alike that Slack does not read (jsx-slack's `<Escape>` does the same): `*URGENT*` shows
# as `∗URGENT∗`, never bold, while `client_07@x.com` keeps its `_` (mid-word, inert). A bare
# `@channel`/`@here`/`@everyone` gets a word joiner after the `@` so no parser links it, and a
# line starting with `>` gets a soft hyphen so it is no quote. All invisible or near-identical.
_LOOKALIKE = {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"}
# What `escape` adds and nobody types: the word joiner and the soft hyphen.
_ADDED = "\u2060\u00ad"
_MARK_AT_EDGE = re.compile(r"(?<![^\W_])[*_~]|[*_~](?![^\W_])|`")
_BROADCAST = re.compile(r"@(?=(?:here|channel|everyone)\b)", re.IGNORECASE)
_QUOTE = re.compile(r"^(?=&gt;)", re.MULTILINE)


def escape(text: str) -> str:
    """User or vendor text made inert in mrkdwn: shown as typed, pings nobody, never formats.

    Use it exactly once, on output, for every mrkdwn text object and message `text`; never on
    plain_text (Slack shows plain_text literally) nor on files such as CSV.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARK_AT_EDGE.sub(lambda m: _LOOKALIKE[m.group(0)], text)
    text = _BROADCAST.sub("@\u2060", text)
    # `:smile:` typed by a user stays text, not an emoji (and is not taken for one of ours).
    text = _TYPED_EMOJI.sub(":\u2060", text)
    return _QUOTE.sub("\u00ad", text)


_TYPED_EMOJI = re.compile(r":(?=[a-z0-9_+\-\u02cd]+:)")


_EMOJI = re.compile(r"(?<!\S):[a-z0-9_+-]+:(?!\S)")
_OUR_MENTION = re.compile(r"<([@#])([A-Z0-9]+)(?:\|[^<>]*)?>|<!subteam\^([A-Z0-9]+)(?:\|[^<>]*)?>")
_UNDO_LOOKALIKE = {v: k for k, v in _LOOKALIKE.items()}
_AS_TYPED = str.maketrans({**_UNDO_LOOKALIKE, **dict.fromkeys(_ADDED)})


def as_typed(shown: str) -> str:
    """Text copied from one of our messages → the text `escape` was given: look-alikes back to
    `*` `_` `~` and backticks, the word joiners and soft hyphens gone. Someone who really types
    `ˍ` gets `_`; nobody's email, token or id holds one, and a pasted one must find its match."""
    return shown.translate(_AS_TYPED)


def to_plain(message: str) -> str:
    """One of our mrkdwn messages as plain text, for the places Slack shows text literally
    (modal `errors`, plain_text objects): no emoji codes, no `*bold*` marks, mentions as ids,
    and `escape` undone — so `&amp;` never shows, and user text reads exactly as typed."""
    message = _EMOJI.sub("", message)
    message = _OUR_MENTION.sub(
        lambda m: f"@{m.group(3)}" if m.group(3) else f"{m.group(1)}{m.group(2)}", message
    )
    # Our bold marks sit at word edges; a user's `*` there was swapped by `escape`.
    message = re.sub(r"(?<![^\W_])\*|\*(?![^\W_])", "", message)
    message = as_typed(message)
    return " ".join(_entities(message).split())

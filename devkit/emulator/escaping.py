"""What Slack does to a slash command's text when the app's manifest sets `should_escape: true`.

Slack links what it recognises and escapes the rest before sending: a typed email becomes
`<mailto:a@b.co|a@b.co>`, a URL `<https://x.io/a>`, a bare domain `<http://acme.com|acme.com>`,
`@here`/`@channel`/`@everyone` become `<!here>`…, `@name` of a member `<@U…|name>`, `@handle` of a
user group `<!subteam^S…|@handle>`, `#name` of a channel `<#C…|name>`; then every remaining `&`,
`<`, `>` becomes `&amp;`, `&lt;`, `&gt;`. Text that already holds Slack's own syntax (`<@U1>`,
`<!subteam^S1|@x>`, `<!here>`, `<mailto:…>`, `<http…>`) is how tests and the console say "the
person picked this from the autocomplete": it passes untouched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"

_PATTERN = re.compile(
    r"(?P<formatted><(?:[@#!]|mailto:|https?://|tel:)[^<>]*>)"
    r"|(?P<email>(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-]))"
    r"|(?P<url>(?<![\w/])https?://[^\s<>|]*[^\s<>|.,;:!?)'\"])"
    r"|(?P<domain>(?<![\w@.:/-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
    r"(?![\w@-]|\.[A-Za-z0-9]))"
    r"|(?P<broadcast>(?<![\w@])@(?:here|channel|everyone)\b)"
    r"|(?P<person>(?<![\w@])@[\w.-]*\w)"
    r"|(?P<channel>(?<![\w&#])#[\w-]+)"
)


def escape_like_slack(
    text: str,
    *,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
    groups: Mapping[str, str] | None = None,
) -> str:
    """`text` as Slack sends it with `should_escape: true`. `users`, `channels` and `groups` map
    a member's name, a channel's name and a group's handle (without @ or #) to their ids."""
    users, channels, groups = users or {}, channels or {}, groups or {}
    out: list[str] = []
    position = 0
    for match in _PATTERN.finditer(text):
        out.append(_entities(text[position : match.start()]))
        out.append(_linked(match, users, channels, groups))
        position = match.end()
    out.append(_entities(text[position:]))
    return "".join(out)


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _linked(
    match: re.Match[str],
    users: Mapping[str, str],
    channels: Mapping[str, str],
    groups: Mapping[str, str],
) -> str:
    found = match.group(0)
    match match.lastgroup:
        case "formatted":
            return found
        case "email":
            return f"<mailto:{found}|{found}>"
        case "url":
            return f"<{_entities(found)}>"
        case "domain":
            return f"<http://{found}|{found}>"
        case "broadcast":
            return f"<!{found[1:]}>"
        case "person":
            name = found[1:]
            if name in users:
                return f"<@{users[name]}|{name}>"
            if name in groups:
                return f"<!subteam^{groups[name]}|@{name}>"
        case "channel":
            name = found[1:]
            if name in channels:
                return f"<#{channels[name]}|{name}>"
    return _entities(found)


def should_escape(command: str, manifest: Path = MANIFEST) -> bool:
    """Whether the manifest asks Slack to escape `command`'s text. Slack's default is not to.

    Read without a YAML library (the console runs without the test tools): the manifest's
    `slash_commands` entries are `- command: /x` followed by their keys, one a line.
    """
    return _escaped_commands(manifest).get(command, False)


@cache
def _escaped_commands(manifest: Path) -> dict[str, bool]:
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except OSError:
        # Installed without the repository around it: the app's manifest escapes /partner.
        return {"/partner": True}
    found: dict[str, bool] = {}
    current: str | None = None
    for line in lines:
        if match := re.match(r"^\s*-\s*command:\s*[\"']?(/[\w-]+)", line):
            current = match.group(1)
            found[current] = False
        elif current and (match := re.match(r"^\s*should_escape:\s*(\w+)", line)):
            found[current] = match.group(1).lower() == "true"
        elif re.match(r"^\S", line):
            current = None  # a new top-level section ends the command list
    return found

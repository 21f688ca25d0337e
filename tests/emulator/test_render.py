"""Block Kit → terminal text."""

from __future__ import annotations

from typing import Any

from devkit.emulator import Button, mrkdwn_to_text, render_message, render_view

USERS = {"U1": "alice"}


def text(kind: str, value: str) -> dict[str, str]:
    return {"type": kind, "text": value}


def button(action_id: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": text("plain_text", label), **extra}


def test_mrkdwn_references_and_escapes() -> None:
    source = (
        "*Hi* <@U1> and <@U9>, see <#C1|general> or <#C2>: <https://x.io/a?b=1&amp;c=2|the doc>, "
        "<https://y.io>, <mailto:a@b.c|a@b.c> <!here> <!channel> <!subteam^S1|@managers> "
        "<!date^1700000000^{date}|Nov 14> _a &lt;b&gt; &amp;amp;_"
    )
    assert mrkdwn_to_text(source, USERS.get) == (
        "*Hi* @alice and @U9, see #general or #C2: the doc (https://x.io/a?b=1&c=2), "
        "https://y.io, a@b.c (mailto:a@b.c) @here @channel @managers "
        "Nov 14 _a <b> &amp;_"
    )
    assert mrkdwn_to_text("<@U1|ally>") == "@ally"


def test_text_only_message() -> None:
    shown = render_message("hello <@U1>\nsecond line", None, users=USERS.get)
    assert shown.text == "hello @alice\nsecond line"
    assert shown.buttons == []
    assert render_message(None, []).text == ""


def test_every_block_type() -> None:
    blocks = [
        {"type": "header", "text": text("plain_text", "Balances")},
        {
            "type": "section",
            "text": text("mrkdwn", "Account *main*"),
            "accessory": button("open", "Open", value="main"),
        },
        {
            "type": "section",
            "fields": [
                text("mrkdwn", "*Balance*\n12.50 EUR"),
                text("mrkdwn", "*Owner*\n<@U1>"),
                text("mrkdwn", "plain"),
            ],
        },
        {"type": "divider"},
        {
            "type": "context",
            "elements": [
                text("mrkdwn", "updated 5 min ago"),
                {"type": "image", "image_url": "https://i", "alt_text": "logo"},
                text("plain_text", "v1"),
            ],
        },
        {
            "type": "actions",
            "block_id": "acts",
            "elements": [
                button("approve", "Approve", value="r1", style="primary"),
                button("deny", "Deny", style="danger"),
                button("docs", "Docs", url="https://docs.example"),
            ],
        },
        {"type": "image", "image_url": "https://i/chart.png", "alt_text": "chart of usage"},
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "Hi "},
                        {"type": "user", "user_id": "U1"},
                        {"type": "text", "text": " see "},
                        {"type": "link", "url": "https://z", "text": "this"},
                    ],
                },
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "elements": [
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "text", "text": "one"}],
                        },
                        {
                            "type": "rich_text_section",
                            "elements": [{"type": "text", "text": "two"}],
                        },
                    ],
                },
                {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted"}]},
                {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "code"}]},
            ],
        },
        {
            "type": "input",
            "block_id": "amt",
            "label": text("plain_text", "Amount"),
            "element": {"type": "number_input", "action_id": "v", "initial_value": "5"},
        },
        {"type": "video", "title": text("plain_text", "x")},
    ]
    shown = render_message("fallback", blocks, users=USERS.get, first_button_number=3)
    assert shown.text.split("\n") == [
        "══ Balances " + "═" * 28,
        "Account *main*  [3] Open",
        "  Balance   12.50 EUR",
        "  Owner     @alice",
        "  plain",
        "─" * 40,
        "updated 5 min ago · [logo] · v1",
        "[4] Approve  [5] Deny  [6] Docs ↗",
        "[image: chart of usage]",
        "Hi @alice see this (https://z)",
        "• one",
        "• two",
        "> quoted",
        "    code",
        "  [amt.v] Amount: <number_input = 5>",
        "[video]",
    ]
    assert [b.number for b in shown.buttons] == [3, 4, 5, 6]
    assert shown.buttons[1] == Button(4, "Approve", "approve", "acts", "r1", "primary", None)
    assert shown.buttons[2].style == "danger"
    assert shown.buttons[3].url == "https://docs.example"
    assert shown.buttons[0].value == "main"


def test_selects_and_overflows_list_their_options_as_buttons() -> None:
    options = [
        {"text": text("plain_text", "SMS"), "value": "sms"},
        {"text": text("plain_text", "Mail"), "value": "mail"},
    ]
    blocks = [
        {
            "type": "section",
            "block_id": "s",
            "text": text("mrkdwn", "Product"),
            "accessory": {
                "type": "static_select",
                "action_id": "pick",
                "placeholder": text("plain_text", "Choose"),
                "options": options,
            },
        },
        {
            "type": "actions",
            "block_id": "a",
            "elements": [
                {"type": "overflow", "action_id": "more", "options": options},
                {"type": "datepicker", "action_id": "day", "initial_date": "2024-05-01"},
            ],
        },
    ]
    shown = render_message(None, blocks)
    assert shown.text.split("\n") == [
        "Product  Choose: [1] SMS [2] Mail",
        "⋯ [3] SMS [4] Mail  <datepicker = 2024-05-01>",
    ]
    assert [(b.action_id, b.block_id, b.value) for b in shown.buttons] == [
        ("pick", "s", "sms"),
        ("pick", "s", "mail"),
        ("more", "a", "sms"),
        ("more", "a", "mail"),
    ]


def test_long_lines_wrap_to_the_terminal() -> None:
    words = " ".join(["word"] * 40)
    shown = render_message(None, [{"type": "section", "text": text("mrkdwn", words)}])
    assert all(len(line) <= 80 for line in shown.text.split("\n"))
    assert shown.text.replace("\n", " ") == words


def test_view_with_inputs_errors_and_footer() -> None:
    view = {
        "type": "modal",
        "title": text("plain_text", "Move credit"),
        "submit": text("plain_text", "Move"),
        "close": text("plain_text", "Cancel"),
        "blocks": [
            {"type": "section", "text": text("mrkdwn", "From *main*")},
            {
                "type": "input",
                "block_id": "amount",
                "label": text("plain_text", "Amount"),
                "hint": text("plain_text", "In EUR"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "placeholder": text("plain_text", "12.50"),
                },
            },
            {
                "type": "input",
                "block_id": "to",
                "optional": True,
                "label": text("plain_text", "To"),
                "element": {
                    "type": "static_select",
                    "action_id": "pick",
                    "initial_option": {"text": text("plain_text", "Sub B"), "value": "b"},
                    "options": [
                        {"text": text("plain_text", "Sub A"), "value": "a"},
                        {"text": text("plain_text", "Sub B"), "value": "b"},
                    ],
                },
            },
            {
                "type": "input",
                "block_id": "who",
                "label": text("plain_text", "Approver"),
                "element": {"type": "users_select", "action_id": "user", "initial_user": "U1"},
            },
            {"type": "actions", "elements": [button("check", "Check")]},
        ],
    }
    shown = render_view(view, errors={"amount": "Too much"})
    assert shown.text.split("\n") == [
        "┌─ Move credit",
        "│ From *main*",
        "│   [amount.value] Amount: <plain_text_input (12.50)>",
        "│       In EUR",
        "│       ! Too much",
        "│   [to.pick] To (optional): <static_select: Sub A (a) | Sub B (b) = Sub B>",
        "│   [who.user] Approver: <users_select = U1>",
        "│ [1] Check",
        "└─ [Submit: Move] [Close: Cancel]",
    ]
    assert [b.action_id for b in shown.buttons] == ["check"]

    home = render_view({"type": "home", "blocks": [{"type": "divider"}]})
    assert home.text.split("\n") == ["┌─ Home", "│ " + "─" * 40, "└─"]

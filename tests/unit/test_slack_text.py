"""The door for Slack's text: decoded once on the way in, escaped once on the way out."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.slack.admin.parsing import ManageRole
from bot.slack.commands import CommandError
from bot.slack.partner_command import parse_command
from bot.slack.requests.parsing import CreditMove
from bot.slack.slack_text import clean, escape, from_slack, mentions_as_typed, to_plain
from devkit.emulator.copying import copied
from devkit.emulator.escaping import escape_like_slack, should_escape


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("<mailto:client07@example.com|client07@example.com>", "client07@example.com"),
        ("<mailto:client07@example.com>", "client07@example.com"),
        ("<http://acme.com|acme.com>", "acme.com"),
        ("<http://www.acme.com|www.acme.com>", "www.acme.com"),
        ("<https://acme.com/a?b=1&amp;c=2>", "https://acme.com/a?b=1&c=2"),
        ("<https://acme.com/x|see here>", "https://acme.com/x"),  # a label that is not the URL
        ("<#C123|ops>", "<#C123|ops>"),
        ("<#C123>", "<#C123>"),
        ("<@U1|max>", "<@U1|max>"),
        ("<@W1>", "<@W1>"),
        ("<!subteam^S1|@finance>", "<!subteam^S1|@finance>"),
        ("<!here>", "@here"),
        ("<!here|here>", "@here"),
        ("<!channel>", "@channel"),
        ("<!everyone>", "@everyone"),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<tel:+33123|+33 1 23>", "+33 1 23"),
        ("R&amp;D &lt;Q3&gt;", "R&D <Q3>"),
        ("&amp;lt;", "&lt;"),  # typed literally: decoded exactly once
        ("&amp;amp;", "&amp;"),
        ("1 000,50 €", "1 000,50 €"),
        ("1\u202f000,50", "1\u202f000,50"),
        ("a\x00b\x1bc", "abc"),
        ("bidi\u202eevil", "bidievil"),
        ("two\nlines\ttab", "two\nlines tab"),
        (
            "credit add <mailto:a@b.co|a@b.co> 25,50 € R&amp;D &lt;Q3&gt; <!channel>",
            "credit add a@b.co 25,50 € R&D <Q3> @channel",
        ),
    ],
)
def test_from_slack(sent: str, typed: str) -> None:
    assert from_slack(sent) == typed


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("thanks <@U1|max>", "thanks @max"),
        ("thanks <@U1>", "thanks @U1"),
        ("see <#C1|ops>", "see #ops"),
        ("ask <!subteam^S1|@finance>", "ask @finance"),
        ("ask <!subteam^S1>", "ask @S1"),
        ("R&D <Q3>", "R&D <Q3>"),
    ],
)
def test_mentions_in_free_text_become_the_names_shown(text: str, shown: str) -> None:
    assert mentions_as_typed(text) == shown


def test_clean_keeps_newlines_only_where_meant() -> None:
    assert clean("a\nb\r\nc\x00", multiline=True) == "a\nb \nc"
    assert clean("a\nb\x7f\x85") == "a b"


@pytest.mark.parametrize(
    ("typed", "mrkdwn"),
    [
        ("R&D <Q3>", "R&amp;D &lt;Q3&gt;"),
        ("<!channel> <@U1>", "&lt;!channel&gt; &lt;@U1&gt;"),
        ("@channel @here @everyone", "@\u2060channel @\u2060here @\u2060everyone"),
        ("*URGENT approved by CFO*", "\u2217URGENT approved by CFO\u2217"),
        ("_italic_ ~strike~ `code`", "\u02cditalic\u02cd \u223cstrike\u223c \u02cbcode\u02cb"),
        ("client_07@example.com", "client_07@example.com"),  # mid-word: inert, kept
        ("> quoted", "\u00ad&gt; quoted"),
        ("<http://evil.example|click>", "&lt;http://evil.example|click&gt;"),
        (":0: :thumbs_up:", ":\u20600: :\u2060thumbs_up:"),  # found by hypothesis: no emoji
    ],
)
def test_escape_makes_text_inert_once(typed: str, mrkdwn: str) -> None:
    assert escape(typed) == mrkdwn
    assert to_plain(escape(typed)) == typed  # and the plain version reads as typed


def test_to_plain_drops_mrkdwn_from_our_messages() -> None:
    message = ":no_entry: *Only approvers* can decide; <@U1> asked for R&amp;D."
    assert to_plain(message) == "Only approvers can decide; @U1 asked for R&D."


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("client07@example.com", "<mailto:client07@example.com|client07@example.com>"),
        ("acme.com", "<http://acme.com|acme.com>"),
        ("https://acme.com/a?b&c", "<https://acme.com/a?b&amp;c>"),
        ("@here", "<!here>"),
        ("@max", "<@UMAX|max>"),
        ("@finance", "<!subteam^S1|@finance>"),
        ("#ops", "<#COPS|ops>"),
        ("#nowhere @nobody", "#nowhere @nobody"),
        ("R&D <Q3>", "R&amp;D &lt;Q3&gt;"),
        ("&lt;", "&amp;lt;"),
        ("12,50 € 1.000,5", "12,50 € 1.000,5"),
        ("<@U1|max> <!subteam^S2|@x>", "<@U1|max> <!subteam^S2|@x>"),  # picked: kept
    ],
)
def test_the_emulator_escapes_like_slack(typed: str, sent: str) -> None:
    known = {"users": {"max": "UMAX"}, "channels": {"ops": "COPS"}, "groups": {"finance": "S1"}}
    assert escape_like_slack(typed, **known) == sent


def test_the_manifest_escapes_partner_only() -> None:
    assert should_escape("/partner") and not should_escape("/hello")


# Already-formatted Slack syntax is how a test says "picked from the autocomplete": not typed.
_FORMATTED = re.compile(r"<(?:[@#!]|mailto:|https?://|tel:)[^<>]*>")
_typed_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"))
    | st.sampled_from("&<>@#.:/|*_~` \n;amplgt-€,"),
    max_size=80,
)


def _is_plain(text: str) -> bool:
    # Not the characters `escape` shows instead of marks: those read back as the marks.
    return not _FORMATTED.search(text) and not any(
        "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" or c in _SHOWN for c in text
    )


_SHOWN = "\u2217\u02cd\u223c\u02cb\u2060\u00ad"


@settings(max_examples=400, deadline=None)
@given(_typed_text)
def test_what_slack_sends_decodes_to_what_was_typed(typed: str) -> None:
    assume(_is_plain(typed))
    assert from_slack(escape_like_slack(typed)) == typed


@settings(max_examples=300, deadline=None)
@given(_typed_text)
def test_escape_then_plain_is_what_was_typed(typed: str) -> None:
    assume(all(c not in _SHOWN for c in typed))
    assume(typed == " ".join(typed.split()))
    assert to_plain(escape(typed)) == typed


_words = st.sampled_from(
    [
        "credit", "add", "remove", "subaccount", "delete", "create", "subaccounts", "policy",
        "auto-approve", "daily-cap", "two-approvers", "expiry", "requesters", "alert", "main",
        "audit", "export", "digest", "subscribe", "approvers", "admins", "sms", "mail", "voice",
        "1", "000,50", "12", "50", "€", "EUR", "1.000", "٣", "５", "²", "9" * 30, "<@U1|x>",
        "<!subteam^S1|@x>", "a@b.co", "24h", "none", "-3", "help", "balance", "list",
    ]
)  # fmt: skip
_commands = st.lists(_words | st.text(max_size=12), max_size=8).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=60), _commands))
def test_no_text_makes_the_parser_fail_but_with_a_message(typed: str) -> None:
    for text in (typed, from_slack(escape_like_slack(typed)), from_slack(typed)):
        try:
            parse_command(text)
        except CommandError as error:
            assert error.message.strip()


def test_picked_people_stay_ids_and_reasons_read_as_shown() -> None:
    sent = escape_like_slack("approvers add @max", users={"max": "UMAX"})
    parsed = parse_command(from_slack(sent))
    assert isinstance(parsed, ManageRole) and parsed.subject and parsed.subject.id == "UMAX"
    sent = escape_like_slack("credit add a@b.co 5 thanks @max @here", users={"max": "UMAX"})
    parsed = parse_command(from_slack(sent))
    assert isinstance(parsed, CreditMove) and parsed.reason == "thanks @max @here"
    assert unicodedata.normalize("NFC", parsed.reason) == parsed.reason


@pytest.mark.parametrize(
    ("mrkdwn", "copy"),
    [
        ("*bold* _it_ ~no~ `co_de`", "bold it no co_de"),
        ("a_b_c x*y*z", "a_b_c x*y*z"),  # mid-word marks do not format
        ("&gt; quoted &amp; R&amp;D", "quoted & R&D"),
        ("<mailto:a@b.co|a@b.co> <!here> <@U1>", "a@b.co @here @U1"),
        ("*_both_*", "both"),
    ],
)
def test_the_copy_model_formats_what_slack_would(mrkdwn: str, copy: str) -> None:
    assert copied(mrkdwn) == copy


@pytest.mark.parametrize(
    "identifier",
    [
        "ops_@acme.com",
        "_ops@acme.com",
        "*vip*_ops@acme.example",
        "~x~@y.co",
        "`tok`",
        "a`b",
        "R&D<Q3>",
        ">quoted",
        "@here",
        ":smile:",
        "tok_*~`&<>end_",
    ],
)
def test_a_shown_identifier_pastes_back(identifier: str) -> None:
    assert from_slack(escape_like_slack(copied(escape(identifier)))) == identifier
    assert from_slack(escape_like_slack(copied(f"`{escape(identifier)}`"))) == identifier


_identifiers = st.text(
    alphabet=st.sampled_from("_*~`&<>@.:-+abcXYZ019"), min_size=1, max_size=40
) | st.emails().map(lambda email: email.replace(".", "_", 1))


@settings(max_examples=400, deadline=None)
@given(_identifiers, st.sampled_from(["{}", "`{}`", "*{}*", "id: {}.", "({})"]))
def test_any_identifier_shown_anywhere_pastes_back(identifier: str, shown_as: str) -> None:
    """As Slack renders it, as a person copies it, as Slack sends it back when pasted."""
    mrkdwn = shown_as.format(escape(identifier))
    pasted = copied(mrkdwn)
    around = shown_as.replace("`", "").replace("*", "").split("{}")
    assert pasted.startswith(around[0]) and pasted.endswith(around[1])
    pasted = pasted[len(around[0]) : len(pasted) - len(around[1])]
    assert from_slack(escape_like_slack(pasted)) == identifier
    assert "<" not in escape(identifier) and not re.search(r"@(here|channel|everyone)", mrkdwn)

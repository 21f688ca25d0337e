"""What people type, as Slack really sends it (`should_escape: true`), read back as typed and
shown back inert: no ping, no formatting, escaped exactly once."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from bot.services.requests import Status
from bot.slack.slack_text import escape
from devkit.emulator.copying import copied
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    card_of,
    card_text,
    click,
    dms_to,
    latest_request,
    set_up_approvals,
    sms_account,
)
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text
from tests.slack.modals import filled_modal
from tests.slack.test_approvals import settled

A1 = APPROVERS[0]
REASON = "@channel R&D <Q3> *URGENT approved by CFO* _now_ `x` ~no~"
REASON_MRKDWN = (
    "@\u2060channel R&amp;D &lt;Q3&gt; \u2217URGENT approved by CFO\u2217 "
    "\u02cdnow\u02cd \u02cbx\u02cb \u223cno\u223c"
)


def assert_inert(sent: str) -> None:
    """No ping, no double escape, no formatting of the user's words in what was posted."""
    for ping in ("<!channel>", "<!here>", "<!everyone>", "*URGENT", "_now_", "`x`", "~no~"):
        assert ping not in sent, ping
    assert "&amp;amp;" not in sent and "&amp;lt;" not in sent


async def test_a_credit_asked_by_email_as_slack_sends_it_is_done_once(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    account = sms_account(slack)
    main, held = account.balance, sub.balance

    delivery = await slack.command(f"credit add {sub.email} 1\u202f000,50 € top-up")
    # What the app received is what Slack sends: the email as a mailto link.
    assert f"<mailto:{sub.email}|{sub.email}>" in delivery.sent["text"]
    confirmation = reply_text(await delivery.wait_response())
    assert "€1,000.50" in confirmation and "No subaccount matches" not in confirmation
    request = await latest_request(slack)
    assert (request.amount, request.reason) == (Decimal("1000.50"), "top-up")
    assert request.subaccount_email == sub.email
    card = await card_of(slack, request.id)
    assert "€1,000.50" in card_text(card)

    await click(slack, A1, "request_approve", card)
    await click(slack, APPROVERS[1], "request_approve", card)  # a late second click
    await settled(slack, request.id)
    assert (await slack.runtime.requests.get(request.id)).status is Status.SUCCEEDED
    [move] = slack.sandbox.calls(endpoint="/subaccount/credit/add")
    assert move.params["credit"] in ("1000.5", Decimal("1000.5"))
    assert (account.balance, sub.balance) == (main - Decimal("1000.5"), held + Decimal("1000.5"))


async def test_lookups_by_email_and_domain_as_slack_sends_them(slack: Harness) -> None:
    sub = a_subaccount(slack)
    delivery = await slack.command(f"subaccount {sub.email}")
    assert "<mailto:" in delivery.sent["text"]
    text = reply_text(await delivery.wait_response())
    assert sub.token in text and "Did you mean" not in text

    domain = sub.email.split("@")[1]
    delivery = await slack.command(f"subaccounts {domain}")
    assert f"<http://{domain}|{domain}>" in delivery.sent["text"]
    text = reply_text(await delivery.wait_response())
    assert sub.email in text and "No SMS Partner subaccount matches" not in text


async def test_a_reason_shows_as_typed_and_pings_nobody(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    delivery = await slack.command(f"credit add {sub.email} 10 {REASON}")
    assert "<!channel>" in delivery.sent["text"] and "R&amp;D &lt;Q3&gt;" in delivery.sent["text"]
    confirmation = await delivery.wait_response()
    request = await latest_request(slack)
    assert request.reason == REASON  # stored as typed: not escaped, no Slack syntax

    card = await card_of(slack, request.id)
    sent = card_text(card)
    assert REASON_MRKDWN in sent
    assert sent.count("R&amp;D &lt;Q3&gt;") == 1
    assert_inert(sent)
    assert_inert(reply_text(confirmation))

    await click(slack, A1, "request_approve", card)
    await settled(slack, request.id)
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    [dm] = dms_to(slack, MEMBER)
    assert REASON_MRKDWN in dm
    dm_blocks = json.dumps(slack.fake.messages[f"D{MEMBER}"][0].blocks, ensure_ascii=False)
    assert REASON_MRKDWN in dm_blocks
    assert_inert(dm + dm_blocks)

    audit = reply_text(await slack.ask("audit", user=ADMIN))
    assert REASON_MRKDWN in audit
    assert_inert(audit)

    await slack.ask("audit export", user=ADMIN)
    [exported] = slack.fake.files
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert any(REASON in row["details"] for row in rows)  # the file holds it literally
    assert "&amp;" not in exported.content.decode() and "\u2217" not in exported.content.decode()

    assert_inert(slack.outbound())
    assert slack.block_kit_violations() == []


async def test_a_rejection_reason_with_markup_and_a_nul_byte(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await slack.ask(f"credit add {sub.email} 10 needs\x00 a check")
    request = await latest_request(slack)
    assert request.reason == "needs a check"  # the NUL is gone before storage

    card = await card_of(slack, request.id)
    await click(slack, A1, "request_reject", card)
    view = await filled_modal(slack.fake, A1, "reason")  # after "Loading…"
    submitted = await slack.driver.submit_view(
        view,
        team_id=slack.team_id,
        user_id=A1,
        values={"reason": {"reason": "not <@UADMIN> & *not now*\x00"}},
    )
    assert submitted.status == 200
    await settled(slack, request.id)
    rejected = await slack.runtime.requests.get(request.id)
    assert rejected.status is Status.REJECTED
    assert rejected.rejection_reason == "not <@UADMIN> & *not now*"
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    [dm] = dms_to(slack, MEMBER)
    assert "not &lt;@UADMIN&gt; &amp; \u2217not now\u2217" in dm
    assert_inert(slack.outbound())
    assert "<@UADMIN>" not in slack.outbound()


async def test_unclear_amounts_get_a_reply_saying_why(slack: Harness) -> None:
    sub = a_subaccount(slack)
    for amount, why in (
        ("12 50", "ambiguous"),
        ("1" * 26, "too many digits"),
        ("²", "digits other than 0–9"),
        ("٣", "digits other than 0–9"),
        ("５", "digits other than 0–9"),
        ("1.000", "ambiguous"),
        ("12.3456", "at most 3 decimals"),
    ):
        post = await slack.ask(f"credit add {sub.email} {amount} top-up")
        assert post.body["response_type"] == "ephemeral"
        assert why in reply_text(post), amount
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")
    assert await slack.runtime.requests.of_requester(slack.team_id, MEMBER) == []
    assert APPROVALS not in slack.fake.messages


async def test_vendor_names_show_inert_in_lookups_and_digests(slack: Harness) -> None:
    """Text from the vendor (a subaccount's email and names) is shown as text too."""
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    sub.email, sub.firstname, sub.lastname = "*vip*_ops@acme.example", "@here", "<!channel> `x`"
    await slack.ask(f"credit add {sub.token} 3 for the vip")  # pending: listed in the digest

    detail = reply_text(await slack.ask(f"subaccount {sub.token}"))
    assert "\u2217vip\u2217\u02cdops@acme.example" in detail
    digest = reply_text(await slack.ask("digest now", user=ADMIN))
    posted = [m for m in slack.fake.messages.get("C0GENERAL", []) if m.ephemeral_to is None]
    shown = digest + "".join(m.text + json.dumps(m.blocks, ensure_ascii=False) for m in posted)
    assert "vip" in shown
    for ping in ("<!channel>", "<!here>", "*vip*", "`x`"):
        assert ping not in shown + detail, ping
    assert_inert(slack.outbound())


def _copied_field(post_body: dict, label: str) -> str:
    """A field of a detail reply, as a person copies it from what Slack shows."""
    for block in post_body.get("blocks", []):
        for field in block.get("fields") or []:
            name, _, value = copied(field["text"]).partition("\n")
            if name == label:
                return value
    raise AssertionError(f"no {label} field")


async def test_what_a_lookup_shows_pastes_back_into_commands(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    sub.email, sub.token = "_vip*_ops_@acme.example", "_tok~en_`1"
    detail = await slack.ask(f"subaccount {sub.token}")
    email, token = _copied_field(detail.body, "Email"), _copied_field(detail.body, "Token")
    assert email != sub.email and token != sub.token  # shown with look-alikes: inert
    assert_inert(reply_text(detail))

    for pasted in (email, token):
        again = reply_text(await slack.ask(f"subaccount {pasted}"))
        assert "`" + escape(sub.token) + "`" in again, pasted
    post = await slack.ask(f"credit add {email} 5 pasted")
    assert "No subaccount matches" not in reply_text(post)
    request = await latest_request(slack)
    assert (request.subaccount_email, request.subaccount_token) == (sub.email, sub.token)

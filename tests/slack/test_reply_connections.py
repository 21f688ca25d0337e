"""Replies to response_urls go through the process's one Slack session (bot/slack/respond.py):
kept-alive connections, not a new session and TCP connection for every reply."""

from __future__ import annotations

from tests.slack.harness import MEMBER, Harness, click_next_page, reply_text


async def test_replies_one_after_another_share_a_connection(slack: Harness) -> None:
    posts = [await slack.ask("help") for _ in range(3)]
    assert all("/partner balance" in reply_text(post) for post in posts)
    assert all(post.body["response_type"] == "ephemeral" for post in posts)
    connections = {post.connection for post in posts}
    assert all(connections), "the emulator records the sender's end of each post"
    assert len(connections) == 1, connections


async def test_a_reply_replaces_the_message_clicked_on_through_the_shared_session(
    slack: Harness,
) -> None:
    delivery = await slack.command("subaccounts", user=MEMBER)
    first = await delivery.wait_response()
    second = await click_next_page(slack, delivery, first)
    assert second.body.get("replace_original") is True
    assert "Page 2 of 3" in reply_text(second)
    assert second.connection == first.connection

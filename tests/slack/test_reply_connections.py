"""Replies to response_urls go through the process's one Slack session (bot/slack/respond.py):
kept-alive connections, not a new session and TCP connection for every reply."""

from __future__ import annotations

from tests.slack.harness import MEMBER, Harness, reply_text


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
    actions = [b for b in first.body["blocks"] if b["type"] == "actions"]
    [next_button] = actions[0]["elements"]
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id=next_button["action_id"],
        value=next_button["value"],
        block_id=actions[0]["block_id"],
        response_url=delivery.response_url,
        channel_id="C0GENERAL",
    )
    assert click.status == 200
    second = await delivery.wait_response(count=2)
    assert second.body.get("replace_original") is True
    assert "Page 2 of 3" in reply_text(second)
    assert second.connection == first.connection

"""What the console shows: Slack's side of the conversation (the fake's calls and response_url
posts) rendered as text, with every button numbered so that `click N` can press it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.slack.views.reply import REFUSAL_BLOCK_ID
from devkit.console import texts
from devkit.emulator import Button, FakeSlack, View, render_message, render_view

FIRST_REPLY_WAIT = 20.0
QUIET_AFTER = 1.2  # Slack pacing: a message and its attachment are a second apart
# With the app's in-flight count to watch, the answer is complete once nothing runs: this
# short idle stretch only covers the moment between an ack and its listener's task starting.
IDLE_AFTER = 0.15
VISIBLE_METHODS = {
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "views.open",
    "views.push",
    "views.update",
    "views.publish",
    "files.completeUploadExternal",
}


@dataclass
class Clickable:
    button: Button
    response_url: str | None = None
    channel_id: str | None = None
    view_id: str | None = None
    message_ts: str | None = None


@dataclass
class Screen:
    fake: FakeSlack
    channel_id: str  # where the person types
    names: dict[str, str]  # user id → the name the console shows
    user_id: str  # who the person is playing now: their modals are the ones shown
    # The last answer included a refusal, or nothing answered (for `-c`'s exit status).
    refused: bool = False
    clickables: dict[int, Clickable] = field(default_factory=dict)
    next_button: int = 1
    # Calls and response_url posts already shown: anything after them (a digest or an alert
    # posted by the scheduler between two commands) is shown with the next output.
    shown_calls: int = 0
    shown_posts: int = 0
    # The app's work under way (its requests, listeners and background Home publishes): when
    # given, an answer is complete when none is left, instead of after QUIET_AFTER of silence.
    busy: Callable[[], int] | None = None

    def with_unshown(self, text: str) -> str:
        return "\n\n".join(part for part in (self.render_unshown(), text) if part)

    def render_unshown(self) -> str:
        output = self._render_new(self.shown_calls, self.shown_posts, None, None)
        self.shown_calls, self.shown_posts = len(self.fake.calls), len(self.fake.responses)
        return output

    async def observe(self, sending: Any, view_shown: View | None = None) -> str:
        """Send, then wait for the app's answers (it works after its ack) and render them,
        after anything posted since the last output."""
        seen_calls, seen_posts = len(self.fake.calls), len(self.fake.responses)
        view_hash = view_shown.hash if view_shown else None
        await sending
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FIRST_REPLY_WAIT
        quiet_since = None
        count = 0
        idle_since = None
        while loop.time() < deadline:
            now_count = self._activity(seen_calls, seen_posts, view_shown, view_hash)
            if now_count != count:
                count, quiet_since, idle_since = now_count, loop.time(), None
            elif self.busy is not None:
                if self.busy():
                    idle_since = None
                elif idle_since is None:
                    idle_since = loop.time()
                elif loop.time() - idle_since >= IDLE_AFTER:
                    break
            elif count and quiet_since and loop.time() - quiet_since >= QUIET_AFTER:
                break
            await asyncio.sleep(0.02 if self.busy is not None else 0.05)
        # Rendered in the order they happened, so that buttons are numbered top to bottom.
        earlier = self._render_new(
            self.shown_calls, self.shown_posts, None, None, end=(seen_calls, seen_posts)
        )
        answer = self._render_new(seen_calls, seen_posts, view_shown, view_hash, mark_refusals=True)
        self.shown_calls, self.shown_posts = len(self.fake.calls), len(self.fake.responses)
        if not answer:
            self.refused = True
            answer = texts.NO_REPLY
        return "\n\n".join(part for part in (earlier, answer) if part)

    def _activity(
        self, seen_calls: int, seen_posts: int, view_shown: View | None, view_hash: str | None
    ) -> int:
        calls = [c for c in self.fake.calls[seen_calls:] if c.method in VISIBLE_METHODS]
        changed = 0
        if view_shown is not None:
            current = self.fake.views.get(view_shown.id)
            if current is not None and (
                current.closed or current.hash != view_hash or current.errors
            ):
                changed = 1
        return len(calls) + len(self.fake.responses[seen_posts:]) + changed

    def _render_new(
        self,
        seen_calls: int,
        seen_posts: int,
        view_shown: View | None,
        view_hash: str | None,
        *,
        end: tuple[int, int] | None = None,
        mark_refusals: bool = False,
    ) -> str:
        """Render the calls and posts from `seen_*` up to `end` (default: all so far)."""
        calls_end, posts_end = end or (len(self.fake.calls), len(self.fake.responses))
        parts: list[str] = []
        posts = self.fake.responses[seen_posts:posts_end]
        calls = self.fake.calls[seen_calls:calls_end]
        if mark_refusals and any(_is_refusal(post.body.get("blocks")) for post in posts):
            self.refused = True
        if mark_refusals and any(
            c.method == "chat.postEphemeral" and _is_refusal(c.args.get("blocks")) for c in calls
        ):
            self.refused = True
        for post in posts:
            header = texts.REPLACED if post.body.get("replace_original") else texts.ONLY_YOU
            parts.append(
                header
                + "\n"
                + self._render_message(
                    post.body.get("text"), post.body.get("blocks"), response_url=post.url
                )
            )
        shown_views: set[str] = set()
        for call in calls:
            if call.method not in VISIBLE_METHODS or call.error:
                continue
            parts.extend(self._render_call(call.method, call.args, shown_views, call.message_at))
        if view_shown is not None and view_shown.id not in shown_views:
            current = self.fake.views.get(view_shown.id)
            if (
                current is not None
                and not current.closed
                and (current.hash != view_hash or current.errors)
            ):
                parts.append(self._render_view(current))
        return "\n\n".join(part for part in parts if part)

    def _render_call(
        self,
        method: str,
        args: dict[str, Any],
        shown_views: set[str],
        message_at: tuple[str, str] | None = None,
    ) -> list[str]:
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            channel = args.get("channel", "")
            if method == "chat.update":
                header = texts.UPDATED.format(channel=self._channel(channel))
            elif method == "chat.postEphemeral":
                header = texts.ONLY_YOU
            elif channel.startswith("D"):
                header = texts.DIRECT.format(user=self._name_of(channel[1:]))
            else:
                header = texts.IN_CHANNEL.format(channel=self._channel(channel))
            message = self.fake.find_message(*message_at) if message_at else None
            return [
                header
                + "\n"
                + self._render_message(
                    args.get("text"),
                    args.get("blocks"),
                    channel_id=channel,
                    message_ts=message.ts if message else None,
                )
            ]
        if method.startswith("views."):
            if method == "views.publish":
                # Only the console user's own Home: the app may publish other people's too.
                home = self.fake.world.home_view(args.get("user_id", ""))
                if home is None or home.user_id != self.user_id:
                    return []
                return [texts.HOME + "\n" + self._render_view(home)]
            modals = self.fake.open_modals(self.user_id)
            if modals and modals[-1].id not in shown_views:
                shown_views.add(modals[-1].id)
                return [self._render_view(modals[-1])]
            return []
        if method == "files.completeUploadExternal":
            return [
                texts.FILE.format(title=f.title or f.filename, size=len(f.content))
                for f in self.fake.files[-1:]
            ]
        return []

    def _render_message(
        self,
        text: str | None,
        blocks: Any,
        *,
        response_url: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        rendered = render_message(
            text,
            blocks if isinstance(blocks, list) else None,
            users=self._display_name,
            first_button_number=self.next_button,
        )
        for button in rendered.buttons:
            self.clickables[button.number] = Clickable(
                button,
                response_url=response_url,
                channel_id=channel_id or self.channel_id,
                message_ts=message_ts,
            )
        self.next_button += len(rendered.buttons)
        return rendered.text

    def _render_view(self, view: View) -> str:
        rendered = render_view(
            view.view,
            users=self._display_name,
            first_button_number=self.next_button,
            errors=view.errors,
        )
        for button in rendered.buttons:
            self.clickables[button.number] = Clickable(button, view_id=view.id)
        self.next_button += len(rendered.buttons)
        text = rendered.text
        fields = [
            f"{block['block_id']}.{block['element']['action_id']}=…"
            for block in view.view.get("blocks", [])
            if block.get("type") == "input" and block.get("element", {}).get("action_id")
        ]
        if view.kind == "modal" and fields and view.view.get("submit"):
            text += "\n" + texts.FORM_HINT.format(fields=" ".join(fields))
        return text

    def _channel(self, channel_id: str) -> str:
        channel = self.fake.channels.get(channel_id)
        return channel.name if channel else channel_id

    def _display_name(self, object_id: str) -> str | None:
        """People and channels by name, as Slack shows mentions of them."""
        channel = self.fake.channels.get(object_id)
        return channel.name if channel else self.fake.display_name(object_id)

    def _name_of(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)


def _is_refusal(blocks: Any) -> bool:
    return isinstance(blocks, list) and any(
        isinstance(block, dict) and block.get("block_id") == REFUSAL_BLOCK_ID for block in blocks
    )

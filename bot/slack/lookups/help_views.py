from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.slack.blocks import escape
from bot.slack.lookups import help_texts as text
from bot.slack.views.reply import REFUSAL_BLOCK_ID, Reply


def help_reply(prefix: str | None = None) -> Reply:
    """Usage of every subcommand; `prefix` (already mrkdwn-safe) says why help is shown."""
    # Usage has <placeholders>: escaped, or Slack would read them as links.
    lines = "\n".join(f"`{escape(usage)}`\n{what}" for usage, what in text.USAGE)
    blocks = []
    if prefix:
        # The command was not understood: a refusal, marked as every refusal is.
        blocks.append(SectionBlock(text=prefix, block_id=REFUSAL_BLOCK_ID))
    blocks += [
        HeaderBlock(text=text.TITLE),
        SectionBlock(text=text.INTRO),
        SectionBlock(text=lines),
        ContextBlock(elements=[MarkdownTextObject(text=text.FOOTER)]),
    ]
    return Reply(text=(prefix + "\n" if prefix else "") + text.TITLE, blocks=blocks)

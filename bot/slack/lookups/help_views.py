from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.i18n import DEFAULT, current_language
from bot.slack.blocks import escape
from bot.slack.lookups import help_texts as text
from bot.slack.views.reply import REFUSAL_BLOCK_ID, Reply


def help_reply(prefix: str | None = None) -> Reply:
    """Usage of every subcommand, in the current language; `prefix` (already mrkdwn-safe) says
    why help is shown."""
    # Usage has <placeholders>: escaped, or Slack would read them as links.
    lines = "\n".join(f"`{escape(str(usage))}`\n{what}" for usage, what in text.USAGE)
    intro = str(text.INTRO)
    if current_language() != DEFAULT:
        # The usage speaks the reader's words; the English ones still work.
        intro += "\n" + str(text.ENGLISH_WORDS_TOO)
    blocks = []
    if prefix:
        # The command was not understood: a refusal, marked as every refusal is.
        blocks.append(SectionBlock(text=str(prefix), block_id=REFUSAL_BLOCK_ID))
    blocks += [
        HeaderBlock(text=str(text.TITLE)),
        SectionBlock(text=intro),
        SectionBlock(text=lines),
        ContextBlock(elements=[MarkdownTextObject(text=str(text.FOOTER))]),
    ]
    return Reply(text=(f"{prefix}\n" if prefix else "") + str(text.TITLE), blocks=blocks)

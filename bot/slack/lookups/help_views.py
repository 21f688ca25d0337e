from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.i18n import DEFAULT, current_language
from bot.slack.blocks import escape, fit, pack
from bot.slack.texts import help as text
from bot.slack.texts import usage as usage_texts
from bot.slack.views.reply import REFUSAL_BLOCK_ID, Reply


def help_reply() -> Reply:
    """Usage of every subcommand, in the current language."""
    # Usage has <placeholders>: escaped, or Slack would read them as links.
    # One section holds at most 3,000 characters: the list is packed into as many as it takes.
    lines = pack([f"`{escape(str(usage))}`\n{what}" for usage, what in text.USAGE])
    intro = str(text.INTRO)
    if current_language() != DEFAULT:
        # The usage speaks the reader's words; the English ones still work.
        intro += "\n" + str(text.ENGLISH_WORDS_TOO)
    blocks = [
        HeaderBlock(text=str(text.TITLE)),
        SectionBlock(text=intro),
        *(SectionBlock(text=chunk) for chunk in lines),
        ContextBlock(elements=[MarkdownTextObject(text=str(text.FOOTER))]),
    ]
    return Reply(text=str(text.TITLE), blocks=blocks)


def usage_reply(reason: str, usage_line: str | None) -> Reply:
    """A command not understood: the reason (already mrkdwn-safe), the usage line of the
    subcommand that refused it when there is one, and where the whole help is — so the reason
    stays on screen."""
    hints = []
    if usage_line:
        hints.append(usage_texts.USAGE_LINE.format(usage=escape(usage_line)))
    hints.append(str(usage_texts.HELP_POINTER))
    hint = "\n".join(hints)
    return Reply(
        text=f"{reason}\n{hint}",
        blocks=(
            SectionBlock(text=fit(reason), block_id=REFUSAL_BLOCK_ID),
            ContextBlock(elements=[MarkdownTextObject(text=fit(hint))]),
        ),
    )

"""Moved to bot.slack.requests.asking: kept only while `/partner` (partner_command) still
dispatches the requests subcommands a second time through `run`. The `/partner` table should
call the handlers in `bot.slack.requests.asking.HANDLERS` and this module be deleted."""

from bot.slack.requests.asking import run

__all__ = ["run"]

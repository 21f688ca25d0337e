"""Text of `/partner language fr|en [here]`."""

from bot.i18n import _l

CHANGE = _l("change the language of the workspace's channels")
ADMINS = _l("Partner Ops admins (workspace admins and owners, and people they added)")
USAGE = _l(
    "Write `/partner language fr` or `/partner language en` for the workspace's channels "
    "(cards, digests, alerts), and add `here` for this channel only. Each person's own replies "
    "follow their Slack language."
)
SET_WORKSPACE = _l(
    ":white_check_mark: The workspace's channels now get Partner Ops in {language}, except "
    "channels with a language of their own."
)
SET_CHANNEL = _l(":white_check_mark: This channel now gets Partner Ops in {language}.")
CURRENT = _l(
    "The workspace's channels get Partner Ops in {workspace}; this channel, in {channel}. "
    "Your own replies are in {user}, your Slack language."
)

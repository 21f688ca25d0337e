"""Pages of the OAuth install flow (/slack/install, /slack/oauth_redirect): shown in a browser,
with no Slack user to take a language from, so in English until a page asks for another."""

from bot.i18n import _l

ORG_WIDE_TITLE = _l("Install Partner Ops in a workspace")
ORG_WIDE_REFUSED = _l(
    "Partner Ops is installed one workspace at a time, not across a whole Enterprise Grid "
    "organization: each workspace keeps its own Partner API keys and its own approvers. "
    "Nothing was installed. Go back to Slack and choose a single workspace to add the app to."
)
NOT_INSTALLED = _l(
    ":warning: Partner Ops is not installed in this workspace (any more), so nothing was done. "
    "A workspace admin can install it again."
)

"""The CSV a person picked in the batch form: Slack sends its id; the app asks `files.info`
(needs `files:read`) and downloads `url_private_download` with the bot token, as Slack
requires. The token goes only to Slack's own hosts, and only over the URL Slack gave."""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

MAX_BYTES = 512 * 1024
"""500 rows of `subaccount,action,amount,reason,row_id` fit many times over."""
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=10)


class FileProblem(Exception):
    """Why the file gives no rows: `kind` is scope | too_big | unreadable | not_fetched."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.detail = detail


def _slack_host(url: str, client: AsyncWebClient) -> bool:
    host = urlsplit(url).hostname or ""
    own = urlsplit(client.base_url).hostname or ""
    return host == own or host == "slack.com" or host.endswith(".slack.com")


async def fetch_csv(client: AsyncWebClient, file_id: str) -> str:
    try:
        info = (await client.files_info(file=file_id)).get("file") or {}
    except SlackApiError as error:
        reason = str(error.response.get("error"))
        raise FileProblem("scope" if reason == "missing_scope" else "not_fetched", reason) from None
    if int(info.get("size") or 0) > MAX_BYTES:
        raise FileProblem("too_big")
    url = str(info.get("url_private_download") or "")
    if not url or not _slack_host(url, client):
        raise FileProblem("not_fetched", "no download URL")
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT) as session,
            session.get(url, headers=headers, allow_redirects=False) as answer,
        ):
            # Without access Slack answers its HTML sign-in page, with status 200.
            if answer.status != 200 or answer.content_type == "text/html":
                raise FileProblem("not_fetched", f"HTTP {answer.status} {answer.content_type}")
            data = await answer.content.read(MAX_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise FileProblem("not_fetched", type(error).__name__) from None
    if len(data) > MAX_BYTES:
        raise FileProblem("too_big")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem("unreadable") from None

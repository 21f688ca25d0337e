"""The baseline of `bench ack`: the smallest Bolt app that does the job — ack, call the vendor,
reply — with none of Partner Ops' checks. Run as `python -m devkit.bench.naive` (env: PORT,
SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL, SMS_PARTNER_URL, SMS_PARTNER_API_KEY)."""

from __future__ import annotations

import os

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build() -> AsyncApp:
    env = os.environ
    app = AsyncApp(
        signing_secret=env["SLACK_SIGNING_SECRET"],
        client=AsyncWebClient(token=env["SLACK_BOT_TOKEN"], base_url=env["SLACK_API_URL"]),
    )
    sessions: list[aiohttp.ClientSession] = []

    @app.command("/partner")
    async def partner(ack, respond) -> None:  # type: ignore[no-untyped-def]
        await ack()
        if not sessions:
            sessions.append(aiohttp.ClientSession())
        me = f"{env['SMS_PARTNER_URL']}/me"
        async with sessions[0].get(me, params={"apiKey": env["SMS_PARTNER_API_KEY"]}) as answer:
            document = await answer.json()
        await respond(f"SMS balance: {document['credits']['balance']} EUR")

    return app


if __name__ == "__main__":
    naive = build()
    server = naive.server(port=int(os.environ["PORT"]), path="/slack/events", host="127.0.0.1")
    server.web_app.router.add_get("/healthz", lambda _request: web.Response(text="ok"))
    server.start()

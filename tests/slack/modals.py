"""Waiting for a modal the app opens first ("Loading…") and fills after its lookups."""

from __future__ import annotations

import json

from devkit.emulator import FakeSlack, View


def modal_text(view: View) -> str:
    return json.dumps(view.view, ensure_ascii=False)


async def filled_modal(
    fake: FakeSlack,
    user_id: str,
    block_id: str,
    timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline
) -> View:
    """The user's open modal, once the app has replaced "Loading…" by a form with `block_id`."""

    def filled() -> View | None:
        for view in fake.open_modals(user_id):
            if any(block.get("block_id") == block_id for block in view.blocks):
                return view
        return None

    filled.__qualname__ = f"a modal with {block_id}"
    return await fake.wait_for(filled, timeout)


async def modal_saying(fake: FakeSlack, user_id: str, words: str) -> View:
    """The user's open modal, once it shows `words`."""

    def saying() -> View | None:
        for view in fake.open_modals(user_id):
            if words in modal_text(view):
                return view
        return None

    saying.__qualname__ = f"a modal saying {words!r}"
    return await fake.wait_for(saying)

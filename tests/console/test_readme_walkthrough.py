"""The README's console walkthrough, run as written: every `click N  # [N] Label` presses the
button the comment names, and no line is refused."""

from __future__ import annotations

import re
from pathlib import Path

from devkit.console.session import ConsoleSession

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^(?P<who>[a-z]+)> ?(?P<typed>[^#]*?)\s*(?:#\s*(?P<comment>.*))?$")


def walkthrough() -> list[tuple[str, str, str]]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The console", 1)[1]
    block = section.split("```", 2)[1]
    steps = []
    for line in block.splitlines():
        match = LINE.match(line)
        if match:
            steps.append((match["who"], match["typed"], match["comment"] or ""))
    return steps


def test_the_walkthrough_is_found() -> None:
    typed = [step[1] for step in walkthrough()]
    assert "click 1" in typed and "click 5" in typed and "quit" in typed


async def test_the_readme_walkthrough_does_what_its_comments_say(
    console: ConsoleSession,
) -> None:
    shown = ""
    for who, typed, comment in walkthrough():
        assert console.prompt() == f"{who}> ", f"the README shows {who}> before {typed!r}"
        if typed == "quit":
            break
        label = re.match(r"\[(\d+)\] (.+?) —", comment)
        if typed.startswith("click "):
            assert label, f"{typed!r} names no button in its comment"
            assert label[1] == typed.split()[1]
            assert f"[{label[1]}] {label[2]}" in shown, f"{typed}: no [{label[1]}] {label[2]}"
        output = await console.run_line(typed)
        assert not console.screen.refused, f"{typed!r} was refused:\n{output}"
        shown += output
        if typed == "click 1":
            assert "Page 2 of" in output
        if typed == "click 5":
            assert "Done · approved by @alice" in output

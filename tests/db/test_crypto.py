"""Partner keys at rest: Fernet, several keys for rotation, a local key file only where safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.db.crypto import CannotDecrypt, EncryptionKeyError, SecretBox, load_secret_box
from bot.db.session import database_url
from bot.db.slack_tokens import is_sealed, seal, unseal


def test_rotation_with_several_keys() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = SecretBox([old]).encrypt("partner-key-1234")
    assert "partner-key" not in stored
    both = load_secret_box(f"{new}, {old}", key_file=None)
    assert both.decrypt(stored) == "partner-key-1234"
    rotated = both.rotate(stored)
    assert SecretBox([new]).decrypt(rotated) == "partner-key-1234"
    with pytest.raises(CannotDecrypt):
        SecretBox([new]).decrypt(stored)


def test_a_malformed_key_says_how_to_make_one() -> None:
    with pytest.raises(EncryptionKeyError, match=r"Fernet\.generate_key"):
        load_secret_box("not-a-fernet-key", key_file=None)


def test_local_key_file_is_made_once_private_and_announced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "partner_ops.key"
    first = load_secret_box(None, key_file=path)
    assert "generated a local encryption key" in caplog.text
    assert path.stat().st_mode & 0o777 == 0o600
    token = first.encrypt("x")
    assert load_secret_box(None, key_file=path).decrypt(token) == "x"
    assert path.read_text().strip() not in caplog.text


def test_no_key_and_no_key_file_refuses() -> None:
    with pytest.raises(EncryptionKeyError, match="required"):
        load_secret_box(None, key_file=None)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "sqlite+aiosqlite:///partner_ops.db"),
        ("postgres://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
    ],
)
def test_database_urls_as_given(given: str | None, expected: str) -> None:
    assert database_url(given) == expected


def test_rotating_a_secret_no_key_opens_says_so() -> None:
    stored = SecretBox([Fernet.generate_key().decode()]).encrypt("xoxb-1")
    with pytest.raises(CannotDecrypt, match="put back the key"):
        SecretBox([Fernet.generate_key().decode()]).rotate(stored)


@pytest.mark.parametrize(
    ("stored", "sealed"),
    [
        ("xoxb-123-abc", False),
        ("xoxe.xoxb-1-abc", False),
        ("xoxp-1-abc", False),
        ("https://hooks.slack.com/services/T/B/x", False),
        ("gAAAAABnotreally", True),
    ],
)
def test_plain_and_sealed_slack_tokens_are_told_apart(stored: str, sealed: bool) -> None:
    assert is_sealed(stored) is sealed


def test_slack_tokens_seal_once_and_open() -> None:
    box = SecretBox([Fernet.generate_key().decode()])
    sealed = seal(box, "xoxb-123-abc")
    assert sealed is not None and "xoxb" not in sealed
    assert seal(box, sealed) == sealed  # never twice
    assert unseal(box, sealed) == "xoxb-123-abc"
    assert unseal(box, "xoxb-legacy") == "xoxb-legacy"  # a plain row from before
    assert seal(box, None) is None and unseal(box, None) is None

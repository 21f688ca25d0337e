"""Secrets at rest: Partner API keys are stored encrypted with Fernet.

`BOT_ENCRYPTION_KEY` holds one or more comma-separated Fernet keys. The first encrypts; all
decrypt (MultiFernet), so a key can be rotated by putting the new one first, running
`python -m bot db rotate-keys`, then dropping the old one.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)


class EncryptionKeyError(RuntimeError):
    """The encryption key is missing or malformed; the text says what to do."""


class CannotDecrypt(RuntimeError):
    """A stored secret does not open with any configured key (key rotated away?)."""


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise EncryptionKeyError("No encryption key given.")
        try:
            fernets = [Fernet(key.strip().encode()) for key in keys]
        except (ValueError, TypeError):
            raise EncryptionKeyError(
                "BOT_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes). "
                "Make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from None
        self._fernet = MultiFernet(fernets)

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise CannotDecrypt(
                "A stored secret cannot be decrypted with BOT_ENCRYPTION_KEY; was a key "
                "removed before `db rotate-keys` ran?"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt under the first key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise CannotDecrypt(
                "A stored secret cannot be decrypted with BOT_ENCRYPTION_KEY, so it cannot be "
                "re-encrypted; put back the key it was encrypted with and run again."
            ) from None

    def __repr__(self) -> str:
        return "SecretBox(…)"


def load_secret_box(configured: str | None, *, key_file: Path | None) -> SecretBox:
    """The box from `BOT_ENCRYPTION_KEY`, else from a local key file (made when missing).

    `key_file=None` means no fallback is allowed (many workspaces, or PostgreSQL): without a
    configured key the bot refuses to start rather than invent a key nobody backs up.
    """
    if configured and configured.strip():
        return SecretBox([part for part in configured.split(",") if part.strip()])
    if key_file is None:
        raise EncryptionKeyError(
            "BOT_ENCRYPTION_KEY is required with many workspaces or PostgreSQL: it encrypts "
            "each workspace's Partner API keys. Generate one with: python -c 'from "
            "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
    if key_file.exists():
        return SecretBox([key_file.read_text().strip()])
    key = Fernet.generate_key().decode()
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    log.warning(
        "No BOT_ENCRYPTION_KEY set: generated a local encryption key in %s for the Partner "
        "API keys stored in the database. Keep that file with the database, or set "
        "BOT_ENCRYPTION_KEY.",
        key_file,
    )
    return SecretBox([key])

"""Names for a Partner API key that are safe to keep, compare and show (never the key)."""

from __future__ import annotations

import hashlib

from pydantic import SecretStr


def key_id(api_key: SecretStr) -> str:
    """A stable, non-reversible name for a key, for per-key limits (never the key itself)."""
    return hashlib.sha256(api_key.get_secret_value().encode()).hexdigest()[:16]


def fingerprint(api_key: SecretStr | str) -> str:
    """What may be shown of a key: its last 4 characters."""
    raw = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
    return "…" + raw[-4:] if len(raw) > 8 else "…"

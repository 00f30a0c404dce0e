"""Sealing: what must be stored to write to a person later (their chat id, a queued message) is
kept encrypted, so that a copy of a running server's database, or its WAL, reveals nobody.

AES-GCM from `cryptography` with a key derived from PSEUDONYM_KEY (never stored with the data).
Each seal has a fresh random nonce, so the same id sealed twice looks different: a sealed id can
be read back, not searched for (look things up by pseudonym instead).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class SealBroken(ValueError):
    """A sealed value does not open with this key (another key, or damaged)."""


class Sealer:
    def __init__(self, key: bytes) -> None:
        derived = hmac.new(key, b"volnyja-bot sealing key", hashlib.sha256).digest()
        self._aead = AESGCM(derived)

    def seal(self, value: Any, purpose: str) -> str:
        """`value` as JSON, encrypted; `purpose` binds it to its place (a chat id cannot be
        passed off as a queued message)."""
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
        sealed = self._aead.encrypt(nonce, plain, purpose.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, purpose: str) -> Any:
        try:
            raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
        except (InvalidTag, ValueError) as exc:
            msg = f"a sealed {purpose} does not open with this key"
            raise SealBroken(msg) from exc
        return json.loads(plain)

    def seal_chat(self, chat_id: int) -> str:
        return self.seal(chat_id, "chat")

    def open_chat(self, sealed: str) -> int:
        value = self.open(sealed, "chat")
        if not isinstance(value, int):
            msg = "a sealed chat is not a chat id"
            raise SealBroken(msg)
        return value

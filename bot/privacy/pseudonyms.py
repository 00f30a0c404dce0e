"""Pseudonyms: what the bot stores and logs is keyed by a keyed hash, never by a Telegram id."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache


class Pseudonym(str):
    """A keyed hash standing for a person: logs may carry it, it names nobody without the key."""

    __slots__ = ()


class Pseudonymizer:
    """HMAC-SHA256 of an id with a secret key: stable for one key, unlinkable without it."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        # Every update needs two pseudonyms; recent ones are kept in memory (never stored).
        self.of = lru_cache(maxsize=8192)(self._compute)

    def _compute(self, *parts: int | str | None) -> Pseudonym:
        message = ":".join("" if p is None else str(p) for p in parts).encode()
        return Pseudonym(hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32])

    def person(self, user_id: int) -> Pseudonym:
        return self.of("user", user_id)

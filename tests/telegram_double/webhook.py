"""setWebhook, deleteWebhook and getWebhookInfo, and waiting for webhook deliveries.

Validation follows Client.cpp of tdlib/telegram-bot-api (``do_set_webhook`` 16005-16031,
``process_set_webhook_query`` 15740-15800, ``JsonWebhookInfo`` 5945-5985). One deliberate
difference: Telegram wants https on port 443, 80, 88 or 8443 and refuses reserved addresses
(WebhookActor.cpp 705-716, 772-787); the double also accepts http and any port for a loopback
host (127.0.0.1, ::1, localhost), where the tests' bots listen, and never sends elsewhere.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any
from urllib.parse import urlsplit

from tests.telegram_double.delivery import DeliveryMixin, is_loopback
from tests.telegram_double.values import ApiError, _Webhook, bad_request
from tests.telegram_double.wire import _flag, _int_param

DEFAULT_MAX_CONNECTIONS = 40
MAX_MAX_CONNECTIONS = 100
MAX_SECRET_TOKEN = 256
_SECRET = re.compile(r"[A-Za-z0-9_-]*")
_TELEGRAM_PORTS = (443, 80, 88, 8443)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
TERMINATED_BY_SET_WEBHOOK = "Conflict: terminated by setWebhook request"


class WebhookMixin(DeliveryMixin):
    """The webhook methods of the Bot API, and what tests use to wait for deliveries."""

    # ---------------------------------------------------------------- Bot API methods

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        if _flag(params, "drop_pending_updates"):
            self._drop_pending()  # before the URL is checked, as do_set_webhook does
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook({})
        new = self._checked_webhook(url, params)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        if new == self._webhook and not _flag(params, "drop_pending_updates"):
            self._webhook_wake.set()
            return True  # "Webhook is already set"
        self._webhook = new
        self._last_webhook_error = None
        self._backoff.clear()
        self._new_update.set()  # a long poll under way ends with 409
        self._start_delivery()
        return True

    def _checked_webhook(self, url: str, params: dict[str, Any]) -> _Webhook:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        try:
            port = parts.port or (80 if parts.scheme == "http" else 443)
        except ValueError:
            raise bad_request("invalid webhook URL specified") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("invalid webhook URL specified")
        secret = params.get("secret_token")
        secret = "" if secret is None else str(secret)
        if len(secret) > MAX_SECRET_TOKEN:
            raise bad_request("secret token is too long")
        if not _SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        if not is_loopback(parts.geturl()):
            if parts.scheme != "https":
                raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            if port not in _TELEGRAM_PORTS:
                raise bad_request(
                    "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
                )
        given = _int_param(params, "max_connections")
        connections = DEFAULT_MAX_CONNECTIONS if given is None else given
        connections = min(max(connections, 1), MAX_MAX_CONNECTIONS)
        ip_address = parts.hostname if is_loopback(parts.geturl()) else "<unknown>"
        return _Webhook(url, secret, connections, ip_address)

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        """The webhook goes (deliveries under way are abandoned; their updates stay pending)."""
        if _flag(params, "drop_pending_updates"):
            self._drop_pending()
        self._webhook = None
        self._last_webhook_error = None
        self._cancel_delivery()  # its task is awaited by the next webhook's, or by stop()
        self._backoff.clear()
        return True

    def _drop_pending(self) -> None:
        self._updates.clear()
        self._backoff.clear()

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        del params
        webhook = self._webhook
        info: dict[str, Any] = {
            "url": "" if webhook is None else webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._last_webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._last_webhook_error
        if webhook is not None:
            info["max_connections"] = webhook.max_connections
            info["ip_address"] = webhook.ip_address
        if self.allowed_updates:
            info["allowed_updates"] = list(self.allowed_updates)
        return info

    def _refuse_get_updates(self) -> None:
        """getUpdates is refused while a webhook is set (Client.cpp 15700-15705)."""
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)

    # ---------------------------------------------------------------- for tests

    @property
    def webhook_url(self) -> str:
        """The webhook's URL as setWebhook registered it ("" without one)."""
        return "" if self._webhook is None else self._webhook.url

    @property
    def last_update_id(self) -> int:
        """The update_id of the update enqueued last (0 before any)."""
        return self._next_update_id - 1

    def deliveries(self, update_id: int | None = None) -> list[int]:
        """Update ids in the order their deliveries were acknowledged (or only that one's)."""
        return [
            a.update_id
            for a in self.webhook_attempts
            if a.ok and (update_id is None or a.update_id == update_id)
        ]

    async def webhook_idle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every pending update was acknowledged by the webhook (or dropped)."""
        deadline = time.monotonic() + timeout
        while self._updates or self._in_flight:
            assert self._webhook is not None, "no webhook is set; nothing delivers the updates"
            if time.monotonic() >= deadline:
                recent = [
                    (a.update_id, a.target, a.status, a.error) for a in self.webhook_attempts[-6:]
                ]
                msg = (
                    f"the webhook did not take every update within {timeout} s: pending "
                    f"{[u['update_id'] for u in self._updates]}, in flight "
                    f"{sorted(self._in_flight)}; recent attempts {recent}"
                )
                raise AssertionError(msg)
            await asyncio.sleep(0.01)

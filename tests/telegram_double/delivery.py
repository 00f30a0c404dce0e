"""Webhook delivery, as the official Bot API server (tdlib/telegram-bot-api) does it.

References are to telegram-bot-api/WebhookActor.cpp and Client.cpp at tdlib/telegram-bot-api
01a3679 ("Update version to 10.0."):

- Each update belongs to a queue (Client.cpp passes a ``webhook_queue_id`` to ``add_update``):
  messages and their edits, channel posts included, go to the queue of their chat (Client.cpp
  17959); callback queries to the queue of the user who pressed (3 << 33 | user id, 17158), so a
  press and a message of the same person are two queues; my_chat_member goes by chat (5 << 33),
  chat_member and chat_join_request by user (6 << 33), reactions by chat (8, 9 << 33), inline
  queries by user (1 << 33) and so on (17075-17352). An update without one (0) gets a queue of its
  own (WebhookActor.cpp 416-418). ``queue_key`` below mirrors this.
- One update per queue is in flight: ``send_update`` takes the queue out of ``queues_`` when it
  sends the queue's first update (WebhookActor.cpp 540-543); only ``drop_event`` after a 2xx
  (480-491, 457-475: the queue's next update goes back into ``queues_``) or ``on_update_error``
  (493-523: the same update, with its new wake-up time) puts the queue back. So the next update
  of a chat is sent only after the previous one was acknowledged; other queues go in parallel,
  one per ready connection, up to max_connections (271-274).
- Until a delivery succeeded within the last 10 s only one connection is kept open
  (``create_new_connections``, 282-287; ``last_success_time_`` starts an hour back, 694): a fresh
  or failing webhook gets one update at a time. The double limits concurrency the same way.
- 2xx confirms (619); anything else, or a closed connection (659), is an error (636, 654); a
  ``Retry-After`` header of a failed answer is honoured up to 3600 s (649, 502-503). The delay
  otherwise: the first retry at once, then 2, 4, 8, ... seconds, at most a random 60-120 s
  (504-510, WEBHOOK_MAX_RESEND_TIMEOUT in WebhookActor.h 75). A connection idle for 60 s is
  closed (``HttpOutboundConnection`` idle_timeout 60, WebhookActor.cpp 231).
- A 2xx answer may carry a Bot API request ("method" and its parameters), which is executed
  unless it is a get*, setWebhook, deleteWebhook, close or logOut (620-633); its result is lost.

Not mirrored: updates expiring (a callback query after 150 s, a message a day after its date,
511-514), the cap of loaded queues (2 x max_connections, 363 and 692) and the rate of opening
new connections (701-703).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import random
import time
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector

from tests.telegram_double.state import DoubleState
from tests.telegram_double.values import ApiError, Call, QueueKey, WebhookAttempt, _Backoff
from tests.telegram_double.wire import decode_value

WARM_SECONDS = 10.0
"""With no success for this long, one connection only (WebhookActor.cpp 282-287)."""
MAX_RETRY_AFTER = 3600
MAX_RESEND_TIMEOUT = 60
_NOT_FROM_WEBHOOK = frozenset({"deletewebhook", "setwebhook", "close", "logout"})

# Update type -> (queue family, where its id is): Client.cpp's webhook_queue_id per type.
_BY_CHAT = "chat"
_BY_FROM = "from"
_QUEUES: dict[str, tuple[str, str]] = {
    "message": ("chat", _BY_CHAT),
    "edited_message": ("chat", _BY_CHAT),
    "channel_post": ("chat", _BY_CHAT),
    "edited_channel_post": ("chat", _BY_CHAT),
    "inline_query": ("inline_query", _BY_FROM),
    "chosen_inline_result": ("chosen_inline_result", _BY_FROM),
    "callback_query": ("callback_query", _BY_FROM),
    "shipping_query": ("payment", _BY_FROM),
    "pre_checkout_query": ("payment", _BY_FROM),
    "my_chat_member": ("my_chat_member", _BY_CHAT),
    "chat_member": ("chat_member", "new_chat_member.user"),
    "chat_join_request": ("chat_member", _BY_FROM),
    "chat_boost": ("chat_boost", _BY_CHAT),
    "removed_chat_boost": ("chat_boost", _BY_CHAT),
    "message_reaction": ("message_reaction", _BY_CHAT),
    "message_reaction_count": ("message_reaction_count", _BY_CHAT),
    "business_connection": ("business_connection", "user"),
    "business_message": ("business", _BY_CHAT),
    "edited_business_message": ("business", _BY_CHAT),
    "deleted_business_messages": ("business", _BY_CHAT),
    "purchased_paid_media": ("purchased_paid_media", _BY_FROM),
}


def queue_key(update: dict[str, Any]) -> QueueKey:
    """The webhook queue of an update, as the official server assigns it (see the module)."""
    kind = next((key for key in update if key != "update_id"), "")
    body = update.get(kind)
    family, where = _QUEUES.get(kind, ("", ""))
    if isinstance(body, dict) and family:
        value: Any = body
        for step in f"{where}.id".split("."):
            value = value.get(step) if isinstance(value, dict) else None
        if isinstance(value, int):
            return (family, value)
    if kind in ("poll", "poll_answer") and isinstance(body, dict):
        return ("poll", str(body.get("id", body.get("poll_id", ""))))
    return ("unique", int(update["update_id"]))


def is_loopback(url: str) -> bool:
    """Whether a URL names this machine (the only place the double ever sends to)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DeliveryMixin(DoubleState):
    """The delivery loop: pushes pending updates to the webhook while one is set."""

    async def _answer(self, token: str, method: str, params: dict[str, Any]) -> Any:
        raise NotImplementedError  # ServerMixin answers

    # ---------------------------------------------------------------- the loop

    def _start_delivery(self) -> None:
        previous = self._webhook_task
        if previous is not None:
            previous.cancel()
        self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_forever(previous))

    def _cancel_delivery(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()

    async def _stop_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            await asyncio.wait([task])

    async def _deliver_forever(self, previous: asyncio.Task[None] | None) -> None:
        """Dispatch whatever may go now, then sleep until something changes or a retry is due."""
        if previous is not None:
            await asyncio.wait([previous])  # its deliveries are cancelled before ours start
        timeout = ClientTimeout(total=self.webhook_timeout)
        async with ClientSession(timeout=timeout, connector=TCPConnector(limit=0)) as session:
            try:
                while True:
                    self._webhook_wake.clear()
                    wait = self._dispatch(session)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._webhook_wake.wait(), wait)
            finally:
                running = list(self._in_flight.values())
                for task in running:
                    task.cancel()
                if running:
                    await asyncio.wait(running)
                # A task cancelled before it began never ran its own clean-up.
                self._in_flight.clear()
                self._busy_queues.clear()

    def _dispatch(self, session: ClientSession) -> float | None:
        """Start the first update of each idle queue that is due; seconds until the next is."""
        webhook = self._webhook
        if webhook is None:
            return None
        now = time.monotonic()
        warm = now - self._last_success <= WARM_SECONDS
        limit = webhook.max_connections if warm else 1
        blocked = set(self._busy_queues)
        next_wake: float | None = None
        kept: list[dict[str, Any]] = []
        for update in self._updates:
            if not self._allowed(update):
                self._backoff.pop(int(update["update_id"]), None)
                continue  # Telegram never delivers it, so it is gone
            kept.append(update)
            key = queue_key(update)
            if key in blocked:
                continue  # its queue has an earlier update in flight or waiting
            blocked.add(key)
            backoff = self._backoff.get(int(update["update_id"]))
            if backoff is not None and backoff.wakeup_at > now:
                next_wake = min(next_wake or backoff.wakeup_at, backoff.wakeup_at)
            elif len(self._in_flight) < limit:
                self._busy_queues.add(key)
                task = asyncio.get_running_loop().create_task(self._attempt(session, update, key))
                self._in_flight[int(update["update_id"])] = task
        self._updates = kept
        return None if next_wake is None else max(next_wake - now, 0.0)

    # ---------------------------------------------------------------- one attempt

    async def _attempt(self, session: ClientSession, update: dict[str, Any], key: QueueKey) -> None:
        update_id = int(update["update_id"])
        base, target = self._target_for(update_id)
        record = WebhookAttempt(update_id, key, target, time.monotonic())
        self.webhook_attempts.append(record)
        reply: tuple[str, bytes] | None = None
        retry_after = 0
        try:
            reply, retry_after = await self._post(session, target, update, record)
        except asyncio.CancelledError:
            record.error = "cancelled: the webhook was changed or deleted, or the double stopped"
            raise
        except TimeoutError:
            record.error = "Read timeout expired"
        except ClientError as error:
            record.error = f"Webhook connection closed: {type(error).__name__}: {error}"
        finally:
            record.finished = time.monotonic()
            self._busy_queues.discard(key)
            self._in_flight.pop(update_id, None)
            self._webhook_wake.set()
        if record.ok:
            self._acknowledge(update_id)
            if reply is not None:
                await self._run_reply(*reply)
        else:
            self._failed(update_id, record, retry_after, base)

    async def _post(
        self, session: ClientSession, target: str, update: dict[str, Any], record: WebhookAttempt
    ) -> tuple[tuple[str, bytes] | None, int]:
        """POST the update; the 2xx answer's content type and body, and any Retry-After."""
        webhook = self._webhook
        assert webhook is not None
        if not is_loopback(target):
            record.error = "not sent: the double only delivers to this machine (loopback)"
            return None, 0
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        async with session.post(target, data=json.dumps(update), headers=headers) as response:
            body = await response.read()
            record.status = response.status
            if 200 <= response.status <= 299:
                return (response.headers.get("Content-Type", ""), body), 0
            record.error = f"Wrong response from the webhook: {response.status} {response.reason}"
            text = response.headers.get("Retry-After", "")
            return None, int(text) if text.isdigit() else 0

    def _target_for(self, update_id: int) -> tuple[str | None, str]:
        """The test target chosen (None without targets) and the URL to POST to.

        Round-robin over webhook_targets, skipping the one this update just failed on, as a
        load balancer with health checks sends a retry to another instance.
        """
        webhook = self._webhook
        assert webhook is not None
        targets = self.webhook_targets
        if not targets:
            return None, webhook.url
        parts = urlsplit(webhook.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        backoff = self._backoff.get(update_id)
        base = targets[0]
        for _ in targets:
            base = targets[self._next_target % len(targets)]
            self._next_target += 1
            if backoff is None or base != backoff.last_target:
                break
        return base, base.rstrip("/") + path

    def _acknowledge(self, update_id: int) -> None:
        self._last_success = time.monotonic()
        self._backoff.pop(update_id, None)
        done = [u for u in self._updates if u["update_id"] == update_id]
        self._confirmed.extend(done)
        self._updates = [u for u in self._updates if u["update_id"] != update_id]

    def _failed(
        self, update_id: int, record: WebhookAttempt, retry_after: int, base: str | None
    ) -> None:
        """Schedule the update again as ``on_update_error`` does (WebhookActor.cpp 493-523)."""
        self._last_webhook_error = (self.now(), record.error or "")
        if not any(u["update_id"] == update_id for u in self._updates):
            return  # dropped meanwhile (drop_pending_updates)
        backoff = self._backoff.setdefault(update_id, _Backoff())
        retry_after = min(max(retry_after, 0), MAX_RETRY_AFTER)
        next_delay, effective = backoff.delay, retry_after
        if retry_after == 0 and backoff.fail_count > 0:
            cap = random.randint(MAX_RESEND_TIMEOUT, MAX_RESEND_TIMEOUT * 2)
            next_delay = min(cap, next_delay * 2)
            effective = next_delay
        backoff.delay = next_delay
        backoff.fail_count += 1
        backoff.wakeup_at = time.monotonic() + effective * self.webhook_retry_unit
        backoff.last_target = base

    # ---------------------------------------------------------------- a request in the answer

    async def _run_reply(self, content_type: str, body: bytes) -> None:
        """Execute a Bot API request the webhook answered with (WebhookActor.cpp 620-633)."""
        params = _reply_params(content_type, body)
        method = str(params.pop("method", "")) if params else ""
        lower = method.lower()
        if not method or lower in _NOT_FROM_WEBHOOK or lower.startswith("get"):
            return
        self.calls.append(Call(method, params or {}, time.monotonic()))
        with contextlib.suppress(ApiError):
            await self._answer(self.token, method, params or {})


def _reply_params(content_type: str, body: bytes) -> dict[str, Any] | None:
    """The parameters of a webhook answer's body (JSON, urlencoded or multipart), if any."""
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    raw: dict[str, Any] = {}
    if kind == "application/json":
        try:
            decoded = json.loads(body or b"null")
        except ValueError:
            return None
        if not isinstance(decoded, dict):
            return None
        raw = decoded
    elif kind == "application/x-www-form-urlencoded":
        raw = dict(parse_qsl(body.decode("utf-8", "replace")))
    elif kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser().parsebytes(head + body)
        for part in message.walk():
            if part.is_multipart():
                continue
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if not isinstance(name, str) or not isinstance(payload, bytes):
                continue
            filename = part.get_filename()
            raw[name] = (
                {"filename": filename, "size": len(payload)}
                if filename
                else payload.decode("utf-8", "replace")
            )
    else:
        return None
    return {key: decode_value(key, value) for key, value in raw.items()}

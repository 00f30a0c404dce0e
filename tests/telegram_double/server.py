"""The HTTP side: serving the Bot API, dispatching its methods, and getUpdates."""

from __future__ import annotations

import asyncio
import copy
import threading
import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from tests.telegram_double.flood import FloodMixin
from tests.telegram_double.limits import (
    _GROUP_PREFIXES,
    _WRITING_PREFIXES,
    BLOCKED,
)
from tests.telegram_double.values import ApiError, Call
from tests.telegram_double.webhook import TERMINATED_BY_SET_WEBHOOK, WebhookMixin
from tests.telegram_double.wire import _int_param, _read_params


class ServerMixin(FloodMixin, WebhookMixin):
    """Listen on a port, answer each request (recorded in calls) and hand out the updates
    (by getUpdates, or by webhook: see WebhookMixin)."""

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1 and return the base URL for TelegramAPIServer."""
        if self._runner is not None:
            return self.url
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        """Wake any long poll (it answers []) and shut the server down."""
        self._closing = True
        self._new_update.set()
        await self._stop_delivery()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # ---------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        """One Bot API request: record it, then answer as Telegram would."""
        arrived = time.monotonic()
        method = request.match_info["method"]
        try:
            params = await _read_params(request)
        except ApiError as error:
            self.calls.append(Call(method, {}, arrived))
            return web.json_response(error.payload(), status=error.status)
        self.calls.append(Call(method, params, arrived))
        if not await self._through_hold(request, method, params):
            return web.json_response({"ok": False, "error_code": 499, "description": "gone"})
        try:
            result = await self._answer(request.match_info["token"], method, params)
        except ApiError as error:
            return web.json_response(error.payload(), status=error.status)
        return web.json_response({"ok": True, "result": result})

    async def _through_hold(
        self, request: web.Request, method: str, params: dict[str, Any]
    ) -> bool:
        """Wait while a test holds this method; False when the caller went away meanwhile."""
        release = self._holds.get((method.lower(), _int_param(params, "chat_id")))
        release = release or self._holds.get((method.lower(), None))
        if release is None:
            return True
        await release.wait()
        transport = request.transport
        return transport is not None and not transport.is_closing()

    async def _answer(self, token: str, method: str, params: dict[str, Any]) -> Any:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        lower = method.lower()
        failures = self._failures.get(lower)
        if failures:
            failure = failures.popleft()
            parameters = (
                {"retry_after": failure.retry_after} if failure.retry_after is not None else None
            )
            raise ApiError(failure.status, failure.description, parameters)
        if lower.startswith(_WRITING_PREFIXES) and _int_param(params, "chat_id") in self._blocked:
            raise ApiError(403, BLOCKED)
        if lower.startswith(_GROUP_PREFIXES):
            self._check_bot_in_group(params)
        self._check_flood(lower, params)
        if lower == "getupdates":
            self._refuse_get_updates()
            return await self._get_updates(params)
        handler = self._methods.get(lower)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return handler(params)

    def _check_bot_in_group(self, params: Mapping[str, Any]) -> None:
        """Telegram's 403 for a group the bot has left or was banned from."""
        chat = self._chats.get(_int_param(params, "chat_id") or 0)
        if chat is None or chat["type"] == "private":
            return
        status = self._status(chat, self.bot_id)
        kind = "channel" if chat["type"] == "channel" else f"{chat['type']} chat"
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")

    # ---------------------------------------------------------------- updates

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._confirmed.extend(u for u in self._updates if u["update_id"] < offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._confirmed.extend(self._updates[:offset])
            self._updates = self._updates[offset:]

    def _take(self, limit: int) -> list[dict[str, Any]]:
        """Up to limit deliverable updates; updates of types not allowed are dropped."""
        batch: list[dict[str, Any]] = []
        kept: list[dict[str, Any]] = []
        for update in self._updates:
            if not self._allowed(update):
                continue  # Telegram never delivers it, so it is gone
            kept.append(update)
            if len(batch) < limit:
                batch.append(copy.deepcopy(update))
        self._updates = kept
        return batch

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int_param(params, "offset") or 0
        limit = min(max(_int_param(params, "limit") or 100, 1), 100)
        wait = params.get("timeout")
        # Telegram takes whole seconds; a fraction is accepted too, for quick tests.
        timeout = max(float(wait), 0.0) if isinstance(wait, int | float) else 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        self._confirm(offset)
        deadline = time.monotonic() + timeout
        while True:
            if self._webhook is not None:
                raise ApiError(409, TERMINATED_BY_SET_WEBHOOK)
            batch = self._take(limit)
            remaining = deadline - time.monotonic()
            if batch or self._closing or remaining <= 0:
                return batch
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                return self._take(limit)

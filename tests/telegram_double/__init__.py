"""A test double of the Telegram Bot API that speaks real HTTP and real Telegram JSON.

The real aiogram bot (in-process or as a subprocess) is pointed at it with
``TelegramAPIServer.from_base(double.url)``; tests then drive it the way people do (send a text,
press a button, block the bot) and observe what the bot asked Telegram to do. Validation mirrors
the Bot API closely enough that a message Telegram would refuse is refused here too, so a bug
that would only show in production shows in the tests.

The double is independent of the project's own packages on purpose: it checks the bot against
Telegram's rules, not against the project's idea of them.

The parts:

- ``limits``: Telegram's limits, error texts and rules of delivery;
- ``values``: what tests handle (FakeUser, Call, SentMessage), ApiError, the stored records;
- ``html``: Telegram's HTML parse mode (parse_html, utf16_len, render);
- ``wire``: reading a request's parameters and reply markup as the Bot API does;
- ``state``: DoubleState, everything the double knows, and the helpers all parts share;
- ``flood``: Telegram's flood limits (429 with retry_after), when a test enforces them;
- ``server``: the aiohttp server, dispatching to the methods, getUpdates;
- ``webhook``: setWebhook, deleteWebhook, getWebhookInfo, and waiting for deliveries
  (webhook_idle, webhook_attempts, webhook_targets for instances behind a load balancer);
- ``delivery``: POSTing updates to the webhook as the official Bot API server does (one update
  per chat in flight, chats in parallel, retries with Telegram's back-off);
- ``world``: what tests do (people, groups, messages, presses, blocking, failures);
- ``inspection``: what tests see (messages, calls) and waiting for the bot;
- ``methods_messages``, ``methods_chats``, ``topics``: the Bot API methods the double answers;
- ``double``: TelegramDouble, the parts put together with its table of methods.
"""

from __future__ import annotations

from tests.telegram_double.double import TelegramDouble
from tests.telegram_double.flood import FloodLimits
from tests.telegram_double.html import HtmlParseError, parse_html, render, utf16_len
from tests.telegram_double.limits import (
    BLOCKED,
    DELETABLE_SECONDS,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_DELETE_AT_ONCE,
    MAX_TEXT,
    MAX_TOPIC_NAME,
    MEMBER_STATUSES,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    THREAD_NOT_FOUND,
    TOPIC_CLOSED,
    TOPIC_ICON_COLORS,
)
from tests.telegram_double.values import (
    ApiError,
    Call,
    FakeUser,
    SentMessage,
    WebhookAttempt,
    bad_request,
)
from tests.telegram_double.wire import check_markup, decode_value

__all__ = [
    "BLOCKED",
    "DELETABLE_SECONDS",
    "MAX_CALLBACK_DATA",
    "MAX_CAPTION",
    "MAX_DELETE_AT_ONCE",
    "MAX_TEXT",
    "MAX_TOPIC_NAME",
    "MEMBER_STATUSES",
    "NOT_MODIFIED",
    "QUERY_TOO_OLD",
    "THREAD_NOT_FOUND",
    "TOPIC_CLOSED",
    "TOPIC_ICON_COLORS",
    "ApiError",
    "Call",
    "FakeUser",
    "FloodLimits",
    "HtmlParseError",
    "SentMessage",
    "TelegramDouble",
    "WebhookAttempt",
    "bad_request",
    "check_markup",
    "decode_value",
    "parse_html",
    "render",
    "utf16_len",
]

"""The values tests handle (FakeUser, Call, SentMessage), the API error, and stored records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FakeUser:
    """A person talking to the bot in a private chat (their chat id is their user id)."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "en"


@dataclass(frozen=True)
class Call:
    """One API request the bot made, with its parameters decoded from form or JSON."""

    method: str
    params: dict[str, Any]
    at: float


@dataclass
class SentMessage:
    """A message in a chat as the bot sent it (or, with from_bot False, as a person sent it)."""

    chat_id: int
    message_id: int
    text: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    from_bot: bool
    deleted: bool = False
    edits: int = 0
    method: str = "sendMessage"
    params: dict[str, Any] = field(default_factory=dict)
    sent_at: float = 0.0
    thread_id: int | None = None
    """The forum topic (message_thread_id) the message is in; None outside topics."""


class ApiError(Exception):
    """An error answer of the Bot API; the HTTP status equals error_code, as Telegram does."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON envelope Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def _user_json(user: FakeUser) -> dict[str, Any]:
    body: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    if user.last_name is not None:
        body["last_name"] = user.last_name
    if user.username is not None:
        body["username"] = user.username
    if user.language_code is not None:
        body["language_code"] = user.language_code
    return body


@dataclass
class _Stored:
    """A message in a chat: what the test sees (sent) and what Telegram would return (json)."""

    sent: SentMessage
    json: dict[str, Any]


@dataclass(frozen=True)
class _Failure:
    status: int
    description: str
    retry_after: int | None


QueueKey = tuple[str, int | str]
"""The webhook queue an update belongs to: updates of one queue are delivered one at a time."""


@dataclass
class WebhookAttempt:
    """One POST of an update to the webhook (or to one of the test's webhook_targets).

    Recorded when it starts (finished is None while it is under way); status is the HTTP
    status of the answer, error what went wrong when there was no answer (refused, reset,
    timed out) or the answer was not 2xx.
    """

    update_id: int
    queue: QueueKey
    target: str
    started: float
    finished: float | None = None
    status: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """The update was acknowledged (a 2xx answer)."""
        return self.status is not None and 200 <= self.status <= 299


@dataclass(frozen=True)
class _Webhook:
    """A webhook as setWebhook registered it."""

    url: str
    secret_token: str
    max_connections: int
    ip_address: str


@dataclass
class _Backoff:
    """An update's failed deliveries so far, and when it may be sent again (time.monotonic)."""

    delay: int = 1
    fail_count: int = 0
    wakeup_at: float = 0.0
    last_target: str | None = None

"""Reading a Bot API request as Telegram does: parameters, reply markup, message fields."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from tests.telegram_double.html import utf16_len
from tests.telegram_double.limits import MAX_CALLBACK_DATA
from tests.telegram_double.values import bad_request

# Form fields that are text even when they look like a number, a boolean or JSON.
_TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "data",
        "description",
        "short_description",
        "name",
        "title",
        "callback_query_id",
        "inline_message_id",
        "url",
        "language_code",
        "parse_mode",
        "emoji",
        "action",
        "photo",
        "document",
        "voice",
        "sticker",
        "video",
        "audio",
        "animation",
        "video_note",
        "thumbnail",
        "business_connection_id",
        "message_effect_id",
        "custom_emoji_id",
        "query",
        "first_name",
        "last_name",
        "phone_number",
        "question",
        "explanation",
        "secret_token",
    }
)
_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+")

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,32})?(?=\s|$)")


def decode_value(key: str, value: Any) -> Any:
    """A form value as the Bot API reads it: numbers, booleans and JSON where meant."""
    if not isinstance(value, str) or key in _TEXT_FIELDS:
        return value
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    if value in ("true", "false"):
        return value == "true"
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _int_param(params: Mapping[str, Any], key: str) -> int | None:
    value = params.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT.fullmatch(value):
        return int(value)
    return None


def _flag(params: Mapping[str, Any], key: str) -> bool:
    value = params.get(key)
    return value is True or value == "true"


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus a JSON, urlencoded or multipart body, decoded like the Bot API does."""
    raw: dict[str, Any] = {key: request.query[key] for key in request.query}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON") from None
        if body is not None and not isinstance(body, dict):
            raise bad_request("parameters must be a JSON object")
        raw.update(body or {})
    elif request.can_read_body:
        files: dict[str, dict[str, Any]] = {}
        form = await request.post()
        for key in form:
            value = form[key]
            if isinstance(value, FileField):
                data = value.file.read()
                files[key] = {
                    "filename": value.filename,
                    "content_type": value.content_type,
                    "size": len(data),
                }
            elif isinstance(value, bytes):
                raw.setdefault(key, value.decode("utf-8", "replace"))
            else:
                raw.setdefault(key, value)
        for key, info in files.items():
            raw.setdefault(key, info)
        for key, value in list(raw.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                raw[key] = files.get(value.removeprefix("attach://"), value)
    return {key: decode_value(key, value) for key, value in raw.items()}


def check_markup(markup: Any) -> dict[str, Any] | None:
    """Validate reply_markup as Telegram does; returns it (None when absent)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad_request("can't parse inline keyboard button: Object expected")
            if not str(button.get("text", "")):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            actions = [key for key in _BUTTON_ACTIONS if key in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = str(button["callback_data"])
                if not data or len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                url = str(button["url"])
                if not url.startswith(("http://", "https://", "tg://")):
                    raise bad_request(
                        f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
                    )
    return markup


def _content_of(message: dict[str, Any]) -> dict[str, Any]:
    """The content fields of a Message (what copyMessage/forwardMessage carry over)."""
    skip = {
        "message_id",
        "from",
        "chat",
        "date",
        "edit_date",
        "reply_markup",
        "reply_to_message",
        "forward_origin",
        "has_protected_content",
        "message_thread_id",
        "is_topic_message",
    }
    return {k: copy.deepcopy(v) for k, v in message.items() if k not in skip}


def _quoted(message: dict[str, Any]) -> dict[str, Any]:
    """A message as reply_to_message of another (Telegram does not nest replies further)."""
    target = copy.deepcopy(message)
    target.pop("reply_to_message", None)
    return target


def _command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entity Telegram adds for a leading /command (Latin letters only)."""
    match = _BOT_COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)

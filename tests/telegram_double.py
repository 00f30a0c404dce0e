"""A test double of the Telegram Bot API that speaks real HTTP and real Telegram JSON.

The real aiogram bot (in-process or as a subprocess) is pointed at it with
``TelegramAPIServer.from_base(double.url)``; tests then drive it the way people do (send a text,
press a button, block the bot) and observe what the bot asked Telegram to do. Validation mirrors
the Bot API closely enough that a message Telegram would refuse is refused here too, so a bug
that would only show in production shows in the tests.

The double is independent of the project's own packages on purpose: it checks the bot against
Telegram's rules, not against the project's idea of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.web_request import FileField

T = TypeVar("T")

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"

# Update types Telegram leaves out when allowed_updates is not given or is empty.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Methods that write into the chat named by chat_id (answered 403 when the user blocked the bot).
DELETABLE_SECONDS = 48 * 3600
MAX_DELETE_AT_ONCE = 100
_WRITING_PREFIXES = ("send", "copy", "forward", "edit", "delete", "pin", "unpin", "setmessage")
# Methods that act in a group (answered 403 when the bot has left the group or was kicked).
_GROUP_PREFIXES = (*_WRITING_PREFIXES, "create", "close", "reopen")

MAX_TOPIC_NAME = 128
# The six colours Telegram allows for a topic icon; the first is the default.
TOPIC_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
TOPIC_CLOSED = "Bad Request: TOPIC_CLOSED"
THREAD_NOT_FOUND = "Bad Request: message thread not found"

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

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
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
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


# --------------------------------------------------------------------------------------------
# Public value types
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Telegram HTML parse mode
# --------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Text Telegram would refuse with "can't parse entities"."""


_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,7}|[A-Za-z][A-Za-z0-9]*);")
_SPACE = frozenset(" \t\r\n\f\v")


def utf16_len(text: str) -> int:
    """Length as Telegram measures text and entity offsets: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int, *, strict: bool) -> tuple[str, int] | None:
    """The character an &...; at index stands for and where it ends.

    In text (strict) a stray "&" or an entity Telegram does not know is an error, as the Bot API
    documentation demands; in attribute values it is kept literally, as Telegram's parser does.
    """
    match = _ENTITY.match(text, index)
    if match is None:
        if strict:
            msg = (
                f'Character "&" at byte offset {_byte_offset(text, index)} '
                'must be escaped as "&amp;"'
            )
            raise HtmlParseError(msg)
        return None
    body = match.group(1)
    if body.startswith("#"):
        code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            if not strict:
                return None
            msg = (
                f'Invalid HTML entity "{match.group(0)}" at byte offset {_byte_offset(text, index)}'
            )
            raise HtmlParseError(msg)
        return chr(code), match.end()
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], match.end()
    if strict:
        msg = (
            f'Unsupported HTML entity "{match.group(0)}" at byte offset '
            f"{_byte_offset(text, index)}; only &lt; &gt; &amp; &quot; and numeric entities work"
        )
        raise HtmlParseError(msg)
    return None


@dataclass
class _OpenTag:
    name: str
    start: int
    attributes: dict[str, str]


def _read_start_tag(text: str, begin: int) -> tuple[_OpenTag, int]:
    """Parse "<name attr=value ...>" at begin, with the error texts of Telegram's parser."""
    size = len(text)
    i = begin + 1
    end = i
    while end < size and text[end] not in _SPACE and text[end] != ">":
        end += 1
    name = text[i:end].lower()
    if name not in _TAG_ENTITY:
        raise HtmlParseError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
        )
    i = end
    attributes: dict[str, str] = {}
    while True:
        while i < size and text[i] in _SPACE:
            i += 1
        if i >= size:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            i += 1
            break
        name_begin = i
        while i < size and text[i] not in _SPACE and text[i] not in "=>":
            i += 1
        attribute = text[name_begin:i].lower()
        if not attribute:
            where = _byte_offset(text, begin)
            msg = f'Empty attribute name in the tag "{name}" at byte offset {where}'
            raise HtmlParseError(msg)
        while i < size and text[i] in _SPACE:
            i += 1
        value = ""
        if i < size and text[i] == "=":
            i += 1
            while i < size and text[i] in _SPACE:
                i += 1
            if i >= size:
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            if text[i] in "'\"":
                quote = text[i]
                i += 1
                chars: list[str] = []
                while i < size and text[i] != quote:
                    decoded = _decode_entity(text, i, strict=False) if text[i] == "&" else None
                    if decoded is None:
                        chars.append(text[i])
                        i += 1
                    else:
                        chars.append(decoded[0])
                        i = decoded[1]
                if i >= size:
                    raise HtmlParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                    )
                i += 1
                value = "".join(chars)
            else:
                token_begin = i
                while i < size and (text[i].isalnum() or text[i] in ".-"):
                    i += 1
                value = text[token_begin:i].lower()
                if i < size and text[i] not in _SPACE and text[i] != ">":
                    where = _byte_offset(text, token_begin)
                    raise HtmlParseError(f"Unexpected end of name token at byte offset {where}")
        attributes.setdefault(attribute, value)
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlParseError('Tag "span" must have class "tg-spoiler"')
    return _OpenTag(name, 0, attributes), i


def _entity_for(tag: _OpenTag, offset: int, length: int, inner: str) -> dict[str, Any] | None:
    """The MessageEntity a closed tag becomes (None when Telegram would drop it)."""
    kind = _TAG_ENTITY[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if tag.name == "a":
        href = tag.attributes.get("href", "")
        if not href or href == inner:
            entity["type"] = "url"
        else:
            entity["url"] = href
    elif tag.name == "code":
        css = tag.attributes.get("class", "")
        if css.startswith("language-"):
            entity["language"] = css.removeprefix("language-")
    elif tag.name == "blockquote" and "expandable" in tag.attributes:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        emoji_id = tag.attributes.get("emoji-id", "")
        if not emoji_id:
            return None
        entity["custom_emoji_id"] = emoji_id
    return entity


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and MessageEntity dicts for text in parse_mode HTML, or HtmlParseError.

    Stricter than Telegram's server in one documented way: a stray "&" or an unknown named
    entity is an error (Telegram's docs require escaping them; its parser keeps them literally).
    A bare ">" is accepted, as Telegram does.
    """
    out: list[str] = []
    position = 0  # UTF-16 offset of the end of out
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    size = len(text)
    i = 0
    while i < size:
        char = text[i]
        if char == "&":
            decoded = _decode_entity(text, i, strict=True)
            assert decoded is not None
            out.append(decoded[0])
            position += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if char != "<":
            out.append(char)
            position += 2 if ord(char) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        if i + 1 < size and text[i + 1] == "/":
            if not stack:
                raise HtmlParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                )
            close = text.find(">", i + 2)
            if close == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            end_name = text[i + 2 : close].lower()
            top = stack[-1]
            if end_name and end_name != top.name:
                msg = (
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{top.name}>", '
                    f'found "</{end_name}>"'
                )
                raise HtmlParseError(msg)
            stack.pop()
            length = position - top.start
            entity = (
                _entity_for(top, top.start, length, _tail_utf16("".join(out), length))
                if length > 0
                else None
            )
            if entity is not None:
                if top.name == "pre" and entities:
                    last = entities[-1]
                    same_span = last["offset"] == entity["offset"]
                    same_span = same_span and last["length"] == entity["length"]
                    if last["type"] == "code" and same_span and "language" in last:
                        entity["language"] = last["language"]
                        entities.pop()
                entities.append(entity)
            i = close + 1
            continue
        tag, i = _read_start_tag(text, begin)
        tag.start = position
        stack.append(tag)
    if stack:
        msg = f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        raise HtmlParseError(msg)
    return "".join(out), entities


def _tail_utf16(text: str, units: int) -> str:
    """The last `units` UTF-16 code units of text, as a str."""
    encoded = text.encode("utf-16-le")
    return encoded[len(encoded) - 2 * units :].decode("utf-16-le")


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading and trailing whitespace and moves entities along."""
    left = text.lstrip()
    lead = utf16_len(text[: len(text) - len(left)])
    result = left.rstrip()
    total = utf16_len(result)
    moved: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    moved.sort(key=lambda e: (e["offset"], -e["length"]))
    return result, moved


def render(
    text: str, parse_mode: str | None, entities: Any = None
) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities of a text or caption as Telegram stores it, or ApiError."""
    if isinstance(entities, list):
        return _trim(text, [e for e in entities if isinstance(e, dict)])
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, found = parse_html(text)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        return _trim(plain, found)
    if mode in ("", "markdown", "markdownv2"):
        # Markdown is not parsed by the double: the text is kept as it is.
        return _trim(text, [])
    raise bad_request("unsupported parse_mode")


# --------------------------------------------------------------------------------------------
# Request decoding
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# The double
# --------------------------------------------------------------------------------------------


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


_MEDIA_METHODS = {
    "sendphoto": "photo",
    "senddocument": "document",
    "sendvoice": "voice",
    "sendsticker": "sticker",
    "sendvideo": "video",
    "sendanimation": "animation",
    "sendaudio": "audio",
}
_MEDIA_METHOD_NAMES = {
    "photo": "sendPhoto",
    "document": "sendDocument",
    "voice": "sendVoice",
    "sticker": "sendSticker",
    "video": "sendVideo",
    "animation": "sendAnimation",
    "audio": "sendAudio",
    "location": "sendLocation",
    "text": "sendMessage",
}


class TelegramDouble:
    """An aiohttp server answering the Bot API for one bot, with people to drive it.

    Driving methods (send_text, press, ...) are synchronous and enqueue updates; the bot fetches
    them with getUpdates. Everything the bot asks for is recorded in `calls`, and the messages it
    sends are kept per chat with their current text and keyboard.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_id: int = 123456,
        bot_username: str = "volnyja_test_bot",
        bot_first_name: str = "Volnyja Test",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.url = ""

        self.calls: list[Call] = []
        self.clock_offset = 0.0
        """Seconds added to Telegram's clock: a negative offset makes messages sent now look
        as if they were sent that long ago (for the 48-hour deletion rule)."""
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.scoped_commands: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        self.names: dict[str | None, str] = {}
        self.descriptions: dict[str | None, str] = {}
        self.short_descriptions: dict[str | None, str] = {}
        self.allowed_updates: list[str] | None = None
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        # Forum topics: chat id -> message_thread_id -> {"name", "closed", "deleted"}.
        self.topics: dict[int, dict[int, dict[str, Any]]] = {}
        # Group members: chat id -> user id -> status; the bot itself is an administrator
        # unless it is listed here.
        self.members: dict[int, dict[int, str]] = {}

        # Everyone the double knows by id (for their User JSON); a private chat exists only
        # for people added with add_user or who wrote to the bot.
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, _Stored]] = {}
        self._last_message_id: dict[int, int] = {}
        self._blocked: set[int] = set()
        self._arrivals: dict[int, asyncio.Event] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._open_queries: set[str] = set()
        self._next_query = 0
        self._next_file = 0
        self._failures: dict[str, deque[_Failure]] = {}

        self._new_update = asyncio.Event()
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._runner: web.AppRunner | None = None

        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": self._get_me,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setmyname": self._setter(self.names, "name", 64),
            "getmyname": self._getter(self.names, "name"),
            "setmydescription": self._setter(self.descriptions, "description", 512),
            "getmydescription": self._getter(self.descriptions, "description"),
            "setmyshortdescription": self._setter(
                self.short_descriptions, "short_description", 120
            ),
            "getmyshortdescription": self._getter(self.short_descriptions, "short_description"),
            "sendchataction": self._send_chat_action,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "sendlocation": self._send_location,
            "getchat": self._get_chat,
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": self._get_chat_menu_button,
            "getchatmember": self._get_chat_member,
            "createforumtopic": self._create_forum_topic,
            "editforumtopic": self._edit_forum_topic,
            "closeforumtopic": self._topic_closer(closed=True),
            "reopenforumtopic": self._topic_closer(closed=False),
            "deleteforumtopic": self._delete_forum_topic,
        }
        for name, kind in _MEDIA_METHODS.items():
            self._methods[name] = self._media_sender(kind)

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
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # ---------------------------------------------------------------- driving

    def add_user(self, user: FakeUser) -> None:
        """Make the user's private chat known, as if they had started the bot long ago."""
        self._remember(user)

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        chat_type: str = "supergroup",
        is_forum: bool = False,
        members: Mapping[int, str] | None = None,
    ) -> None:
        """Make a group the bot is a member of known, so it may write there.

        is_forum makes a supergroup a forum (topics, message_thread_id). members maps user ids
        to their status ("creator", "administrator", "member", "restricted", "left",
        "kicked"), as getChatMember reports it; anyone not listed has "left". The bot itself is
        an administrator (with can_manage_topics) unless members says otherwise.
        """
        assert not is_forum or chat_type == "supergroup", "only a supergroup can be a forum"
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type, "title": title}
        if is_forum:
            chat["is_forum"] = True
        self._chats[chat_id] = chat
        self._messages.setdefault(chat_id, {})
        self.topics.setdefault(chat_id, {})
        known = self.members.setdefault(chat_id, {})
        for user_id, status in (members or {}).items():
            assert status in MEMBER_STATUSES, f"unknown member status {status!r}"
            known[int(user_id)] = status

    def set_member(self, chat_id: int, user: FakeUser, status: str) -> None:
        """Give the user this status in a group (they joined, were promoted, left, were banned).

        Does not open a private chat with them: that takes add_user or a message from them.
        """
        assert chat_id in self._chats, f"no group {chat_id}; add it with add_group first"
        assert status in MEMBER_STATUSES, f"unknown member status {status!r}"
        self._users[user.id] = user
        self.members.setdefault(chat_id, {})[user.id] = status

    def send_text(self, user: FakeUser, text: str) -> int:
        """The user writes text in the private chat; a leading /command gets its entity."""
        extra: dict[str, Any] = {"text": text}
        entities = _command_entities(text)
        if entities:
            extra["entities"] = entities
        return self._user_message(user, "text", extra, text=text)

    def send_sticker(self, user: FakeUser) -> int:
        """The user sends a sticker."""
        file_id = self._file_id("sticker")
        sticker = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\U0001f642",
            "set_name": "TestStickers",
            "file_size": 20480,
        }
        return self._user_message(user, "sticker", {"sticker": sticker}, text=None)

    def send_photo(self, user: FakeUser, caption: str | None = None) -> int:
        """The user sends a photo (Telegram delivers several sizes), optionally with a caption."""
        file_id = self._file_id("photo")
        photo = [
            {
                "file_id": f"{file_id}-s",
                "file_unique_id": f"u{file_id}-s",
                "width": 90,
                "height": 67,
                "file_size": 1200,
            },
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "width": 1280,
                "height": 960,
                "file_size": 98765,
            },
        ]
        extra: dict[str, Any] = {"photo": photo}
        if caption is not None:
            extra["caption"] = caption
            entities = _command_entities(caption)
            if entities:
                extra["caption_entities"] = entities
        return self._user_message(user, "photo", extra, text=caption)

    def send_voice(self, user: FakeUser) -> int:
        """The user records a voice message."""
        file_id = self._file_id("voice")
        voice = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "duration": 3,
            "mime_type": "audio/ogg",
            "file_size": 12345,
        }
        return self._user_message(user, "voice", {"voice": voice}, text=None)

    def send_location(self, user: FakeUser) -> int:
        """The user shares a location."""
        location = {"latitude": 55.755826, "longitude": 37.6173}
        return self._user_message(user, "location", {"location": location}, text=None)

    def edit_text(self, user: FakeUser, message_id: int, text: str) -> None:
        """The user edits a text message of theirs: an edited_message update."""
        stored = self._messages.get(user.id, {}).get(message_id)
        assert stored is not None, f"user {user.id} has no message {message_id}"
        assert not stored.sent.from_bot, f"message {message_id} was sent by the bot"
        assert "text" in stored.json, f"message {message_id} has no text to edit"
        stored.sent.text = text
        stored.sent.edits += 1
        stored.json["text"] = text
        stored.json.pop("entities", None)
        entities = _command_entities(text)
        if entities:
            stored.json["entities"] = entities
        stored.json["edit_date"] = self.now()
        self._enqueue({"edited_message": copy.deepcopy(stored.json)})

    def press(self, user: FakeUser, message_id: int, data: str) -> str:
        """The user presses an inline button with this callback data under a bot message."""
        stored = self._messages.get(user.id, {}).get(message_id)
        assert stored is not None, f"no message {message_id} in the chat with user {user.id}"
        assert stored.sent.from_bot, f"message {message_id} was not sent by the bot"
        assert not stored.sent.deleted, f"message {message_id} was deleted; nothing to press"
        self._remember(user)
        return self._callback_query(user, stored, data, str(-1_000_000_000_000_000 - user.id))

    def post_in_topic(
        self,
        chat_id: int,
        user: FakeUser,
        thread_id: int | None,
        text: str,
        *,
        reply_to: int | None = None,
        photo: bool = False,
    ) -> int:
        """A member writes text in a forum topic (None: the General topic); returns its id.

        With photo=True the member sends a photo and `text` is its caption.

        As in Telegram, a message in a topic carries message_thread_id and is_topic_message,
        and, unless it replies to another message (reply_to), reply_to_message is the service
        message that created the topic. A leading /command gets its bot_command entity.
        Someone not listed in the group becomes a member (they could write); one who left or
        was banned cannot post, nor can a plain member in a closed topic.
        """
        chat = self._chats.get(chat_id)
        assert chat is not None, f"no group {chat_id}; add it with add_group first"
        assert chat["type"] in ("group", "supergroup"), f"chat {chat_id} is not a group"
        listed = self.members.setdefault(chat_id, {})
        status = listed.setdefault(user.id, "member")
        assert status not in ("left", "kicked"), f"user {user.id} is {status} in chat {chat_id}"
        self._users[user.id] = user
        if thread_id is not None:
            assert chat.get("is_forum"), f"chat {chat_id} is not a forum; it has no topics"
            topic = self.topics.get(chat_id, {}).get(thread_id)
            assert topic is not None, f"chat {chat_id} has no topic {thread_id}"
            assert not topic["deleted"], f"topic {thread_id} of chat {chat_id} was deleted"
            assert not topic["closed"] or status in ("creator", "administrator"), (
                f"topic {thread_id} is closed; only administrators can write there"
            )
        reply: dict[str, Any] | None = None
        if reply_to is not None:
            target = self._messages.get(chat_id, {}).get(reply_to)
            assert target is not None, f"no message {reply_to} in chat {chat_id}"
            assert not target.sent.deleted, f"message {reply_to} was deleted"
            assert target.json.get("message_thread_id") == thread_id, (
                f"message {reply_to} is not in topic {thread_id}"
            )
            reply = _quoted(target.json)
        elif thread_id is not None:
            reply = self._topic_root(chat_id, thread_id)

        message_id = self._next_message_id(chat_id)
        extra: dict[str, Any] = {"text": text}
        if photo:
            file_id = self._file_id("photo")
            size = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 800}
            extra = {"photo": [{**size, "height": 600}], "caption": text}
        entities = _command_entities(text)
        if entities and not photo:
            extra["entities"] = entities
        body: dict[str, Any] = {
            "message_id": message_id,
            "from": _user_json(user),
            "chat": copy.deepcopy(chat),
            "date": self.now(),
        }
        if thread_id is not None:
            body["message_thread_id"] = thread_id
            body["is_topic_message"] = True
        if reply is not None:
            body["reply_to_message"] = reply
        body.update(extra)
        sent = SentMessage(
            chat_id=chat_id,
            message_id=message_id,
            text=text,
            parse_mode=None,
            reply_markup=None,
            from_bot=False,
            method="sendMessage",
            params=copy.deepcopy(extra),
            sent_at=time.monotonic(),
            thread_id=thread_id,
        )
        self._messages.setdefault(chat_id, {})[message_id] = _Stored(sent, body)
        self._enqueue({"message": copy.deepcopy(body)})
        return message_id

    def press_in_group(self, chat_id: int, user: FakeUser, message_id: int, data: str) -> str:
        """Someone presses an inline button under a bot message in a group; returns the query id.

        No membership is required: anyone who can see a public group can press its buttons,
        so the bot has to check who pressed (getChatMember) itself.
        """
        chat = self._chats.get(chat_id)
        assert chat is not None, f"no group {chat_id}; add it with add_group first"
        stored = self._messages.get(chat_id, {}).get(message_id)
        assert stored is not None, f"no message {message_id} in chat {chat_id}"
        assert stored.sent.from_bot, f"message {message_id} was not sent by the bot"
        assert not stored.sent.deleted, f"message {message_id} was deleted; nothing to press"
        self._users[user.id] = user
        return self._callback_query(user, stored, data, str(-2_000_000_000_000_000 + chat_id))

    def _callback_query(self, user: FakeUser, stored: _Stored, data: str, instance: str) -> str:
        self._next_query += 1
        query_id = str(4_000_000_000_000_000_000 + self._next_query)
        self._open_queries.add(query_id)
        self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": _user_json(user),
                    "message": copy.deepcopy(stored.json),
                    "chat_instance": instance,
                    "data": data,
                }
            }
        )
        return query_id

    def add_update(self, update: dict[str, Any]) -> int:
        """Enqueue a raw update (its update_id is assigned here) and return the id."""
        body = {key: value for key, value in update.items() if key != "update_id"}
        return self._enqueue(body)

    # ---------------------------------------------------------------- observing

    def now(self) -> int:
        """Telegram's clock, as message dates show it."""
        return int(time.time() + self.clock_offset)

    def all_messages(self, chat_id: int) -> list[SentMessage]:
        """Every message of a chat, the person's and the bot's, in order (deleted ones flagged)."""
        return [s.sent for s in self._messages.get(chat_id, {}).values()]

    def calls_to(self, method: str) -> list[Call]:
        """Every call of one method (method names are case-insensitive, as in the Bot API)."""
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    def messages(self, chat_id: int) -> list[SentMessage]:
        """What the bot sent into a chat, in order, deleted messages included (and flagged).

        The service message a createForumTopic leaves is not among them.
        """
        return [
            s.sent
            for s in self._messages.get(chat_id, {}).values()
            if s.sent.from_bot and s.sent.method != "createForumTopic"
        ]

    def thread_messages(self, chat_id: int, thread_id: int) -> list[SentMessage]:
        """What the bot sent into one forum topic, in order (deleted ones flagged)."""
        return [m for m in self.messages(chat_id) if m.thread_id == thread_id]

    def last_message(self, chat_id: int) -> SentMessage:
        """The last message the bot sent into a chat."""
        sent = self.messages(chat_id)
        assert sent, f"the bot sent nothing to chat {chat_id}; calls: {self._recent_calls()}"
        return sent[-1]

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        """Any message of a chat by id, the user's own ones included."""
        stored = self._messages.get(chat_id, {}).get(message_id)
        assert stored is not None, f"no message {message_id} in chat {chat_id}"
        return stored.sent

    def message_json(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The Message object Telegram would return for a message now."""
        stored = self._messages.get(chat_id, {}).get(message_id)
        assert stored is not None, f"no message {message_id} in chat {chat_id}"
        return copy.deepcopy(stored.json)

    @property
    def pending_updates(self) -> int:
        """Updates the bot has not confirmed yet (with a getUpdates offset past them)."""
        return len(self._updates)

    async def wait_for(
        self,
        predicate: Callable[[], T],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the agreed interface takes timeout=
    ) -> T:
        """Poll predicate every 10 ms until it is truthy; the bot works concurrently.

        An AssertionError or LookupError inside the predicate (say, last_message before the bot
        sent anything) counts as "not yet"; the last one is reported on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            last: object
            try:
                value = predicate()
            except (AssertionError, LookupError) as error:
                last = error
            else:
                if value:
                    return value
                last = value
            if time.monotonic() >= deadline:
                code = getattr(predicate, "__code__", None)
                where = f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""
                name = getattr(predicate, "__qualname__", repr(predicate))
                msg = (
                    f"timed out after {timeout} s waiting for {name}{where}; last value {last!r}"
                    f"; pending updates: {self.pending_updates}; recent calls: "
                    f"{self._recent_calls()}"
                )
                raise AssertionError(msg)
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the agreed interface takes timeout=
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least `count` messages to the chat; return them all."""

        # Woken by each message the bot sends into this chat, not by polling: a benchmark
        # waits for hundreds of chats at once, and polling would eat the CPU it measures.
        deadline = time.monotonic() + timeout
        arrived = self._arrivals.setdefault(chat_id, asyncio.Event())
        while True:
            arrived.clear()
            sent = self.messages(chat_id)
            if len(sent) >= count:
                return sent
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                shown = [(m.method, m.text) for m in sent]
                msg = (
                    f"the bot sent {len(sent)} of {count} expected messages to chat {chat_id} "
                    f"within {timeout} s: {shown}; pending updates: {self.pending_updates}; "
                    f"recent calls: {self._recent_calls()}"
                )
                raise AssertionError(msg)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), remaining)

    # ---------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of method with this error (recorded, with no effect)."""
        queue = self._failures.setdefault(method.lower(), deque())
        for _ in range(times):
            queue.append(_Failure(status, description, retry_after))

    def block(self, user: FakeUser, *, notify: bool = False) -> None:
        """The user blocks the bot: every write into their chat answers 403 from now on.

        With notify, also enqueue the my_chat_member update Telegram sends on blocking.
        """
        self._blocked.add(user.id)
        if notify:
            self._remember(user)
            self._enqueue(self._member_update(user, "member", "kicked"))

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
        try:
            result = await self._answer(request.match_info["token"], method, params)
        except ApiError as error:
            return web.json_response(error.payload(), status=error.status)
        return web.json_response({"ok": True, "result": result})

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
        if lower == "getupdates":
            return await self._get_updates(params)
        handler = self._methods.get(lower)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return handler(params)

    # ---------------------------------------------------------------- updates

    def _enqueue(self, body: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, **body})
        if self._loop is not None and threading.get_ident() != self._thread:
            self._loop.call_soon_threadsafe(self._new_update.set)
        else:
            self._new_update.set()
        return update_id

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _take(self, limit: int) -> list[dict[str, Any]]:
        """Up to limit deliverable updates; updates of types not allowed are dropped."""
        allowed = self.allowed_updates
        batch: list[dict[str, Any]] = []
        kept: list[dict[str, Any]] = []
        for update in self._updates:
            kind = next((key for key in update if key != "update_id"), "")
            if not (kind in allowed if allowed else kind not in _OPT_IN_UPDATES):
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
            batch = self._take(limit)
            remaining = deadline - time.monotonic()
            if batch or self._closing or remaining <= 0:
                return batch
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                return self._take(limit)

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if _flag(params, "drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        del params
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    # ---------------------------------------------------------------- people and chats

    def _remember(self, user: FakeUser) -> None:
        self._users[user.id] = user
        self._chats[user.id] = self._private_chat(user)
        self._messages.setdefault(user.id, {})

    @staticmethod
    def _private_chat(user: FakeUser) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": user.id, "type": "private", "first_name": user.first_name}
        if user.last_name is not None:
            chat["last_name"] = user.last_name
        if user.username is not None:
            chat["username"] = user.username
        return chat

    def _bot_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _member_update(self, user: FakeUser, old: str, new: str) -> dict[str, Any]:
        now = self.now()
        return {
            "my_chat_member": {
                "chat": self._private_chat(user),
                "from": _user_json(user),
                "date": now,
                "old_chat_member": {"status": old, "user": self._bot_json()},
                "new_chat_member": {"status": new, "user": self._bot_json(), "until_date": 0},
            }
        }

    def _status(self, chat: Mapping[str, Any], user_id: int) -> str:
        """A user's status in a chat, as getChatMember reports it."""
        chat_id = int(chat["id"])
        listed = self.members.get(chat_id, {}).get(user_id)
        if listed is not None:
            return listed
        if chat["type"] == "private":
            return "member" if user_id in (chat_id, self.bot_id) else "left"
        return "administrator" if user_id == self.bot_id else "left"

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

    def _member_json(self, chat: Mapping[str, Any], user_id: int) -> dict[str, Any]:
        """The ChatMember object for a user's status, with the fields aiogram requires."""
        status = self._status(chat, user_id)
        if user_id == self.bot_id:
            user = self._bot_json()
        elif user_id in self._users:
            user = _user_json(self._users[user_id])
        else:
            user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        body: dict[str, Any] = {"status": status, "user": user}
        supergroup = chat["type"] == "supergroup"
        if status == "creator":
            body["is_anonymous"] = False
        elif status == "administrator":
            body.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
                can_send_welcome_messages=False,
                can_pin_messages=True,
            )
            if supergroup:
                body["can_manage_topics"] = True
        elif status == "restricted":
            body["is_member"] = True
            for right in (
                "can_send_messages",
                "can_send_audios",
                "can_send_documents",
                "can_send_photos",
                "can_send_videos",
                "can_send_video_notes",
                "can_send_voice_notes",
                "can_send_polls",
                "can_send_other_messages",
                "can_add_web_page_previews",
                "can_react_to_messages",
                "can_edit_tag",
                "can_change_info",
                "can_invite_users",
                "can_pin_messages",
                "can_manage_topics",
            ):
                body[right] = False
            body["until_date"] = 0
        elif status == "kicked":
            body["until_date"] = 0
        return body

    def _topic_root(self, chat_id: int, thread_id: int) -> dict[str, Any] | None:
        """The service message that created a topic, as reply_to_message of its messages."""
        stored = self._messages.get(chat_id, {}).get(thread_id)
        return None if stored is None else _quoted(stored.json)

    def _thread_for(
        self, chat: Mapping[str, Any], params: Mapping[str, Any], reply: dict[str, Any] | None
    ) -> int | None:
        """The topic a new bot message goes to (given, or the replied message's), or the error.

        In a forum no message_thread_id means the General topic; elsewhere a thread is the
        message it started from, so it has to exist.
        """
        thread = _int_param(params, "message_thread_id")
        if thread is None and reply is not None:
            thread = _int_param(reply, "message_thread_id")
        if thread is None:
            return None
        chat_id = int(chat["id"])
        if chat.get("is_forum"):
            topic = self.topics.get(chat_id, {}).get(thread)
            if topic is None or topic["deleted"]:
                raise ApiError(400, THREAD_NOT_FOUND)
            if topic["closed"]:
                raise ApiError(400, TOPIC_CLOSED)
            return thread
        stored = self._messages.get(chat_id, {}).get(thread)
        if stored is None or stored.sent.deleted:
            raise ApiError(400, THREAD_NOT_FOUND)
        return thread

    def _next_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _file_id(self, kind: str) -> str:
        self._next_file += 1
        return f"{kind}-file-{self._next_file}"

    def _user_message(
        self, user: FakeUser, kind: str, extra: dict[str, Any], *, text: str | None
    ) -> int:
        """Store a message from the user and enqueue the update that carries it.

        Writing to a bot one blocked unblocks it, as Telegram clients do ("Restart bot").
        """
        self._blocked.discard(user.id)
        self._remember(user)
        message_id = self._next_message_id(user.id)
        now = self.now()
        body = {
            "message_id": message_id,
            "from": _user_json(user),
            "chat": self._private_chat(user),
            "date": now,
            **extra,
        }
        sent = SentMessage(
            chat_id=user.id,
            message_id=message_id,
            text=text,
            parse_mode=None,
            reply_markup=None,
            from_bot=False,
            method=_MEDIA_METHOD_NAMES[kind],
            params=copy.deepcopy(extra),
            sent_at=time.monotonic(),
        )
        self._messages[user.id][message_id] = _Stored(sent, body)
        self._enqueue({"message": copy.deepcopy(body)})
        return message_id

    def _chat(self, params: Mapping[str, Any], key: str = "chat_id") -> dict[str, Any]:
        """The known chat a parameter names, or the error Telegram gives."""
        value = params.get(key)
        if value is None or value == "":
            raise bad_request(f"{key} is empty")
        chat_id = _int_param(params, key)
        if chat_id is None and isinstance(value, str) and value.startswith("@"):
            wanted = value[1:].lower()
            for chat in self._chats.values():
                if str(chat.get("username", "")).lower() == wanted:
                    return chat
        if chat_id is None or chat_id not in self._chats:
            raise bad_request("chat not found")
        return self._chats[chat_id]

    def _stored(self, chat_id: int, params: Mapping[str, Any], missing: str) -> _Stored:
        message_id = _int_param(params, "message_id")
        if message_id is None:
            if params.get("inline_message_id"):
                raise bad_request("MESSAGE_ID_INVALID")
            raise bad_request("message identifier is not specified")
        stored = self._messages.get(chat_id, {}).get(message_id)
        if stored is None or stored.sent.deleted:
            raise bad_request(missing)
        return stored

    # ---------------------------------------------------------------- bot methods

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        del params
        return {
            **self._bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _new_bot_message(
        self,
        chat: dict[str, Any],
        method: str,
        params: dict[str, Any],
        content: dict[str, Any],
        *,
        text: str | None,
        parse_mode: str | None,
    ) -> dict[str, Any]:
        """Store a message from the bot (all checks done) and return its Message JSON."""
        markup = params.get("reply_markup")
        markup = markup if isinstance(markup, dict) else None
        reply = self._reply_target(chat["id"], params)
        thread = self._thread_for(chat, params, reply)
        chat_id = int(chat["id"])
        message_id = self._next_message_id(chat_id)
        body: dict[str, Any] = {
            "message_id": message_id,
            "from": self._bot_json(),
            "chat": copy.deepcopy(chat),
            "date": self.now(),
            **content,
        }
        if thread is not None:
            body["message_thread_id"] = thread
            if chat.get("is_forum"):
                body["is_topic_message"] = True
                if reply is None:
                    reply = self._topic_root(chat_id, thread)
        if reply is not None:
            body["reply_to_message"] = reply
        if _flag(params, "protect_content"):
            body["has_protected_content"] = True
        if markup is not None and "inline_keyboard" in markup:
            body["reply_markup"] = markup
        sent = SentMessage(
            chat_id=chat_id,
            message_id=message_id,
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            from_bot=True,
            method=method,
            params=params,
            sent_at=time.monotonic(),
            thread_id=thread,
        )
        self._messages.setdefault(chat_id, {})[message_id] = _Stored(sent, body)
        self._arrivals.setdefault(chat_id, asyncio.Event()).set()
        return copy.deepcopy(body)

    def _reply_target(self, chat_id: int, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The message replied to, or the error Telegram gives when it is gone."""
        reply = params.get("reply_parameters")
        reply_id: int | None
        allow_missing = _flag(params, "allow_sending_without_reply")
        if isinstance(reply, dict):
            reply_id = _int_param(reply, "message_id")
            allow_missing = allow_missing or _flag(reply, "allow_sending_without_reply")
            if _int_param(reply, "chat_id") not in (None, chat_id):
                return None
        else:
            reply_id = _int_param(params, "reply_to_message_id")
        if reply_id is None:
            return None
        stored = self._messages.get(chat_id, {}).get(reply_id)
        if stored is None or stored.sent.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return _quoted(stored.json)

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        raw = params.get("text")
        text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
        if not text.strip():
            raise bad_request("message text is empty")
        parse_mode = _str_or_none(params.get("parse_mode"))
        plain, entities = render(text, parse_mode, params.get("entities"))
        if not plain:
            raise bad_request("message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
        check_markup(params.get("reply_markup"))
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        return self._new_bot_message(
            chat, "sendMessage", params, content, text=text, parse_mode=parse_mode
        )

    def _media_sender(self, kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def send(params: dict[str, Any]) -> dict[str, Any]:
            return self._send_media(kind, params)

        return send

    def _send_media(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        source = params.get(kind)
        if source is None or source == "":
            raise bad_request(f"there is no {kind} in the request")
        caption = _str_or_none(params.get("caption"))
        parse_mode = _str_or_none(params.get("parse_mode"))
        content: dict[str, Any] = {kind: self._media_object(kind, source)}
        if caption:
            plain, entities = render(caption, parse_mode, params.get("caption_entities"))
            if utf16_len(plain) > MAX_CAPTION:
                raise bad_request("message caption is too long")
            if plain:
                content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
        check_markup(params.get("reply_markup"))
        return self._new_bot_message(
            chat, _MEDIA_METHOD_NAMES[kind], params, content, text=caption, parse_mode=parse_mode
        )

    def _media_object(self, kind: str, source: Any) -> Any:
        """A minimal object of that kind; a file_id sent by the bot is echoed back."""
        reuse = isinstance(source, str) and not source.startswith(("http://", "https://"))
        file_id = source if reuse else self._file_id(kind)
        base = {"file_id": file_id, "file_unique_id": f"u{file_id}"}
        if kind == "photo":
            return [{**base, "width": 1280, "height": 960, "file_size": 98765}]
        if kind == "sticker":
            return {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        if kind == "voice":
            return {**base, "duration": 3, "mime_type": "audio/ogg"}
        if kind == "audio":
            return {**base, "duration": 3}
        if kind in ("video", "animation"):
            return {**base, "width": 640, "height": 360, "duration": 3}
        name = source.get("filename") if isinstance(source, dict) else None
        return {**base, "file_name": name} if name else base

    def _send_location(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        latitude, longitude = params.get("latitude"), params.get("longitude")
        if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
            raise bad_request("wrong latitude or longitude")
        check_markup(params.get("reply_markup"))
        content = {"location": {"latitude": float(latitude), "longitude": float(longitude)}}
        return self._new_bot_message(
            chat, "sendLocation", params, content, text=None, parse_mode=None
        )

    def _editable(self, params: dict[str, Any]) -> _Stored:
        chat = self._chat(params)
        stored = self._stored(int(chat["id"]), params, "message to edit not found")
        if not stored.sent.from_bot:
            raise bad_request("message can't be edited")
        return stored

    def _apply_edit(
        self, stored: _Stored, content: dict[str, Any], markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Replace content and inline keyboard, refusing an edit that changes nothing."""
        body = stored.json
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        same_content = all(
            (body.get(key) or None) == (value or None) for key, value in content.items()
        )
        if same_content and body.get("reply_markup") == inline:
            raise bad_request(NOT_MODIFIED)
        for key, value in content.items():
            if value:
                body[key] = value
            else:
                body.pop(key, None)
        if inline is None:
            body.pop("reply_markup", None)
        else:
            body["reply_markup"] = inline
        body["edit_date"] = self.now()
        stored.sent.reply_markup = markup
        stored.sent.edits += 1
        return copy.deepcopy(body)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._editable(params)
        if "text" not in stored.json:
            raise bad_request("there is no text in the message to edit")
        raw = params.get("text")
        text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
        if not text.strip():
            raise bad_request("message text is empty")
        parse_mode = _str_or_none(params.get("parse_mode"))
        plain, entities = render(text, parse_mode, params.get("entities"))
        if not plain:
            raise bad_request("message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
        markup = check_markup(params.get("reply_markup"))
        result = self._apply_edit(stored, {"text": plain, "entities": entities}, markup)
        stored.sent.text = text
        stored.sent.parse_mode = parse_mode
        return result

    def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._editable(params)
        if "text" in stored.json:
            raise bad_request("there is no caption in the message to edit")
        caption = _str_or_none(params.get("caption")) or ""
        parse_mode = _str_or_none(params.get("parse_mode"))
        plain, entities = render(caption, parse_mode, params.get("caption_entities"))
        if utf16_len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        markup = check_markup(params.get("reply_markup"))
        result = self._apply_edit(stored, {"caption": plain, "caption_entities": entities}, markup)
        stored.sent.text = caption or None
        stored.sent.parse_mode = parse_mode
        return result

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._editable(params)
        markup = check_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        return self._apply_edit(stored, {}, markup)

    def _deletable(self, stored: _Stored) -> bool:
        """A bot may delete a message for 48 hours; a topic's opening service message never."""
        young = self.now() - int(stored.json.get("date", 0)) < DELETABLE_SECONDS
        return young and stored.sent.method != "createForumTopic"

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        stored = self._stored(int(chat["id"]), params, "message to delete not found")
        if not self._deletable(stored):
            raise bad_request("message can't be deleted for everyone")
        stored.sent.deleted = True
        return True

    def _delete_messages(self, params: dict[str, Any]) -> bool:
        """Messages that are gone or too old are skipped, as Telegram does."""
        chat = self._chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message identifiers are not specified")
        if len(ids) > MAX_DELETE_AT_ONCE:
            raise bad_request("too many messages to delete")
        for message_id in ids:
            stored = self._messages.get(int(chat["id"]), {}).get(int(message_id))
            if stored is not None and self._deletable(stored):
                stored.sent.deleted = True
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise bad_request(QUERY_TOO_OLD)
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = params
        return True

    def _command_scope(self, params: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """(scope key or None for the default scope, language code or None)."""
        scope = params.get("scope")
        language = _str_or_none(params.get("language_code")) or None
        if not isinstance(scope, dict) or scope.get("type", "default") == "default":
            return None, language
        return json.dumps(scope, sort_keys=True), language

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).removeprefix("/")
            if not _COMMAND_NAME.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            description = str(command.get("description", ""))
            if not description.strip() or len(description) > 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        stored = [dict(c, command=str(c["command"]).removeprefix("/")) for c in commands]
        scope, language = self._command_scope(params)
        if scope is None:
            if stored:
                self.commands[language] = stored
            else:
                self.commands.pop(language, None)
        elif stored:
            self.scoped_commands[scope, language] = stored
        else:
            self.scoped_commands.pop((scope, language), None)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        scope, language = self._command_scope(params)
        if scope is None:
            return copy.deepcopy(self.commands.get(language, []))
        return copy.deepcopy(self.scoped_commands.get((scope, language), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        scope, language = self._command_scope(params)
        if scope is None:
            self.commands.pop(language, None)
        else:
            self.scoped_commands.pop((scope, language), None)
        return True

    def _setter(
        self, store: dict[str | None, str], key: str, limit: int
    ) -> Callable[[dict[str, Any]], bool]:
        """setMyName / setMyDescription / setMyShortDescription: per language, "" deletes."""

        def set_value(params: dict[str, Any]) -> bool:
            value = params.get(key)
            text = "" if value is None else str(value)
            if len(text) > limit:
                raise bad_request(f"{key} is too long")
            language = _str_or_none(params.get("language_code")) or None
            if text:
                store[language] = text
            else:
                store.pop(language, None)
            return True

        return set_value

    def _getter(
        self, store: dict[str | None, str], key: str
    ) -> Callable[[dict[str, Any]], dict[str, str]]:
        """getMyName / getMyDescription / ...: the language's value, else the default one."""

        def get_value(params: dict[str, Any]) -> dict[str, str]:
            language = _str_or_none(params.get("language_code")) or None
            fallback = self.bot_first_name if key == "name" else ""
            return {key: store.get(language, store.get(None, fallback))}

        return get_value

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        """ChatFullInfo of a known chat, with the fields aiogram requires."""
        chat = copy.deepcopy(self._chat(params))
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _set_chat_menu_button(self, params: dict[str, Any]) -> bool:
        button = params.get("menu_button")
        chat_id = _int_param(params, "chat_id")
        if isinstance(button, dict):
            self.menu_buttons[chat_id] = button
        else:
            self.menu_buttons.pop(chat_id, None)
        return True

    def _get_chat_menu_button(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _int_param(params, "chat_id")
        fallback = self.menu_buttons.get(None, {"type": "commands"})
        return copy.deepcopy(self.menu_buttons.get(chat_id, fallback))

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _source(self, params: dict[str, Any], missing: str) -> _Stored:
        source_chat = self._chat(params, "from_chat_id")
        return self._stored(int(source_chat["id"]), params, missing)

    def _copy_message(self, params: dict[str, Any]) -> dict[str, int]:
        chat = self._chat(params)
        source = self._source(params, "message to copy not found")
        if "forum_topic_created" in source.json:
            raise bad_request("message can't be copied")
        content = _content_of(source.json)
        text, parse_mode = source.sent.text, source.sent.parse_mode
        if "caption" in params and "text" not in content:
            caption = _str_or_none(params.get("caption")) or ""
            parse_mode = _str_or_none(params.get("parse_mode"))
            plain, entities = render(caption, parse_mode, params.get("caption_entities"))
            if utf16_len(plain) > MAX_CAPTION:
                raise bad_request("message caption is too long")
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if plain:
                content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
            text = caption or None
        check_markup(params.get("reply_markup"))
        body = self._new_bot_message(
            chat, "copyMessage", params, content, text=text, parse_mode=parse_mode
        )
        return {"message_id": body["message_id"]}

    def _forward_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        source = self._source(params, "message to forward not found")
        content = _content_of(source.json)
        sender = source.json.get("from")
        content["forward_origin"] = (
            {"type": "user", "date": source.json["date"], "sender_user": sender}
            if isinstance(sender, dict)
            else {"type": "chat", "date": source.json["date"], "sender_chat": source.json["chat"]}
        )
        return self._new_bot_message(
            chat,
            "forwardMessage",
            {k: v for k, v in params.items() if k != "reply_markup"},
            content,
            text=source.sent.text,
            parse_mode=source.sent.parse_mode,
        )

    # ---------------------------------------------------------------- groups and forums

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        user_id = _int_param(params, "user_id")
        if user_id is None:
            raise bad_request("invalid user_id specified")
        return self._member_json(chat, user_id)

    def _forum(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The forum chat_id names, or the error Telegram gives for another chat."""
        chat = self._chat(params)
        if not chat.get("is_forum"):
            raise bad_request("the chat is not a forum")
        return chat

    def _topic(self, params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(forum, topic) for chat_id and message_thread_id; a deleted topic is unknown."""
        chat = self._forum(params)
        thread = _int_param(params, "message_thread_id")
        topic = self.topics.get(int(chat["id"]), {}).get(thread) if thread is not None else None
        if topic is None or topic["deleted"]:
            raise bad_request("TOPIC_ID_INVALID")
        return chat, topic

    @staticmethod
    def _topic_name(params: Mapping[str, Any]) -> str:
        name = _str_or_none(params.get("name")) or ""
        if not name.strip() or len(name) > MAX_TOPIC_NAME:
            raise bad_request("TOPIC_NAME_INVALID")
        return name

    def _create_forum_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        """A new topic; its id is that of the service message opening it, as in Telegram."""
        chat = self._forum(params)
        chat_id = int(chat["id"])
        if self._status(chat, self.bot_id) not in ("creator", "administrator"):
            raise bad_request("not enough rights to create a topic")
        name = self._topic_name(params)
        color = params.get("icon_color")
        if color is None:
            color = TOPIC_ICON_COLORS[0]
        elif color not in TOPIC_ICON_COLORS or isinstance(color, bool):
            raise bad_request("invalid icon_color specified")
        topic: dict[str, Any] = {"name": name, "icon_color": color}
        emoji = _str_or_none(params.get("icon_custom_emoji_id"))
        if emoji:
            topic["icon_custom_emoji_id"] = emoji
        thread = self._next_message_id(chat_id)
        body: dict[str, Any] = {
            "message_id": thread,
            "from": self._bot_json(),
            "chat": copy.deepcopy(chat),
            "date": self.now(),
            "message_thread_id": thread,
            "forum_topic_created": dict(topic),
            "is_topic_message": True,
        }
        sent = SentMessage(
            chat_id=chat_id,
            message_id=thread,
            text=None,
            parse_mode=None,
            reply_markup=None,
            from_bot=True,
            method="createForumTopic",
            params=params,
            sent_at=time.monotonic(),
            thread_id=thread,
        )
        self._messages.setdefault(chat_id, {})[thread] = _Stored(sent, body)
        self.topics.setdefault(chat_id, {})[thread] = {
            "name": name,
            "closed": False,
            "deleted": False,
        }
        return {"message_thread_id": thread, **topic}

    def _edit_forum_topic(self, params: dict[str, Any]) -> bool:
        _, topic = self._topic(params)
        if params.get("name") is None:
            if params.get("icon_custom_emoji_id") is None:
                raise bad_request("TOPIC_NOT_MODIFIED")
            return True
        name = self._topic_name(params)
        if name == topic["name"]:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["name"] = name
        return True

    def _topic_closer(self, *, closed: bool) -> Callable[[dict[str, Any]], bool]:
        """closeForumTopic / reopenForumTopic (refused when the topic already is so)."""

        def close_or_reopen(params: dict[str, Any]) -> bool:
            _, topic = self._topic(params)
            if topic["closed"] == closed:
                raise bad_request("TOPIC_NOT_MODIFIED")
            topic["closed"] = closed
            return True

        return close_or_reopen

    def _delete_forum_topic(self, params: dict[str, Any]) -> bool:
        """Delete a topic with all its messages."""
        chat, topic = self._topic(params)
        thread = _int_param(params, "message_thread_id")
        topic["deleted"] = True
        for stored in self._messages.get(int(chat["id"]), {}).values():
            if stored.json.get("message_thread_id") == thread:
                stored.sent.deleted = True
        return True

    # ---------------------------------------------------------------- diagnostics

    def _recent_calls(self, count: int = 8) -> str:
        shown = []
        for call in self.calls[-count:]:
            args = ", ".join(f"{k}={_short(v)}" for k, v in call.params.items())
            shown.append(f"{call.method}({args})")
        return "; ".join(shown) or "none"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


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


def _user_json(user: FakeUser) -> dict[str, Any]:
    body: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    if user.last_name is not None:
        body["last_name"] = user.last_name
    if user.username is not None:
        body["username"] = user.username
    if user.language_code is not None:
        body["language_code"] = user.language_code
    return body


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

"""Bot API methods on messages: send, copy, forward, edit, delete, and callback answers."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Mapping
from typing import Any

from tests.telegram_double.html import render, utf16_len
from tests.telegram_double.limits import (
    _MEDIA_METHOD_NAMES,
    DELETABLE_SECONDS,
    MAX_CAPTION,
    MAX_DELETE_AT_ONCE,
    MAX_TEXT,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    THREAD_NOT_FOUND,
    TOPIC_CLOSED,
)
from tests.telegram_double.state import DoubleState
from tests.telegram_double.values import ApiError, SentMessage, _Stored, bad_request
from tests.telegram_double.wire import (
    _content_of,
    _flag,
    _int_param,
    _quoted,
    _str_or_none,
    check_markup,
)


class MessagesMixin(DoubleState):
    """The methods that put messages into chats and change them, with Telegram's checks."""

    # ---------------------------------------------------------------- storing

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
        for watch in self.watchers:
            watch(sent)
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

    # ---------------------------------------------------------------- sending

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

    # ---------------------------------------------------------------- editing

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

    # ---------------------------------------------------------------- deleting

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

    # ---------------------------------------------------------------- callback queries

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

    # ---------------------------------------------------------------- copying and forwarding

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

"""Bot API methods on forum topics: create, edit, close, reopen and delete."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from typing import Any

from tests.telegram_double.limits import MAX_TOPIC_NAME, TOPIC_ICON_COLORS
from tests.telegram_double.state import DoubleState
from tests.telegram_double.values import SentMessage, _Stored, bad_request
from tests.telegram_double.wire import _int_param, _str_or_none


class TopicsMixin(DoubleState):
    """Forum topics of a supergroup; a topic's id is that of the message that opened it."""

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

"""What tests do: people and groups, their messages and presses, blocking and failures."""

from __future__ import annotations

import asyncio
import copy
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

from tests.telegram_double.limits import _MEDIA_METHOD_NAMES, MEMBER_STATUSES
from tests.telegram_double.state import DoubleState
from tests.telegram_double.values import FakeUser, SentMessage, _Failure, _Stored, _user_json
from tests.telegram_double.wire import _command_entities, _quoted


class WorldMixin(DoubleState):
    """The people and groups around the bot, driven by tests; each act enqueues its update.

    Driving methods are synchronous: the bot fetches what they enqueue with getUpdates.
    """

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

    def requeue_confirmed(self) -> int:
        """Hand confirmed updates out again, as Telegram does when the confirming getUpdates
        never reached it (the bot crashed first); how many."""
        again, self._confirmed = self._confirmed, []
        self._updates = sorted([*again, *self._updates], key=lambda u: int(u["update_id"]))
        self._notify()
        return len(again)

    def hold(self, method: str, chat_id: int | None = None) -> asyncio.Event:
        """Calls of `method` (in that chat) wait until the event is set, as a slow network
        would keep them; one whose caller is gone by then never reaches Telegram."""
        release = asyncio.Event()
        self._holds[(method.lower(), chat_id)] = release
        return release

    def block(self, user: FakeUser, *, notify: bool = False) -> None:
        """The user blocks the bot: every write into their chat answers 403 from now on.

        With notify, also enqueue the my_chat_member update Telegram sends on blocking.
        """
        self._blocked.add(user.id)
        if notify:
            self._remember(user)
            self._enqueue(self._member_update(user, "member", "kicked"))

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

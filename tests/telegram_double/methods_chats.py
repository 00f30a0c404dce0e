"""Bot API methods about the bot and chats: getMe, commands, profile, getChat, members."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from tests.telegram_double.state import DoubleState
from tests.telegram_double.values import _user_json, bad_request
from tests.telegram_double.wire import _int_param, _str_or_none

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

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class ChatsMixin(DoubleState):
    """The bot's profile and commands, chats, menu buttons, chat actions and chat members."""

    # ---------------------------------------------------------------- getMe

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

    # ---------------------------------------------------------------- commands

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

    # ---------------------------------------------------------------- name and descriptions

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

    # ---------------------------------------------------------------- chats

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

    # ---------------------------------------------------------------- chat members

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        user_id = _int_param(params, "user_id")
        if user_id is None:
            raise bad_request("invalid user_id specified")
        return self._member_json(chat, user_id)

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

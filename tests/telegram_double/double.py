"""TelegramDouble: the parts put together, and the table of the Bot API methods it answers."""

from __future__ import annotations

from tests.telegram_double.inspection import InspectionMixin
from tests.telegram_double.limits import _MEDIA_METHODS
from tests.telegram_double.methods_chats import ChatsMixin
from tests.telegram_double.methods_messages import MessagesMixin
from tests.telegram_double.server import ServerMixin
from tests.telegram_double.topics import TopicsMixin
from tests.telegram_double.world import WorldMixin


class TelegramDouble(
    ServerMixin, WorldMixin, InspectionMixin, MessagesMixin, ChatsMixin, TopicsMixin
):
    """An aiohttp server answering the Bot API for one bot, with people to drive it.

    Driving methods (send_text, press, ...) are synchronous and enqueue updates; the bot fetches
    them with getUpdates or, once it called setWebhook, the double POSTs them to its webhook
    (webhook_timeout: seconds an answer may take, Telegram's 60; webhook_retry_unit: real
    seconds per second of Telegram's retry delays, small in tests). Everything the bot asks for
    is recorded in `calls`, and the messages it sends are kept per chat with their current text
    and keyboard.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token-of-the-telegram-double",
        bot_id: int = 123456,
        bot_username: str = "volnyja_test_bot",
        bot_first_name: str = "Volnyja Test",
        webhook_timeout: float = 60.0,
        webhook_retry_unit: float = 1.0,
    ) -> None:
        super().__init__(
            token=token,
            bot_id=bot_id,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            webhook_timeout=webhook_timeout,
            webhook_retry_unit=webhook_retry_unit,
        )

        self._methods = {
            "getme": self._get_me,
            "setwebhook": self._set_webhook,
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

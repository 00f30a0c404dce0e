"""Telegram's limits, error texts and rules of delivery, as the double enforces them."""

from __future__ import annotations

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

# The method that sends each kind of message: lower case as dispatched, and as a message
# records it.
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

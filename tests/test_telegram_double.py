"""The Telegram double answers a real aiogram Bot the way the Bot API does.

Every test talks real HTTP: aiogram encodes its requests as it would for Telegram, and parses
the answers (and errors) with its own models, so the double cannot drift from what aiogram sends
and expects without these tests noticing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    ForumTopic,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Location,
    MenuButtonCommands,
    Message,
    MessageOriginUser,
    PhotoSize,
    ReplyKeyboardMarkup,
    Sticker,
    Voice,
)
from aiohttp import ClientSession

from tests.telegram_double import FakeUser, SentMessage, TelegramDouble, parse_html

ANNA = FakeUser(id=1001, first_name="Anna", username="anna_k", last_name="K")
BORIS = FakeUser(id=1002, first_name="Boris", language_code=None)


def dump(value: Any) -> Any:
    """Plain data of aiogram objects (models bound to a Bot never compare equal to new ones)."""
    if isinstance(value, list):
        return [dump(item) for item in value]
    return value.model_dump(exclude_none=True) if value is not None else None


def keyboard(*data: str) -> InlineKeyboardMarkup:
    """One row of callback buttons, labelled by their data."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d.title(), callback_data=d) for d in data]]
    )


@pytest.fixture
async def double() -> AsyncIterator[TelegramDouble]:
    """A running double, stopped after the test."""
    server = TelegramDouble()
    await server.start()
    yield server
    await server.stop()


def make_bot(double: TelegramDouble, token: str | None = None) -> Bot:
    """A real aiogram Bot pointed at the double."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(double.url))
    return Bot(token or double.token, session=session)


@pytest.fixture
async def bot(double: TelegramDouble) -> AsyncIterator[Bot]:
    """A real aiogram Bot pointed at the double; its HTTP session is closed afterwards."""
    client = make_bot(double)
    yield client
    await client.session.close()


async def raw_post(double: TelegramDouble, method: str, **kwargs: Any) -> tuple[int, Any]:
    """Status and JSON of a hand-made request, for what aiogram cannot send."""
    token = kwargs.pop("token", double.token)
    async with (
        ClientSession() as http,
        http.post(f"{double.url}/bot{token}/{method}", **kwargs) as response,
    ):
        return response.status, await response.json()


# ------------------------------------------------------------------ basics


async def test_get_me_describes_the_bot(double: TelegramDouble, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "volnyja_test_bot")
    assert me.can_join_groups is True
    assert me.supports_inline_queries is False
    assert [c.method for c in double.calls] == ["getMe"]


async def test_a_wrong_token_is_unauthorized(double: TelegramDouble) -> None:
    stranger = make_bot(double, token="999:wrong")
    try:
        with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
            await stranger.get_me()
    finally:
        await stranger.session.close()


async def test_an_unknown_method_is_not_found_and_still_recorded(double: TelegramDouble) -> None:
    status, body = await raw_post(double, "sendTelepathy", data={"chat_id": "1"})
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert double.calls_to("sendTelepathy")[0].params == {"chat_id": 1}


async def test_json_bodies_are_accepted_like_forms(double: TelegramDouble) -> None:
    double.add_user(ANNA)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    status, body = await raw_post(
        double, "sendMessage", json={"chat_id": ANNA.id, "text": "hi", "reply_markup": markup}
    )
    assert status == 200
    assert body["result"]["reply_markup"] == markup
    assert double.last_message(ANNA.id).reply_markup == markup


# ------------------------------------------------------------------ sending


async def test_send_message_round_trip_with_html_and_a_keyboard(
    double: TelegramDouble, bot: Bot
) -> None:
    first = double.send_text(ANNA, "hello")
    sent = await bot.send_message(
        ANNA.id,
        "<b>Hi</b> &amp; welcome, <i>Anna</i>",
        parse_mode="HTML",
        reply_markup=keyboard("yes", "no"),
        protect_content=True,
    )
    assert isinstance(sent, Message)
    assert sent.message_id == first + 1, "one message counter per private chat"
    assert sent.text == "Hi & welcome, Anna"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 0, 2),
        ("italic", 14, 4),
    ]
    assert sent.chat.username == "anna_k"
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    assert dump(sent.reply_markup) == dump(keyboard("yes", "no"))
    assert sent.has_protected_content is True

    recorded = double.last_message(ANNA.id)
    assert recorded.text == "<b>Hi</b> &amp; welcome, <i>Anna</i>"
    assert recorded.parse_mode == "HTML"
    assert recorded.reply_markup == {
        "inline_keyboard": [
            [{"text": "Yes", "callback_data": "yes"}, {"text": "No", "callback_data": "no"}]
        ]
    }
    assert recorded.from_bot
    assert recorded.method == "sendMessage"
    call = double.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == ANNA.id
    assert call.params["protect_content"] is True
    assert isinstance(call.params["reply_markup"], dict)
    assert call.at <= time.monotonic()


async def test_a_reply_keyboard_is_recorded_but_not_echoed(
    double: TelegramDouble, bot: Bot
) -> None:
    double.add_user(ANNA)
    markup = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Menu")]], resize_keyboard=True)
    sent = await bot.send_message(ANNA.id, "pick", reply_markup=markup)
    assert sent.reply_markup is None
    assert double.last_message(ANNA.id).reply_markup == {
        "keyboard": [[{"text": "Menu"}]],
        "resize_keyboard": True,
    }


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1 < 2", 'Unsupported start tag ""'),
        ("&#xD800; alone", "invalid Unicode characters"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b>bold <i>both</b></i>", 'expected "</i>", found "</b>"'),
        ("<b>never closed", 'start tag "b"'),
        ("closed</b>", "Unexpected end tag"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_html_telegram_cannot_parse_is_refused(
    double: TelegramDouble, bot: Bot, text: str, why: str
) -> None:
    double.add_user(ANNA)
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
        await bot.send_message(ANNA.id, text, parse_mode="HTML")
    assert why in caught.value.message
    assert double.messages(ANNA.id) == []


@pytest.mark.parametrize("text", ["Tom & Jerry", "a&nbsp;b", "&#0;"])
def test_html_telegram_keeps_a_stray_ampersand_as_written(text: str) -> None:
    assert parse_html(text) == (text, [])


def test_html_that_telegram_accepts_parses() -> None:
    text = (
        '<a href="https://e.org/?a=1&amp;b=2">site</a> <tg-spoiler>s</tg-spoiler> a > b '
        '<pre><code class="language-py">x</code></pre> <blockquote expandable>q</blockquote>'
        " &#128512;"
    )
    plain, entities = parse_html(text)
    assert plain == "site s a > b x q \U0001f600"
    assert [e["type"] for e in entities] == [
        "text_link",
        "spoiler",
        "pre",
        "expandable_blockquote",
    ]
    assert entities[0]["url"] == "https://e.org/?a=1&b=2"
    assert entities[2]["language"] == "py"


async def test_the_length_limit_counts_visible_text(double: TelegramDouble, bot: Bot) -> None:
    double.add_user(ANNA)
    await bot.send_message(ANNA.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(ANNA.id, "x" * 4097)
    assert len(double.messages(ANNA.id)) == 1


@pytest.mark.parametrize("text", ["", "   \n", "<b> </b>"])
async def test_empty_text_is_refused(double: TelegramDouble, bot: Bot, text: str) -> None:
    double.add_user(ANNA)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(ANNA.id, text, parse_mode="HTML")


@pytest.mark.parametrize("data", ["x" * 65, "\u044f" * 33])
async def test_callback_data_over_64_bytes_is_refused(
    double: TelegramDouble, bot: Bot, data: str
) -> None:
    double.add_user(ANNA)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ANNA.id, "pick", reply_markup=keyboard(data))


async def test_a_chat_nobody_opened_is_not_found(double: TelegramDouble, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(777, "hello?")
    double.add_group(-100500, "Volunteers")
    sent = await bot.send_message(-100500, "new case")
    assert sent.chat.title == "Volunteers"


async def test_media_uploads_and_copies_are_recorded(double: TelegramDouble, bot: Bot) -> None:
    double.add_group(-100500, "Volunteers")
    said = double.send_text(ANNA, "I need help")
    photo = await bot.send_photo(
        ANNA.id,
        BufferedInputFile(b"\x89PNG fake", filename="map.png"),
        caption="<b>Map</b>",
        parse_mode="HTML",
    )
    assert photo.caption == "Map"
    assert photo.photo is not None
    assert isinstance(photo.photo[0], PhotoSize)
    assert double.last_message(ANNA.id).params["photo"]["filename"] == "map.png"

    copied = await bot.copy_message(-100500, from_chat_id=ANNA.id, message_id=said)
    assert copied.message_id == 1
    copy = double.last_message(-100500)
    assert (copy.method, copy.text) == ("copyMessage", "I need help")

    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(-100500, from_chat_id=ANNA.id, message_id=99)
    assert await bot.send_chat_action(ANNA.id, "typing") is True


# ------------------------------------------------------------------ failures


async def test_fail_next_429_becomes_retry_after(double: TelegramDouble, bot: Bot) -> None:
    double.add_user(ANNA)
    double.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(ANNA.id, "one")
    assert caught.value.retry_after == 7
    assert double.messages(ANNA.id) == [], "a failed send creates no message"
    assert len(double.calls_to("sendMessage")) == 1, "failed calls are still recorded"
    await bot.send_message(ANNA.id, "two")
    assert [m.text for m in double.messages(ANNA.id)] == ["two"]


@pytest.mark.parametrize("status", [500, 502])
async def test_fail_next_5xx_is_a_server_error(
    double: TelegramDouble, bot: Bot, status: int
) -> None:
    double.add_user(ANNA)
    double.fail_next("sendMessage", status=status, description="Internal Server Error", times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(ANNA.id, "hello")
    await bot.send_message(ANNA.id, "hello")
    assert len(double.messages(ANNA.id)) == 1


async def test_a_blocked_user_answers_403_to_every_write(double: TelegramDouble, bot: Bot) -> None:
    double.send_text(ANNA, "/start")
    sent = await bot.send_message(ANNA.id, "welcome", reply_markup=keyboard("a"))
    double.block(ANNA)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ANNA.id, "are you there?")
    with pytest.raises(TelegramForbiddenError):
        await bot.edit_message_text("changed", chat_id=ANNA.id, message_id=sent.message_id)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_sticker(ANNA.id, "sticker-file-1")
    assert await bot.get_me()
    assert len(double.messages(ANNA.id)) == 1

    double.send_text(ANNA, "/start")
    await bot.send_message(ANNA.id, "welcome back")


# ------------------------------------------------------------------ updates


async def test_long_polling_returns_an_update_sent_while_waiting(
    double: TelegramDouble, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await double.wait_for(lambda: double.calls_to("getUpdates"), timeout=1)
    await asyncio.sleep(0.05)
    assert not poll.done(), "nothing to deliver yet: the request must hang"

    started = time.monotonic()
    message_id = double.send_text(ANNA, "/start@volnyja_test_bot hello")
    updates = await asyncio.wait_for(poll, timeout=1)
    assert time.monotonic() - started < 0.5

    assert [u.update_id for u in updates] == [1]
    message = updates[0].message
    assert message is not None
    assert message.message_id == message_id
    assert message.text == "/start@volnyja_test_bot hello"
    assert message.from_user is not None
    assert (message.from_user.username, message.from_user.language_code) == ("anna_k", "en")
    assert [(e.type, e.offset, e.length) for e in message.entities or []] == [
        ("bot_command", 0, 23)
    ]


async def test_an_empty_long_poll_ends_after_its_timeout(double: TelegramDouble) -> None:
    started = time.monotonic()
    status, body = await raw_post(double, "getUpdates", data={"timeout": "0.2"})
    assert (status, body) == (200, {"ok": True, "result": []})
    assert 0.15 < time.monotonic() - started < 1


async def test_every_kind_of_update_parses_into_aiogram_types(
    double: TelegramDouble, bot: Bot
) -> None:
    double.send_text(ANNA, "hi")
    sent = await bot.send_message(ANNA.id, "choose", reply_markup=keyboard("yes"))
    double.send_sticker(ANNA)
    double.send_photo(ANNA, caption="look")
    double.send_voice(BORIS)
    double.send_location(BORIS)
    first = double.send_text(BORIS, "tpyo")
    double.edit_text(BORIS, first, "typo")
    query_id = double.press(ANNA, sent.message_id, "yes")

    updates = await bot.get_updates(timeout=0)
    assert [u.event_type for u in updates] == [
        "message",
        "message",
        "message",
        "message",
        "message",
        "message",
        "edited_message",
        "callback_query",
    ]
    assert updates[1].message is not None
    assert isinstance(updates[1].message.sticker, Sticker)
    photo = updates[2].message
    assert photo is not None
    assert photo.caption == "look"
    assert photo.photo is not None
    assert all(isinstance(size, PhotoSize) for size in photo.photo)
    assert updates[3].message is not None
    assert isinstance(updates[3].message.voice, Voice)
    assert updates[3].message.from_user is not None
    assert updates[3].message.from_user.language_code is None
    assert updates[4].message is not None
    assert isinstance(updates[4].message.location, Location)
    edited = updates[6].edited_message
    assert edited is not None
    assert (edited.message_id, edited.text) == (first, "typo")
    assert edited.edit_date is not None

    query = updates[7].callback_query
    assert isinstance(query, CallbackQuery)
    assert (query.id, query.data) == (query_id, "yes")
    assert isinstance(query.message, Message)
    assert query.message.message_id == sent.message_id
    assert dump(query.message.reply_markup) == dump(keyboard("yes"))


async def test_an_offset_confirms_earlier_updates(double: TelegramDouble, bot: Bot) -> None:
    ids = [double.add_update({"message": message(ANNA, n)}) for n in (1, 2, 3)]
    assert ids == [1, 2, 3]
    assert [u.update_id for u in await bot.get_updates()] == [1, 2, 3]
    assert double.pending_updates == 3, "fetching alone confirms nothing"

    assert [u.update_id for u in await bot.get_updates(offset=2, limit=1)] == [2]
    assert double.pending_updates == 2
    assert await bot.get_updates(offset=4, timeout=0) == []
    assert double.pending_updates == 0
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)


async def test_allowed_updates_drops_other_kinds(double: TelegramDouble, bot: Bot) -> None:
    double.send_text(ANNA, "hi")
    double.edit_text(ANNA, 1, "hi!")
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.event_type for u in updates] == ["message"]
    assert double.pending_updates == 1
    await bot.get_updates(offset=updates[-1].update_id + 1)
    assert double.pending_updates == 0


async def test_delete_webhook_can_drop_pending_updates(double: TelegramDouble, bot: Bot) -> None:
    double.send_text(ANNA, "old")
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert double.pending_updates == 0


def message(user: FakeUser, message_id: int) -> dict[str, Any]:
    """A raw Message JSON, as a test would hand to add_update."""
    return {
        "message_id": message_id,
        "date": 1_700_000_000,
        "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
        "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
        "text": f"message {message_id}",
    }


async def test_blocking_can_notify_the_bot_and_forwards_carry_their_origin(
    double: TelegramDouble, bot: Bot
) -> None:
    double.add_group(-100500, "Volunteers")
    said = double.send_text(BORIS, "please call me")
    forwarded = await bot.forward_message(-100500, from_chat_id=BORIS.id, message_id=said)
    assert forwarded.text == "please call me"
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == BORIS.id
    assert double.last_message(-100500).method == "forwardMessage"

    double.block(BORIS, notify=True)
    updates = await bot.get_updates(offset=2)
    assert [u.event_type for u in updates] == ["my_chat_member"]
    member = updates[0].my_chat_member
    assert member is not None
    assert (member.old_chat_member.status, member.new_chat_member.status) == ("member", "kicked")


# ------------------------------------------------------------------ edits, deletes, callbacks


async def test_edits_update_the_stored_message(double: TelegramDouble, bot: Bot) -> None:
    double.send_text(ANNA, "/start")
    sent = await bot.send_message(ANNA.id, "<b>Step 1</b>", parse_mode="HTML")
    chat, mid = ANNA.id, sent.message_id

    edited = await bot.edit_message_reply_markup(
        chat_id=chat, message_id=mid, reply_markup=keyboard("next")
    )
    assert isinstance(edited, Message)
    assert dump(edited.reply_markup) == dump(keyboard("next"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=chat, message_id=mid, reply_markup=keyboard("next")
        )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<strong>Step 1</strong>",
            chat_id=chat,
            message_id=mid,
            parse_mode="HTML",
            reply_markup=keyboard("next"),
        )

    edited = await bot.edit_message_text(
        "Step 2", chat_id=chat, message_id=mid, reply_markup=keyboard("done")
    )
    assert isinstance(edited, Message)
    assert (edited.text, edited.entities) == ("Step 2", None)
    assert edited.edit_date is not None
    stored = double.last_message(chat)
    assert (stored.text, stored.edits, stored.parse_mode) == ("Step 2", 2, None)
    assert stored.reply_markup == {"inline_keyboard": [[{"text": "Done", "callback_data": "done"}]]}

    # Telegram drops the inline keyboard when editMessageText comes without one.
    edited = await bot.edit_message_text("Step 3", chat_id=chat, message_id=mid)
    assert isinstance(edited, Message)
    assert edited.reply_markup is None
    assert double.last_message(chat).reply_markup is None

    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=chat, message_id=99)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=chat, message_id=1)


async def test_deletes_mark_messages_and_refuse_twice(double: TelegramDouble, bot: Bot) -> None:
    double.add_user(ANNA)
    one = await bot.send_message(ANNA.id, "one")
    two = await bot.send_message(ANNA.id, "two")
    assert await bot.delete_message(ANNA.id, one.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(ANNA.id, one.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("again", chat_id=ANNA.id, message_id=one.message_id)
    assert await bot.delete_messages(ANNA.id, [two.message_id, 404]) is True
    assert [(m.text, m.deleted) for m in double.messages(ANNA.id)] == [
        ("one", True),
        ("two", True),
    ]


async def test_messages_older_than_48_hours_cannot_be_deleted(
    double: TelegramDouble, bot: Bot
) -> None:
    double.add_user(ANNA)
    double.clock_offset = -49 * 3600
    old_theirs = double.send_text(ANNA, "from two days ago")
    old_mine = await bot.send_message(ANNA.id, "old")
    double.clock_offset = 0
    new_mine = await bot.send_message(ANNA.id, "new")
    assert old_mine.date.timestamp() < new_mine.date.timestamp() - 48 * 3600
    with pytest.raises(TelegramBadRequest, match="message can't be deleted for everyone"):
        await bot.delete_message(ANNA.id, old_mine.message_id)
    assert await bot.delete_messages(
        ANNA.id, [old_theirs, old_mine.message_id, new_mine.message_id]
    )
    assert [(m.message_id, m.deleted) for m in double.all_messages(ANNA.id)] == [
        (old_theirs, False),
        (old_mine.message_id, False),
        (new_mine.message_id, True),
    ]
    with pytest.raises(TelegramBadRequest, match="too many messages to delete"):
        await bot.delete_messages(ANNA.id, list(range(1, 102)))


async def test_callback_answers_are_recorded_once(double: TelegramDouble, bot: Bot) -> None:
    double.send_text(ANNA, "/start")
    sent = await bot.send_message(ANNA.id, "sure?", reply_markup=keyboard("yes"))
    query_id = double.press(ANNA, sent.message_id, "yes")
    assert await bot.answer_callback_query(query_id, text="Saved", show_alert=True) is True
    assert double.callback_answers[query_id] == {
        "callback_query_id": query_id,
        "text": "Saved",
        "show_alert": True,
    }
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("123")


# ------------------------------------------------------------------ bot profile


async def test_commands_and_profile_texts_are_stored_per_language(
    double: TelegramDouble, bot: Bot
) -> None:
    commands = [
        BotCommand(command="start", description="Begin"),
        BotCommand(command="help", description="Help"),
    ]
    await bot.set_my_commands(commands)
    await bot.set_my_commands(commands[:1], language_code="ru")
    await bot.set_my_commands(commands[1:], scope=BotCommandScopeAllPrivateChats())
    assert [c["command"] for c in double.commands[None]] == ["start", "help"]
    assert [c["command"] for c in double.commands["ru"]] == ["start"]
    assert dump(await bot.get_my_commands(language_code="ru")) == dump(commands[:1])
    scoped = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())
    assert dump(scoped) == dump(commands[1:])
    await bot.delete_my_commands(language_code="ru")
    assert "ru" not in double.commands
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start Now", description="x")])

    await bot.set_my_name("Volnyja", language_code="en")
    await bot.set_my_description("Long text", language_code="en")
    await bot.set_my_short_description("Short")
    assert double.names == {"en": "Volnyja"}
    assert double.descriptions == {"en": "Long text"}
    assert double.short_descriptions == {None: "Short"}
    assert (await bot.get_my_name(language_code="en")).name == "Volnyja"

    double.add_user(ANNA)
    chat = await bot.get_chat(ANNA.id)
    assert (chat.type, chat.username) == ("private", "anna_k")
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands()) is True
    assert isinstance(await bot.get_chat_menu_button(chat_id=ANNA.id), MenuButtonCommands)


# ------------------------------------------------------------------ a whole bot


async def test_a_dispatcher_bot_talks_to_a_person_end_to_end(
    double: TelegramDouble, bot: Bot
) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Hello! Ready?", reply_markup=keyboard("ready"))

    @dispatcher.callback_query(F.data == "ready")
    async def ready(query: CallbackQuery) -> None:
        await query.answer("Great")
        if isinstance(query.message, Message):
            await query.message.edit_text("Let us begin.")

    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=1, handle_signals=False, close_bot_session=False
        )
    )
    try:
        double.send_text(ANNA, "/start")
        [greeting] = await double.wait_for_messages(ANNA.id, 1, timeout=3)
        assert (greeting.message_id, greeting.text) == (2, "Hello! Ready?")

        query_id = double.press(ANNA, greeting.message_id, "ready")
        await double.wait_for(lambda: double.last_message(ANNA.id).edits, timeout=3)
        assert double.callback_answers[query_id]["text"] == "Great"
        assert double.last_message(ANNA.id).text == "Let us begin."
        assert double.last_message(ANNA.id).reply_markup is None
        await double.wait_for(lambda: double.pending_updates == 0, timeout=3)
    finally:
        await dispatcher.stop_polling()
        await polling


async def test_wait_for_explains_a_timeout(double: TelegramDouble) -> None:
    with pytest.raises(AssertionError, match=r"sent 0 of 1 expected messages to chat 1001"):
        await double.wait_for_messages(ANNA.id, 1, timeout=0.05)
    with pytest.raises(AssertionError, match=r"timed out after 0\.05 s"):
        await double.wait_for(lambda: None, timeout=0.05)
    with pytest.raises(AssertionError, match="sent nothing"):
        double.last_message(ANNA.id)
    with pytest.raises(AssertionError, match=r"last value AssertionError\('the bot sent nothing"):
        await double.wait_for(lambda: double.last_message(ANNA.id), timeout=0.05)
    assert isinstance(SentMessage(1, 1, None, None, None, from_bot=True).params, dict)


# ------------------------------------------------------------------ groups and forum topics

FORUM = -1001234567890
VERA = FakeUser(id=2001, first_name="Vera", username="vera_volunteer")


def add_forum(double: TelegramDouble, **members: str) -> None:
    """The volunteers' forum, with Vera as a member unless members says otherwise."""
    statuses = {VERA.id: "member"} | {int(k.removeprefix("u")): v for k, v in members.items()}
    double.add_group(FORUM, "Volunteers", is_forum=True, members=statuses)


async def test_forum_topics_are_created_renamed_closed_and_reopened(
    double: TelegramDouble, bot: Bot
) -> None:
    add_forum(double)
    first = await bot.create_forum_topic(FORUM, "Case 1")
    assert isinstance(first, ForumTopic)
    assert (first.name, first.icon_color) == ("Case 1", 7322096)
    second = await bot.create_forum_topic(FORUM, "Case 2", icon_color=16766590)
    assert second.message_thread_id > first.message_thread_id
    assert second.icon_color == 16766590
    assert double.topics[FORUM] == {
        first.message_thread_id: {"name": "Case 1", "closed": False, "deleted": False},
        second.message_thread_id: {"name": "Case 2", "closed": False, "deleted": False},
    }
    assert double.messages(FORUM) == [], "the topics' service messages are not the bot's sends"

    thread = first.message_thread_id
    assert await bot.edit_forum_topic(FORUM, thread, name="Case 1: Anna") is True
    assert double.topics[FORUM][thread]["name"] == "Case 1: Anna"
    with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
        await bot.edit_forum_topic(FORUM, 999, name="x")

    assert await bot.close_forum_topic(FORUM, thread) is True
    assert double.topics[FORUM][thread]["closed"] is True
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(FORUM, "anyone?", message_thread_id=thread)
    assert double.thread_messages(FORUM, thread) == []
    assert await bot.reopen_forum_topic(FORUM, thread) is True
    assert double.topics[FORUM][thread]["closed"] is False
    sent = await bot.send_message(FORUM, "back again", message_thread_id=thread)
    assert (sent.message_thread_id, sent.is_topic_message) == (thread, True)
    assert sent.chat.is_forum is True
    assert [m.text for m in double.thread_messages(FORUM, thread)] == ["back again"]
    assert double.thread_messages(FORUM, second.message_thread_id) == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 129])
async def test_a_topic_name_must_have_1_to_128_characters(
    double: TelegramDouble, bot: Bot, name: str
) -> None:
    add_forum(double)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NAME_INVALID"):
        await bot.create_forum_topic(FORUM, name)
    assert double.topics[FORUM] == {}
    assert (await bot.create_forum_topic(FORUM, "x" * 128)).name == "x" * 128


async def test_topics_only_exist_in_forums(double: TelegramDouble, bot: Bot) -> None:
    double.add_group(-100500, "Plain group")
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(-100500, "Case")
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.close_forum_topic(-100500, 1)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(-100500, "hi", message_thread_id=5)
    add_forum(double)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "hi", message_thread_id=5)
    general = await bot.send_message(FORUM, "for everyone")
    assert (general.message_thread_id, general.is_topic_message) == (None, None)


async def test_deleting_a_topic_deletes_its_messages(double: TelegramDouble, bot: Bot) -> None:
    add_forum(double)
    double.add_user(ANNA)
    kept = (await bot.create_forum_topic(FORUM, "Kept")).message_thread_id
    thread = (await bot.create_forum_topic(FORUM, "Case")).message_thread_id
    await bot.send_message(FORUM, "one", message_thread_id=thread)
    said = double.post_in_topic(FORUM, VERA, thread, "I can help")
    await bot.send_message(FORUM, "other", message_thread_id=kept)

    assert await bot.delete_forum_topic(FORUM, thread) is True
    assert double.topics[FORUM][thread]["deleted"] is True
    assert [m.deleted for m in double.thread_messages(FORUM, thread)] == [True]
    assert double.message(FORUM, said).deleted
    assert [m.deleted for m in double.thread_messages(FORUM, kept)] == [False]
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "two", message_thread_id=thread)
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(ANNA.id, FORUM, said)
    with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
        await bot.delete_forum_topic(FORUM, thread)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("creator", ChatMemberOwner),
        ("administrator", ChatMemberAdministrator),
        ("member", ChatMemberMember),
        ("restricted", ChatMemberRestricted),
        ("left", ChatMemberLeft),
        ("kicked", ChatMemberBanned),
    ],
)
async def test_get_chat_member_parses_every_status(
    double: TelegramDouble, bot: Bot, status: str, kind: type
) -> None:
    add_forum(double)
    double.set_member(FORUM, VERA, status)
    member = await bot.get_chat_member(FORUM, VERA.id)
    assert isinstance(member, kind)
    assert member.status == status
    assert (member.user.id, member.user.is_bot, member.user.first_name) == (VERA.id, False, "Vera")
    assert member.user.username == "vera_volunteer"
    assert double.members[FORUM][VERA.id] == status


async def test_get_chat_member_knows_strangers_and_the_bot(
    double: TelegramDouble, bot: Bot
) -> None:
    add_forum(double, u1001="creator")
    owner = await bot.get_chat_member(FORUM, ANNA.id)
    assert isinstance(owner, ChatMemberOwner)
    assert owner.is_anonymous is False
    stranger = await bot.get_chat_member(FORUM, 4242)
    assert isinstance(stranger, ChatMemberLeft)
    assert stranger.user.id == 4242
    me = await bot.get_chat_member(FORUM, double.bot_id)
    assert isinstance(me, ChatMemberAdministrator)
    assert (me.user.is_bot, me.can_manage_topics) == (True, True)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat_member(-100999, ANNA.id)


async def test_a_bot_that_was_removed_cannot_work_in_the_group(
    double: TelegramDouble, bot: Bot
) -> None:
    add_forum(double)
    double.members[FORUM][double.bot_id] = "member"
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM, "Case")
    double.members[FORUM][double.bot_id] = "kicked"
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the supergroup chat"):
        await bot.send_message(FORUM, "hello")


async def test_copy_message_from_a_private_chat_into_a_topic(
    double: TelegramDouble, bot: Bot
) -> None:
    add_forum(double)
    thread = (await bot.create_forum_topic(FORUM, "Case 1")).message_thread_id
    said = double.send_text(ANNA, "I need help")
    photo = double.send_photo(ANNA, caption="this one")

    copied = await bot.copy_message(
        FORUM,
        from_chat_id=ANNA.id,
        message_id=said,
        message_thread_id=thread,
        protect_content=True,
        reply_markup=keyboard("take"),
    )
    await bot.copy_message(FORUM, ANNA.id, photo, message_thread_id=thread)
    first, second = double.thread_messages(FORUM, thread)
    assert first.message_id == copied.message_id
    assert (first.method, first.text, first.thread_id) == ("copyMessage", "I need help", thread)
    assert first.params["message_thread_id"] == thread
    assert first.params["protect_content"] is True
    assert first.reply_markup == {"inline_keyboard": [[{"text": "Take", "callback_data": "take"}]]}
    assert (second.method, second.text) == ("copyMessage", "this one")

    body = double.message_json(FORUM, copied.message_id)
    assert (body["message_thread_id"], body["is_topic_message"]) == (thread, True)
    assert body["has_protected_content"] is True
    assert body["chat"] == {
        "id": FORUM,
        "type": "supergroup",
        "title": "Volunteers",
        "is_forum": True,
    }
    assert body["reply_to_message"]["forum_topic_created"]["name"] == "Case 1"
    assert "photo" in double.message_json(FORUM, second.message_id)

    await bot.close_forum_topic(FORUM, thread)
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.copy_message(FORUM, ANNA.id, said, message_thread_id=thread)
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(FORUM, ANNA.id, 99)
    with pytest.raises(TelegramBadRequest, match="message can't be copied"):
        await bot.copy_message(ANNA.id, FORUM, thread)


async def test_copy_message_from_a_topic_into_a_private_chat(
    double: TelegramDouble, bot: Bot
) -> None:
    add_forum(double)
    double.add_user(ANNA)
    thread = (await bot.create_forum_topic(FORUM, "Case 1")).message_thread_id
    answer = double.post_in_topic(FORUM, VERA, thread, "Hello Anna, I am Vera")

    copied = await bot.copy_message(ANNA.id, FORUM, answer, protect_content=True)
    sent = double.last_message(ANNA.id)
    assert sent.message_id == copied.message_id
    assert (sent.method, sent.text, sent.thread_id) == (
        "copyMessage",
        "Hello Anna, I am Vera",
        None,
    )
    assert sent.params["protect_content"] is True
    assert sent.params["from_chat_id"] == FORUM
    body = double.message_json(ANNA.id, copied.message_id)
    assert body["text"] == "Hello Anna, I am Vera"
    assert "message_thread_id" not in body
    assert "reply_to_message" not in body
    assert body["from"]["is_bot"] is True


async def test_post_in_topic_arrives_as_a_topic_message(double: TelegramDouble, bot: Bot) -> None:
    add_forum(double)
    thread = (await bot.create_forum_topic(FORUM, "Case 1")).message_thread_id
    relayed = await bot.send_message(FORUM, "Anna asks for help", message_thread_id=thread)
    said = double.post_in_topic(FORUM, VERA, thread, "/take@volnyja_test_bot now")
    reply = double.post_in_topic(FORUM, BORIS, thread, "me too", reply_to=relayed.message_id)
    assert said == relayed.message_id + 1, "one message counter per chat"
    assert double.members[FORUM][BORIS.id] == "member", "who writes in a group is a member"

    updates = await bot.get_updates()
    message = updates[0].message
    assert isinstance(message, Message)
    assert (message.message_id, message.message_thread_id) == (said, thread)
    assert message.is_topic_message is True
    assert (message.chat.id, message.chat.type, message.chat.is_forum) == (
        FORUM,
        "supergroup",
        True,
    )
    assert message.chat.title == "Volunteers"
    assert message.from_user is not None
    assert (message.from_user.id, message.from_user.username) == (VERA.id, "vera_volunteer")
    assert [(e.type, e.offset, e.length) for e in message.entities or []] == [
        ("bot_command", 0, 22)
    ]
    # As in Telegram, a topic message "replies" to the service message opening the topic.
    assert message.reply_to_message is not None
    assert message.reply_to_message.forum_topic_created is not None
    assert message.reply_to_message.message_id == thread

    answer = updates[1].message
    assert answer is not None
    assert answer.message_id == reply
    assert answer.reply_to_message is not None
    assert (answer.reply_to_message.message_id, answer.reply_to_message.text) == (
        relayed.message_id,
        "Anna asks for help",
    )
    assert double.message(FORUM, said).thread_id == thread
    assert double.thread_messages(FORUM, thread) == [double.message(FORUM, relayed.message_id)]

    double.set_member(FORUM, VERA, "kicked")
    with pytest.raises(AssertionError, match="kicked"):
        double.post_in_topic(FORUM, VERA, thread, "let me in")


async def test_replies_inherit_the_topic_of_the_message_they_answer(
    double: TelegramDouble, bot: Bot
) -> None:
    add_forum(double)
    thread = (await bot.create_forum_topic(FORUM, "Case 1")).message_thread_id
    said = double.post_in_topic(FORUM, VERA, thread, "who is on duty?")
    sent = await bot.send_message(FORUM, "Vera is", reply_to_message_id=said)
    assert (sent.message_thread_id, sent.is_topic_message) == (thread, True)
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.message_id == said
    assert [m.text for m in double.thread_messages(FORUM, thread)] == ["Vera is"]


async def test_press_in_group_arrives_as_a_callback_query(double: TelegramDouble, bot: Bot) -> None:
    add_forum(double)
    thread = (await bot.create_forum_topic(FORUM, "Case 1")).message_thread_id
    sent = await bot.send_message(
        FORUM, "New case", message_thread_id=thread, reply_markup=keyboard("take")
    )
    query_id = double.press_in_group(FORUM, VERA, sent.message_id, "take")

    [update] = await bot.get_updates()
    query = update.callback_query
    assert isinstance(query, CallbackQuery)
    assert (query.id, query.data, query.from_user.id) == (query_id, "take", VERA.id)
    assert isinstance(query.message, Message)
    assert (query.message.message_id, query.message.message_thread_id) == (
        sent.message_id,
        thread,
    )
    assert query.message.chat.is_forum is True
    assert dump(query.message.reply_markup) == dump(keyboard("take"))
    assert await bot.answer_callback_query(query_id, text="Taken") is True

    edited = await bot.edit_message_text(
        "New case (Vera took it)", chat_id=FORUM, message_id=sent.message_id
    )
    assert isinstance(edited, Message)
    assert (edited.text, edited.message_thread_id, edited.reply_markup) == (
        "New case (Vera took it)",
        thread,
        None,
    )
    stored = double.thread_messages(FORUM, thread)[0]
    assert (stored.text, stored.edits, stored.reply_markup) == ("New case (Vera took it)", 1, None)
    with pytest.raises(AssertionError, match="was not sent by the bot"):
        double.press_in_group(FORUM, VERA, double.post_in_topic(FORUM, VERA, thread, "x"), "take")

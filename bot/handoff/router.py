"""The handoff's routers, included only when handoff is on.

- In a person's private chat, before the conversation's router: while a case is open, what
  they send goes to the volunteer (anything else falls through to the conversation), and the
  buttons of the handoff (a long wait, sharing the way, "did it help").
- In the volunteers' group: Take, their commands (aiogram Command filters), talking in a topic,
  leaving the group.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from bot.handoff.desk import is_talking
from bot.handoff.person import PersonSide
from bot.handoff.volunteers import VolunteerSide
from bot.handoff.words import Confirm, Helped, Share, TakeCase, WaitingChoice
from bot.storage.transaction import Transaction
from bot.telegram import send
from bot.telegram.events import command_event
from bot.telegram.turn import Turn

PERSON = "handoff_person"
VOLUNTEERS = "handoff_volunteers"
"""Where the composition root puts the two sides in the dispatcher's data."""

# Filters are coroutines on purpose: aiogram runs a plain function (a magic filter too) in a
# worker thread for every update, which cost this bot most of its throughput.


async def in_private_chat(event: Message) -> bool:
    return event.chat.type == ChatType.PRIVATE


async def pressed_in_private_chat(callback: CallbackQuery) -> bool:
    return callback.message is not None and callback.message.chat.type == ChatType.PRIVATE


async def talking(message: Message, turn: Turn) -> bool:
    """A case is open and this is not one of the bot's commands (those still reach the bot)."""
    return command_event(message.text) is None and await is_talking(turn)


async def blocked_in_private_chat(update: ChatMemberUpdated) -> bool:
    return (
        update.chat.type == ChatType.PRIVATE
        and update.new_chat_member.status == ChatMemberStatus.KICKED
    )


def create_person_router() -> Router:
    router = Router(name=f"{__name__}.person")
    router.message.filter(in_private_chat)
    router.message.register(on_person_end, Command("end"), talking)
    router.message.register(on_person_message, talking)
    router.edited_message.register(on_person_edit, in_private_chat)
    router.callback_query.filter(pressed_in_private_chat)
    router.callback_query.register(on_waiting_choice, WaitingChoice.filter())
    router.callback_query.register(on_helped, Helped.filter())
    router.callback_query.register(on_share, Share.filter())
    router.callback_query.register(on_confirm, Confirm.filter())
    router.my_chat_member.register(on_person_blocked, blocked_in_private_chat)
    return router


async def on_person_message(message: Message, turn: Turn, handoff_person: PersonSide) -> None:
    case = await handoff_person.open_case(turn)
    if case is None:  # the case ended meanwhile: the bot answers instead
        raise SkipHandler
    await handoff_person.relay(message, turn, case)


async def on_person_end(message: Message, turn: Turn, handoff_person: PersonSide) -> None:
    case = await handoff_person.open_case(turn)
    if case is None:
        raise SkipHandler
    await handoff_person.end(turn, case)


async def on_person_edit(message: Message, turn: Turn, handoff_person: PersonSide) -> None:
    """An edit matters only while a volunteer reads along: it is relayed as an edit."""
    await handoff_person.relay_edit(message, turn)


async def on_waiting_choice(
    callback: CallbackQuery, callback_data: WaitingChoice, turn: Turn, handoff_person: PersonSide
) -> None:
    await send.drop_keyboard(callback)
    await handoff_person.waiting_choice(callback, turn, callback_data.choice)


async def on_helped(
    callback: CallbackQuery, callback_data: Helped, turn: Turn, handoff_person: PersonSide
) -> None:
    await send.drop_keyboard(callback)
    await handoff_person.helped(callback, turn, callback_data.answer, callback_data.token)


async def on_confirm(
    callback: CallbackQuery, callback_data: Confirm, turn: Turn, handoff_person: PersonSide
) -> None:
    await send.drop_keyboard(callback)
    await handoff_person.confirm(callback, turn, callback_data.answer == "yes")


async def on_share(
    callback: CallbackQuery, callback_data: Share, turn: Turn, handoff_person: PersonSide
) -> None:
    await send.drop_keyboard(callback)
    await handoff_person.share(callback, turn, callback_data.answer == "yes")


async def on_person_blocked(
    update: ChatMemberUpdated, turn: Turn, handoff_person: PersonSide
) -> None:
    """The case ends; the conversation's router then records the block."""
    await handoff_person.left(turn)
    raise SkipHandler


def create_group_router(group_ids: frozenset[int]) -> Router:
    async def in_group(event: Message | ChatMemberUpdated) -> bool:
        return event.chat.id in group_ids

    async def pressed_in_group(callback: CallbackQuery) -> bool:
        return callback.message is not None and callback.message.chat.id in group_ids

    router = Router(name=f"{__name__}.group")
    router.message.filter(in_group)
    router.callback_query.filter(pressed_in_group)
    router.chat_member.filter(in_group)
    router.message.register(on_duty, Command("duty"))
    router.message.register(on_alias, Command("alias"))
    router.message.register(on_stats, Command("stats"))
    router.message.register(on_end, Command("end"))
    router.message.register(on_release, Command("release", "transfer"))
    router.message.register(on_group_message)
    router.callback_query.register(on_take, TakeCase.filter())
    router.chat_member.register(on_membership)
    return router


async def on_take(
    callback: CallbackQuery,
    callback_data: TakeCase,
    bot: Bot,
    transaction: Transaction,
    handoff_volunteers: VolunteerSide,
) -> None:
    await handoff_volunteers.take(callback, bot, transaction, callback_data.case)


async def on_duty(
    message: Message,
    command: CommandObject,
    transaction: Transaction,
    handoff_volunteers: VolunteerSide,
) -> None:
    await handoff_volunteers.duty(message, transaction, command.args)


async def on_alias(
    message: Message,
    command: CommandObject,
    transaction: Transaction,
    handoff_volunteers: VolunteerSide,
) -> None:
    await handoff_volunteers.alias(message, transaction, command.args)


async def on_stats(
    message: Message, bot: Bot, transaction: Transaction, handoff_volunteers: VolunteerSide
) -> None:
    await handoff_volunteers.stats(message, bot, transaction)


async def on_end(
    message: Message, bot: Bot, transaction: Transaction, handoff_volunteers: VolunteerSide
) -> None:
    await handoff_volunteers.end(message, bot, transaction)


async def on_release(
    message: Message, bot: Bot, transaction: Transaction, handoff_volunteers: VolunteerSide
) -> None:
    await handoff_volunteers.release(message, bot, transaction)


async def on_group_message(
    message: Message, bot: Bot, transaction: Transaction, handoff_volunteers: VolunteerSide
) -> None:
    await handoff_volunteers.relay(message, bot, transaction)


async def on_membership(
    update: ChatMemberUpdated,
    bot: Bot,
    transaction: Transaction,
    handoff_volunteers: VolunteerSide,
) -> None:
    """Someone left the volunteers' group (or was removed): their cases go back to the queue."""
    if update.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.KICKED):
        user = update.new_chat_member.user.id
        await handoff_volunteers.left(bot, transaction, update.chat.id, user)

"""What the bot sets up in Telegram when it starts, and what it checks there first."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ChatMemberAdministrator

from bot.privacy.logs import kind, safe
from bot.telegram import send
from dialogs import Content

log = logging.getLogger(__name__)

MENU_COMMANDS = ("menu", "back", "help", "language", "human", "privacy")
"""The commands shown in Telegram's menu, in this order (/start is always there)."""


class SetupError(Exception):
    """Something outside the bot is not set up; the message says what, in one line."""


async def set_commands(bot: Bot, content: Content) -> None:
    """The command menu in every language, and the default language for everyone else."""
    for locale in (*content.languages, None):
        shown = locale or content.default_locale
        commands = [
            (name, content.renderer.label(content.system.commands[name].description, shown))
            for name in MENU_COMMANDS
        ]
        await send.set_commands(bot, commands, locale)


async def set_profile(bot: Bot, content: Content) -> None:
    """The bot's name and descriptions per language, set only where they differ.

    Telegram allows few such calls a day, so they are compared first and never retried: a
    failure is logged and the bot starts anyway.
    """
    profile = content.profile
    if profile is None:
        return
    label = content.renderer.label
    for locale in (*content.languages, None):
        shown = locale or content.default_locale
        wanted = {
            "name": label(profile.name, shown),
            "short_description": label(profile.short_description, shown),
            "description": label(profile.description, shown),
        }
        try:
            current = await send.profile(bot, locale)
            changed = {k: v for k, v in wanted.items() if current.get(k) != v}
            await send.set_profile(bot, locale, changed)
        except TelegramAPIError as exc:
            log.warning("bot.profile_not_set locale=%s error=%s", safe(locale), kind(exc))
            return


async def check_volunteer_group(bot: Bot, chat_id: int) -> None:
    """The volunteers' group must be a forum where the bot manages topics and deletes messages."""
    try:
        chat = await send.chat(bot, chat_id)
        me = await send.me(bot)
        member = await send.member(bot, chat_id, me.id)
    except TelegramAPIError as exc:
        msg = (
            f"setting VOLUNTEER_CHAT_ID: the bot cannot see that group ({kind(exc)}); "
            "add the bot to it"
        )
        raise SetupError(msg) from None
    if not chat.is_forum:
        msg = "setting VOLUNTEER_CHAT_ID: that group must have topics turned on (a forum)"
        raise SetupError(msg)
    rights = ("can_manage_topics", "can_delete_messages")
    if not isinstance(member, ChatMemberAdministrator) or not all(
        getattr(member, right, False) for right in rights
    ):
        msg = (
            "setting VOLUNTEER_CHAT_ID: make the bot an administrator of that group allowed to "
            "manage topics and delete messages"
        )
        raise SetupError(msg)

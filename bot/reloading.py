"""The running bot follows its content: files under CONTENT_DIR changed (looked at every two
seconds) or SIGHUP, and the new content is loaded and checked. Clean, it is served from the
next update on, by every feature at once; broken, the old content stays and the admins read
`check`'s lines in the volunteers' group's General topic.

Only file names, lines and `check`'s words are sent or logged: never a person's data.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections.abc import Sequence
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.privacy.logs import kind, safe
from bot.telegram import send
from bot.telegram.pacing import Priority, priority
from bot.telegram.startup import set_commands, set_profile
from dialogs import Content, Problem
from dialogs.live import LiveContent, Reload

log = logging.getLogger(__name__)

EVERY_SECONDS = 2.0
"""How often the files' times of change are looked at."""
SHOWN_PROBLEMS = 20
"""At most this many of `check`'s lines in the group (a message holds 4096 characters)."""
SHOWN_CHARACTERS = 180
"""A longer line of `check` is cut: twenty of them stay well inside one message."""
REFUSED_WORDS = "content_refused"
"""The handoff's words (system.yaml) for the notice; without them, a plain operator line."""


def handoff_words_kept(directory: Path, content: Content) -> list[Problem]:
    """While volunteers work, new content must keep the handoff's words (system.yaml)."""
    if content.system.handoff is not None:
        return []
    msg = "the handoff's words are missing: the running bot needs them for its volunteers"
    return [Problem(str(directory / "system.yaml"), 1, msg)]


class Reloader:
    def __init__(
        self,
        live: LiveContent,
        bot: Bot,
        *,
        group: int | None,
        asked: asyncio.Event | None = None,
    ) -> None:
        """`group`: the volunteers' group whose General topic the admins read (None: none).
        `asked`: set (on SIGHUP) to look at the files at once, whatever their times say."""
        self.live = live
        self.bot = bot
        self.group = group
        self.asked = asked or asyncio.Event()
        log.info("content.live version=%s", safe(live.version))

    async def watch(self, every: float = EVERY_SECONDS) -> None:
        """Until cancelled: reload whenever the files change, or when asked."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.asked.wait(), timeout=every)
            asked = self.asked.is_set()
            self.asked.clear()
            if asked or await asyncio.to_thread(self.live.changed):
                try:
                    await self.reload()
                except Exception as exc:  # the watch goes on; the old content is served
                    log.error("content.reload_failed error=%s", kind(exc))

    async def reload(self) -> Reload | None:
        """Load and check the files now; serve them, or keep the old and tell the admins."""
        before = self.live.current
        done = await asyncio.to_thread(self.live.reload)
        if done is None:
            return None
        if not done.live:
            log.warning(
                "content.refused version=%s errors=%s live=%s",
                safe(done.version),
                len(done.problems),
                safe(self.live.version),
            )
            await self.tell_admins(done.problems)
            return done
        log.info("content.live version=%s warnings=%s", safe(done.version), len(done.problems))
        await self._face_changed(before, self.live.current)
        return done

    async def tell_admins(self, problems: Sequence[Problem]) -> None:
        if self.group is None:
            return
        try:
            with priority(Priority.CHORE):  # paced like the group's other messages
                await send.message(
                    self.bot, self.group, refused_notice(self.live.current, problems)
                )
        except TelegramAPIError as exc:
            log.warning("content.refusal_not_told error=%s", kind(exc))

    async def _face_changed(self, before: Content, after: Content) -> None:
        """The command menu and the profile follow the content, when their words changed."""
        try:
            if before.system.commands != after.system.commands:
                await set_commands(self.bot, after)
            if before.profile != after.profile:
                await set_profile(self.bot, after)
        except TelegramAPIError as exc:
            log.warning("content.commands_not_set error=%s", kind(exc))


def refused_notice(content: Content, problems: Sequence[Problem]) -> str:
    """The admins' notice, in the words of the content still served (the group's language)."""
    lines = [_cut(str(p)) for p in problems[:SHOWN_PROBLEMS]]
    more = max(0, len(problems) - SHOWN_PROBLEMS)
    handoff = content.system.handoff
    words = getattr(handoff, REFUSED_WORDS, None) if handoff is not None else None
    if words is not None:
        names = {"problems": lines, "more": more}
        return content.renderer.text(words, content.default_locale, extra=names)
    shown = "\n".join(html.escape(line) for line in lines)
    tail = f"\n(+{more})" if more else ""
    return f"content not reloaded, the previous version is still served:\n{shown}{tail}"


def _cut(line: str) -> str:
    return line if len(line) <= SHOWN_CHARACTERS else line[: SHOWN_CHARACTERS - 1] + "…"

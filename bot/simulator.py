"""`volnyja-bot chat`: the same engine in a terminal, for editors trying their words.

Choices are numbered; typed text goes through triggers and steps exactly as on Telegram; effects
the Telegram bot would carry out are printed in brackets instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TextIO

import dialogs
from bot.checkins.timing import DEFAULT_PART
from bot.telegram.events import command_event
from dialogs import Content, Effect, Event, Outcome, Reply, State
from dialogs.live import LiveContent
from dialogs.schema import WEEKDAYS
from dialogs.telegram_html import to_terminal

COMMANDS = "/menu, /back, /help, /language, /human, /privacy, /start [link], /quit"
WATCH_SECONDS = 2.0
"""With --watch: how often the files' times of change are looked at."""


def describe(effect: Effect) -> str:
    """What the Telegram bot would do, said plainly for the person testing."""
    match effect:
        case dialogs.AskPerson(topic=topic, urgent=urgent, reason=reason):
            about = f": topic {topic}" if topic else ""
            hurry = (f", urgent ({reason})" if reason else ", urgent") if urgent else ""
            return f"[a volunteer would be alerted{about}{hurry}]"
        case dialogs.SetLanguage(locale=locale):
            return f"[language changed to {locale}]"
        case dialogs.ForgetMe():
            return "[everything the bot keeps about this person would be erased]"
        case dialogs.ClearChat():
            return "[the chat would be cleared]"
        case dialogs.AutoClear(minutes=None):
            return "[automatic clearing would be switched off]"
        case dialogs.AutoClear(minutes=minutes):
            return f"[messages would be deleted {minutes} minutes after they are sent]"
        case dialogs.CheckinAnswer(answer=answer):
            return f"[one more '{answer}' counted for /stats]"
    return f"[{type(effect).__name__}]"


@dataclass(frozen=True)
class CheckinDraft:
    """What the person chose so far, to say when a check-in would come."""

    when: str | None = None
    part: str = DEFAULT_PART
    zone: str | None = None

    def changed(self, change: dialogs.CheckinChange) -> CheckinDraft | None:
        """The draft after one press (None: check-ins stopped)."""
        if change.stop:
            return None
        if change.days is not None:
            when = "tomorrow" if change.days == 1 else f"in {change.days} days"
            return replace(self, when=when)
        if change.weekday is not None:
            return replace(self, when=f"every {WEEKDAYS[change.weekday].capitalize()}")
        return replace(self, part=change.part or self.part, zone=change.zone or self.zone)

    def said(self) -> str:
        if self.when is None:
            return "[no check-in is set yet: this press changes nothing]"
        zone = f", {self.zone} time" if self.zone else ""
        return f"[a check-in would come: {self.when}, {self.part}{zone}]"


class Simulator:
    def __init__(
        self,
        content: Content | LiveContent,
        *,
        locale: str,
        out: TextIO,
        first_name: str = "",
        echo: bool,
        volunteers: str = "here",
        styled: bool = False,
    ) -> None:
        """`styled`: show bold, italic and links with terminal escapes (only on a terminal)."""
        self.live = content if isinstance(content, LiveContent) else LiveContent(content)
        self.volunteers = volunteers
        self.state = State(locale=locale)
        self.out = out
        self.first_name = first_name
        self.echo = echo
        self.styled = styled
        self.buttons: tuple[dialogs.Button, ...] = ()
        self.checkin: CheckinDraft | None = None
        self._turn = threading.Lock()
        """One thing at a time: what the person typed, or a reload (--watch)."""

    @property
    def content(self) -> Content:
        return self.live.current

    def run(self, lines: Iterable[str]) -> None:
        self.out.write(f"(type a number to choose, or text; {COMMANDS})\n")
        self.send(dialogs.Start())
        self.prompt()
        for raw in lines:
            self.follow()
            line = raw.strip()
            if self.echo:
                self.out.write(f"> {line}\n")
            if line == "/quit":
                return
            event = self.parse(line)
            if event is not None:
                with self._turn:
                    self.send(event)
            self.prompt()

    def follow(self) -> None:
        """--watch: when the files changed, check them. Broken, `check`'s lines are shown and
        the old content stays; clean, the same step is shown again in the new words (or, if
        it is gone, the menu, as the bot does)."""
        if not self.live.changed():
            return
        with self._turn:
            done = self.live.reload()
            if done is None:
                return
            if not done.live:
                self.out.write("\n[content not reloaded: fix these lines]\n")
                for problem in done.problems:
                    self.out.write(f"{problem}\n")
                return
            self.out.write(f"\n[content reloaded: version {done.version}]\n")
            self.send(dialogs.Show())
        self.prompt()

    def follow_forever(self, stop: threading.Event, every: float = WATCH_SECONDS) -> None:
        """In a thread, while an editor types in this terminal and writes in another window."""
        while not stop.wait(every):
            self.follow()

    def prompt(self) -> None:
        """Interactive: show a prompt. Piped: the input is echoed instead, so output reads well."""
        if not self.echo:
            self.out.write("\n> ")
            self.out.flush()

    def parse(self, line: str) -> Event | None:
        if not line:
            return None
        command = command_event(line)
        if command is not None:
            return command
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            return dialogs.Choose(self.buttons[int(line) - 1].data)
        return dialogs.Text(line)

    def send(self, event: Event) -> None:
        outcome: Outcome = dialogs.step(
            self.content,
            self.state,
            event,
            first_name=self.first_name,
            volunteers=self.volunteers,
        )
        self.state = outcome.state
        for effect in outcome.effects:
            if isinstance(effect, dialogs.Checkin):
                self.checkin = (self.checkin or CheckinDraft()).changed(effect.change)
                said = self.checkin.said() if self.checkin else "[check-ins would stop]"
                self.out.write(said + "\n")
            else:
                self.out.write(describe(effect) + "\n")
        for reply in outcome.replies:
            self.show(reply)

    def show(self, reply: Reply) -> None:
        shown = to_terminal(reply.text) if self.styled else dialogs.to_plain(reply.text)
        self.out.write("\n" + shown + "\n")
        if reply.buttons:
            self.buttons = reply.buttons
        for number, button in enumerate(reply.buttons, start=1):
            self.out.write(f"  {number}) {button.label}\n")
        if reply.accepts_text:
            self.out.write("  (you can type here)\n")

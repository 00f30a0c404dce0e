"""What the engine asks the shell to do: data, carried out by the bot (bot/conversation/effects.py)
or said plainly by the terminal chat."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.model import CheckinChange


@dataclass(frozen=True)
class AskPerson:
    topic: str | None = None
    urgent: bool = False
    reason: str | None = None
    """Why it is urgent (a reason from settings.yaml): all volunteers learn of it."""


@dataclass(frozen=True)
class SetLanguage:
    locale: str


@dataclass(frozen=True)
class ForgetMe:
    pass


@dataclass(frozen=True)
class ClearChat:
    """Delete both sides' messages in the chat; the shell does it before the step is shown."""


@dataclass(frozen=True)
class AutoClear:
    """Delete the chat's messages once they are this old; None switches it off."""

    minutes: int | None


@dataclass(frozen=True)
class Checkin:
    """Change the person's check-ins (one field of `change` is set); `locale`: the language
    they will come in."""

    change: CheckinChange
    locale: str


@dataclass(frozen=True)
class CheckinAnswer:
    """A check-in was answered: counted per day, never kept per person."""

    answer: str


Effect = AskPerson | SetLanguage | ForgetMe | ClearChat | AutoClear | Checkin | CheckinAnswer

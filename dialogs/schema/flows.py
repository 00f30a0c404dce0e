"""A flow file: steps, their buttons and typed input, and where each leads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from dialogs.schema.base import (
    AUTO_CLEAR_MINUTES,
    CHECKIN_DAYS,
    ActionName,
    After,
    Id,
    PartOfDay,
    Strict,
    Text,
    Weekday,
)

CHECKIN_KEYS = ("after", "every", "at", "zone", "stop")


class Target(Strict):
    """Where something leads, and what the bot should do on the way."""

    goto: str | None = Field(
        default=None,
        description="A step of this flow (`calm`), or a step of another flow (`feelings.calm`).",
    )
    flow: Id | None = Field(default=None, description="Start another flow at its first step.")
    back: bool = Field(default=False, description="Go back one step.")
    menu: bool = Field(default=False, description="Return to the main menu.")
    action: ActionName | None = Field(
        default=None,
        description="Ask the bot to do something: ask_person, set_language, forget_me, "
        "clear_chat, clear_and_forget (clear the chat, then erase), auto_clear, checkin.",
    )
    topic: Id | None = Field(default=None, description="With ask_person: what it is about.")
    urgent: bool = Field(default=False, description="With ask_person: alert volunteers at once.")
    reason: Id | None = Field(
        default=None,
        description="With ask_person and urgent: why it is urgent, a reason from settings.yaml "
        "(volunteers see its word on the card, never what was typed).",
    )
    locale: str | None = Field(default=None, description="With set_language: the new language.")
    after: After | None = Field(
        default=None,
        description="With auto_clear: delete the chat's messages after 1h, 6h or 1d; off stops "
        "it. With checkin: a check-in once, after 1d, 2d, 3d or 7d.",
    )
    every: Weekday | None = Field(
        default=None, description="With checkin: a check-in every week on this day (monday...)."
    )
    at: PartOfDay | None = Field(
        default=None, description="With checkin: the time of day, morning, afternoon or evening."
    )
    zone: str | None = Field(
        default=None,
        description="With checkin: the person's time zone, a name such as Europe/Minsk.",
    )
    stop: bool = Field(default=False, description="With checkin: stop all check-ins.")
    answer: Id | None = Field(
        default=None,
        description="On the check-in message's buttons: the answer counted per day for /stats "
        "(fine, soso, hard...); nothing is kept per person.",
    )

    @model_validator(mode="after")
    def _one_way(self) -> Target:
        ways = [name for name in ("goto", "flow", "back", "menu") if getattr(self, name)]
        if len(ways) > 1:
            msg = f"choose one way on, not {' and '.join(ways)}"
            raise ValueError(msg)
        if (self.topic is not None or self.urgent) and self.action != "ask_person":
            msg = "topic and urgent go with `action: ask_person`"
            raise ValueError(msg)
        if self.reason is not None and not (self.action == "ask_person" and self.urgent):
            msg = "reason goes with `action: ask_person` and `urgent: true`"
            raise ValueError(msg)
        if self.action == "set_language" and self.locale is None:
            msg = "`action: set_language` needs `locale:`, the language to switch to"
            raise ValueError(msg)
        if self.locale is not None and self.action != "set_language":
            msg = "locale goes with `action: set_language`"
            raise ValueError(msg)
        if self.action == "auto_clear" and self.after not in AUTO_CLEAR_MINUTES:
            msg = "`action: auto_clear` needs `after:`, one of 1h, 6h, 1d or off"
            raise ValueError(msg)
        if self.action == "checkin":
            return self._one_checkin_change()
        if self.after is not None and self.action != "auto_clear":
            msg = "after goes with `action: auto_clear` or `action: checkin`"
            raise ValueError(msg)
        used = [key for key in CHECKIN_KEYS[1:] if getattr(self, key)]
        if used:
            msg = f"{used[0]} goes with `action: checkin`"
            raise ValueError(msg)
        return self

    def _one_checkin_change(self) -> Target:
        used = [key for key in CHECKIN_KEYS if getattr(self, key)]
        if len(used) != 1:
            msg = (
                "`action: checkin` needs one of after: (1d, 2d, 3d, 7d), every: (a weekday), "
                "at: (morning, afternoon, evening), zone: or stop: true"
                + (f", not {' and '.join(used)}" if used else "")
            )
            raise ValueError(msg)
        if self.after is not None and self.after not in CHECKIN_DAYS:
            msg = "with `action: checkin`, after: is 1d, 2d, 3d or 7d"
            raise ValueError(msg)
        return self

    @property
    def leads_somewhere(self) -> bool:
        return bool(self.goto or self.flow or self.back or self.menu)


class Choice(Target):
    """A button under a message."""

    label: Text | None = Field(
        default=None, description="The words on the button. Back and menu may leave it out."
    )

    @model_validator(mode="after")
    def _needs_label(self) -> Choice:
        if self.label is None and not (self.back or self.menu):
            msg = "this choice needs a `label:` (the words on the button)"
            raise ValueError(msg)
        if not self.leads_somewhere and self.action is None:
            msg = "this choice leads nowhere: add goto, flow, back, menu or action"
            raise ValueError(msg)
        return self


Shorthand = Literal["back", "menu"]


def _choice_kind(value: Any) -> str:
    return "short" if isinstance(value, str) else "full"


ChoiceSpec = Annotated[
    Annotated[Choice, Tag("full")] | Annotated[Shorthand, Tag("short")],
    Discriminator(_choice_kind),
]


class Input(Target):
    """What happens when the person types text at this step. The text itself is never kept."""

    @model_validator(mode="after")
    def _leads(self) -> Input:
        if not self.leads_somewhere and self.action is None:
            msg = "input leads nowhere: add goto, flow, back, menu or action"
            raise ValueError(msg)
        return self


class Step(Strict):
    text: Text = Field(description="The message, in every language. HTML: b, i, u, s, a, code.")
    choices: list[ChoiceSpec] = Field(
        default_factory=list,
        description="Buttons under the message, top to bottom. `- back` and `- menu` are short.",
    )
    input: Input | None = Field(
        default=None, description="Accept typed text here and say where it leads."
    )
    link: str | None = Field(
        default=None, description="Open this step from a link: t.me/<bot>?start=<link>."
    )


class Flow(Strict):
    """One conversation: a file under flows/, named after the flow."""

    start: Id = Field(description="The step a person sees first.")
    link: str | None = Field(
        default=None, description="Open this flow from a link (default: the flow's name)."
    )
    linkable: bool = Field(
        default=True,
        description="false: no link opens this flow (for one that only a trigger may start).",
    )
    steps: dict[Id, Step] = Field(min_length=1)

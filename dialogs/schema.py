"""The content format editors write, as pydantic models.

These models are the boundary: they reject unknown keys so that a typo is an error with a line
number. Cross-references (does that step exist?) are checked afterwards in `validate`, and the
engine itself runs on the plain dataclasses of `model`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
ID_MAX = 32

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=ID_MAX)]
Text = Annotated[
    dict[str, str],
    Field(
        min_length=1,
        description="The same text in every language: `be: ...`, `ru: ...`, `en: ...`",
    ),
]
ActionName = Literal[
    "ask_person", "set_language", "forget_me", "clear_chat", "clear_and_forget", "auto_clear"
]
AutoClearAfter = Literal["off", "1h", "6h", "1d"]
AUTO_CLEAR_MINUTES: dict[str, int | None] = {"off": None, "1h": 60, "6h": 6 * 60, "1d": 24 * 60}
"""What each `after:` of auto_clear means, in minutes (None: off)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
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
        "clear_chat, clear_and_forget (clear the chat, then erase), auto_clear.",
    )
    topic: Id | None = Field(default=None, description="With ask_person: what it is about.")
    urgent: bool = Field(default=False, description="With ask_person: alert volunteers at once.")
    reason: Id | None = Field(
        default=None,
        description="With ask_person and urgent: why it is urgent, a reason from settings.yaml "
        "(volunteers see its word on the card, never what was typed).",
    )
    locale: str | None = Field(default=None, description="With set_language: the new language.")
    after: AutoClearAfter | None = Field(
        default=None,
        description="With auto_clear: delete the chat's messages after 1h, 6h or 1d; off stops it.",
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
        if self.action == "auto_clear" and self.after is None:
            msg = "`action: auto_clear` needs `after:`, one of 1h, 6h, 1d or off"
            raise ValueError(msg)
        if self.after is not None and self.action != "auto_clear":
            msg = "after goes with `action: auto_clear`"
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


class Step(_Strict):
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


class Flow(_Strict):
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


class Profile(_Strict):
    """How the bot appears in Telegram. Neutral on purpose: a phone may be looked at."""

    name: Text = Field(description="The bot's name in chat lists (at most 64).")
    short_description: Text = Field(description="On the bot's profile page (at most 120).")
    description: Text = Field(description="Shown before a person presses Start (at most 512).")


class Settings(_Strict):
    """settings.yaml: the organisation's own values, owned by editors."""

    languages: dict[str, str] = Field(
        min_length=1, description="Language code and its name in that language."
    )
    welcome: Id | None = Field(
        default=None, description="The flow shown on a person's first /start (else the menu)."
    )
    profile: Profile | None = Field(
        default=None, description="The bot's name and descriptions in Telegram, per language."
    )
    topics: dict[Id, Text] = Field(
        default_factory=dict, description="What a request for a person can be about."
    )
    reasons: dict[Id, Text] = Field(
        default_factory=dict,
        description="Why a request is urgent (crisis words, violence now, ...): volunteers see "
        "this word on the card and in the topic's name, never what the person typed.",
    )
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="Names usable in every text: `{{ org_name }}`; may differ per language.",
    )


class Messages(_Strict):
    not_understood: Text = Field(description="Typed text the current step does not expect.")
    not_text: Text = Field(description="A sticker, voice, photo or location where text fits.")
    something_went_wrong: Text = Field(description="The bot failed; offered with a way to menu.")
    old_button: Text = Field(description="A button from an older message was pressed.")
    step_gone: Text = Field(description="The content changed and the person's step is gone.")
    too_fast: Text = Field(
        description="Many messages in a moment: the bot paused reading for a few seconds."
    )
    help_now: Text | None = Field(
        default=None,
        description="Where help is right now (crisis lines, emergency numbers). Every text can "
        "show it as {{ help_now }}; sent once to a person whose words in a talk with a volunteer "
        "sound like crisis.",
    )


class Labels(_Strict):
    back: Text = Field(description="The words on every back button.")
    menu: Text = Field(description="The words on every menu button.")


class Command(_Strict):
    description: Text = Field(description="Shown in Telegram's command menu (at most 256).")
    link: str | None = Field(
        default=None, description="What the command opens: a flow's name or a step's link."
    )


class Commands(_Strict):
    """The bot's commands. What each does is fixed; its words and what it opens are yours."""

    start: Command
    menu: Command
    back: Command
    help: Command
    language: Command
    human: Command
    privacy: Command
    forget: Command


_CASE = {
    "number": 12,
    "subject": "Feelings",
    "urgent": True,
    "reason": "crisis words",
    "language": "English",
}
HANDOFF_NAMES: dict[str, dict[str, Any]] = {
    "connected": {"alias": "Ala"},
    "volunteer_ended": {"alias": "Ala"},
    "topic_name": _CASE,
    "topic_taken_name": {**_CASE, "alias": "Ala"},
    "card": {**_CASE, "waited": 3},
    "reminder": {**_CASE, "waited": 12, "on_duty": "Ala, Borys"},
    "timeout": {"waited": 60},
    "urgent_timeout": {"waited": 10},
    "outside_hours": {"opens": "10:00"},
    "summary": {"path": "feelings: how_are_you › feelings: anxious › feelings: breathe"},
    "stats": {
        "total": 12,
        "subjects": [{"name": "Feelings", "count": 7}, {"name": "Safety", "count": 5}],
        "median": "4",
        "p90": "18",
        "quick": 83,
        "helped_yes": 9,
        "helped_no": 2,
    },
    "taken": {**_CASE, "alias": "Ala"},
}
"""Names each handoff text may use beyond the shared ones, with sample values for `check`."""


class Handoff(_Strict):
    """Words of the handoff to a volunteer: to the person, and to the volunteers' group."""

    connected: Text = Field(description="To the person: a volunteer took the case. {{ alias }}.")
    ended_by_volunteer: Text = Field(description="To the person: the volunteer ended it.")
    ended_by_you: Text = Field(description="To the person, after /end.")
    already_asked: Text = Field(description="To the person asking again while a case is open.")
    volunteers_unavailable: Text = Field(description="To the person: volunteers not reachable.")
    not_delivered: Text = Field(description="To the person: a message did not reach the volunteer.")
    end_button: Text = Field(description="The person's button that ends the conversation.")
    default_alias: Text = Field(description="How a volunteer without an alias is called.")
    topic_name: Text = Field(
        description="A case's topic in the group (neutral, at most 128): number, subject, "
        "urgent, reason (why it is urgent, may be empty)."
    )
    topic_taken_name: Text = Field(description="The topic's name once taken; also {{ alias }}.")
    card: Text = Field(
        description="The case card: number, subject, urgent, reason, language, waited."
    )
    take_button: Text = Field(description="The button under the card.")
    taken: Text = Field(description="The card once taken: number, subject, urgent, alias.")
    already_taken: Text = Field(description="Note to a volunteer pressing Take too late.")
    not_a_volunteer: Text = Field(description="Note to someone outside the group pressing Take.")
    note_not_sent: Text = Field(description="Under a message in a topic that was not relayed.")
    person_ended: Text = Field(description="To the group: the person ended the conversation.")
    volunteer_ended: Text = Field(description="To the group: {{ alias }} ended it.")
    reminder: Text = Field(
        description="In a case's topic when nobody took it: number, subject, urgent, waited, "
        "on_duty (links to volunteers on duty, may be empty)."
    )
    timeout: Text = Field(description="To the person when nobody came for long: {{ waited }}.")
    urgent_timeout: Text = Field(
        description="To the person after URGENT_TIMEOUT_MINUTES of an urgent request: "
        "{{ waited }}; say where help is now ({{ help_now }})."
    )
    keep_waiting_button: Text = Field(description="The person's button: keep waiting.")
    stop_waiting_button: Text = Field(description="The person's button: stop waiting.")
    kept_waiting: Text = Field(description="To the person who chose to keep waiting.")
    share_question: Text = Field(description="To the person: may the volunteer see the path?")
    share_yes: Text = Field(description="Button: yes, share the path.")
    share_no: Text = Field(description="Button: no.")
    shared: Text = Field(description="Short note after sharing (at most 200).")
    summary: Text = Field(description="In the topic, after a yes: {{ path }} (steps only).")
    outside_hours: Text = Field(
        description="To the person asking outside VOLUNTEER_HOURS: {{ opens }} (e.g. 10:00)."
    )
    did_it_help: Text = Field(description="To the person after the end: did it help?")
    helped_yes: Text = Field(description="Button: it helped.")
    helped_no: Text = Field(description="Button: it did not really help.")
    helped_thanks: Text = Field(description="Short note after the answer (at most 200).")
    stats: Text = Field(
        description="/stats for admins: total, subjects (name, count), median, p90, quick (%), "
        "helped_yes, helped_no."
    )


class System(_Strict):
    """system.yaml: what the bot says outside the flows."""

    messages: Messages
    labels: Labels
    commands: Commands
    handoff: Handoff | None = Field(
        default=None, description="Words of the handoff to a volunteer (needed to run it)."
    )
    urgent: Choice | None = Field(
        default=None,
        description='The one-tap way to urgent help, a button under "did not understand": '
        "its label and where it leads (like any choice).",
    )


class Trigger(Target):
    """Words that, typed anywhere, lead somewhere at once."""

    words: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Words or phrases per language; `*` stands for any ending: `help*`. A "
        "phrase is heard with its words in any order, close together.",
    )
    patterns: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Python regular expressions per language, for experts; they see the text "
        "in lower case, with punctuation as single spaces.",
    )
    unless: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Phrases per language that silence this trigger where they overlap its "
        'words: "die laughing" keeps "die" quiet, not the whole message.',
    )
    while_writing: bool = Field(
        default=True,
        description="Also on a step where the person is asked to write (false: not there, so "
        "their own words are not taken as a request).",
    )
    during_case: Id | None = Field(
        default=None,
        description="While the person waits for or talks with a volunteer their words go to the "
        "volunteer as they are; these words also make the request urgent, for this reason "
        "(from settings.yaml).",
    )

    @model_validator(mode="after")
    def _has_words(self) -> Trigger:
        if not self.words and not self.patterns:
            msg = "a trigger needs `words:` or `patterns:`"
            raise ValueError(msg)
        if not self.leads_somewhere and self.action is None:
            msg = "this trigger leads nowhere: add goto, flow, menu or action"
            raise ValueError(msg)
        return self


class Triggers(_Strict):
    """triggers.yaml: tried first, in this order, on everything a person types."""

    triggers: dict[Id, Trigger] = Field(default_factory=dict)


FILE_MODELS: dict[str, type[BaseModel]] = {
    "flow": Flow,
    "settings": Settings,
    "system": System,
    "triggers": Triggers,
}

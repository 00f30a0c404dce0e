"""settings.yaml and system.yaml: the organisation's values and the words outside flows."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dialogs.schema.base import Id, Strict, Text
from dialogs.schema.flows import Choice
from dialogs.schema.handoff import Handoff


class Profile(Strict):
    """How the bot appears in Telegram. Neutral on purpose: a phone may be looked at."""

    name: Text = Field(description="The bot's name in chat lists (at most 64).")
    short_description: Text = Field(description="On the bot's profile page (at most 120).")
    description: Text = Field(description="Shown before a person presses Start (at most 512).")


class Checkins(Strict):
    """Check-ins: the step that is sent, where the offer opens, the time zone by language."""

    message: str = Field(
        description="The step a check-in sends, `flow.step`: its first line shows on a lock "
        "screen, and its buttons work from any screen for weeks."
    )
    offer: str = Field(
        description="The step that offers check-ins, `flow.step` (also opened by a button after "
        "a conversation with a volunteer)."
    )
    default_zone: dict[str, str] = Field(
        default_factory=dict,
        description="Per language, the time zone used until a person picks theirs "
        "(e.g. Europe/Minsk).",
    )


class Settings(Strict):
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
    checkins: Checkins | None = Field(
        default=None, description="Check-ins a person asks for: which steps, which time zone."
    )


class Messages(Strict):
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


class Labels(Strict):
    back: Text = Field(description="The words on every back button.")
    menu: Text = Field(description="The words on every menu button.")


class Command(Strict):
    description: Text = Field(description="Shown in Telegram's command menu (at most 256).")
    link: str | None = Field(
        default=None, description="What the command opens: a flow's name or a step's link."
    )


class Commands(Strict):
    """The bot's commands. What each does is fixed; its words and what it opens are yours."""

    start: Command
    menu: Command
    back: Command
    help: Command
    language: Command
    human: Command
    privacy: Command
    forget: Command


class System(Strict):
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

"""The content format editors write, as pydantic models.

These models are the boundary: they reject unknown keys so that a typo is an error with a line
number. Cross-references (does that step exist?) are checked afterwards in `validate`, and the
engine itself runs on the plain dataclasses of `model`.
"""

from __future__ import annotations

from pydantic import BaseModel

from dialogs.schema.base import (
    AUTO_CLEAR_MINUTES,
    CHECKIN_DAYS,
    ID_MAX,
    ID_PATTERN,
    WEEKDAYS,
    ActionName,
    After,
    Id,
    Strict,
    Text,
)
from dialogs.schema.flows import Choice, ChoiceSpec, Flow, Input, Step, Target
from dialogs.schema.handoff import FOR_VOLUNTEERS, HANDOFF_NAMES, Handoff
from dialogs.schema.system import (
    Checkins,
    Command,
    Commands,
    Labels,
    Messages,
    Profile,
    Settings,
    System,
)
from dialogs.schema.triggers import Trigger, Triggers

FILE_MODELS: dict[str, type[BaseModel]] = {
    "flow": Flow,
    "settings": Settings,
    "system": System,
    "triggers": Triggers,
}

__all__ = [
    "AUTO_CLEAR_MINUTES",
    "CHECKIN_DAYS",
    "FILE_MODELS",
    "FOR_VOLUNTEERS",
    "HANDOFF_NAMES",
    "ID_MAX",
    "ID_PATTERN",
    "WEEKDAYS",
    "ActionName",
    "After",
    "Checkins",
    "Choice",
    "ChoiceSpec",
    "Command",
    "Commands",
    "Flow",
    "Handoff",
    "Id",
    "Input",
    "Labels",
    "Messages",
    "Profile",
    "Settings",
    "Step",
    "Strict",
    "System",
    "Target",
    "Text",
    "Trigger",
    "Triggers",
]

"""The dialog engine: scripted conversations from YAML content, with no Telegram, DB or network.

`load_content` reads and checks a content directory; `step` advances one conversation.
"""

from dialogs.checkins import render_checkin
from dialogs.effects import (
    AskPerson,
    AutoClear,
    Checkin,
    CheckinAnswer,
    ClearChat,
    Effect,
    ForgetMe,
    SetLanguage,
)
from dialogs.engine import (
    CHECKIN_OFFER,
    Back,
    Button,
    Choose,
    Command,
    Event,
    Media,
    Menu,
    Outcome,
    Reply,
    Show,
    Start,
    State,
    Text,
    render_step,
    step,
)
from dialogs.errors import ContentError, DialogsError, Problem, RenderError, Severity
from dialogs.loading import LoadResult, load_content
from dialogs.model import CheckinChange, Content, Nav, Position
from dialogs.telegram_html import to_plain

__all__ = [
    "CHECKIN_OFFER",
    "AskPerson",
    "AutoClear",
    "Back",
    "Button",
    "Checkin",
    "CheckinAnswer",
    "CheckinChange",
    "Choose",
    "ClearChat",
    "Command",
    "Content",
    "ContentError",
    "DialogsError",
    "Effect",
    "Event",
    "ForgetMe",
    "LoadResult",
    "Media",
    "Menu",
    "Nav",
    "Outcome",
    "Position",
    "Problem",
    "RenderError",
    "Reply",
    "SetLanguage",
    "Severity",
    "Show",
    "Start",
    "State",
    "Text",
    "load_content",
    "render_checkin",
    "render_step",
    "step",
    "to_plain",
]

"""The dialog engine: scripted conversations from YAML content, with no Telegram, DB or network.

`load_content` reads and checks a content directory; `step` advances one conversation.
"""

from dialogs.engine import (
    AskPerson,
    AutoClear,
    Back,
    Button,
    Choose,
    ClearChat,
    Command,
    Effect,
    Event,
    ForgetMe,
    Media,
    Menu,
    Outcome,
    Reply,
    SetLanguage,
    Show,
    Start,
    State,
    Text,
    render_step,
    step,
)
from dialogs.errors import ContentError, DialogsError, Problem, RenderError, Severity
from dialogs.loading import LoadResult, load_content
from dialogs.model import Content, Nav, Position
from dialogs.telegram_html import to_plain

__all__ = [
    "AskPerson",
    "AutoClear",
    "Back",
    "Button",
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
    "render_step",
    "step",
    "to_plain",
]

"""What every content file shares: names, texts in every language, strictness."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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
    "ask_person",
    "set_language",
    "forget_me",
    "clear_chat",
    "clear_and_forget",
    "auto_clear",
    "checkin",
]
After = Literal["off", "1h", "6h", "1d", "2d", "3d", "7d"]
AUTO_CLEAR_MINUTES: dict[str, int | None] = {"off": None, "1h": 60, "6h": 6 * 60, "1d": 24 * 60}
"""What each `after:` of auto_clear means, in minutes (None: off)."""
CHECKIN_DAYS: dict[str, int] = {"1d": 1, "2d": 2, "3d": 3, "7d": 7}
"""What each `after:` of a check-in means: in how many days it comes."""
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
PartOfDay = Literal["morning", "afternoon", "evening"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

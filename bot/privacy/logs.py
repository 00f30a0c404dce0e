"""Logging for the running bot: events and pseudonyms only, one line each, to stderr.

A log line is the format string written in code plus values, and the formatter decides per
value what may be written, by its type, not by trusting the caller:

- numbers below 100000 (case numbers, counts, seconds), booleans, None;
- a `Pseudonym` (what `bot.privacy.Pseudonymizer` returns) or a `Safe` word marked in code
  (`safe(...)`: an event's kind, a flow or step name, an error's class name);
- an exception class, or an exception shown as its class name only;

anything else is written as `<redacted>`, and large numbers (Telegram ids) as `<id>`. Our own
loggers (bot.*, dialogs.*) must log an event, `handoff.opened case=%s urgent=%s`: a message
of any other shape (`log.info(text)`) is not written at all; a test checks every call ahead of
time, and ruff refuses f-strings in logging calls (rule G004).

A traceback is reduced to the exception's class and the places in the code it passed through:
exception messages can carry a person's words (a validation error repeats its input), so they
are never written.
"""

from __future__ import annotations

import enum
import logging
import re
import traceback
from collections.abc import Mapping
from types import TracebackType

from bot.privacy.pseudonyms import Pseudonym

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LARGEST_SHOWN_NUMBER = 99_999
REDACTED = "<redacted>"
ID = "<id>"

_PLACEHOLDER = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?"  # %(name)s
    r"[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlL]?"  # flags, width, precision
    r"(?P<kind>[diouxXeEfFgGcrsa%])"
)


EVENT = re.compile(
    r"[a-z][a-z0-9_]*(?:\.(?:[a-z0-9_]+|%s))+"  # handoff.opened, effect.%s
    r"(?: [a-z][a-z0-9_]*(?:=[a-z0-9_%.-]+)?)*"  # case=%s, mode=polling, callback_not_answered
)
"""The shape of our own log messages: an event name, then words or key=value pairs."""
OUR_LOGGERS = ("bot", "dialogs")
NOT_AN_EVENT = "<not written: not an event>"


class Safe(str):
    """A word written in code (never typed by a person): it may appear in logs as it is."""

    __slots__ = ()


def safe(value: object) -> Safe:
    """Mark a word from code or content as loggable: `log.info("x at=%s", safe(step))`."""
    return Safe(value)


def kind(exc: BaseException) -> Safe:
    """An error for the log: its class name, never its message."""
    return Safe(type(exc).__name__)


def shown(value: object) -> str:
    """How one value appears in a log line, decided by its type."""
    if value is None or isinstance(value, bool):
        return str(value)
    if isinstance(value, Safe | Pseudonym):
        return str(value)
    if isinstance(value, enum.Enum):
        return shown(value.value) if isinstance(value.value, int) else Safe(value.name).lower()
    if isinstance(value, int):
        return str(value) if abs(value) <= LARGEST_SHOWN_NUMBER else ID
    if isinstance(value, float):
        return f"{value:g}" if abs(value) <= LARGEST_SHOWN_NUMBER else ID
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, BaseException):
        return type(value).__name__
    return REDACTED


def private_message(record: logging.LogRecord) -> str:
    """The record's message with every value shown as `shown` allows."""
    template = record.msg if isinstance(record.msg, str) else REDACTED
    if record.name.split(".", 1)[0] in OUR_LOGGERS and not EVENT.fullmatch(template):
        return NOT_AN_EVENT
    args = record.args
    if not args:
        return template
    positional = iter(args if isinstance(args, tuple) else (args,))
    named = args if isinstance(args, Mapping) else {}

    def fill(match: re.Match[str]) -> str:
        if match["kind"] == "%":
            return "%"
        if match["key"] is not None:
            return shown(named.get(match["key"], REDACTED))
        return shown(next(positional, REDACTED))

    return _PLACEHOLDER.sub(fill, template)


def private_traceback(
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None],
) -> str:
    """`  ValueError at bot/handoff.py:120 < bot/app.py:80`, for the exception and its causes."""
    lines = []
    error: BaseException | None = exc_info[1]
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        frames = traceback.extract_tb(error.__traceback__)
        places = [f"{_short(f.filename)}:{f.lineno}" for f in reversed(frames)][:8]
        where = f" at {' < '.join(places)}" if places else ""
        lines.append(f"  {type(error).__name__}{where}")
        error = error.__cause__ or error.__context__
    return "\n".join(lines)


def _short(filename: str) -> str:
    """A path from the project or the package onwards: no home directories in logs."""
    parts = filename.replace("\\", "/").split("/")
    for anchor in ("bot", "dialogs", "tests", "aiogram", "aiohttp", "sqlalchemy", "asyncio"):
        if anchor in parts:
            return "/".join(parts[len(parts) - 1 - parts[::-1].index(anchor) :])
    return parts[-1]


class PrivateFormatter(logging.Formatter):
    """Formats every record through `private_message`; see the module's docstring."""

    def __init__(self) -> None:
        super().__init__(FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        values = dict(record.__dict__)
        values["message"] = private_message(record)
        values["asctime"] = self.formatTime(record, self.datefmt)
        line = self._style._fmt % values
        if record.exc_info and record.exc_info[1] is not None:
            exc_type, error, tb = record.exc_info
            assert exc_type is not None
            line += "\n" + private_traceback((exc_type, error, tb))
        if record.stack_info:
            line += "\n  (stack not written)"
        return line


def configure(level: int) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(PrivateFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # aiogram logs every handled update at INFO, and Alembic each step of a migration; our own
    # events say enough. The database drivers log statements with their parameters at DEBUG:
    # never let them.
    for name in ("aiogram.event", "alembic", "aiosqlite", "sqlalchemy"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))

"""TDLib's own HTML parser (the `tdjson` wheel), offline: what Telegram makes of parse_mode HTML.

`parseTextEntities` is one of TDLib's synchronous methods: `td_execute` answers it without a
client, a network or a database. The Bot API server uses this very parser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import tdjson

PREFIX = "Can't parse entities: "


class TdlibError(ValueError):
    """TDLib refused the text; the message is TDLib's, without "Can't parse entities: "."""


@dataclass(frozen=True)
class Formatted:
    """Plain text and TDLib's textEntity objects (offsets and lengths in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]]


def execute(request: dict[str, Any]) -> dict[str, Any]:
    answer = tdjson.td_execute(json.dumps(request).encode())
    assert answer is not None, request
    result: dict[str, Any] = json.loads(answer)
    return result


def _quiet() -> None:
    """TDLib logs every synchronous request to stderr at its default verbosity."""
    execute({"@type": "setLogVerbosityLevel", "new_verbosity_level": 0})


_quiet()


def parse_html(text: str) -> Formatted:
    """What TDLib makes of `text` in HTML parse mode, or TdlibError with its reason."""
    result = execute(
        {
            "@type": "parseTextEntities",
            "text": text,
            "parse_mode": {"@type": "textParseModeHTML"},
        }
    )
    if result["@type"] == "error":
        raise TdlibError(str(result["message"]).removeprefix(PREFIX))
    return Formatted(result["text"], result["entities"])


def accepts(text: str) -> bool:
    try:
        parse_html(text)
    except TdlibError:
        return False
    return True


class Tdlib:
    """The fixture's face: tests ask it whether Telegram accepts a text, and what it makes."""

    parse_html = staticmethod(parse_html)
    accepts = staticmethod(accepts)


@pytest.fixture(scope="session")
def tdlib() -> Tdlib:
    return Tdlib()

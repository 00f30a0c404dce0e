"""Telegram's HTML parse mode: the text and entities Telegram makes of a message, or its error.

The parsing is TDLib's own (tests/tdlib.py), the parser the Bot API server runs; this module
turns its textEntity objects into Bot API MessageEntity dicts and its errors into Bad Request.
"""

from __future__ import annotations

from typing import Any

from tests.tdlib import TdlibError
from tests.tdlib import parse_html as tdlib_parse_html
from tests.telegram_double.values import bad_request


class HtmlParseError(ValueError):
    """Text Telegram would refuse with "can't parse entities"."""


# TDLib's textEntityType -> the Bot API's MessageEntity type.
_BOT_API_TYPE = {
    "textEntityTypeBold": "bold",
    "textEntityTypeItalic": "italic",
    "textEntityTypeUnderline": "underline",
    "textEntityTypeStrikethrough": "strikethrough",
    "textEntityTypeSpoiler": "spoiler",
    "textEntityTypeTextUrl": "text_link",
    "textEntityTypeUrl": "url",
    "textEntityTypeCode": "code",
    "textEntityTypePre": "pre",
    "textEntityTypePreCode": "pre",
    "textEntityTypeBlockQuote": "blockquote",
    "textEntityTypeExpandableBlockQuote": "expandable_blockquote",
    "textEntityTypeCustomEmoji": "custom_emoji",
    "textEntityTypeMentionName": "text_mention",
}
# TDLib's field -> the Bot API's field, for the entity types that carry one.
_FIELDS = {"url": "url", "language": "language", "custom_emoji_id": "custom_emoji_id"}


def utf16_len(text: str) -> int:
    """Length as Telegram measures text and entity offsets: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _bot_api_entity(entity: dict[str, Any]) -> dict[str, Any]:
    kind = entity["type"]
    name = str(kind["@type"])
    converted: dict[str, Any] = {
        "type": _BOT_API_TYPE.get(name, name.removeprefix("textEntityType").lower()),
        "offset": entity["offset"],
        "length": entity["length"],
    }
    for tdlib_field, bot_api_field in _FIELDS.items():
        if tdlib_field in kind:
            converted[bot_api_field] = kind[tdlib_field]
    return converted


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and MessageEntity dicts for text in parse_mode HTML, or HtmlParseError.

    As Telegram does, a stray "&" or an unknown entity like "&nbsp;" is kept as written.
    """
    try:
        formatted = tdlib_parse_html(text)
    except TdlibError as error:
        raise HtmlParseError(str(error)) from None
    return formatted.text, [_bot_api_entity(e) for e in formatted.entities]


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading and trailing whitespace and moves entities along."""
    left = text.lstrip()
    lead = utf16_len(text[: len(text) - len(left)])
    result = left.rstrip()
    total = utf16_len(result)
    moved: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    moved.sort(key=lambda e: (e["offset"], -e["length"]))
    return result, moved


def render(
    text: str, parse_mode: str | None, entities: Any = None
) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities of a text or caption as Telegram stores it, or ApiError."""
    if isinstance(entities, list):
        return _trim(text, [e for e in entities if isinstance(e, dict)])
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, found = parse_html(text)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        return _trim(plain, found)
    if mode in ("", "markdown", "markdownv2"):
        # Markdown is not parsed by the double: the text is kept as it is.
        return _trim(text, [])
    raise bad_request("unsupported parse_mode")

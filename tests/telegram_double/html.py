"""Telegram's HTML parse mode: the text and entities Telegram makes of a message, or its error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.telegram_double.values import bad_request


class HtmlParseError(ValueError):
    """Text Telegram would refuse with "can't parse entities"."""


_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,7}|[A-Za-z][A-Za-z0-9]*);")
_SPACE = frozenset(" \t\r\n\f\v")


def utf16_len(text: str) -> int:
    """Length as Telegram measures text and entity offsets: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int, *, strict: bool) -> tuple[str, int] | None:
    """The character an &...; at index stands for and where it ends.

    In text (strict) a stray "&" or an entity Telegram does not know is an error, as the Bot API
    documentation demands; in attribute values it is kept literally, as Telegram's parser does.
    """
    match = _ENTITY.match(text, index)
    if match is None:
        if strict:
            msg = (
                f'Character "&" at byte offset {_byte_offset(text, index)} '
                'must be escaped as "&amp;"'
            )
            raise HtmlParseError(msg)
        return None
    body = match.group(1)
    if body.startswith("#"):
        code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            if not strict:
                return None
            msg = (
                f'Invalid HTML entity "{match.group(0)}" at byte offset {_byte_offset(text, index)}'
            )
            raise HtmlParseError(msg)
        return chr(code), match.end()
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], match.end()
    if strict:
        msg = (
            f'Unsupported HTML entity "{match.group(0)}" at byte offset '
            f"{_byte_offset(text, index)}; only &lt; &gt; &amp; &quot; and numeric entities work"
        )
        raise HtmlParseError(msg)
    return None


@dataclass
class _OpenTag:
    name: str
    start: int
    attributes: dict[str, str]


def _read_start_tag(text: str, begin: int) -> tuple[_OpenTag, int]:
    """Parse "<name attr=value ...>" at begin, with the error texts of Telegram's parser."""
    size = len(text)
    i = begin + 1
    end = i
    while end < size and text[end] not in _SPACE and text[end] != ">":
        end += 1
    name = text[i:end].lower()
    if name not in _TAG_ENTITY:
        raise HtmlParseError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
        )
    i = end
    attributes: dict[str, str] = {}
    while True:
        while i < size and text[i] in _SPACE:
            i += 1
        if i >= size:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            i += 1
            break
        name_begin = i
        while i < size and text[i] not in _SPACE and text[i] not in "=>":
            i += 1
        attribute = text[name_begin:i].lower()
        if not attribute:
            where = _byte_offset(text, begin)
            msg = f'Empty attribute name in the tag "{name}" at byte offset {where}'
            raise HtmlParseError(msg)
        while i < size and text[i] in _SPACE:
            i += 1
        value = ""
        if i < size and text[i] == "=":
            i += 1
            while i < size and text[i] in _SPACE:
                i += 1
            if i >= size:
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            if text[i] in "'\"":
                quote = text[i]
                i += 1
                chars: list[str] = []
                while i < size and text[i] != quote:
                    decoded = _decode_entity(text, i, strict=False) if text[i] == "&" else None
                    if decoded is None:
                        chars.append(text[i])
                        i += 1
                    else:
                        chars.append(decoded[0])
                        i = decoded[1]
                if i >= size:
                    raise HtmlParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                    )
                i += 1
                value = "".join(chars)
            else:
                token_begin = i
                while i < size and (text[i].isalnum() or text[i] in ".-"):
                    i += 1
                value = text[token_begin:i].lower()
                if i < size and text[i] not in _SPACE and text[i] != ">":
                    where = _byte_offset(text, token_begin)
                    raise HtmlParseError(f"Unexpected end of name token at byte offset {where}")
        attributes.setdefault(attribute, value)
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlParseError('Tag "span" must have class "tg-spoiler"')
    return _OpenTag(name, 0, attributes), i


def _entity_for(tag: _OpenTag, offset: int, length: int, inner: str) -> dict[str, Any] | None:
    """The MessageEntity a closed tag becomes (None when Telegram would drop it)."""
    kind = _TAG_ENTITY[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if tag.name == "a":
        href = tag.attributes.get("href", "")
        if not href or href == inner:
            entity["type"] = "url"
        else:
            entity["url"] = href
    elif tag.name == "code":
        css = tag.attributes.get("class", "")
        if css.startswith("language-"):
            entity["language"] = css.removeprefix("language-")
    elif tag.name == "blockquote" and "expandable" in tag.attributes:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        emoji_id = tag.attributes.get("emoji-id", "")
        if not emoji_id:
            return None
        entity["custom_emoji_id"] = emoji_id
    return entity


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and MessageEntity dicts for text in parse_mode HTML, or HtmlParseError.

    Stricter than Telegram's server in one documented way: a stray "&" or an unknown named
    entity is an error (Telegram's docs require escaping them; its parser keeps them literally).
    A bare ">" is accepted, as Telegram does.
    """
    out: list[str] = []
    position = 0  # UTF-16 offset of the end of out
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    size = len(text)
    i = 0
    while i < size:
        char = text[i]
        if char == "&":
            decoded = _decode_entity(text, i, strict=True)
            assert decoded is not None
            out.append(decoded[0])
            position += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if char != "<":
            out.append(char)
            position += 2 if ord(char) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        if i + 1 < size and text[i + 1] == "/":
            if not stack:
                raise HtmlParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
                )
            close = text.find(">", i + 2)
            if close == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            end_name = text[i + 2 : close].lower()
            top = stack[-1]
            if end_name and end_name != top.name:
                msg = (
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{top.name}>", '
                    f'found "</{end_name}>"'
                )
                raise HtmlParseError(msg)
            stack.pop()
            length = position - top.start
            entity = (
                _entity_for(top, top.start, length, _tail_utf16("".join(out), length))
                if length > 0
                else None
            )
            if entity is not None:
                if top.name == "pre" and entities:
                    last = entities[-1]
                    same_span = last["offset"] == entity["offset"]
                    same_span = same_span and last["length"] == entity["length"]
                    if last["type"] == "code" and same_span and "language" in last:
                        entity["language"] = last["language"]
                        entities.pop()
                entities.append(entity)
            i = close + 1
            continue
        tag, i = _read_start_tag(text, begin)
        tag.start = position
        stack.append(tag)
    if stack:
        msg = f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        raise HtmlParseError(msg)
    return "".join(out), entities


def _tail_utf16(text: str, units: int) -> str:
    """The last `units` UTF-16 code units of text, as a str."""
    encoded = text.encode("utf-16-le")
    return encoded[len(encoded) - 2 * units :].decode("utf-16-le")


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

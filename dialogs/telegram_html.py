"""What Telegram's HTML parse mode accepts, checked before a person ever sees a message.

Telegram rejects the whole message on one stray `<` or `&`, so `check` runs every rendered text
through this and the engine never sends what it would refuse.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_MESSAGE = 4096
MAX_CAPTION = 1024

# Tag -> attributes it may carry. Aliases Telegram accepts (strong, em, ...) are allowed too.
_ALLOWED: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-spoiler": frozenset(),
}
_REQUIRED = {"a": "href"}
_NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}

_TOKEN = re.compile(
    r"</(?P<end>[A-Za-z][A-Za-z0-9-]*)>"
    r"|<(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:\s[^<>]*)?)>"
    r"|&(?P<entity>#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]*);"
    r"|(?P<stray>[<>&])"
)
TOKEN = _TOKEN
"""A tag, an entity or a stray <, > or &: what formatting the text as Telegram shows it reads."""
# An unquoted value is what Telegram reads as one: letters, digits, '.' and '-', then a space or >.
_ATTR = re.compile(r"""\s*([A-Za-z-]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9.-]+(?=[\s>]|$)))?""")
_ATTRS = re.compile(rf"(?:{_ATTR.pattern})*\s*")
_LAST_CODE_POINT = 0x10FFFE  # Telegram keeps &#x10FFFF; as written
_SURROGATES = range(0xD800, 0xE000)


@dataclass(frozen=True)
class HtmlReport:
    problems: tuple[str, ...]
    visible_length: int
    """Length as Telegram counts it: UTF-16 code units of the text without tags."""


def inspect(text: str) -> HtmlReport:
    problems: list[str] = []
    open_tags: list[str] = []
    visible: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        visible.append(text[pos : match.start()])
        pos = match.end()
        if match["stray"]:
            char = match["stray"]
            escaped = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}[char]
            problems.append(f"Telegram would reject a bare '{char}': write {escaped}")
            visible.append(char)
        elif match["entity"]:
            entity = match["entity"]
            problem = _entity_problem(entity)
            if problem:
                problems.append(problem)
            visible.append(_decoded(entity) if problem is None else "")
        else:
            _check_tag(match, open_tags, problems)
    visible.append(text[pos:])
    for tag in reversed(open_tags):
        problems.append(f"<{tag}> is never closed")
    shown = "".join(visible)
    return HtmlReport(tuple(problems), len(shown.encode("utf-16-le")) // 2)


def _entity_problem(entity: str) -> str | None:
    """Why Telegram would refuse (or show garbled) one &...; reference, if it would."""
    if not entity.startswith("#"):
        if entity in _NAMED_ENTITIES:
            return None
        return f"Telegram knows only &lt; &gt; &amp; &quot;, not &{entity};"
    code = int(entity[2:], 16) if entity[1] in "xX" else int(entity[1:])
    if code == 0 or code > _LAST_CODE_POINT or code in _SURROGATES:
        return f"&{entity}; is not a character Telegram can show: write the character itself"
    return None


def _decoded(entity: str) -> str:
    """The character a reference Telegram accepts stands for (not HTML5's replacements)."""
    if entity.startswith("#"):
        return chr(int(entity[2:], 16) if entity[1] in "xX" else int(entity[1:]))
    return html.unescape(f"&{entity};")


def _check_tag(match: re.Match[str], open_tags: list[str], problems: list[str]) -> None:
    tag = (match["tag"] or match["end"]).lower()
    if tag not in _ALLOWED:
        allowed = ", ".join(sorted(_ALLOWED))
        problems.append(f"Telegram does not allow <{tag}>; use one of {allowed}")
        return
    if match["end"]:
        if tag in open_tags:
            while open_tags:
                top = open_tags.pop()
                if top == tag:
                    break
                problems.append(f"<{top}> must be closed before </{tag}>")
        else:
            problems.append(f"</{tag}> closes a tag that was never opened")
        return
    if not _ATTRS.fullmatch(match["attrs"]):
        problems.append(
            f'<{tag}>: put the value of an attribute in quotes, like <a href="https://...">'
        )
        return
    names = {m.group(1).lower() for m in _ATTR.finditer(match["attrs"]) if m.group(1)}
    for name in sorted(names - _ALLOWED[tag]):
        problems.append(f"<{tag}> cannot carry the attribute '{name}'")
    required = _REQUIRED.get(tag)
    if required and required not in names:
        problems.append(f'<{tag}> needs {required}="..."')
    open_tags.append(tag)


def to_plain(text: str) -> str:
    """The text as a person reads it: tags removed, entities decoded (for the terminal)."""
    return html.unescape(re.sub(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>", "", text))


# Terminal escapes (SGR) for Telegram's emphasis: each style switched off on its own, so nesting
# works; a link shows its words underlined, then where it leads.
_SGR = {
    "b": ("\x1b[1m", "\x1b[22m"),
    "strong": ("\x1b[1m", "\x1b[22m"),
    "i": ("\x1b[3m", "\x1b[23m"),
    "em": ("\x1b[3m", "\x1b[23m"),
    "u": ("\x1b[4m", "\x1b[24m"),
    "ins": ("\x1b[4m", "\x1b[24m"),
    "a": ("\x1b[4m", "\x1b[24m"),
    "s": ("\x1b[9m", "\x1b[29m"),
    "strike": ("\x1b[9m", "\x1b[29m"),
    "del": ("\x1b[9m", "\x1b[29m"),
}
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)


def to_terminal(text: str) -> str:
    """The text as a terminal shows emphasis: bold, italic, underlined, struck, and links as
    their words underlined followed by (address). Other tags are dropped, entities decoded."""
    out: list[str] = []
    depth: dict[str, int] = {}
    links: list[tuple[str, int]] = []  # (address, where the link's words start in out)
    pos = 0
    for match in TOKEN.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        closing = match["end"] is not None
        tag = (match["tag"] or match["end"] or "").lower()
        if match["entity"] or match["stray"]:
            out.append(html.unescape(match.group()))
        elif tag in _SGR:
            on, off = _SGR[tag]
            level = depth.get(on, 0) + (-1 if closing else 1)
            if level < 0:
                continue
            depth[on] = level
            if level == (0 if closing else 1):
                out.append(off if closing else on)
            if tag == "a" and not closing:
                found = _HREF.search(match["attrs"] or "")
                address = next((g for g in found.groups() if g is not None), "") if found else ""
                links.append((html.unescape(address), len(out)))
            elif tag == "a" and links:
                address, start = links.pop()
                words = "".join(out[start:-1])
                if address and address != words:
                    out.append(f" ({address})")
    out.append(text[pos:])
    return "".join(out)

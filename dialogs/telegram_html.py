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
    r"<(?P<close>/?)(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:\s[^<>]*)?)>"
    r"|&(?P<entity>#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]*);"
    r"|(?P<stray>[<>&])"
)
TOKEN = _TOKEN
"""A tag, an entity or a stray <, > or &: what formatting the text as Telegram shows it reads."""
_ATTR = re.compile(r"""\s*([A-Za-z-]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


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
            if not entity.startswith("#") and entity not in _NAMED_ENTITIES:
                problems.append(f"Telegram knows only &lt; &gt; &amp; &quot;, not &{entity};")
            visible.append(html.unescape(f"&{entity};"))
        else:
            _check_tag(match, open_tags, problems)
    visible.append(text[pos:])
    for tag in reversed(open_tags):
        problems.append(f"<{tag}> is never closed")
    shown = "".join(visible)
    return HtmlReport(tuple(problems), len(shown.encode("utf-16-le")) // 2)


def _check_tag(match: re.Match[str], open_tags: list[str], problems: list[str]) -> None:
    tag = match["tag"].lower()
    if tag not in _ALLOWED:
        allowed = ", ".join(sorted(_ALLOWED))
        problems.append(f"Telegram does not allow <{tag}>; use one of {allowed}")
        return
    if match["close"]:
        if match["attrs"].strip():
            problems.append(f"</{tag}> cannot carry attributes")
        if tag in open_tags:
            while open_tags:
                top = open_tags.pop()
                if top == tag:
                    break
                problems.append(f"<{top}> must be closed before </{tag}>")
        else:
            problems.append(f"</{tag}> closes a tag that was never opened")
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
        tag = (match["tag"] or "").lower()
        if match["entity"] or match["stray"]:
            out.append(html.unescape(match.group()))
        elif tag in _SGR:
            on, off = _SGR[tag]
            level = depth.get(on, 0) + (-1 if match["close"] else 1)
            if level < 0:
                continue
            depth[on] = level
            if level == (0 if match["close"] else 1):
                out.append(off if match["close"] else on)
            if tag == "a" and not match["close"]:
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

"""Telegram's HTML as a browser shows it: Telegram's tags become their look, everything else is
escaped and shown as the characters it is. The page cannot be broken by a text: unclosed tags are
closed, stray closing tags dropped, and links only lead to web, Telegram, mail or phone."""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

from dialogs.telegram_html import TOKEN

_LOOK = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "a": "a",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "span",
}
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_SAFE_SCHEMES = ("http://", "https://", "tg://", "mailto:", "tel:")
_KNOWN_ENTITIES = {"lt", "gt", "amp", "quot"}


def _open(tag: str, attrs: str) -> str:
    look = _LOOK[tag]
    if tag == "tg-spoiler":
        return '<span class="spoiler">'
    if tag == "blockquote" and "expandable" in attrs.lower():
        return '<blockquote class="expandable">'
    if tag != "a":
        return f"<{look}>"
    found = _HREF.search(attrs)
    href = html.unescape(next((g for g in found.groups() if g is not None), "")) if found else ""
    if not href.lower().startswith(_SAFE_SCHEMES):
        return f'<a class="bad-link" title="{escape(href)}">'
    return f'<a href="{escape(href)}" target="_blank" rel="noopener noreferrer">'


def browser_html(text: str) -> Markup:
    """A rendered text (Telegram HTML) as safe HTML for a page."""
    out: list[str] = []
    open_tags: list[str] = []
    pos = 0
    for match in TOKEN.finditer(text):
        out.append(escape(text[pos : match.start()]))
        pos = match.end()
        closing = match["end"] is not None
        tag = (match["tag"] or match["end"] or "").lower()
        entity = match["entity"]
        if entity and (entity.startswith("#") or entity in _KNOWN_ENTITIES):
            out.append(escape(html.unescape(f"&{entity};")))
        elif tag in _LOOK and not closing:
            out.append(_open(tag, match["attrs"] or ""))
            open_tags.append(tag)
        elif tag in _LOOK and tag in open_tags:
            while open_tags:
                top = open_tags.pop()
                out.append(f"</{_LOOK[top]}>")
                if top == tag:
                    break
        elif not (tag in _LOOK and closing):  # a stray closing tag is dropped
            out.append(escape(match.group()))
    out.append(escape(text[pos:]))
    out += [f"</{_LOOK[top]}>" for top in reversed(open_tags)]
    return Markup("".join(out))

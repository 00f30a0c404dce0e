"""`check` agrees with Telegram: no text its HTML check lets through is refused by TDLib itself.

Thousands of generated texts, mixing every allowed tag, attributes, entities (numeric ones
included: &#0; &#xD800; huge ones), nesting, stray and unclosed marks, go through both.
"""

from __future__ import annotations

import random

import pytest

from dialogs.telegram_html import inspect
from tests.tdlib import Tdlib, TdlibError

TAGS = ["b", "i", "u", "s", "strong", "em", "ins", "del", "strike", "code", "pre", "tg-spoiler"]
OPENERS = [
    *(f"<{t}>" for t in TAGS),
    '<a href="https://example.org/?a=1&amp;b=2">',
    "<a href='tg://user?id=1'>",
    "<a href=https>",
    "<a href=https://example.org>",
    '<a href="">',
    "<a href>",
    '<a href="&#xD800;">',
    '<a href="x" title="y">',
    '<code class="language-python">',
    "<blockquote>",
    "<blockquote expandable>",
    '<span class="tg-spoiler">',
    "<div>",
    "<B>",
    "<b >",
    "<b/>",
]
CLOSERS = [*(f"</{t}>" for t in TAGS), "</a>", "</blockquote>", "</B>", "</b >", "</ b>", "</>"]
ENTITIES = [
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&apos;",
    "&nbsp;",
    "&#0;",
    "&#x0;",
    "&#65;",
    "&#x41;",
    "&#xD800;",
    "&#xdfff;",
    "&#55296;",
    "&#x10FFFF;",
    "&#x110000;",
    "&#1114112;",
    "&#9999999;",
    "&#99999999999;",
    "&#128512;",
    "&#;",
    "&#x;",
    "&amp",
    "&",
]
WORDS = ["a", "Прывітанне", " ", "\n", "😀", "1 < 2", "x > y", "=", '"', "'", "<", ">", "-"]


def generated(rng: random.Random) -> str:
    pieces: list[str] = []
    open_tags: list[str] = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.3:
            opener = rng.choice(OPENERS)
            pieces.append(opener)
            open_tags.append(opener[1:].split(">")[0].split()[0].rstrip("/").lower())
        elif roll < 0.45 and open_tags:
            tag = open_tags.pop() if rng.random() < 0.8 else open_tags.pop(0)
            pieces.append(f"</{tag}>")
        elif roll < 0.5:
            pieces.append(rng.choice(CLOSERS))
        elif roll < 0.7:
            pieces.append(rng.choice(ENTITIES))
        else:
            pieces.append(rng.choice(WORDS))
    if rng.random() < 0.8:
        pieces += [f"</{t}>" for t in reversed(open_tags)]
    return "".join(pieces)


SAMPLES = 20000


def test_no_text_check_accepts_is_refused_by_telegram(tdlib: Tdlib) -> None:
    rng = random.Random(15)
    accepted = 0
    disagreements: list[tuple[str, str]] = []
    for _ in range(SAMPLES):
        text = generated(rng)
        if inspect(text).problems:
            continue
        accepted += 1
        try:
            tdlib.parse_html(text)
        except TdlibError as error:
            disagreements.append((text, str(error)))
    assert disagreements[:10] == []
    assert accepted > 1500, "the generator makes enough texts that check accepts"


def test_check_counts_the_visible_length_as_telegram_does(tdlib: Tdlib) -> None:
    rng = random.Random(16)
    for _ in range(SAMPLES // 3):
        text = generated(rng)
        report = inspect(text)
        if report.problems:
            continue
        shown = tdlib.parse_html(text).text
        assert report.visible_length == len(shown.encode("utf-16-le")) // 2, text


@pytest.mark.parametrize(
    "text",
    ["&#xD800;", "&#0;", "&#x110000;", "&#1114112;", "</b >", "<a href=https://e.org>x</a>"],
)
def test_what_telegram_refuses_or_shows_garbled_check_refuses(text: str) -> None:
    assert inspect(text).problems != ()

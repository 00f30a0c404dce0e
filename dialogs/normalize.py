"""Typed text and editors' phrases brought to one plain form before they are compared.

People in distress type fast, on a phone, sometimes on a keyboard without their letters:
stretched letters, a glued negation, "want 2 die", Russian or Belarusian in Latin letters
("ne hochu zhit", "nie chaču žyć"). The same folding is applied to the editors' phrases, so an
editor writes a phrase once, the ordinary way, and it is heard in all these forms. The tables
are in dialogs/spelling.yaml.

Two forms come out of a text, as words separated by single spaces:
- the *plain* form: lower case, letters people type for one another folded, apostrophes dropped,
  punctuation and anything else to spaces, Latin look-alikes inside a Cyrillic word read as
  Cyrillic, English chat spellings expanded ("wanna" is "want to", "2" is "to");
- the *Latin* form, for a text in Latin letters: they are read as Cyrillic (chat transliteration,
  or Belarusian łacinka when its letters appear), reduced to a skeleton without what
  transliteration loses. Editors' Cyrillic phrases are reduced the same way to be compared.
Stretched letters are collapsed where words are searched (`collapse`).

This runs on every message, up to 4096 characters, so the work is done in C: the text is encoded
in cp1251 (one byte for every Cyrillic, Belarusian and Latin letter), where one 256-byte table
folds case, letters and punctuation at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from dialogs.spelling import spelling

CODEC = "cp1251"
SHORT = 300
"""A text shorter than this is searched in every way, whatever the cost."""
_REPEATS = re.compile(r"([^\W\d])\1+")
_CYRILLIC_BYTE = rb"[\xa2\xb3\xb8\xc0-\xff]"
_HAS_CYRILLIC_BYTES = re.compile(_CYRILLIC_BYTE)
_HAS_LATIN_BYTES = re.compile(rb"[a-z]")
_LATIN_WORDS = re.compile(rb" [a-z0-9]")
_DIGIT_IN_WORD = re.compile(rb"(?<=[a-z])4|4(?=[a-z])")
_HAS_LATIN = re.compile(r"[a-z\u0100-\u017f]")


def _byte(letter: str) -> bytes:
    return letter.encode(CODEC)


def _table(extra: Mapping[str, str]) -> bytes:
    """A cp1251 byte table: letters and digits to lower case (folded), anything else to a space."""
    table = bytearray(b" " * 256)
    for code in range(256):
        char = bytes([code]).decode(CODEC, "replace")
        if char.isalnum() and len(char.lower()) == 1:
            low = char.lower()
            table[code] = _byte(extra.get(low, low))[0]
    return bytes(table)


def _alternatives(
    words: Mapping[bytes, bytes], prefix: bytes = b"", suffix: bytes = b""
) -> re.Pattern[bytes]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(prefix + b"(?:" + b"|".join(map(re.escape, ordered)) + b")" + suffix)


@dataclass(frozen=True)
class _Tables:
    plain: bytes
    drop: bytes
    outside_apostrophes: str
    same_words: dict[bytes, bytes]
    lookalikes: dict[bytes, bytes]
    mixed: re.Pattern[bytes]
    chat_english: dict[bytes, bytes]
    expand: re.Pattern[bytes]
    skeleton: bytes
    skeleton_drop: bytes
    skeleton_pairs: dict[bytes, bytes]
    chat_pairs: list[tuple[bytes, bytes]]
    lacinka_pairs: dict[str, str]
    lacinka_pair: re.Pattern[str]
    lacinka_letters: dict[int, str]
    lacinka: re.Pattern[str]
    digits: bytes


@cache
def _tables() -> _Tables:
    s = spelling()
    looks = "".join(s.lookalikes).encode()
    skeleton_letters = {**s.folds, **s.skeleton_folds}
    skeleton_letters |= {k: s.skeleton_folds.get(v, v) for k, v in s.chat_letters.items()}
    return _Tables(
        plain=_table(s.folds),
        drop=s.apostrophes.encode(CODEC),
        outside_apostrophes=s.apostrophes_outside,
        same_words={
            b" " + _byte(k) + b" ": b" " + _byte(v) + b" " for k, v in s.same_words.items()
        },
        lookalikes={k.encode(): _byte(v) for k, v in s.lookalikes.items()},
        mixed=re.compile(
            b"(?<="
            + _CYRILLIC_BYTE
            + b")["
            + looks
            + b"]+|["
            + looks
            + b"]+(?="
            + _CYRILLIC_BYTE
            + b")"
        ),
        chat_english={k.encode(): v.encode() for k, v in s.chat_english.items()},
        expand=_alternatives({k.encode(): b"" for k in s.chat_english}, b" ", b"(?= )"),
        skeleton=_table(skeleton_letters),
        skeleton_drop=_byte(s.skeleton_drop),
        skeleton_pairs={_byte(k): _byte(v) for k, v in s.skeleton_pairs.items()},
        chat_pairs=[
            (k.encode(), _byte(s.skeleton_folds.get(v, v)))
            for k, v in sorted(s.chat_pairs.items(), key=lambda kv: len(kv[0]), reverse=True)
        ],
        lacinka_pairs=s.lacinka_pairs,
        lacinka_pair=re.compile("|".join(sorted(s.lacinka_pairs, key=len, reverse=True))),
        lacinka_letters=str.maketrans(s.lacinka_letters),
        lacinka=re.compile(
            "[" + "".join(k for k in s.lacinka_letters if not k.isascii()) + "]", re.IGNORECASE
        ),
        digits=_byte(s.chat_digits["4"]),
    )


def _encode(text: str) -> bytes:
    t = _tables()
    for apostrophe in t.outside_apostrophes:
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    return text.encode(CODEC, "replace")


def _words(folded: bytes) -> bytes:
    return b" " + b" ".join(folded.split()) + b" "


def plain(text: str) -> str:
    """The plain form, with a space at each end so that " word" finds the first word too."""
    t = _tables()
    folded = _words(_encode(text).translate(t.plain, t.drop))
    for word, same in t.same_words.items():
        if word in folded:
            folded = folded.replace(word, same)
    if _HAS_LATIN_BYTES.search(folded):
        if _HAS_CYRILLIC_BYTES.search(folded) and t.mixed.search(folded):
            folded = t.mixed.sub(
                lambda m: b"".join(t.lookalikes[bytes([b])] for b in m.group()), folded
            )
        if len(folded) < SHORT or len(_LATIN_WORDS.findall(folded)) * 10 > folded.count(b" "):
            folded = t.expand.sub(lambda m: b" " + t.chat_english[m.group()[1:]], folded)
    return folded.decode(CODEC)


def collapse(text: str) -> str:
    """Runs of one letter as one ("kill" is "kil"): how stretched letters are read."""
    return _REPEATS.sub(r"\1", text)


def has_latin(plain_text: str) -> bool:
    """Whether a text (in the plain form, or as typed) has Latin letters."""
    return _HAS_LATIN.search(plain_text) is not None


def latin(text: str) -> str:
    """The Latin form: Latin letters read as Cyrillic, everything as a skeleton (see above)."""
    t = _tables()
    if t.lacinka.search(text):
        lowered = t.lacinka_pair.sub(lambda m: t.lacinka_pairs[m.group()], text.casefold())
        return skeleton(lowered.translate(t.lacinka_letters))
    folded = _encode(text).translate(t.plain, t.drop)
    if b"4" in folded:
        folded = _DIGIT_IN_WORD.sub(t.digits, folded)  # "ho4u"
    for pair, letter in t.chat_pairs:
        if pair in folded:
            folded = folded.replace(pair, letter)
    return _skeleton_words(folded)


def skeleton(text: str) -> str:
    """A Cyrillic text without the letters transliteration loses, in the plain form."""
    t = _tables()
    return _skeleton_words(_encode(text).translate(t.plain, t.drop))


def _skeleton_words(folded: bytes) -> str:
    t = _tables()
    folded = folded.translate(t.skeleton, t.skeleton_drop)
    for pair, letter in t.skeleton_pairs.items():
        folded = folded.replace(pair, letter)
    return _words(folded).decode(CODEC)


@cache
def plain_word(word: str) -> tuple[str, ...]:
    """An editor's word in the plain form; "don't" is ("do", "not")."""
    return tuple(plain(word).split())


@cache
def skeleton_word(word: str) -> tuple[str, ...]:
    return tuple(skeleton(word).split())

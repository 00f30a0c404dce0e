"""Editors' phrases as data: words with `*` endings, heard in any order within a short window.

A phrase is a few words ("kill* myself"). It is heard when all its words stand close together in a
message, in any order, a word with `*` taking any ending. A negation stays in front of its word,
or glued to it: "not want to live" is heard in "live? I do not want to", not in "I want to live,
not to give up". A longer word is heard with one typo too (any letter but the first). The words
of the triggers' own phrases are in content/triggers.yaml; how people type, in spelling.yaml.

The search itself is in dialogs/hearing.py; here is what a phrase is and how its words match.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import product

from dialogs.normalize import collapse
from dialogs.spelling import spelling

SLACK = 3
"""Other words allowed between a phrase's words ("do not want to live anymore" is heard
in "i do not really want to go on and live")."""
UNLESS_SLACK = 1
"""An exception is an idiom: its words in the order written, at most one word between."""
NEGATION_REACH = 2
"""A negation may stand this many words before its word ("not really want")."""
TYPO_LENGTH = 7
"""Words at least this long are heard with one typo; shorter ones would mistake another form of
a word for a typo (the Russian "help!" and "helped" are one letter apart)."""
TYPO_STEM = 6
"""A word with `*` at least this long before the `*` is heard with one typo ("suicid*" in
"suicde")."""
TYPO_FROM = 1
"""The first letter is taken as written: people rarely slip there, and it keeps words apart."""


@dataclass(frozen=True, eq=False)
class Word:
    """One word of a phrase in the plain form; `stem` when it takes any ending.

    Made by `word()` only, one object per word: compared and hashed by identity, which a search
    over every message does often.
    """

    core: str
    stem: bool = False
    single: str = field(default="", compare=False)
    """The core with double letters single: how it reads once stretched letters are collapsed."""

    def __post_init__(self) -> None:
        if not self.single:
            object.__setattr__(self, "single", collapse(self.core))

    @cached_property
    def forms(self) -> frozenset[str]:
        """The tokens that are this word exactly (for a word without `*`)."""
        spellings = spelling().common_spellings.get(self.core, ())
        return frozenset({self.core, self.single, *spellings})

    @cached_property
    def common(self) -> bool:
        return not self.stem and self.core in common_words()

    def matches(self, token: str) -> bool:
        """Whether a token of a text is this word (used for common words, near a found one)."""
        if token in self.forms:
            return True
        return self.stem and token.startswith((self.core, self.single))

    def variants(self) -> Iterator[str]:
        """The word as it may be typed: as written, with double letters single, one typo.

        A typo is a letter left out, doubled, two swapped, or a neighbouring key on a phone's
        keyboard hit instead or as well.
        """
        yield self.core
        yield self.single
        core = self.core
        if len(core) < (TYPO_STEM if self.stem else TYPO_LENGTH):
            return
        for i in range(TYPO_FROM, len(core)):
            yield core[:i] + core[i + 1 :]
            yield core[:i] + core[i] + core[i:]
            if i + 1 < len(core):
                yield core[:i] + core[i + 1] + core[i] + core[i + 2 :]
            for near in neighbours().get(core[i], ""):
                yield core[:i] + near + core[i + 1 :]
                yield core[:i] + near + core[i:]
                yield core[: i + 1] + near + core[i + 1 :]


@dataclass(frozen=True)
class Unit:
    """A word, with the negation that must stand before it (or be glued to it), if any."""

    word: Word
    negation: str | None = None


@dataclass(frozen=True, eq=False)
class Phrase:
    units: tuple[Unit, ...]
    owner: int
    """Which trigger (its place in triggers.yaml) the phrase belongs to."""
    unless: bool = False
    """An exception: it silences the owner's phrases it overlaps ("die laughing"); its words
    are heard only in the order written."""

    @cached_property
    def anchors(self) -> tuple[Word, ...]:
        """The words a search starts from: the phrase's less common words."""
        return tuple(u.word for u in self.units if not u.word.common)

    @cached_property
    def anchor_set(self) -> frozenset[Word]:
        return frozenset(self.anchors)

    @cached_property
    def search_order(self) -> tuple[int, ...]:
        """The units' places, found words first: a unit with nowhere to stand ends a look
        before any scanning."""
        return tuple(sorted(range(len(self.units)), key=lambda i: self.units[i].word.common))

    @cached_property
    def length(self) -> int:
        return sum(2 if u.negation else 1 for u in self.units)

    @cached_property
    def reach(self) -> int:
        """How far apart (in words) the first and the last word of the phrase may stand."""
        return self.length - 1 + (UNLESS_SLACK if self.unless else SLACK)


@cache
def common_words() -> frozenset[str]:
    """Words so frequent that a search never starts from them; a phrase still needs them."""
    return frozenset(spelling().common.split()) | negations()


@cache
def negations() -> frozenset[str]:
    """Words that bind to the word after them."""
    return frozenset(spelling().negations)


@cache
def neighbours() -> dict[str, str]:
    """The keys a thumb hits by mistake, for each key of a phone keyboard."""
    return spelling().neighbours()


@cache
def word(core: str, stem: bool = False) -> Word:
    """The one Word for this core and ending."""
    return Word(core, stem)


def parse(
    text: str, owner: int, fold: Callable[[str], tuple[str, ...]], *, unless: bool = False
) -> Phrase:
    """An editor's phrase in the form given by `fold` (plain, or the Latin skeleton)."""
    words: list[Word] = []
    for raw in text.split():
        stem = raw.endswith("*")
        tokens = fold(raw.rstrip("*"))
        words += [word(t, stem and i == len(tokens) - 1) for i, t in enumerate(tokens)]
    units: list[Unit] = []
    negation: str | None = None
    for each in words:
        if not each.stem and each.core in negations() and negation is None:
            negation = each.core
            continue
        units.append(Unit(each, negation))
        negation = None
    if negation is not None:  # a phrase ending in a negation: the word itself
        units.append(Unit(word(negation)))
    return Phrase(tuple(units), owner, unless)


def problem(phrase: Phrase) -> str | None:
    """Why a phrase cannot be searched for, or None."""
    if not phrase.units:
        return "this phrase has no words"
    if not phrase.anchors:
        return (
            "this phrase has only very common words, so it would be heard in almost every message"
        )
    if any(len(w.core) < 2 and w.stem for w in phrase.anchors):
        return "a word with * needs at least two letters before the *"
    return None


def assignments(
    phrase: Phrase, tokens: Sequence[str], found: dict[Word, list[int]]
) -> Iterator[tuple[int, int]]:
    """Every (first, last) token span where the phrase's words all stand close together.

    Each place of the phrase's rarest word is looked at with only the words around it, and the
    found words first: a long message with common words in many places costs little.
    """
    reach = phrase.reach
    known = [anchor for anchor in phrase.anchors if anchor in found]
    if not known:
        return
    rarest = min(known, key=lambda w: len(found[w]))
    seen: set[tuple[int, int]] = set()
    order = phrase.search_order
    others = [found[a] for a in known if a is not rarest]
    for place in found.get(rarest, ()):
        low, high = max(0, place - reach - NEGATION_REACH), min(len(tokens) - 1, place + reach)
        if not all(_any_between(places, low, high) for places in others):
            continue  # the other words are elsewhere in the message
        options: list[list[tuple[int, int]]] = [[] for _ in phrase.units]
        for i in order:
            options[i] = _spans(phrase.units[i], tokens, found, low, high)
            if not options[i]:
                break
        else:
            for span in _close_together(phrase, options):
                if span not in seen:
                    seen.add(span)
                    yield span


def _any_between(places: list[int], low: int, high: int) -> bool:
    """Whether a sorted list of places has one within [low, high]."""
    at = bisect_left(places, low)
    return at < len(places) and places[at] <= high


def _close_together(
    phrase: Phrase, options: list[list[tuple[int, int]]]
) -> Iterator[tuple[int, int]]:
    for choice in product(*options):
        heads = [span[1] for span in choice]
        if len(set(heads)) < len(choice):
            continue  # one token cannot stand for two words
        if phrase.unless and heads != sorted(heads):
            continue
        span = (min(s[0] for s in choice), max(heads))
        if span[1] - span[0] <= phrase.reach:
            yield span


def _spans(
    unit: Unit, tokens: Sequence[str], found: dict[Word, list[int]], low: int, high: int
) -> list[tuple[int, int]]:
    """Where a unit stands between `low` and `high`: (its negation or itself, itself)."""
    if unit.word.common:  # never a stem
        forms = unit.word.forms
        places = [i for i in range(low, high + 1) if tokens[i] in forms]
    elif unit.word not in found:  # an exception's word, looked for only here
        places = [i for i in range(low, high + 1) if unit_matches(unit, tokens[i])]
    else:
        places = [i for i in found.get(unit.word, ()) if low <= i <= high]
    return [s for s in (_with_negation(unit, tokens, p) for p in places) if s is not None]


def unit_matches(unit: Unit, token: str) -> bool:
    """A token is the unit's word, or its word with the negation glued on (as Russian and
    Belarusian writers often do)."""
    if unit.word.matches(token):
        return True
    negation = unit.negation
    return (
        negation is not None
        and token.startswith(negation)
        and unit.word.matches(token[len(negation) :])
    )


def _with_negation(unit: Unit, tokens: Sequence[str], place: int) -> tuple[int, int] | None:
    negation = unit.negation
    if negation is None:
        return place, place
    if tokens[place].startswith(negation) and not unit.word.matches(tokens[place]):
        return place, place  # glued on
    for back in range(1, NEGATION_REACH + 1):
        if place - back >= 0 and tokens[place - back] == negation:
            return place - back, place
    return None

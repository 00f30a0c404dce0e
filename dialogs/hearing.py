"""Hearing the triggers in what a person types: every trigger's phrases, searched in one pass.

Built once when content loads; `Hearing.hear(text)` says which triggers a message sets off, in
the editors' order. An exception (`unless:`) silences its trigger only where it overlaps the
trigger's phrase, so "I am not in danger, but I want to die" is still heard.

Every message a person sends is searched, up to 4096 characters, so the search is one pass of an
Aho-Corasick automaton (pyahocorasick, in C) over the text: it holds every form of every word that
starts a search (typos included), and also notes stretched letters and English words on the way.
Only the few places it finds are looked at in Python.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

import ahocorasick

from dialogs import normalize
from dialogs.phrases import Phrase, Word, assignments, parse, problem, unit_matches
from dialogs.spelling import spelling

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN_WORD = re.compile(r" [a-z]")
ENGLISH_SHARE = 0.08
ENGLISH_AT_LEAST = 20
LATIN_SHARE = 0.25
"""A Cyrillic text is read as Latin too when this share of its words is in Latin letters."""


@cache
def _english() -> re.Pattern[str]:
    """Words of English and not of Russian or Belarusian in Latin letters (spelling.yaml)."""
    return re.compile(r" (?=(" + "|".join(map(re.escape, spelling().english)) + r") )")


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


_ALL = _Everything()


@dataclass(frozen=True)
class _Both:
    one: Container[int]
    other: Container[int]

    def __contains__(self, item: object) -> bool:
        return item in self.one and item in self.other


@dataclass(frozen=True)
class TriggerWords:
    """What one trigger listens for: phrases and exceptions per language, experts' regexes."""

    words: Mapping[str, Sequence[str]] = field(default_factory=dict)
    unless: Mapping[str, Sequence[str]] = field(default_factory=dict)
    patterns: Sequence[str] = ()


class _Channel:
    """The phrases of one form (plain, or Latin read as Cyrillic) and their search.

    Only the triggers' own phrases are searched for; an exception is looked for only around a
    phrase that was heard.
    """

    def __init__(self, phrases: Sequence[Phrase], shortest_stem: int = 2) -> None:
        usable = [
            p
            for p in phrases
            if problem(p) is None and all(len(w.core) >= shortest_stem for w in p.anchors if w.stem)
        ]
        self.phrases = tuple(p for p in usable if not p.unless)
        self.exceptions: dict[int, list[Phrase]] = defaultdict(list)
        for phrase in usable:
            if phrase.unless:
                self.exceptions[phrase.owner].append(phrase)
        self.phrases_of: dict[Word, list[Phrase]] = defaultdict(list)
        for phrase in self.phrases:
            for anchor in phrase.anchor_set:
                self.phrases_of[anchor].append(phrase)

    @cached_property
    def automaton(self) -> Any:
        """Built on first use: `check` never needs it, and the bot builds it once."""
        keys: dict[str, set[Word]] = defaultdict(set)
        for phrase in self.phrases:
            for unit in phrase.units:
                if unit.word.common:
                    continue
                end = "" if unit.word.stem else " "
                for form in set(unit.word.variants()):
                    keys[f" {form}{end}"].add(unit.word)
                    if unit.negation is not None:
                        keys[f" {unit.negation}{form}{end}"].add(unit.word)
        automaton = ahocorasick.Automaton()
        for key, words in keys.items():
            automaton.add_word(key, (len(key), tuple(words)))
        for letter in set(spelling().cyrillic + spelling().latin):
            automaton.add_word(letter * 3, None)  # a stretched letter
        automaton.make_automaton()
        return automaton

    def scan(self, text: str) -> tuple[dict[Word, list[int]], bool]:
        """Where each word of interest stands (its token number) in a plain form, and whether
        the text has stretched letters."""
        found: dict[Word, list[int]] = defaultdict(list)
        stretched = False
        counted_to, index = 0, -1
        for end, value in self.automaton.iter(text):
            if value is None:
                stretched = True
                continue
            length, words = value
            token_start = end - length + 2  # after the key's leading space
            index += text.count(" ", counted_to, token_start)
            counted_to = token_start
            for each in words:
                places = found[each]
                if not places or places[-1] != index:
                    places.append(index)
        return found, stretched

    def fired(self, text: str, among: Container[int] = _ALL, *, first: bool = False) -> set[int]:
        """The owners of phrases heard in `text` (a plain form), exceptions applied.

        Only owners `among` are looked at; `first`: stop at the first one heard (owners are
        tried in their order).
        """
        if len(text) < normalize.SHORT:
            text = normalize.collapse(text)  # "helpp": cheap in a short text, so always
        found, stretched = self.scan(text)
        if stretched:
            text = normalize.collapse(text)
            found, _ = self.scan(text)
        if not found:
            return set()
        present = frozenset(found)
        candidates = {
            phrase
            for anchor in present
            for phrase in self.phrases_of[anchor]
            if phrase.owner in among and phrase.anchor_set <= present
        }
        if not candidates:
            return set()
        tokens = text.split()
        words: frozenset[str] | None = None  # what the exceptions look for, made when needed
        fired: set[int] = set()
        for phrase in sorted(candidates, key=lambda p: p.owner):
            if phrase.owner in fired:
                continue
            for span in assignments(phrase, tokens, found):
                if self.exceptions.get(phrase.owner):
                    words = words or frozenset(tokens)
                    if self._silenced(phrase.owner, span, tokens, words):
                        continue
                fired.add(phrase.owner)
                break
            if first and fired:
                break
        return fired

    def _silenced(
        self, owner: int, span: tuple[int, int], tokens: Sequence[str], words: frozenset[str]
    ) -> bool:
        """An exception of the owner stands over this span ("die laughing")."""
        for exception in self.exceptions.get(owner, ()):
            if any(not a.stem and a.forms.isdisjoint(words) for a in exception.anchors):
                continue  # one of its words is nowhere in the text
            here = range(
                max(0, span[0] - exception.reach), min(len(tokens), span[1] + exception.reach + 1)
            )
            first = next(u for u in exception.units if not u.word.common)
            nearby = {first.word: [i for i in here if unit_matches(first, tokens[i])]}
            if any(_overlaps(span, (other,)) for other in assignments(exception, tokens, nearby)):
                return True
        return False


def _overlaps(span: tuple[int, int], others: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] <= other[1] and other[0] <= span[1] for other in others)


class Hearing:
    """All triggers' phrases, compiled for searching every message."""

    def __init__(self, triggers: Sequence[TriggerWords]) -> None:
        plain: list[Phrase] = []
        latin: list[Phrase] = []
        self._patterns: list[tuple[int, re.Pattern[str]]] = []
        for owner, trigger in enumerate(triggers):
            for unless, table in ((False, trigger.words), (True, trigger.unless)):
                for phrases in table.values():
                    for text in phrases:
                        plain.append(parse(text, owner, normalize.plain_word, unless=unless))
                        if _CYRILLIC.search(text):
                            latin.append(parse(text, owner, normalize.skeleton_word, unless=unless))
            self._patterns += [(owner, re.compile(p, re.IGNORECASE)) for p in trigger.patterns]
        self._plain = _Channel(plain)
        # A skeleton can be shorter than its word (without a soft sign): a stem must keep
        # three letters.
        self._latin = _Channel(latin, shortest_stem=3)

    def prepare(self) -> None:
        """Build the searches now rather than on the first message (the bot, when it starts)."""
        for channel in (self._plain, self._latin):
            _ = channel.automaton

    def hear(self, text: str) -> tuple[int, ...]:
        """The triggers `text` sets off, by their place in triggers.yaml, in that order."""
        folded = normalize.plain(text)
        fired = self._plain.fired(folded)
        if self._reads_as_latin(folded):
            fired |= self._latin.fired(normalize.latin(text))
        fired.update(owner for owner, pattern in self._patterns if pattern.search(folded))
        return tuple(sorted(fired))

    def first(self, text: str, among: Container[int]) -> int | None:
        """The first trigger `among` those given that `text` sets off (what a message needs)."""
        folded = normalize.plain(text)
        fired = {o for o, pattern in self._patterns if o in among and pattern.search(folded)}
        fired |= self._plain.fired(folded, among, first=True)
        if self._reads_as_latin(folded):
            best = min(fired, default=None)
            before = range(best) if best is not None else among
            fired |= self._latin.fired(normalize.latin(text), _Both(among, before), first=True)
        return min(fired, default=None)

    @staticmethod
    def _reads_as_latin(folded: str) -> bool:
        """Latin letters that may be Russian or Belarusian: enough of them, and not English."""
        if not normalize.has_latin(folded):
            return False
        words = max(1, folded.count(" ") - 1)
        if words >= ENGLISH_AT_LEAST and len(_english().findall(folded)) / words >= ENGLISH_SHARE:
            return False  # only a long text: in a short one, "u" reads as "you"
        if _CYRILLIC.search(folded) is None:
            return True
        return len(_LATIN_WORD.findall(folded)) / words >= LATIN_SHARE

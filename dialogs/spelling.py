"""How people type, as data: dialogs/spelling.yaml, read once when first needed.

The tables are language data, not words a person reads, and they are kept out of the Python code
so that it stays free of any language (tests/test_architecture.py holds it to that).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from dialogs.yamlsrc import read

SPELLING_FILE = Path(__file__).with_name("spelling.yaml")


class Spelling(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    folds: dict[str, str]
    apostrophes: str
    apostrophes_outside: str
    same_words: dict[str, str]
    lookalikes: dict[str, str]
    chat_english: dict[str, str]
    chat_pairs: dict[str, str]
    chat_digits: dict[str, str]
    chat_letters: dict[str, str]
    lacinka_pairs: dict[str, str]
    lacinka_letters: dict[str, str]
    skeleton_folds: dict[str, str]
    skeleton_drop: str
    skeleton_pairs: dict[str, str]
    keyboards: list[list[str]]
    sound_alike: list[str]
    negations: list[str]
    common: str
    common_spellings: dict[str, list[str]]
    english: list[str]

    @property
    def cyrillic(self) -> str:
        """The Cyrillic letters of the plain form (after the folds)."""
        return "".join(sorted(set(self.keyboards[0][0] + "".join(self.keyboards[0][1:]))))

    @property
    def latin(self) -> str:
        return "".join(sorted(set("".join(self.keyboards[1]))))

    def neighbours(self) -> dict[str, str]:
        """Letters typed by mistake for each letter: the keys next to it (left, right, the rows
        above and below) on the keyboards, and the letters that sound alike."""
        near: dict[str, str] = {}
        for rows in self.keyboards:
            for r, row in enumerate(rows):
                for c, key in enumerate(row):
                    keys = {row[c - 1] if c else "", row[c + 1] if c + 1 < len(row) else ""}
                    for other in (
                        rows[r - 1] if r else "",
                        rows[r + 1] if r + 1 < len(rows) else "",
                    ):
                        keys |= {other[j] for j in (c - 1, c, c + 1) if 0 <= j < len(other)}
                    near[key] = "".join(sorted(keys - {""}))
        for group in self.sound_alike:
            for letter in group:
                near[letter] = "".join(sorted(set(near.get(letter, "")) | set(group) - {letter}))
        return near


@cache
def spelling() -> Spelling:
    return Spelling.model_validate(read(SPELLING_FILE, str(SPELLING_FILE)).data)

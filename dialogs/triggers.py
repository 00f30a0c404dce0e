"""Experts' regular expressions in triggers.yaml: what makes one unusable.

Editors write phrases (dialogs/phrases.py); a regex is for the rare case a phrase cannot say it.
A regex sees the text in its plain form (dialogs/normalize.py): lower case, the letters people type
for one another folded (spelling.yaml), punctuation as single spaces.
"""

from __future__ import annotations

import re

from dialogs.spelling import spelling


def normalize_pattern(pattern: str) -> str:
    """An editor's regex with the letters folded the way the plain form folds them."""
    for letter, folded in spelling().folds.items():
        pattern = pattern.replace(letter, folded).replace(letter.upper(), folded.upper())
    return pattern


def pattern_problem(pattern: str) -> str | None:
    """Why an editor's pattern cannot be used, or None."""
    try:
        compiled = re.compile(normalize_pattern(pattern), re.IGNORECASE)
    except re.error as exc:
        return f"this pattern is not a valid regular expression: {exc.msg}"
    if compiled.search("") is not None:
        return "this pattern matches empty text, so it would catch every message"
    return None

"""Global triggers: editors' words and patterns, compiled once into one regex per trigger.

Belarusian and Russian words change their endings, so a word may end in `*` (any ending):
`help*` matches help, helps, helping; the same works for Belarusian and Russian endings.
"""

from __future__ import annotations

import re

# Typographic apostrophes become ', and Cyrillic yo (\u0451) becomes ye (\u0435), as people
# often type one for the other.
_APOSTROPHES = str.maketrans(
    {"\u2019": "'", "\u02bc": "'", "`": "'", "\u0451": "\u0435", "\u0401": "\u0415"}
)


def normalize(text: str) -> str:
    """Case, yo/ye and the many apostrophes people type should not decide whether help is found."""
    return text.translate(_APOSTROPHES).casefold()


def word_pattern(words: str) -> str:
    """A word or phrase with `*` endings as a regex that matches whole words only."""
    parts = []
    for word in normalize(words).split():
        parts.append(r"\w*".join(re.escape(piece) for piece in word.split("*")))
    return r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)"


def normalize_pattern(pattern: str) -> str:
    """Apply to an editor's regex the same yo/ye and apostrophe folding the typed text gets."""
    return pattern.translate(_APOSTROPHES)


def compile_any(patterns: list[str]) -> re.Pattern[str]:
    """One regex that matches (normalized text) when any of the patterns does."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def pattern_problem(pattern: str) -> str | None:
    """Why an editor's pattern cannot be used, or None."""
    try:
        compiled = re.compile(normalize_pattern(pattern), re.IGNORECASE)
    except re.error as exc:
        return f"this pattern is not a valid regular expression: {exc.msg}"
    if compiled.search("") is not None:
        return "this pattern matches empty text, so it would catch every message"
    return None

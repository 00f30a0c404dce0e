"""The YAML parser's complaints in words an editor understands, at the line to open.

libyaml says "did not find expected key" or "mapping values are not allowed here"; what an
editor did is nearly always one of a few things: a tab, a line indented more or less than it
should be, a `: ` or a quote inside a text that is not in quotes, a `{` never closed.
"""

from __future__ import annotations

import re

import yaml

QUOTES = (
    "put this text in quotes (\"...\"): a ': ' inside a text that is not in quotes reads as a "
    "new key"
)
_KEY_IN_VALUE = re.compile(r"^\s*(?:-\s+)?[^\s:#]+:\s+[^'\"{\[|>].*:\s")
_QUOTE_THEN_MORE = re.compile(r""":\s+(["'])[^"']*\1\s*[^\s#]""")
_FLOW_KEY_IN_VALUE = re.compile(r"[{,]\s*[^\s:,{}]+:\s+[^'\",}]*:\s")


def explain(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line and the plain words for a syntax error the parser raised on `text`."""
    mark = exc.problem_mark or exc.context_mark
    index = mark.line if mark else 0
    lines = text.splitlines() or [""]
    index = min(index, len(lines) - 1)
    problem = exc.problem or ""
    context = exc.context or ""
    tab = _tab_near(lines, index)
    if tab is not None:
        return tab + 1, "a tab here: use spaces to indent (YAML does not allow tabs)"
    if "mapping values are not allowed" in problem or _KEY_IN_VALUE.match(lines[index]):
        return index + 1, QUOTES
    if "flow" in context and exc.context_mark is not None:
        return _flow(lines, exc.context_mark.line)
    if "found character that cannot start any token" in problem:
        return index + 1, 'a text cannot start with ` @ or %: put this text in quotes ("...")'
    if "expected key" in problem or "expected '-' indicator" in problem or "block end" in problem:
        return index + 1, _indentation(lines, index)
    return index + 1, f"YAML syntax: {problem or context or 'cannot read this'}"


def _tab_near(lines: list[str], index: int) -> int | None:
    """The line (index) with a tab in its indentation, at or just before the error."""
    for candidate in (index, index - 1):
        if 0 <= candidate < len(lines):
            line = lines[candidate]
            indentation = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in indentation:
                return candidate
    return None


def _flow(lines: list[str], start: int) -> tuple[int, str]:
    """A `{...}` or `[...]` that does not parse: a `: ` inside it, or never closed."""
    line = lines[start] if start < len(lines) else ""
    if _FLOW_KEY_IN_VALUE.search(line):
        return start + 1, QUOTES
    opener = "{" if "{" in line else "["
    closer = "}" if opener == "{" else "]"
    return start + 1, (
        f"this '{opener}' is never closed: end it with '{closer}' on the same line "
        "(a text with a comma or ': ' inside goes in quotes)"
    )


def _indentation(lines: list[str], index: int) -> str:
    line = lines[index]
    above = next(
        (lines[i] for i in range(index - 1, -1, -1) if lines[i].strip() and not _comment(lines[i])),
        "",
    )
    own, theirs = _indent(line), _indent(above)
    if _QUOTE_THEN_MORE.search(line):
        return (
            "a text that starts with a quote must end with it: put the whole text in quotes "
            "of the other kind ('...\"...\"...')"
        )
    if own > theirs:
        return (
            "this line is indented more than the one above it: line it up with the key it "
            "belongs with"
        )
    if own < theirs:
        return (
            "this line is indented less than the one above it, but lines up with no key "
            "above: indent it as much as the key it belongs with"
        )
    if above.lstrip().startswith("- "):
        return (
            "this line lines up with the '-' of the list item above: indent it as much as "
            "the words after that '- '"
        )
    return "this line does not fit with the one above it: check its indentation and quotes"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")

"""The YAML reader keeps the line of every key, finds duplicates, and has no 1.1 surprises."""

from __future__ import annotations

import pytest

from dialogs.yamlsrc import YamlSyntaxError, parse

DOC = """\
start: a
steps:
  a:
    text:
      en: |
        line one
        line two
      be: plain
    choices:
      - back
      - label: {en: "Yes"}
"""


def test_every_key_and_item_remembers_its_line() -> None:
    source = parse(DOC, "f.yaml")
    assert source.line(("steps", "a", "text", "en")) == 5
    assert source.line(("steps", "a", "choices", 1, "label")) == 11
    assert source.line(("steps", "a", "choices", 1, "label", "en")) == 11
    assert source.line(("steps", "a", "nothing", "here")) == 3, "falls back to the nearest"


def test_a_block_text_starts_on_the_line_below_its_key() -> None:
    source = parse(DOC, "f.yaml")
    assert source.text_line(("steps", "a", "text", "en")) == 6
    assert source.text_line(("steps", "a", "text", "en"), template_line=2) == 7
    assert source.text_line(("steps", "a", "text", "be")) == 8


def test_duplicate_keys_are_collected_not_silently_dropped() -> None:
    source = parse("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert source.duplicates == [(("a",), 3)]
    assert source.data == {"a": 1, "b": 2}


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "NO"])
def test_yes_no_on_off_stay_words(word: str) -> None:
    assert parse(f"en: {word}\n", "f.yaml").data == {"en": word}


def test_true_and_false_are_still_booleans() -> None:
    assert parse("a: true\nb: false\n", "f.yaml").data == {"a": True, "b": False}


def test_an_empty_file_is_an_empty_mapping() -> None:
    assert parse("# only a comment\n", "f.yaml").data == {}


def test_a_syntax_error_carries_its_line() -> None:
    with pytest.raises(YamlSyntaxError) as info:
        parse("a: 1\nb: [1, 2\nc: 3\n", "f.yaml")
    assert info.value.line == 2, "the line where the '[' is opened"
    assert "this '[' is never closed" in info.value.message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a:\n  b: 1\n\tc: 2\n", 3, "a tab here: use spaces"),
        ("a:\n  en: Note: this\n", 2, "put this text in quotes"),
        ("a: {en: Note: this}\n", 1, "put this text in quotes"),
        ("a:\n  en: `hi`\n", 2, "put this text in quotes"),
        ('a:\n  en: "Hi" she said\n', 2, "a text that starts with a quote must end with it"),
        ("a:\n  b:\n    c: 1\n   d: 2\n", 4, "indented less than the one above it"),
        ("a:\n  - b\n  c: 1\n", 3, "lines up with the '-' of the list item above"),
    ],
)
def test_syntax_errors_are_told_in_an_editors_words(text: str, line: int, words: str) -> None:
    with pytest.raises(YamlSyntaxError) as info:
        parse(text, "f.yaml")
    assert (info.value.line, words in info.value.message) == (line, True), info.value.message

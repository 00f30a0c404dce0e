"""Translations from the table written back into the YAML files, in place: comments, order and
layout stay; only the texts that differ change. An empty cell changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
)

from dialogs.translation.table import KEY, Row, read_table
from dialogs.translation.texts import Document, Text, Texts, TranslationError, read_texts


@dataclass(frozen=True)
class Imported:
    """What an import changed: how many texts, in which files."""

    changed: int
    files: tuple[str, ...]


def import_table(directory: Path, table: Path) -> Imported:
    """Write the table's translations into the content under `directory`. Nothing is written
    when a row names an unknown key or a language the content does not have."""
    texts = read_texts(directory)
    rows = read_table(table)
    changes = planned(texts, rows, table)
    touched: dict[str, Document] = {}
    for text, locale, value in changes:
        put(text, locale, value, texts.languages)
        touched[text.document.display] = text.document
    for document in touched.values():
        document.path.write_text(document.dump(), encoding="utf-8")
    return Imported(len({(t.key, locale) for t, locale, _ in changes}), tuple(sorted(touched)))


def planned(
    texts: Texts, rows: Sequence[tuple[int, Row]], table: Path
) -> list[tuple[Text, str, str]]:
    """Every (text, language, new words) the table changes; the first problem ends it."""
    changes = []
    seen: dict[str, int] = {}
    for number, row in rows:
        key = row.get(KEY, "").strip()
        text = texts.by_key.get(key)
        if text is None:
            msg = (
                f"{table}: row {number}: unknown text key '{key}'; "
                "export the table again from the current content"
            )
            raise TranslationError(msg)
        if key in seen:
            msg = f"{table}: row {number}: the key {key} is also in row {seen[key]}"
            raise TranslationError(msg)
        seen[key] = number
        for locale in texts.languages:
            value = _cell_text(row.get(locale, ""))
            if value and not _same(value, text.value(locale)):
                changes.append((text, locale, value))
    return changes


def _cell_text(value: str) -> str:
    """A cell's words as YAML keeps them: line breaks as \\n (a spreadsheet may write \\r\\n)."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _same(new: str, old: str | None) -> bool:
    """A block text (|) ends with a line break a spreadsheet may drop: that is no change."""
    return old is not None and new.rstrip("\n") == old.rstrip("\n")


def put(text: Text, locale: str, value: str, languages: Sequence[str]) -> None:
    node = text.node
    old = node.get(locale)
    shaped = _shaped(value, old, flow=node.fa.flow_style() is True)
    if old is not None:
        node[locale] = shaped
        return
    # A new language: after the languages before it in settings.yaml's order.
    order = {code: i for i, code in enumerate(languages)}
    rank = order.get(locale, len(order))
    position = sum(1 for key in node if order.get(str(key), len(order)) < rank)
    node.insert(position, locale, shaped)


def _shaped(value: str, old: object, *, flow: bool) -> str:
    """The new words in the style of the old: a block stays a block (|), quotes stay quotes."""
    if isinstance(old, (LiteralScalarString, FoldedScalarString)) or ("\n" in value and not flow):
        if isinstance(old, str) and old.endswith("\n") and not value.endswith("\n"):
            value += "\n"
        block: str = LiteralScalarString(value)
        return block
    if "\n" in value:
        quoted: str = DoubleQuotedScalarString(value)  # inside { } a block cannot start
        return quoted
    if isinstance(old, ScalarString):
        same: str = type(old)(value)
        return same
    return value

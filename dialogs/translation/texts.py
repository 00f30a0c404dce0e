"""Every text of the content, found where editors wrote it: one per key, with its file and line.

The YAML is read with ruamel.yaml's round trip, which keeps comments, order and layout, so that
a translation can be written back into the very place it came from (writing.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from dialogs.live import content_files
from dialogs.loading.files import FLOWS_DIR, SETTINGS_FILE, SYSTEM_FILE
from dialogs.loading.system import MAX_COMMAND, PLAIN_HANDOFF_TEXTS, PROFILE_LIMITS
from dialogs.loading.texts import MAX_LABEL
from dialogs.telegram_html import MAX_MESSAGE

Where = tuple[str | int, ...]
"""A path into one YAML document: ("steps", "calm", "choices", 0, "label")."""

LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4))
"""Indentation (mapping, sequence, offset) tried in turn: the one that writes a file back exactly
as it was is kept for that file, so that only changed texts change."""


class TranslationError(Exception):
    """A table or a file that cannot be used; the message is one line, ready to print."""


@dataclass
class Document:
    """One YAML file, read for a round trip."""

    path: Path
    display: str
    data: Any
    yaml: YAML
    exact: bool
    """Writing it back unchanged gives the same bytes (else its layout may shift a little)."""

    def dump(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        return out.getvalue()


@dataclass(frozen=True)
class Text:
    """One text in every language: where it is, and how long it may be."""

    key: str
    document: Document = field(compare=False, repr=False)
    where: Where
    line: int
    limit: int | None
    """Characters Telegram shows (a message, a button's words); None: no limit of its own."""

    @property
    def node(self) -> CommentedMap:
        node: Any = self.document.data
        for part in self.where:
            node = node[part]
        assert isinstance(node, CommentedMap)
        return node

    def value(self, locale: str) -> str | None:
        found = self.node.get(locale)
        return None if found is None else str(found)

    @property
    def place(self) -> str:
        return f"{self.document.display}:{self.line}"


def yaml_for(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never fold a long line
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def read_document(path: Path, display: str) -> Document:
    text = path.read_text(encoding="utf-8")
    first: Document | None = None
    for layout in LAYOUTS:
        yaml = yaml_for(layout)
        try:
            data = yaml.load(text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            msg = f"{display}:{line}: this file cannot be read ({exc.problem}); run check"
            raise TranslationError(msg) from None
        except YAMLError as exc:
            msg = f"{display}:1: this file cannot be read ({exc}); run check"
            raise TranslationError(msg) from None
        document = Document(path, display, data, yaml, exact=False)
        if document.dump() == text:
            document.exact = True
            return document
        first = first or document
    assert first is not None
    return first


@dataclass
class Texts:
    """All the texts of a content directory, in file order, and the languages it speaks."""

    directory: Path
    languages: list[str]
    documents: list[Document]
    by_key: dict[str, Text]

    def __iter__(self) -> Iterator[Text]:
        return iter(self.by_key.values())

    def missing(self, text: Text) -> list[str]:
        return [locale for locale in self.languages if not text.value(locale)]


def read_texts(directory: Path) -> Texts:
    if not (directory / SETTINGS_FILE).is_file():
        msg = f"{directory}: no content here ({SETTINGS_FILE} is missing)"
        raise TranslationError(msg)
    found = Texts(directory, [], [], {})
    for path in content_files(directory):
        relative = path.relative_to(directory)
        document = read_document(path, str(directory / relative))
        found.documents.append(document)
        if not isinstance(document.data, CommentedMap):
            continue
        if relative.parts[0] == FLOWS_DIR:
            texts = _flow_texts(document, path.stem)
        elif relative.name == SYSTEM_FILE:
            texts = _system_texts(document)
        elif relative.name == SETTINGS_FILE:
            found.languages = [str(code) for code in document.data.get("languages") or {}]
            texts = _settings_texts(document)
        else:
            continue
        for text in texts:
            other = found.by_key.get(text.key)
            if other is not None:
                msg = f"{text.place}: the text key {text.key} is also at {other.place}"
                raise TranslationError(msg)
            found.by_key[text.key] = text
    return found


def _line(parent: Any, key: str | int) -> int:
    """1-based line of a key in a mapping, or of an item in a list."""
    if isinstance(parent, CommentedMap):
        return int(parent.lc.key(key)[0]) + 1
    if isinstance(parent, CommentedSeq):
        return int(parent.lc.item(key)[0]) + 1
    return 1


def _text(
    document: Document, key: str, parent: Any, where: Where, limit: int | None
) -> Iterator[Text]:
    """A text, if what is at `where` (the last part's value in `parent`) is one."""
    last = where[-1]
    node = parent.get(last) if isinstance(parent, Mapping) else None
    if isinstance(node, CommentedMap) and all(isinstance(v, str) for v in node.values()):
        yield Text(key, document, where, _line(parent, last), limit)


def _flow_texts(document: Document, flow: str) -> Iterator[Text]:
    steps = document.data.get("steps")
    if not isinstance(steps, CommentedMap):
        return
    for name, step in steps.items():
        if not isinstance(step, CommentedMap):
            continue
        at: Where = ("steps", name)
        yield from _text(document, f"{flow}.{name}.text", step, (*at, "text"), MAX_MESSAGE)
        choices = step.get("choices")
        if not isinstance(choices, CommentedSeq):
            continue
        for index, choice in enumerate(choices):
            key = f"{flow}.{name}.buttons.{index + 1}"
            where = (*at, "choices", index, "label")
            yield from _text(document, key, choice, where, MAX_LABEL)


SYSTEM_LIMITS: dict[str, int | None] = {"messages": MAX_MESSAGE, "labels": MAX_LABEL}


def _system_texts(document: Document) -> Iterator[Text]:
    data = document.data
    for part, limit in SYSTEM_LIMITS.items():
        for name in data.get(part) or {}:
            yield from _text(document, f"system.{part}.{name}", data[part], (part, name), limit)
    for name, command in (data.get("commands") or {}).items():
        where: Where = ("commands", name, "description")
        yield from _text(document, f"system.commands.{name}", command, where, MAX_COMMAND)
    handoff = data.get("handoff") or {}
    for name in handoff:
        limit = PLAIN_HANDOFF_TEXTS.get(str(name), MAX_MESSAGE)
        yield from _text(document, f"system.handoff.{name}", handoff, ("handoff", name), limit)
    if isinstance(data.get("urgent"), CommentedMap):
        yield from _text(document, "system.urgent", data["urgent"], ("urgent", "label"), MAX_LABEL)


SETTINGS_LIMITS: dict[str, int | None] = {"topics": MAX_LABEL, "reasons": MAX_LABEL, "values": None}


def _settings_texts(document: Document) -> Iterator[Text]:
    data = document.data
    profile = data.get("profile") or {}
    for name in profile:
        limit = PROFILE_LIMITS.get(str(name))
        yield from _text(document, f"settings.profile.{name}", profile, ("profile", name), limit)
    for part, limit in SETTINGS_LIMITS.items():
        for name in data.get(part) or {}:
            yield from _text(document, f"settings.{part}.{name}", data[part], (part, name), limit)

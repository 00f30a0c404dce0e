"""Reading the content's files: YAML with lines, validated against the schema, in plain words.

What is read is handed on as `Read`; nothing here checks one file against another.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from dialogs import model, schema
from dialogs.loading.keys import keys_at
from dialogs.loading.problems import Problems
from dialogs.yamlsrc import Path_, Source, YamlSyntaxError, read

SETTINGS_FILE = "settings.yaml"
SYSTEM_FILE = "system.yaml"
TRIGGERS_FILE = "triggers.yaml"
FLOWS_DIR = "flows"
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")

M = TypeVar("M", bound=BaseModel)


@dataclass
class Read:
    """The content as read: each file's model (None where it is broken) and its source."""

    directory: Path
    default_locale: str
    settings: schema.Settings | None = None
    system: schema.System | None = None
    triggers: schema.Triggers | None = None
    flows: dict[str, tuple[schema.Flow, Source]] = field(default_factory=dict)
    broken_flows: set[str] = field(default_factory=set)
    sources: dict[str, Source] = field(default_factory=dict)

    def display(self, relative: str) -> str:
        return str(self.directory / relative)

    def source(self, relative: str) -> Source:
        return self.sources[self.display(relative)]


def read_content(directory: Path, default_locale: str, problems: Problems) -> Read:
    files = _Files(Read(directory, default_locale), problems)
    return files.read()


class _Files:
    def __init__(self, content: Read, problems: Problems) -> None:
        self.content = content
        self.problems = problems
        self.directory = content.directory

    def display(self, relative: str) -> str:
        return self.content.display(relative)

    def error(self, where: Source | str, line: int, message: str) -> None:
        self.problems.error(where, line, message)

    def warn(self, where: Source | str, line: int, message: str) -> None:
        self.problems.warn(where, line, message)

    def read(self) -> Read:
        content = self.content
        if not self.directory.is_dir():
            self.error(str(self.directory), 1, "no content directory here")
            return content
        content.settings = self._read_model(SETTINGS_FILE, schema.Settings, required=True)
        content.system = self._read_model(SYSTEM_FILE, schema.System, required=True)
        content.triggers = self._read_model(TRIGGERS_FILE, schema.Triggers, required=False)
        self._read_flows()
        self._note_unread_files()
        if content.settings is not None:
            self._check_languages(content.settings)
        return content

    def _read_model(self, relative: str, cls: type[M], *, required: bool) -> M | None:
        path = self.directory / relative
        if not path.exists():
            if required:
                self.error(self.display(relative), 1, f"{relative} is missing")
            return None
        source = self._parse(path, self.display(relative))
        if source is None:
            return None
        return self._validate(source, cls)

    def _parse(self, path: Path, display: str) -> Source | None:
        try:
            source = read(path, display)
        except YamlSyntaxError as exc:
            self.error(display, exc.line, exc.message)
            return None
        for dup_path, line in source.duplicates:
            first = source.lines.get(dup_path, 1)
            self.error(source, line, f"'{dup_path[-1]}' is here twice (first at line {first})")
        self.content.sources[display] = source
        return source

    def _validate(self, source: Source, cls: type[M]) -> M | None:
        if not isinstance(source.data, dict):
            self.error(source, source.line(()), "expected keys and values at the top of the file")
            return None
        try:
            return cls.model_validate(source.data)
        except ValidationError as exc:
            for err in exc.errors():
                path = _clean_loc(err["loc"])
                self.error(source, source.line(path), _friendly(err, path, cls))
            return None

    def _read_flows(self) -> None:
        flows_dir = self.directory / FLOWS_DIR
        files = (
            sorted(p for p in flows_dir.glob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            if flows_dir.is_dir()
            else []
        )
        seen: dict[str, str] = {}
        for path in files:
            display = self.display(f"{FLOWS_DIR}/{path.name}")
            flow_id = path.stem
            if not re.match(schema.ID_PATTERN, flow_id) or len(flow_id) > schema.ID_MAX:
                self.error(
                    display,
                    1,
                    f"the file name '{flow_id}' cannot name a flow: use lowercase letters, "
                    "digits and _ (at most 32)",
                )
                continue
            if flow_id in seen:
                self.error(display, 1, f"flow '{flow_id}' is defined twice (also {seen[flow_id]})")
                continue
            seen[flow_id] = display
            source = self._parse(path, display)
            flow = self._validate(source, schema.Flow) if source else None
            if flow is None or source is None:
                self.content.broken_flows.add(flow_id)
                continue
            self.content.flows[flow_id] = (flow, source)
        if model.MENU_FLOW not in seen:
            self.error(
                self.display(f"{FLOWS_DIR}/{model.MENU_FLOW}.yaml"),
                1,
                "the main menu is missing: every bot needs flows/menu.yaml",
            )

    def _note_unread_files(self) -> None:
        known = {SETTINGS_FILE, SYSTEM_FILE, TRIGGERS_FILE}
        for path in sorted(self.directory.glob("*.y*ml")):
            if path.name not in known:
                self.warn(
                    self.display(path.name),
                    1,
                    "this file is not read: flows belong in flows/, other files are "
                    + ", ".join(sorted(known)),
                )

    def _check_languages(self, settings: schema.Settings) -> None:
        source = self.content.source(SETTINGS_FILE)
        for code in settings.languages:
            if not LANGUAGE_CODE.match(code):
                self.error(
                    source,
                    source.line(("languages", code)),
                    f"'{code}' is not a language code: use two letters, like be, ru, en",
                )
        default_locale = self.content.default_locale
        if default_locale not in settings.languages:
            self.error(
                source,
                source.line(("languages",)),
                f"the default language '{default_locale}' (DEFAULT_LOCALE) is not among "
                f"the languages: {', '.join(settings.languages)}",
            )


_TAGS = {"full", "short"}


def _clean_loc(loc: tuple[str | int, ...]) -> Path_:
    """Pydantic's location without its internal markers, as a path into the YAML."""
    path: list[str | int] = []
    for index, part in enumerate(loc):
        if part == "[key]":
            continue
        if part in _TAGS and index >= 2 and loc[index - 2] == "choices":
            continue
        path.append(part)
    return tuple(path)


_FRIENDLY = {
    "string_type": "expected text here; put it in quotes if it looks like a number or date",
    "dict_type": "expected keys and values here (like `en: ...`)",
    "list_type": "expected a list here (lines starting with '- ')",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "model_type": "expected keys and values here",
    "model_attributes_type": "expected keys and values here",
}


def _friendly(err: Any, path: Path_, cls: type[BaseModel]) -> str:
    kind = err["type"]
    last = path[-1] if path else ""
    if kind == "extra_forbidden":
        return _unknown_key(err["input"], path, cls)
    misplaced = _indented_under(path, cls)
    if misplaced:
        return misplaced
    if kind == "missing":
        return f"missing key '{last}'"
    if kind == "string_pattern_mismatch":
        return f"'{err['input']}' cannot be a name: use lowercase letters, digits and _"
    if kind == "string_too_long":
        return f"'{err['input']}' is too long for a name (at most {schema.ID_MAX})"
    if err.get("input", "") is None:
        return "nothing is written here (inside { }, put a text that has a comma in quotes)"
    if kind == "too_short":
        return "this must not be empty"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"'{err['input']}' is not possible here; expected {expected}"
    return _FRIENDLY.get(kind, str(err["msg"]))


def _unknown_key(value: Any, path: Path_, cls: type[BaseModel]) -> str:
    last = str(path[-1])
    parent = str(path[-2]) if len(path) >= 2 else ""
    if isinstance(value, dict) and {"text", "choices"} & set(value) and parent:
        return (
            f"'{last}' looks like a step, but it is indented under '{parent}' as one of its "
            f"keys: if it is a step, line it up with '{parent}'"
        )
    allowed = keys_at(cls, path[:-1]) or []
    hint = difflib.get_close_matches(last, allowed, n=1)
    known = f" (here: {', '.join(allowed)})" if allowed and not hint else ""
    return f"unknown key '{last}'" + (f"; did you mean '{hint[0]}'?" if hint else known)


def _indented_under(path: Path_, cls: type[BaseModel]) -> str | None:
    """A key written one level too deep: `choices:` lined up with the languages of `text:`."""
    if len(path) < 2 or not isinstance(path[-1], str):
        return None
    if path[-1] in (keys_at(cls, path[:-1]) or []):
        return None
    if path[-1] in (keys_at(cls, path[:-2]) or []):
        return (
            f"'{path[-1]}' is indented as if it belonged to '{path[-2]}': "
            f"line it up with '{path[-2]}'"
        )
    return None

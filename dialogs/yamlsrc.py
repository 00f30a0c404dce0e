"""Read YAML into plain data while remembering which line every key and item came from.

PyYAML forgets line numbers once it builds Python objects, so we walk its node tree ourselves.
The same walk catches duplicate keys, which PyYAML would silently drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dialogs.yamlerrors import explain

Path_ = tuple[str | int, ...]


# libyaml's parser when PyYAML has it (about ten times faster), else the pure-Python one.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader without YAML 1.1 surprises: `no`, `yes`, `on`, `off` stay words."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass
class Source:
    """One YAML file as data, with the line of every path inside it."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    # For text values: the line where the text itself starts (block scalars start below their key).
    text_lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[tuple[Path_, int]] = field(default_factory=list)

    def line(self, path: Path_) -> int:
        """Line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return 1

    def text_line(self, path: Path_, template_line: int = 1) -> int:
        """Line of line `template_line` inside the text at `path`."""
        start = self.text_lines.get(path)
        if start is None:
            return self.line(path)
        return start + template_line - 1


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


def parse(text: str, file: str) -> Source:
    """Parse one YAML document; raise YamlSyntaxError with a line number when it is not YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise YamlSyntaxError(*explain(text, exc)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"YAML syntax: {exc}") from None
    finally:
        loader.dispose()
    source = Source(file=file, data=None)
    if node is None:
        source.data = {}
        return source
    source.lines[()] = node.start_mark.line + 1
    try:
        source.data = _build(loader, node, (), source)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise YamlSyntaxError(line, f"YAML syntax: {exc.problem}") from None
    return source


def read(path: Path, display: str) -> Source:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise YamlSyntaxError(1, "the file is not UTF-8 text; save it as UTF-8") from None
    return parse(text, display)


def _build(loader: _Loader, node: yaml.Node, path: Path_, source: Source) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(loader, key_node, path, source)
            if isinstance(key, (list, dict)):
                raise yaml.MarkedYAMLError(
                    problem="a key must be a single word", problem_mark=key_node.start_mark
                )
            key = str(key) if not isinstance(key, str) else key
            key_path = (*path, key)
            line = key_node.start_mark.line + 1
            if key in result:
                source.duplicates.append((key_path, line))
                continue
            source.lines[key_path] = line
            _note_text_line(value_node, key_path, source)
            result[key] = _build(loader, value_node, key_path, source)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            item_path = (*path, index)
            source.lines[item_path] = item.start_mark.line + 1
            _note_text_line(item, item_path, source)
            items.append(_build(loader, item, item_path, source))
        return items
    return loader.construct_object(node, deep=True)


def _note_text_line(node: yaml.Node, path: Path_, source: Source) -> None:
    if isinstance(node, yaml.ScalarNode):
        start = node.start_mark.line + 1
        # A block scalar (| or >) starts on the line after its indicator.
        source.text_lines[path] = start + 1 if node.style in ("|", ">") else start

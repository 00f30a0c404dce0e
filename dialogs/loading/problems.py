"""Where every problem found while loading goes: one sink, sorted by file and line at the end."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogs import model
from dialogs.errors import Problem, Severity
from dialogs.yamlsrc import Source


@dataclass
class LoadResult:
    content: model.Content | None
    problems: list[Problem] = field(default_factory=list)
    draft: model.Content | None = None
    """The content as compiled even when it has errors: for pictures of it (graph, preview),
    never for talking to people. None when too much is broken to compile (settings, menu)."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


class Problems:
    """Loading never stops at the first problem: an editor fixes everything in one pass."""

    def __init__(self) -> None:
        self._found: list[Problem] = []

    def error(self, where: Source | str, line: int, message: str) -> None:
        file = where.file if isinstance(where, Source) else where
        self._found.append(Problem(file, line, message))

    def warn(self, where: Source | str, line: int, message: str) -> None:
        file = where.file if isinstance(where, Source) else where
        self._found.append(Problem(file, line, message, Severity.WARNING))

    def sorted(self) -> list[Problem]:
        return sorted(set(self._found), key=lambda p: (p.file, p.line, p.message))

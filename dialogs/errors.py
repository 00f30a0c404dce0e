"""One exception root for the dialog engine, and the problem record `check` prints."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in the content, pointing at the line an editor must look at."""

    file: str
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


class DialogsError(Exception):
    """Root of every error the engine raises."""


class ContentError(DialogsError):
    """The content cannot be used; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity is Severity.ERROR]
        msg = f"content has {len(errors)} error(s); first: {errors[0] if errors else '-'}"
        super().__init__(msg)


class RenderError(DialogsError):
    """A text could not be rendered; raised instead of showing a blank to a person."""

"""The content a running bot (or `chat --watch`) serves, changed while it runs.

`LiveContent.current` is what every feature reads, per update; a reload swaps it in one
assignment, and only for content that `check` finds no error in. Broken content is never
served: the old content stays, and the reload says what `check` said.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialogs.errors import Problem
from dialogs.loading import load_content
from dialogs.model import Content

YAML_SUFFIXES = (".yaml", ".yml")
Extra = Callable[[Content], list[Problem]]
"""More that new content must satisfy while it runs (its handoff words, when volunteers work)."""


def content_files(directory: Path) -> list[Path]:
    """The YAML files of a content directory (not the generated schema/ descriptions)."""
    if not directory.is_dir():
        return []
    found = [directory / name for name in sorted(p.name for p in directory.iterdir())]
    flows = directory / "flows"
    if flows.is_dir():
        found += sorted(flows.iterdir())
    return [p for p in found if p.suffix in YAML_SUFFIXES and p.is_file()]


def fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap to take every two seconds: each file's name, size and time of change."""
    marks = []
    for path in content_files(directory):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue  # removed between listing and looking
        marks.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(marks)


def version_of(directory: Path) -> str:
    """A short hash of the files' names and contents: which content is live, in a log line."""
    digest = hashlib.sha256()
    for path in content_files(directory):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        try:
            digest.update(path.read_bytes())
        except FileNotFoundError:
            continue
        digest.update(b"\0")
    return digest.hexdigest()[:8]


@dataclass(frozen=True)
class Release:
    """One version of the content, served as a whole."""

    content: Content
    version: str


@dataclass(frozen=True)
class Reload:
    """What one reload did: `live` says whether `version` is served now; `problems` are the
    lines of `check` (only the errors when it was refused)."""

    version: str
    live: bool
    problems: tuple[Problem, ...]


class LiveContent:
    def __init__(
        self,
        content: Content,
        *,
        directory: Path | None = None,
        default_locale: str | None = None,
        provided: Mapping[str, Any] | None = None,
        extra: Extra | None = None,
    ) -> None:
        """`directory` None: content that never changes (tests, a bot built from data)."""
        self.directory = directory
        self._default_locale = default_locale or content.default_locale
        self._provided = dict(provided or {})
        self._extra = extra
        version = version_of(directory) if directory is not None else "fixed"
        self._release = Release(content, version)
        self._seen = fingerprint(directory) if directory is not None else ()
        self._refused: str | None = None

    @property
    def current(self) -> Content:
        return self._release.content

    @property
    def version(self) -> str:
        return self._release.version

    def alarm(self, text: str) -> str | None:
        """Whether a text sounds like crisis, as the content live now hears it."""
        return self.current.alarm(text)

    def swap(self, content: Content, version: str) -> None:
        """Serve this content from now on (one assignment: no feature sees half of it)."""
        self._release = Release(content, version)

    def changed(self) -> bool:
        """Whether the files changed since last asked (by size or time of change)."""
        if self.directory is None:
            return False
        now = fingerprint(self.directory)
        if now == self._seen:
            return False
        self._seen = now
        return True

    def reload(self) -> Reload | None:
        """Load and check the files; serve them if they have no error. None: nothing new (the
        same files as live, or as the broken version already refused)."""
        if self.directory is None:
            return None
        version = version_of(self.directory)
        if version == self.version:
            self._refused = None  # back to what is served: a later break is told again
            return None
        if version == self._refused:
            return None
        result = load_content(
            self.directory, default_locale=self._default_locale, provided=self._provided
        )
        errors = list(result.errors)
        if result.content is not None and self._extra is not None:
            errors += self._extra(result.content)
        if result.content is None or errors:
            self._refused = version
            return Reload(version, live=False, problems=tuple(errors))
        result.content.hearing.prepare()  # built before it serves its first message
        self._refused = None
        self.swap(result.content, version)
        return Reload(version, live=True, problems=tuple(result.warnings))

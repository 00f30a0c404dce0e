"""What every check of the content sees: the files as read, frozen, and the renderer."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dialogs import schema
from dialogs.loading.files import SETTINGS_FILE, Read
from dialogs.render import Renderer
from dialogs.yamlsrc import Source


@dataclass(frozen=True)
class Context:
    read: Read
    settings: schema.Settings
    renderer: Renderer

    @property
    def languages(self) -> tuple[str, ...]:
        return self.renderer.languages

    @property
    def system(self) -> schema.System | None:
        return self.read.system

    @property
    def settings_source(self) -> Source:
        return self.read.source(SETTINGS_FILE)

    def source(self, relative: str) -> Source:
        return self.read.source(relative)

    def flows(self) -> Iterator[tuple[str, tuple[schema.Flow, Source]]]:
        return iter(self.read.flows.items())


def suggest(name: str, options: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""

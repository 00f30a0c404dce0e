"""Turning editors' jinja2 texts into what a person reads.

The sandbox keeps templates from reaching Python internals, autoescape makes every inserted value
safe for Telegram's HTML, and StrictUndefined makes a misspelt name an error instead of a blank.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from dialogs.errors import RenderError

PROVIDED_NAMES: dict[str, Any] = {"retention_days": 30, "volunteers": "here"}
"""Names every text may use whose values the bot gives (these are samples for check).

`volunteers` says whether a person asking now can be answered: "here" (the volunteers' group is
set up and it is within VOLUNTEER_HOURS), "away" (outside them), "none" (no volunteers' group).
"""
VOLUNTEERS = ("here", "away", "none")
BLOCK_NAMES = frozenset({"help_now"})
"""system.yaml messages every other text may show as a name: {{ help_now }}."""
RESERVED_NAMES = frozenset({"first_name", "locale", *PROVIDED_NAMES, *BLOCK_NAMES})
"""Names every text may use, filled by the engine for each person or by the bot."""

_JINJA_MARKERS = ("{{", "{%", "{#")


def _environment(*, autoescape: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        # A block tag on its own line leaves no blank line ({% for %} lists read naturally);
        # at the end of a text line, `+%}` keeps the line break: {% endif +%}.
        trim_blocks=True,
        lstrip_blocks=True,
    )


def localize(value: Any, locale: str, default_locale: str, languages: Iterable[str]) -> Any:
    """Pick the locale's version of every value that is given per language."""
    langs = set(languages)
    if isinstance(value, Mapping):
        if value and set(value) <= langs:
            if locale in value:
                return value[locale]
            if default_locale in value:
                return value[default_locale]
            return next(iter(value.values()))
        return {k: localize(v, locale, default_locale, langs) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v, locale, default_locale, langs) for v in value]
    return value


class Renderer:
    """Renders texts (HTML, escaped) and button labels (plain) with the editors' values."""

    def __init__(
        self,
        *,
        values: Mapping[str, Any],
        languages: Iterable[str],
        default_locale: str,
        provided: Mapping[str, Any] | None = None,
        blocks: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.languages = tuple(languages)
        self.default_locale = default_locale
        self._html = _environment(autoescape=True)
        self._plain = _environment(autoescape=False)
        self._cache: dict[tuple[bool, str], jinja2.Template] = {}
        self._ast_cache: dict[tuple[bool, str], nodes.Template] = {}
        shared = {**PROVIDED_NAMES, **(provided or {})}
        self._values = {
            locale: {**localize(dict(values), locale, default_locale, self.languages), **shared}
            for locale in self.languages
        }
        self.names = frozenset(values) | RESERVED_NAMES
        for name, texts in (blocks or {}).items():
            for locale in self.languages:
                try:
                    block = Markup(self.text(texts, locale))
                except (RenderError, jinja2.TemplateError):
                    block = Markup()  # check reports the block's own text
                self._values[locale][name] = block

    def pick_locale(self, texts: Mapping[str, str], locale: str) -> str:
        """`locale` if the text has it, else the default locale, else any language it has."""
        if locale in texts:
            return locale
        if self.default_locale in texts:
            return self.default_locale
        return next(iter(texts))

    def pick(self, texts: Mapping[str, str], locale: str) -> str:
        return texts[self.pick_locale(texts, locale)]

    def text(
        self,
        texts: Mapping[str, str],
        locale: str,
        first_name: str = "",
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        return self.render(self.pick(texts, locale), locale, first_name, html=True, extra=extra)

    def label(
        self,
        texts: Mapping[str, str],
        locale: str,
        first_name: str = "",
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        return self.render(self.pick(texts, locale), locale, first_name, html=False, extra=extra)

    def render(
        self,
        source: str,
        locale: str,
        first_name: str,
        *,
        html: bool,
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        """`extra`: names a particular message has (a case number, an alias), escaped too."""
        if not any(marker in source for marker in _JINJA_MARKERS):
            return source.strip()
        template = self.compile(source, html=html)
        values = self._values.get(locale) or self._values.get(self.default_locale, {})
        context = {**values, **(extra or {}), "first_name": first_name, "locale": locale}
        try:
            return template.render(context).strip()
        except jinja2.TemplateError as exc:
            # Jinja names the template's problem ('x' is undefined), never a person's value.
            raise RenderError(f"cannot render a text: {exc.message}") from None
        except Exception as exc:  # a filter misused on a value: say what kind, not the value
            raise RenderError(f"cannot render a text: {type(exc).__name__}") from None

    def compile(self, source: str, *, html: bool) -> jinja2.Template:
        """Compiled once per text and kept: content is loaded once, rendered many times."""
        key = (html, source)
        template = self._cache.get(key)
        if template is None:
            env = self._html if html else self._plain
            template = env.from_string(self._parse(source, html=html))
            self._cache[key] = template
        return template

    def unknown_names(
        self, source: str, *, html: bool = True, extra: frozenset[str] = frozenset()
    ) -> set[str]:
        """Names a template reads that no value provides. Raises TemplateSyntaxError."""
        if not any(marker in source for marker in _JINJA_MARKERS):
            return set()
        ast = self._parse(source, html=html)
        loaded: set[str] = set()
        stored: set[str] = set()
        for name in ast.find_all(nodes.Name):
            (loaded if name.ctx == "load" else stored).add(name.name)
        return loaded - stored - self.names - extra - set(self._html.globals) - {"loop"}

    def _parse(self, source: str, *, html: bool) -> nodes.Template:
        # One tree per environment: compiling optimises a tree in place for that environment.
        ast = self._ast_cache.get((html, source))
        if ast is None:
            ast = (self._html if html else self._plain).parse(source)
            self._ast_cache[(html, source)] = ast
        return ast

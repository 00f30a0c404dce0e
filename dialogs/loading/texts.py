"""Checking one text in every language: known names, Telegram's HTML, lengths, placeholders.

Each text is rendered the ways it can read: with no name and with the longest name; a text
that says whether volunteers are around, in each of those situations.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import jinja2

from dialogs.errors import RenderError
from dialogs.loading.context import Context, suggest
from dialogs.loading.problems import Problems
from dialogs.render import VOLUNTEERS
from dialogs.telegram_html import MAX_MESSAGE, inspect
from dialogs.yamlsrc import Path_, Source

MAX_LABEL = 40
"""A longer button label is cut off on a phone screen."""
LONG_MESSAGE = 600
"""Longer than this does not fit a phone screen without scrolling: an error for what a person
reads, a warning for the volunteers' texts (read at a desk, and long by nature: digests)."""
PLACEHOLDER = "PLACEHOLDER"
SAMPLE_NAMES = ("", "<Anna & Co> " + "W" * 52)
"""Rendered in `check`: no name, and a 64-character name full of HTML's special characters."""


class TextChecker:
    def __init__(self, context: Context, problems: Problems) -> None:
        self.context = context
        self.problems = problems

    def check(
        self,
        source: Source,
        path: Path_,
        texts: Mapping[str, str],
        *,
        html: bool,
        limit: int = MAX_LABEL,
        sample: Mapping[str, Any] | None = None,
        for_a_person: bool = True,
    ) -> None:
        """Check one text in every language; `limit` is for plain texts (labels, commands).

        `sample`: the names this particular text may use beyond the shared ones, with values
        to render it with. `for_a_person`: read on a phone, so it must fit its screen.
        """
        for locale in texts:
            if locale not in self.context.languages:
                self.problems.error(
                    source,
                    source.line((*path, locale)),
                    f"unknown language '{locale}' "
                    f"(the languages are {', '.join(self.context.languages)})",
                )
        for locale in self.context.languages:
            if locale not in texts:
                fallback = self.context.renderer.pick_locale(texts, locale)
                self.problems.warn(
                    source,
                    source.line(path),
                    f"missing '{locale}' translation; '{fallback}' is shown instead",
                )
        for locale, text in texts.items():
            if locale in self.context.languages:
                self._check_template(
                    source,
                    (*path, locale),
                    text,
                    locale,
                    html=html,
                    limit=limit,
                    sample=sample,
                    for_a_person=for_a_person,
                )

    def _check_template(
        self,
        source: Source,
        path: Path_,
        text: str,
        locale: str,
        *,
        html: bool,
        limit: int,
        sample: Mapping[str, Any] | None,
        for_a_person: bool,
    ) -> None:
        if PLACEHOLDER in text:
            self.problems.warn(
                source, source.text_line(path), "placeholder: put the real words here"
            )
        try:
            unknown = self.context.renderer.unknown_names(
                text, html=html, extra=frozenset(sample or {})
            )
        except jinja2.TemplateSyntaxError as exc:
            line = source.text_line(path, exc.lineno or 1)
            self.problems.error(source, line, f"jinja2 syntax: {exc.message}")
            return
        if unknown:
            known = sorted(self.context.renderer.names | set(sample or {}))
            hints = [f"{name}{suggest(name, dict.fromkeys(known))}" for name in sorted(unknown)]
            self.problems.error(
                source,
                source.text_line(path),
                f"unknown name {', '.join(hints)} (known: {', '.join(known)})",
            )
            return
        situations = VOLUNTEERS if "volunteers" in text else VOLUNTEERS[:1]
        for name, volunteers in itertools.product(SAMPLE_NAMES, situations):
            extra = {"volunteers": volunteers, **(sample or {})}
            try:
                rendered = self.context.renderer.render(text, locale, name, html=html, extra=extra)
            except RenderError as exc:
                self.problems.error(source, source.text_line(path), str(exc))
                return
            # The screen-length warning uses the text without a name; the hard limit, the longest.
            long_matters = name == SAMPLE_NAMES[0]
            if html and not self._check_rendered_html(
                source, path, rendered, long_matters=long_matters, for_a_person=for_a_person
            ):
                return
            if not html and len(rendered) > limit:
                what = "button label" if limit == MAX_LABEL else "text"
                self.problems.error(
                    source,
                    source.text_line(path),
                    f"this {what} is {len(rendered)} characters; at most {limit} fit",
                )
                return
            if not rendered:
                self.problems.error(source, source.text_line(path), "this text renders empty")
                return

    def _check_rendered_html(
        self, source: Source, path: Path_, rendered: str, *, long_matters: bool, for_a_person: bool
    ) -> bool:
        report = inspect(rendered)
        for message in report.problems:
            self.problems.error(source, source.text_line(path), message)
        if report.visible_length > MAX_MESSAGE:
            self.problems.error(
                source,
                source.text_line(path),
                f"this text is {report.visible_length} characters; Telegram takes at most "
                f"{MAX_MESSAGE}",
            )
            return False
        if long_matters and report.visible_length > LONG_MESSAGE:
            report_long = self.problems.error if for_a_person else self.problems.warn
            report_long(
                source,
                source.text_line(path),
                f"this text is {report.visible_length} characters; more than {LONG_MESSAGE} "
                "does not fit a phone screen without scrolling"
                + (": split it into two steps" if for_a_person else ""),
            )
        return not report.problems

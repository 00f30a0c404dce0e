"""What someone glancing at the person's phone may see must not say what this bot is for.

The bot's name and descriptions, the command menu, the first screens, the first line of every
message the bot sends unasked (it shows on a lock screen) and the line left after clearing the
chat: none of them may name prison, arrest, politics or a crisis. Each found word is an error
at its file and line, so that an editor's change cannot pass `check` and give someone away.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ConfigDict

from dialogs import model, schema
from dialogs.errors import RenderError
from dialogs.loading.context import Context
from dialogs.loading.files import SETTINGS_FILE, SYSTEM_FILE
from dialogs.loading.problems import Problems
from dialogs.telegram_html import to_plain
from dialogs.yamlsrc import Path_, Source, read

WORDS_FILE = Path(__file__).parent.parent / "discretion.yaml"


class Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    revealing: tuple[str, ...]
    """Stems that say what the bot is for, in be, ru and en."""
    after_clearing: tuple[str, ...]
    """Beyond those, what the line left after clearing may not hint at: help, what was erased."""


@cache
def words() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The revealing stems and the after-clearing ones, as patterns; read once when needed."""
    read_words = Words.model_validate(read(WORDS_FILE, str(WORDS_FILE)).data)

    def pattern(stems: tuple[str, ...]) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(s) for s in stems), re.IGNORECASE)

    return pattern(read_words.revealing), pattern(read_words.after_clearing)


SENT_UNASKED = (
    "connected",
    "ended_by_volunteer",
    "not_delivered",
    "timeout",
    "urgent_timeout",
    "outside_hours",
    "did_it_help",
    "busy",
    "kept_waiting",
    "volunteers_unavailable",
)
"""Handoff texts the bot sends to a person without being asked: their first line is what a
lock screen shows."""

CLEARING = (model.ActionKind.CLEAR_CHAT, model.ActionKind.CLEAR_AND_FORGET)


@dataclass(frozen=True)
class Shown:
    """One text a glance can catch, where it is written, and what it reads as."""

    source: Source
    path: Path_
    texts: Mapping[str, str]
    what: str
    html: bool = True
    first_line_only: bool = False
    sample: Mapping[str, Any] | None = None


def check_discretion(
    context: Context,
    problems: Problems,
    flows: Mapping[str, model.Flow],
    checkins: model.Checkins | None = None,
) -> None:
    revealing, after_clearing = words()
    for shown in _seen_at_a_glance(context, flows, checkins):
        _refuse(context, problems, shown, revealing, "says what this bot is for")
    for shown in _left_after_clearing(context, flows):
        _refuse(context, problems, shown, revealing, "says what this bot is for")
        _refuse(context, problems, shown, after_clearing, "hints at what was cleared")
        for locale, text in shown.texts.items():
            if shown.html and "\n" in _plain(context, shown, locale, text).strip():
                problems.error(
                    shown.source,
                    shown.source.text_line((*shown.path, locale)),
                    "the line left after clearing the chat must be one short line",
                )


def _refuse(
    context: Context, problems: Problems, shown: Shown, words: re.Pattern[str], why: str
) -> None:
    for locale, text in shown.texts.items():
        plain = _plain(context, shown, locale, text)
        if shown.first_line_only:
            plain = (plain.strip().splitlines() or [""])[0]
        found = words.search(plain)
        if found:
            problems.error(
                shown.source,
                shown.source.text_line((*shown.path, locale)),
                f"'{found.group()}' in {shown.what} {why} to anyone glancing at the phone: "
                "choose neutral words",
            )


def _plain(context: Context, shown: Shown, locale: str, text: str) -> str:
    try:
        rendered = context.renderer.render(
            text, locale, "", html=shown.html, extra={"volunteers": "none", **(shown.sample or {})}
        )
    except (RenderError, jinja2.TemplateError):
        return ""  # reported where the text itself is checked
    return to_plain(rendered) if shown.html else rendered


def _seen_at_a_glance(
    context: Context, flows: Mapping[str, model.Flow], checkins: model.Checkins | None
) -> Iterator[Shown]:
    settings = context.source(SETTINGS_FILE)
    profile = context.settings.profile
    if profile is not None:
        for name in ("name", "short_description", "description"):
            texts = getattr(profile, name)
            yield Shown(settings, ("profile", name), texts, f"the bot's {name}", html=False)
    system = context.system
    if system is None:
        return
    source = context.source(SYSTEM_FILE)
    for name, command in system.commands:
        path = ("commands", name, "description")
        yield Shown(source, path, command.description, "the command menu", html=False)
    for name in ("back", "menu"):
        yield Shown(source, ("labels", name), getattr(system.labels, name), "a button", html=False)
    for name in SENT_UNASKED:
        texts = getattr(system.handoff, name, None) if system.handoff else None
        if texts is not None:
            sample = schema.HANDOFF_NAMES.get(name)
            what = "the first line of a message sent unasked"
            yield Shown(source, ("handoff", name), texts, what, first_line_only=True, sample=sample)
    for at in _first_screens(context, flows):
        yield from _step_texts(context, flows[at.flow].steps[at.step], "a first screen")
    message = checkins.message if checkins is not None else None
    if message is not None and message.flow in flows and message.step in flows[message.flow].steps:
        step = flows[message.flow].steps[message.step]
        for shown in _step_texts(context, step, "the first line of a check-in"):
            yield replace(shown, first_line_only=shown.html)


def _first_screens(context: Context, flows: Mapping[str, model.Flow]) -> list[model.Position]:
    """The welcome flow whole, the menu, and the language picker: what a new person sees first."""
    found = []
    welcome = context.settings.welcome
    if welcome is not None and welcome in flows:
        found += [step.at for step in flows[welcome].steps.values()]
    menu = flows.get(model.MENU_FLOW)
    if menu is not None and menu.start in menu.steps:
        found.append(model.Position(model.MENU_FLOW, menu.start))
    system = context.system
    link = system.commands.language.link if system is not None else None
    if link is not None and link in flows and flows[link].start in flows[link].steps:
        found.append(model.Position(link, flows[link].start))
    return found


def _left_after_clearing(context: Context, flows: Mapping[str, model.Flow]) -> Iterator[Shown]:
    """The screens a clearing button leads to: the one line left in an emptied chat."""
    for flow in flows.values():
        for step in flow.steps.values():
            for choice in step.choices:
                action, to = choice.target.action, choice.target.to
                if action is None or action.kind not in CLEARING or to is None:
                    continue
                after = flows.get(to.flow)
                if after is not None and to.step in after.steps:
                    yield from _step_texts(
                        context, after.steps[to.step], "the line left after clearing"
                    )


def _step_texts(context: Context, step: model.Step, what: str) -> Iterator[Shown]:
    flow = context.read.flows.get(step.at.flow)
    if flow is None:
        return
    _spec, source = flow
    path: Path_ = ("steps", step.at.step)
    yield Shown(source, (*path, "text"), step.text, what)
    for index, spec in enumerate(_spec.steps[step.at.step].choices):
        if not isinstance(spec, str) and spec.label is not None:
            yield Shown(source, (*path, "choices", index, "label"), spec.label, what, html=False)

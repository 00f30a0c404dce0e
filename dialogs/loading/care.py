"""Rules for how the conversations treat a person on a phone, beyond one text at a time.

- The menu offers, in one press, a person and the privacy controls: the two things someone
  frightened looks for first.
- Nothing real-looking is written into the words (a phone number, a link, an @name): those
  live once in settings.yaml's values, where the initiative fills and checks them.
- A run of screens that only say "Next" loses a tired reader: more than a few is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from dialogs import model
from dialogs.loading.context import Context
from dialogs.loading.files import SYSTEM_FILE
from dialogs.loading.nearness import asks_for_a_person
from dialogs.loading.problems import Problems
from dialogs.schema.base import Strict
from dialogs.yamlsrc import Path_, Source

REAL_LOOKING = re.compile(
    r"https?://|www\.|t\.me/|(?<![\w.])@[A-Za-z]\w{2,}|\+?\d(?:[ ()-]*\d){6,}",
)
"""A link, a Telegram @name, or a phone-like run of at least seven digits ("5-4-3-2-1" is not)."""

MAX_NEXT_IN_A_ROW = 6
"""Screens in a row with a single way on; the 5-4-3-2-1 exercise needs six."""

PRIVACY_ACTIONS = frozenset(
    {model.ActionKind.CLEAR_CHAT, model.ActionKind.FORGET_ME, model.ActionKind.CLEAR_AND_FORGET}
)


def check_care(context: Context, problems: Problems, flows: Mapping[str, model.Flow]) -> None:
    _check_the_menu_offers(context, problems, flows)
    _check_nothing_real_looking(context, problems)
    _check_runs_of_next(context, problems, flows)


def _check_the_menu_offers(
    context: Context, problems: Problems, flows: Mapping[str, model.Flow]
) -> None:
    menu_flow = flows.get(model.MENU_FLOW)
    if menu_flow is None or menu_flow.start not in menu_flow.steps:
        return  # reported already
    menu = menu_flow.steps[menu_flow.start]
    opens = [_step(flows, c.target.to) for c in menu.choices if c.target.to is not None]
    _spec, source = context.read.flows[model.MENU_FLOW]
    line = source.line(("steps", menu_flow.start))
    if not asks_for_a_person(menu) and not any(s and asks_for_a_person(s) for s in opens):
        problems.error(
            source,
            line,
            "the menu must offer a person in one press: a choice with `action: ask_person`, or "
            "one that opens the screen that asks for one",
        )
    if not any(s and _leads_to_privacy(flows, s) for s in [menu, *opens]):
        problems.error(
            source,
            line,
            "the menu must open the privacy controls (clearing the chat, erasing the data) in "
            "one press",
        )


def _step(flows: Mapping[str, model.Flow], at: model.Position | None) -> model.Step | None:
    flow = flows.get(at.flow) if at is not None else None
    return flow.steps.get(at.step) if flow is not None and at is not None else None


def _leads_to_privacy(flows: Mapping[str, model.Flow], screen: model.Step) -> bool:
    """The screen, or one a press away in the same flow, clears the chat or erases the data."""
    nearby = [screen, *(_step(flows, c.target.to) for c in screen.choices)]
    return any(
        c.target.action is not None and c.target.action.kind in PRIVACY_ACTIONS
        for s in nearby
        if s is not None
        for c in s.choices
    )


def _check_nothing_real_looking(context: Context, problems: Problems) -> None:
    for source, path, text in _written_words(context):
        found = REAL_LOOKING.search(text)
        if found:
            problems.error(
                source,
                source.text_line(path, text[: found.start()].count("\n") + 1),
                f"'{found.group()}' looks like a real number, link or account: put it in "
                "settings.yaml under `values:` and write its {{ name }} here",
            )


def _written_words(context: Context) -> Iterator[tuple[Source, Path_, str]]:
    """Every text of the flows and of system.yaml, with where it is written."""
    for _flow_id, (flow, source) in context.flows():
        for step_id, step in flow.steps.items():
            for locale, text in step.text.items():
                yield source, ("steps", step_id, "text", locale), text
            for index, choice in enumerate(step.choices):
                if not isinstance(choice, str) and choice.label is not None:
                    for locale, label in choice.label.items():
                        yield source, ("steps", step_id, "choices", index, "label", locale), label
    system = context.system
    if system is None:
        return
    source = context.source(SYSTEM_FILE)
    groups: list[tuple[str, Strict]] = [("messages", system.messages), ("labels", system.labels)]
    if system.handoff is not None:
        groups.append(("handoff", system.handoff))
    for group, texts in groups:
        for name, value in texts:
            for locale, text in (value or {}).items():
                yield source, (group, name, locale), text


def _check_runs_of_next(
    context: Context, problems: Problems, flows: Mapping[str, model.Flow]
) -> None:
    for flow_id, (_spec, source) in context.flows():
        flow = flows[flow_id]
        for step_id, step in flow.steps.items():
            if _only_way_on(flow, step) is None or _came_from_a_single_way(flow, step_id):
                continue  # count each run once, from its first screen
            run = _run_of_next(flow, step_id)
            if run > MAX_NEXT_IN_A_ROW:
                problems.warn(
                    source,
                    source.line(("steps", step_id)),
                    f"{run} screens in a row from here offer only one way on; more than "
                    f"{MAX_NEXT_IN_A_ROW} lose a tired reader: give a choice or shorten",
                )


def _only_way_on(flow: model.Flow, step: model.Step) -> str | None:
    """The one step of the same flow this screen leads on to, if it leads to exactly one."""
    on = {c.target.to.step for c in step.choices if c.target.to and c.target.to.flow == flow.id}
    asks = any(c.target.action is not None for c in step.choices)
    return next(iter(on)) if len(on) == 1 and not asks else None


def _came_from_a_single_way(flow: model.Flow, step_id: str) -> bool:
    return any(_only_way_on(flow, s) == step_id for s in flow.steps.values())


def _run_of_next(flow: model.Flow, step_id: str) -> int:
    run, seen = 0, set()
    at: str | None = step_id
    while at is not None and at not in seen and at in flow.steps:
        seen.add(at)
        run += 1
        at = _only_way_on(flow, flow.steps[at])
    return run

"""A person is never far: from every step, at most two presses lead to a screen that asks a
volunteer to write. Someone who needs a human must not hunt through menus for one."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs import model
from dialogs.loading.context import Context
from dialogs.loading.problems import Problems

MAX_PRESSES = 2


def asks_for_a_person(step: model.Step) -> bool:
    """This screen has a button that asks a volunteer to write (`action: ask_person`)."""
    return any(
        c.target.action is not None and c.target.action.kind is model.ActionKind.ASK_PERSON
        for c in step.choices
    )


def next_screens(
    flows: Mapping[str, model.Flow], step: model.Step, menu: model.Position
) -> list[model.Position]:
    """Where one press of a button leads (Back is left out: where it leads depends)."""
    found = []
    for choice in step.choices:
        if choice.target.nav is model.Nav.MENU:
            found.append(menu)
        elif choice.target.to is not None:
            found.append(choice.target.to)
    return [at for at in found if at.flow in flows and at.step in flows[at.flow].steps]


def presses_to_a_person(
    flows: Mapping[str, model.Flow], at: model.Position, menu: model.Position
) -> int | None:
    """How many presses from `at` to a screen that asks for a person (None: none within reach)."""
    frontier, seen = [at], {at}
    for presses in range(MAX_PRESSES + 1):
        if any(asks_for_a_person(flows[p.flow].steps[p.step]) for p in frontier):
            return presses
        following = []
        for p in frontier:
            for nxt in next_screens(flows, flows[p.flow].steps[p.step], menu):
                if nxt not in seen:
                    seen.add(nxt)
                    following.append(nxt)
        frontier = following
    return None


def check_a_person_is_near(
    context: Context, problems: Problems, flows: Mapping[str, model.Flow]
) -> None:
    menu_flow = flows.get(model.MENU_FLOW)
    if menu_flow is None or menu_flow.start not in menu_flow.steps:
        return  # the missing menu is reported already; every step would be far without it
    menu = model.Position(model.MENU_FLOW, menu_flow.start)
    for flow_id, (_flow, source) in context.flows():
        for step_id in flows[flow_id].steps:
            at = model.Position(flow_id, step_id)
            if presses_to_a_person(flows, at, menu) is None:
                problems.error(
                    source,
                    source.line(("steps", step_id)),
                    f"a person is more than {MAX_PRESSES} presses away from this step: add a "
                    "choice that asks for one (or opens the flow that does), or `- menu`",
                )

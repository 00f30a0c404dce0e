"""Can every step be seen, and does every step after an urgent request tell the truth? A walk
over the compiled flows (pure), then the problems at the steps' lines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dialogs import model
from dialogs.loading.context import Context
from dialogs.loading.problems import Problems


def reachable(
    flows: Mapping[str, model.Flow], entries: Iterable[model.Position]
) -> set[model.Position]:
    """Every step some entry leads to, pressing buttons and writing where writing is asked."""
    seen: set[model.Position] = set()
    todo = [e for e in entries if e.flow in flows and e.step in flows[e.flow].steps]
    while todo:
        at = todo.pop()
        if at in seen:
            continue
        seen.add(at)
        step = flows[at.flow].steps[at.step]
        targets = [c.target for c in step.choices]
        if step.input is not None:
            targets.append(step.input)
        todo += [t.to for t in targets if t.to is not None]
    return seen


def targets_of(flows: Mapping[str, model.Flow]) -> list[model.Target]:
    found: list[model.Target] = []
    for flow in flows.values():
        for current in flow.steps.values():
            found += [c.target for c in current.choices]
            found += [current.input] if current.input else []
    return found


def after_urgent_requests(targets: Iterable[model.Target]) -> set[model.Position]:
    """The steps shown right after asking urgently for a person."""
    return {
        t.to
        for t in targets
        if t.to is not None
        and t.action is not None
        and t.action.kind is model.ActionKind.ASK_PERSON
        and t.action.urgent
    }


def check_reachable(
    context: Context,
    problems: Problems,
    flows: Mapping[str, model.Flow],
    entries: Iterable[model.Position],
) -> None:
    """Every step can be seen: from a link, a trigger, the welcome or the urgent way."""
    seen = reachable(flows, entries)
    for flow_id, (_flow, source) in context.flows():
        for step_id in flows[flow_id].steps:
            if model.Position(flow_id, step_id) not in seen:
                problems.error(
                    source,
                    source.line(("steps", step_id)),
                    f"no choice leads to step '{step_id}': a person can never see it",
                )


def check_honest_asks(
    context: Context,
    problems: Problems,
    flows: Mapping[str, model.Flow],
    entries: Iterable[model.Target],
) -> None:
    """A step shown right after asking urgently for a person must say what is true when nobody
    can answer now: it reads {{ volunteers }} (here, away or none) in every language, so that
    the crisis lines come first when no volunteer can come."""
    for at in sorted(after_urgent_requests([*entries, *targets_of(flows)])):
        step = flows[at.flow].steps.get(at.step) if at.flow in flows else None
        if step is None or all("volunteers" in text for text in step.text.values()):
            continue
        source = context.read.flows[at.flow][1]
        problems.warn(
            source,
            source.line(("steps", at.step, "text")),
            "this step is shown right after an urgent request: say what happens when no "
            'volunteer can answer now, with {% if volunteers == "here" %}...{% endif %} '
            "(here, away or none; see content/README.md, Crisis, honestly)",
        )

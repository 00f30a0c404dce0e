"""Where a choice, an input or a trigger leads, and what it asks the bot to do on the way."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogs import model, schema
from dialogs.loading.context import Context, suggest
from dialogs.loading.problems import Problems
from dialogs.yamlsrc import Path_, Source


def is_zone(name: str) -> bool:
    """A time zone Python knows by this name (from the tzdata package)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class Targets:
    def __init__(self, context: Context, problems: Problems) -> None:
        self.context = context
        self.problems = problems

    def target(
        self, source: Source, path: Path_, flow_id: str | None, spec: schema.Target
    ) -> model.Target:
        action = None
        if spec.action is not None:
            action = model.Action(
                kind=model.ActionKind(spec.action),
                topic=spec.topic,
                urgent=spec.urgent,
                locale=spec.locale,
                minutes=(
                    schema.AUTO_CLEAR_MINUTES[spec.after]
                    if spec.after and spec.action == "auto_clear"
                    else None
                ),
                reason=spec.reason,
                checkin=self._checkin(source, path, spec) if spec.action == "checkin" else None,
            )
            self._check_action(source, path, action)
        answer = spec.answer
        if spec.back:
            return model.Target(model.Nav.BACK, action=action, answer=answer)
        if spec.menu:
            return model.Target(model.Nav.MENU, action=action, answer=answer)
        to = None
        if spec.flow is not None:
            to = self.resolve_flow(source, (*path, "flow"), spec.flow)
        elif spec.goto is not None:
            to = self.resolve_goto(source, (*path, "goto"), flow_id, spec.goto)
        if to is None:  # no way on, or one that was reported as unresolved: stay put
            return model.Target(model.Nav.STAY, action=action, answer=answer)
        return model.Target(model.Nav.GOTO, to=to, action=action, answer=answer)

    def _checkin(self, source: Source, path: Path_, spec: schema.Target) -> model.CheckinChange:
        if spec.zone is not None and not is_zone(spec.zone):
            self.problems.error(
                source,
                source.line((*path, "zone")),
                f"unknown time zone '{spec.zone}': use a name such as Europe/Minsk or "
                "Europe/Warsaw",
            )
        return model.CheckinChange(
            days=schema.CHECKIN_DAYS[spec.after] if spec.after else None,
            weekday=schema.WEEKDAYS.index(spec.every) if spec.every else None,
            part=spec.at,
            zone=spec.zone if spec.zone is not None and is_zone(spec.zone) else None,
            stop=spec.stop,
        )

    def _check_action(self, source: Source, path: Path_, action: model.Action) -> None:
        if action.topic is not None and action.topic not in self.context.settings.topics:
            self.problems.error(
                source,
                source.line((*path, "topic")),
                f"unknown topic '{action.topic}' (topics in settings.yaml: "
                f"{', '.join(self.context.settings.topics) or 'none'})",
            )
        if action.reason is not None:
            self.check_reason(source, (*path, "reason"), action.reason)
        if action.locale is not None and action.locale not in self.context.languages:
            self.problems.error(
                source,
                source.line((*path, "locale")),
                f"unknown language '{action.locale}' (the languages are "
                f"{', '.join(self.context.languages)})",
            )

    def resolve_flow(self, source: Source, path: Path_, flow_id: str) -> model.Position | None:
        if flow_id in self.context.read.flows:
            return model.Position(flow_id, self.context.read.flows[flow_id][0].start)
        if flow_id not in self.context.read.broken_flows:
            self.problems.error(
                source,
                source.line(path),
                f"there is no flow '{flow_id}'{suggest(flow_id, self.context.read.flows)}",
            )
        return None

    def resolve_goto(
        self, source: Source, path: Path_, flow_id: str | None, goto: str
    ) -> model.Position | None:
        if "." in goto:
            target_flow, _, step_id = goto.partition(".")
        elif flow_id is None:
            self.problems.error(
                source,
                source.line(path),
                f"here goto needs the flow too: `goto: flow_name.{goto}`, or use `flow:`",
            )
            return None
        else:
            target_flow, step_id = flow_id, goto
        if target_flow not in self.context.read.flows:
            if target_flow not in self.context.read.broken_flows:
                self.problems.error(
                    source,
                    source.line(path),
                    f"there is no flow '{target_flow}'"
                    + suggest(target_flow, self.context.read.flows),
                )
            return None
        steps = self.context.read.flows[target_flow][0].steps
        if step_id not in steps:
            self.problems.error(
                source,
                source.line(path),
                f"flow '{target_flow}' has no step '{step_id}'{suggest(step_id, steps)}",
            )
            return None
        return model.Position(target_flow, step_id)

    def check_reason(self, source: Source, path: Path_, reason: str) -> None:
        if reason not in self.context.settings.reasons:
            self.problems.error(
                source,
                source.line(path),
                f"unknown reason '{reason}' (reasons in settings.yaml: "
                f"{', '.join(self.context.settings.reasons) or 'none'})",
            )

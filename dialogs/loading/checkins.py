"""Check-ins (settings.yaml `checkins:`): the step that is sent, the offer, the time zones.

A check-in arrives on a lock screen and may be answered weeks later: its step must offer a
way to stop them, and only its buttons count answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from dialogs import model
from dialogs.loading.context import Context
from dialogs.loading.files import SETTINGS_FILE
from dialogs.loading.problems import Problems
from dialogs.loading.targets import Targets, is_zone
from dialogs.yamlsrc import Path_, Source


class CheckinsChecker:
    def __init__(self, context: Context, problems: Problems, targets: Targets) -> None:
        self.context = context
        self.problems = problems
        self.targets = targets

    def compile(self) -> model.Checkins | None:
        spec = self.context.settings.checkins
        source = self.context.source(SETTINGS_FILE)
        if spec is None:
            for flow_source, path in self._checkin_actions():
                self.problems.error(
                    flow_source,
                    flow_source.line(path),
                    "check-ins need a `checkins:` block in settings.yaml (message, offer, "
                    "default_zone)",
                )
            return None
        message = self.targets.resolve_goto(source, ("checkins", "message"), None, spec.message)
        offer = self.targets.resolve_goto(source, ("checkins", "offer"), None, spec.offer)
        for locale, zone in spec.default_zone.items():
            line = source.line(("checkins", "default_zone", locale))
            if locale not in self.context.languages:
                self.problems.error(source, line, f"unknown language '{locale}'")
            if not is_zone(zone):
                self.problems.error(
                    source, line, f"unknown time zone '{zone}': use a name such as Europe/Minsk"
                )
        if message is None or offer is None:
            return None
        zones = {k: v for k, v in spec.default_zone.items() if is_zone(v)}
        return model.Checkins(message=message, offer=offer, default_zone=zones)

    def check_flows(self, flows: Mapping[str, model.Flow], checkins: model.Checkins) -> None:
        """The check-in's step offers a stop; `answer:` is only on its buttons."""
        message = checkins.message  # resolved: its flow was read and compiled
        step = flows[message.flow].steps[message.step]
        _spec, source = self.context.read.flows[message.flow]
        stops = any(
            c.target.action is not None
            and c.target.action.checkin is not None
            and c.target.action.checkin.stop
            for c in step.choices
        )
        if not stops:
            self.problems.error(
                source,
                source.line(("steps", message.step)),
                "a check-in must offer a way to stop them: add a choice with `action: checkin` "
                "and `stop: true`",
            )
        for flow_id, (flow, flow_source) in self.context.flows():
            for step_id, step_spec in flow.steps.items():
                if model.Position(flow_id, step_id) == checkins.message:
                    continue
                for index, choice in enumerate(step_spec.choices):
                    if not isinstance(choice, str) and choice.answer is not None:
                        self.problems.error(
                            flow_source,
                            flow_source.line(("steps", step_id, "choices", index, "answer")),
                            "`answer:` counts the answers to a check-in: it goes only on the "
                            f"buttons of the check-in's step ({checkins.message.flow}."
                            f"{checkins.message.step})",
                        )

    def _checkin_actions(self) -> Iterator[tuple[Source, Path_]]:
        for _flow_id, (flow, source) in self.context.flows():
            for step_id, step in flow.steps.items():
                for index, choice in enumerate(step.choices):
                    if not isinstance(choice, str) and choice.action == "checkin":
                        yield source, ("steps", step_id, "choices", index, "action")

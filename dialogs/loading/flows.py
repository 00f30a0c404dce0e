"""The flows: each step's text and buttons, where they lead, a way back from every step, and
the links that open them."""

from __future__ import annotations

import re
from collections.abc import Mapping

from dialogs import model, schema
from dialogs.loading.context import Context, suggest
from dialogs.loading.problems import Problems
from dialogs.loading.targets import Targets
from dialogs.loading.texts import TextChecker
from dialogs.yamlsrc import Path_, Source

MAX_CALLBACK_DATA = 64
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class FlowCompiler:
    def __init__(
        self, context: Context, problems: Problems, texts: TextChecker, targets: Targets
    ) -> None:
        self.context = context
        self.problems = problems
        self.texts = texts
        self.targets = targets

    def compile(self, flow_id: str, flow: schema.Flow, source: Source) -> model.Flow:
        if flow.start not in flow.steps:
            self.problems.error(
                source,
                source.line(("start",)),
                f"the start step '{flow.start}' is not among the steps"
                + suggest(flow.start, flow.steps),
            )
        steps: dict[str, model.Step] = {}
        for step_id, step in flow.steps.items():
            path: Path_ = ("steps", step_id)
            at = model.Position(flow_id, step_id)
            self.texts.check(source, (*path, "text"), step.text, html=True)
            choices = []
            for index, spec in enumerate(step.choices):
                choices.append(self._compile_choice(source, (*path, "choices", index), at, spec))
                data = model.choice_data(at, index)
                if len(data.encode()) > MAX_CALLBACK_DATA:
                    self.problems.error(
                        source,
                        source.line((*path, "choices", index)),
                        f"this button's data '{data}' is {len(data.encode())} bytes; Telegram "
                        f"takes at most {MAX_CALLBACK_DATA}: shorten the flow or step name",
                    )
            target = None
            if step.input is not None:
                target = self.targets.target(source, (*path, "input"), flow_id, step.input)
            compiled = model.Step(at=at, text=step.text, choices=tuple(choices), input=target)
            self._check_way_on(source, path, compiled, flow)
            steps[step_id] = compiled
        return model.Flow(id=flow_id, start=flow.start, steps=steps)

    def _compile_choice(
        self, source: Source, path: Path_, at: model.Position, spec: schema.Choice | str
    ) -> model.Choice:
        if isinstance(spec, str):
            spec = schema.Choice(back=spec == "back", menu=spec == "menu")
        target = self.targets.target(source, path, at.flow, spec)
        if spec.label is not None:
            self.texts.check(source, (*path, "label"), spec.label, html=False)
            label: Mapping[str, str] = spec.label
        elif self.context.system is not None:
            labels = self.context.system.labels
            label = labels.back if spec.back else labels.menu
        else:
            label = {}  # system.yaml is broken and reported; this content is never used
        return model.Choice(label=label, target=target)

    def _check_way_on(
        self, source: Source, path: Path_, step: model.Step, flow: schema.Flow
    ) -> None:
        if not step.choices and step.input is None:
            self.problems.error(
                source,
                source.line(path),
                "a person would be stuck here: add choices (at least `- back` or `- menu`)",
            )
            return
        is_menu = step.at.flow == model.MENU_FLOW and step.at.step == flow.start
        way_back = any(
            c.target.nav in (model.Nav.BACK, model.Nav.MENU)
            or (c.target.to is not None and c.target.to.flow == model.MENU_FLOW)
            for c in step.choices
        )
        if not is_menu and not way_back:
            self.problems.error(
                source,
                source.line(path),
                "no way back from this step: add a choice `- back` or `- menu`",
            )

    def links(self) -> dict[str, model.Position]:
        """Deep-link payloads: every flow by its name (or `link`), and steps that have a `link`."""
        entries: list[tuple[str, Source, Path_, model.Position]] = []
        for flow_id, (flow, source) in self.context.flows():
            if flow.linkable:
                start = model.Position(flow_id, flow.start)
                entries.append((flow.link or flow_id, source, ("link",), start))
        for flow_id, (flow, source) in self.context.flows():
            entries += [
                (step.link, source, ("steps", sid, "link"), model.Position(flow_id, sid))
                for sid, step in flow.steps.items()
                if step.link is not None
            ]
        links: dict[str, model.Position] = {}
        first_seen: dict[str, str] = {}
        for payload, source, path, at in entries:
            line = source.line(path)
            if not PAYLOAD.match(payload):
                self.problems.error(
                    source,
                    line,
                    f"the link '{payload}' cannot be a Telegram start link: use 1 to 64 of "
                    "A-Z a-z 0-9 _ -",
                )
            elif payload in links:
                self.problems.error(
                    source, line, f"the link '{payload}' is used twice (also {first_seen[payload]})"
                )
            else:
                links[payload] = at
                first_seen[payload] = f"{source.file}:{line}"
        return links

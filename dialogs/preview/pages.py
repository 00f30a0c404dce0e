"""What the preview shows, as plain data for its templates: every step in every language as the
person would see it, where its buttons lead, what leads to it, and check's problems at it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from dialogs.engine import render_step
from dialogs.errors import Problem, RenderError
from dialogs.graph import describe_action, entries, unreachable
from dialogs.model import Content, Nav, Position, Step, Target
from dialogs.preview.bubble import browser_html
from dialogs.yamlsrc import Source, YamlSyntaxError, read


def page_of(flow: str) -> str:
    return f"flow-{flow}.html"


def href(at: Position) -> str:
    return f"{page_of(at.flow)}#{at.step}"


@dataclass(frozen=True)
class Way:
    """A button, typed words or an entry: its words, where it leads (None: nowhere fixed)."""

    words: str
    href: str | None = None
    note: str = ""
    nav: str = ""


@dataclass(frozen=True)
class Bubble:
    locale: str
    html: Markup
    buttons: tuple[Way, ...] = ()
    typing: Way | None = None
    shown_locale: str = ""
    """The language the text is shown in: not `locale` when it has no translation yet."""
    error: str = ""


@dataclass(frozen=True)
class StepView:
    at: Position
    start: bool
    bubbles: tuple[Bubble, ...]
    ways_in: tuple[Way, ...]
    problems: tuple[Problem, ...] = ()
    unreachable: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")


@dataclass(frozen=True)
class FlowView:
    id: str
    page: str
    steps: tuple[StepView, ...]
    entries: tuple[Way, ...]
    problems: tuple[Problem, ...] = ()


@dataclass
class Placed:
    """check's problems where an editor looks for them: at a step, a flow, or elsewhere."""

    at_step: dict[Position, list[Problem]] = field(default_factory=dict)
    at_flow: dict[str, list[Problem]] = field(default_factory=dict)
    elsewhere: list[Problem] = field(default_factory=list)


def place_problems(problems: Iterable[Problem], directory: Path, flows: Iterable[str]) -> Placed:
    """A problem in flows/<flow>.yaml belongs to the step whose lines it falls in."""
    placed = Placed()
    flows_dir = directory / "flows"
    starts: dict[str, list[tuple[int, str]]] = {}
    known = set(flows)
    for problem in problems:
        path = Path(problem.file)
        if path.parent != flows_dir or path.stem not in known:
            placed.elsewhere.append(problem)
            continue
        if path.stem not in starts:
            starts[path.stem] = _step_lines(path)
        owner = [step for line, step in starts[path.stem] if line <= problem.line]
        if owner:
            placed.at_step.setdefault(Position(path.stem, owner[-1]), []).append(problem)
        else:
            placed.at_flow.setdefault(path.stem, []).append(problem)
    return placed


def _step_lines(path: Path) -> list[tuple[int, str]]:
    try:
        source: Source = read(path, str(path))
    except (OSError, YamlSyntaxError):
        return []
    found = [
        (line, str(key[1]))
        for key, line in source.lines.items()
        if len(key) == 2 and key[0] == "steps"
    ]
    return sorted(found)


class Pages:
    def __init__(self, content: Content, placed: Placed, *, first_name: str) -> None:
        self.content = content
        self.placed = placed
        self.first_name = first_name
        self.lost = unreachable(content)
        self.ways_in = self._ways_in()

    def flows(self) -> list[FlowView]:
        return [self.flow(flow_id) for flow_id in self.content.flows]

    def flow(self, flow_id: str) -> FlowView:
        flow = self.content.flows[flow_id]
        return FlowView(
            id=flow_id,
            page=page_of(flow_id),
            steps=tuple(self.step(step) for step in flow.steps.values()),
            entries=tuple(
                Way(e.name, href(e.to), nav=e.kind)
                for e in entries(self.content)
                if e.to.flow == flow_id
            ),
            problems=tuple(self.placed.at_flow.get(flow_id, ())),
        )

    def step(self, step: Step) -> StepView:
        at = step.at
        return StepView(
            at=at,
            start=self.content.flows[at.flow].start == at.step,
            bubbles=tuple(self.bubble(step, locale) for locale in self.content.languages),
            ways_in=tuple(self.ways_in.get(at, ())),
            problems=tuple(self.placed.at_step.get(at, ())),
            unreachable=at in self.lost,
        )

    def bubble(self, step: Step, locale: str) -> Bubble:
        shown = self.content.renderer.pick_locale(step.text, locale)
        try:
            reply = render_step(self.content, step, locale, self.first_name)
        except RenderError as exc:
            return Bubble(locale, Markup(), shown_locale=shown, error=str(exc))
        buttons = tuple(
            self.way(step, choice.target, button.label)
            for choice, button in zip(step.choices, reply.buttons, strict=True)
        )
        typing = self.way(step, step.input, "") if step.input is not None else None
        return Bubble(locale, browser_html(reply.text), buttons, typing, shown_locale=shown)

    def way(self, step: Step, target: Target, words: str) -> Way:
        note = describe_action(target.action) if target.action is not None else ""
        to = {Nav.STAY: step.at, Nav.MENU: self.content.menu, Nav.BACK: None}.get(
            target.nav, target.to
        )
        return Way(words, href(to) if to is not None else None, note, target.nav.value)

    def _ways_in(self) -> Mapping[Position, list[Way]]:
        found: dict[Position, list[Way]] = {}
        locale = self.content.default_locale
        for flow in self.content.flows.values():
            for step in flow.steps.values():
                for choice in step.choices:
                    if choice.target.to is not None and choice.target.nav is Nav.GOTO:
                        words = self.content.renderer.pick(choice.label, locale)
                        way = Way(f"{step.at.flow}.{step.at.step}: {words}", href(step.at))
                        found.setdefault(choice.target.to, []).append(way)
                if step.input is not None and step.input.to is not None:
                    way = Way(f"{step.at.flow}.{step.at.step}: typed words", href(step.at))
                    found.setdefault(step.input.to, []).append(way)
        for entry in entries(self.content):
            found.setdefault(entry.to, []).append(Way(entry.name, nav=entry.kind))
        return found

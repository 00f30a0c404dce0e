"""The flows as a Mermaid flowchart, for editors to see the whole conversation at once.

Steps are nodes (grouped by flow), buttons are labelled arrows (but "back" and "menu", which
nearly every step has), typed words dashed arrows, and the ways in (start links, triggers, the
welcome, the urgent button) are round entry nodes. Steps no way in reaches are drawn in red.
The text is valid Mermaid for GitHub's and GitLab's ```mermaid blocks: node ids are plain
letters, digits and _, and every label is escaped. GitHub draws at most 500 arrows and 50,000
characters: for large content, draw one flow at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dialogs.errors import RenderError
from dialogs.loading.reachability import reachable
from dialogs.model import Action, ActionKind, Content, Nav, Position, Step, Target, Texts
from dialogs.telegram_html import to_plain

EXCERPT = 48
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_]")
# Characters that end or change a Mermaid label, and what Mermaid decodes back (#code;).
_LABEL_ESCAPES = {c: f"#{ord(c)};" for c in '#"<>&[](){}|`;'}
_CLASSES = (
    "classDef unreachable fill:#fde2e2,stroke:#c0392b,stroke-width:2px,stroke-dasharray:5 5",
    "classDef entry fill:#e3f2fd,stroke:#1e6fb8",
    "classDef elsewhere fill:#f4f4f4,stroke:#999,color:#555",
)


def label(text: str) -> str:
    """Text made safe inside a quoted Mermaid label: no quote, bracket or HTML survives."""
    flat = " ".join(text.split())
    return "".join(_LABEL_ESCAPES.get(c, c) for c in flat)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def describe_action(action: Action) -> str:
    """`ask_person: feelings, urgent`: what a button asks the bot to do, for editors."""
    details = [v for v in (action.topic, action.locale, action.reason) if v is not None]
    if action.urgent:
        details.append("urgent")
    if action.kind is ActionKind.AUTO_CLEAR:
        details.append(f"{action.minutes} min" if action.minutes else "off")
    return action.kind.value + (": " + ", ".join(details) if details else "")


class NodeIds:
    """Readable, unique Mermaid ids: a letter prefix, then only [A-Za-z0-9_]."""

    def __init__(self) -> None:
        self._given: dict[tuple[str, ...], str] = {}
        self._used: set[str] = set()

    def of(self, *key: str) -> str:
        found = self._given.get(key)
        if found is None:
            base = "n_" + "__".join(_UNSAFE_ID.sub("_", part) for part in key)
            found, n = base, 1
            while found in self._used:
                n += 1
                found = f"{base}_{n}"
            self._given[key] = found
            self._used.add(found)
        return found


@dataclass(frozen=True)
class Entry:
    """A way into the conversation that is not a button: a link, a trigger, the welcome."""

    kind: str
    key: str
    name: str
    to: Position


def entries(content: Content) -> list[Entry]:
    found = [
        Entry("link", payload, f"/start {payload}", at) for payload, at in content.links.items()
    ]
    found += [
        Entry("trigger", t.name, f"trigger: {t.name}", t.target.to)
        for t in content.triggers
        if t.target.to is not None
    ]
    if content.welcome is not None:
        found.append(Entry("welcome", "", "welcome (first /start)", content.welcome))
    if content.urgent is not None and content.urgent.target.to is not None:
        found.append(Entry("urgent", "", "urgent help button", content.urgent.target.to))
    if content.checkins is not None:
        found.append(Entry("checkin", "", "a check-in, sent when due", content.checkins.message))
    return found


def unreachable(content: Content) -> set[Position]:
    """Steps no link, trigger, welcome or button leads to: a person can never see them."""
    seen = reachable(content.flows, [e.to for e in entries(content)])
    return {Position(fid, sid) for fid, flow in content.flows.items() for sid in flow.steps} - seen


class _Chart:
    def __init__(self, content: Content, locale: str) -> None:
        self.content = content
        self.locale = locale
        self.ids = NodeIds()
        self.lines: list[str] = ["flowchart LR"]

    def node(self, at: Position) -> str:
        return self.ids.of(at.flow, at.step)

    def text_of(self, step: Step) -> str:
        try:
            return to_plain(self.content.renderer.text(step.text, self.locale))
        except RenderError:
            return self.content.renderer.pick(step.text, self.locale)

    def choice_label(self, texts: Texts) -> str:
        try:
            return self.content.renderer.label(texts, self.locale)
        except RenderError:
            return self.content.renderer.pick(texts, self.locale)

    def add_flow(self, flow_id: str) -> None:
        flow = self.content.flows[flow_id]
        self.lines.append(f'  subgraph {self.ids.of("flow", flow_id)}["{label(flow_id)}"]')
        for step_id, step in flow.steps.items():
            first = label(step_id + (" (start)" if step_id == flow.start else ""))
            text = label(excerpt(self.text_of(step)))
            self.lines.append(f'    {self.node(step.at)}["{first}<br>{text}"]')
        self.lines.append("  end")

    def add_edges(self, step: Step) -> Iterator[Position]:
        """The arrows leaving a step; yields the steps they reach."""
        for choice in step.choices:
            words = excerpt(self.choice_label(choice.label), 32)
            yield from self._edge(step, choice.target, words, "-->")
        if step.input is not None:
            yield from self._edge(step, step.input, "typed words", "-.->")

    def _edge(self, step: Step, target: Target, words: str, arrow: str) -> Iterator[Position]:
        if target.action is not None:
            words += f" [{describe_action(target.action)}]"
        to = step.at if target.nav is Nav.STAY else target.to
        if to is None or self.content.find(to) is None:
            return  # back and menu, on nearly every step, would hide the paths in their arrows
        self.lines.append(f'  {self.node(step.at)} {arrow}|"{label(words)}"| {self.node(to)}')
        yield to

    def add_entry(self, entry: Entry) -> None:
        node = self.ids.of(entry.kind, entry.key)
        shape = ('{{"', '"}}') if entry.kind == "trigger" else ('(["', '"])')
        self.lines.append(f"  {node}{shape[0]}{label(entry.name)}{shape[1]}:::entry")
        self.lines.append(f"  {node} -.-> {self.node(entry.to)}")


def mermaid(content: Content, flow: str | None = None, *, locale: str | None = None) -> str:
    """The flowchart of every flow, or of one flow and the arrows leaving it.

    Raises KeyError for an unknown flow.
    """
    if flow is not None and flow not in content.flows:
        raise KeyError(flow)
    chart = _Chart(content, content.locale_or_default(locale))
    shown = [flow] if flow is not None else list(content.flows)
    for flow_id in shown:
        chart.add_flow(flow_id)
    reached = {
        to
        for flow_id in shown
        for step in content.flows[flow_id].steps.values()
        for to in chart.add_edges(step)
    }
    for entry in entries(content):
        if entry.to.flow in shown and content.find(entry.to) is not None:
            chart.add_entry(entry)
    outside = sorted(at for at in reached if at.flow not in shown)
    for at in outside:
        chart.lines.append(f'  {chart.node(at)}["{label(f"{at.flow}.{at.step}")}"]:::elsewhere')
    lost = sorted(at for at in unreachable(content) if at.flow in shown)
    chart.lines += [f"  {line}" for line in _CLASSES]
    if lost:
        chart.lines.append(f"  class {','.join(chart.node(at) for at in lost)} unreachable")
    return "\n".join(chart.lines) + "\n"

"""Load a content directory: read the YAML, validate it, and compile it for the engine.

Every problem found on the way becomes a `Problem` with the file and line an editor must open.
Each check gets a frozen view of what was read (context.py) and the problems sink; none calls
back into another. In order: files.py reads, then texts, targets, system, flows, triggers and
reachability check and compile.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dialogs import model, schema
from dialogs.hearing import Hearing
from dialogs.loading.care import check_care
from dialogs.loading.checkins import CheckinsChecker
from dialogs.loading.context import Context
from dialogs.loading.discretion import check_discretion
from dialogs.loading.files import read_content
from dialogs.loading.flows import FlowCompiler
from dialogs.loading.nearness import check_a_person_is_near
from dialogs.loading.problems import LoadResult, Problems
from dialogs.loading.reachability import check_honest_asks, check_reachable
from dialogs.loading.system import SystemChecker
from dialogs.loading.targets import Targets
from dialogs.loading.texts import TextChecker
from dialogs.loading.triggers import TriggerCompiler
from dialogs.render import Renderer

__all__ = ["LoadResult", "load_content"]


def load_content(
    directory: Path | str,
    *,
    default_locale: str = "be",
    provided: Mapping[str, Any] | None = None,
) -> LoadResult:
    """Read and check everything under `directory`; `content` is None when there are errors.

    `provided`: the values of names the bot fills from its settings (`retention_days`).
    """
    problems = Problems()
    read = read_content(Path(directory), default_locale, problems)
    content = None
    if read.settings is not None:
        renderer = Renderer(
            values=read.settings.values,
            languages=list(read.settings.languages),
            default_locale=default_locale,
            provided=provided or {},
            blocks=_blocks(read.system),
        )
        content = _compile(Context(read, read.settings, renderer), problems)
    found = problems.sorted()
    if any(p in LoadResult(None, found).errors for p in found):
        return LoadResult(None, found, draft=content)
    return LoadResult(content, found, draft=content)


def _compile(context: Context, problems: Problems) -> model.Content | None:
    texts = TextChecker(context, problems)
    targets = Targets(context, problems)
    system_checker = SystemChecker(context, problems, texts, targets)
    system_checker.check_values()
    topics = system_checker.texts_of("topics")
    reasons = system_checker.texts_of("reasons")
    profile = system_checker.profile()
    system = system_checker.compile()
    flow_compiler = FlowCompiler(context, problems, texts, targets)
    flows = {fid: flow_compiler.compile(fid, flow, src) for fid, (flow, src) in context.flows()}
    triggers = TriggerCompiler(context, problems, targets).compile()
    links = flow_compiler.links()
    system_checker.check_command_links(links)
    welcome = system_checker.welcome()
    urgent = system_checker.urgent_way()
    checkins_checker = CheckinsChecker(context, problems, targets)
    checkins = checkins_checker.compile()
    if checkins is not None:
        checkins_checker.check_flows(flows, checkins)
    entries = [t.target.to for t, _ in triggers] + [welcome, urgent.target.to if urgent else None]
    if checkins is not None:
        entries += [checkins.message, checkins.offer]
    check_reachable(context, problems, flows, [*links.values(), *(e for e in entries if e)])
    asks = [t.target for t, _ in triggers] + ([urgent.target] if urgent else [])
    check_honest_asks(context, problems, flows, asks)
    check_a_person_is_near(context, problems, flows)
    check_care(context, problems, flows)
    check_discretion(context, problems, flows, checkins)
    if system is None or model.MENU_FLOW not in flows:
        return None
    return model.Content(
        languages=dict(context.settings.languages),
        default_locale=context.read.default_locale,
        flows=flows,
        system=system,
        renderer=context.renderer,
        triggers=tuple(t for t, _ in triggers),
        hearing=Hearing([words for _, words in triggers]),
        links=links,
        commands_to=_commands_to(system, links),
        topics=topics,
        reasons=reasons,
        urgent=urgent,
        welcome=welcome,
        profile=profile,
        checkins=checkins,
    )


def _commands_to(
    system: model.System, links: Mapping[str, model.Position]
) -> dict[str, model.Position]:
    """What each command opens, resolved once here rather than at each command."""
    return {
        name: links[command.link]
        for name, command in system.commands.items()
        if command.link is not None and command.link in links
    }


def _blocks(system: schema.System | None) -> dict[str, Mapping[str, str]]:
    """The system messages other texts may show by name ({{ help_now }})."""
    if system is None or system.messages.help_now is None:
        return {}
    return {"help_now": system.messages.help_now}

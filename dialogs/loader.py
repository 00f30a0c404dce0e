"""Load a content directory: read the YAML, validate it, and compile it for the engine.

Every problem found on the way becomes a `Problem` with the file and line an editor must open.
Loading never stops at the first problem: an editor fixes everything in one pass.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from pydantic import BaseModel, ValidationError

from dialogs import model, normalize, schema
from dialogs.errors import Problem, RenderError, Severity
from dialogs.hearing import Hearing, TriggerWords
from dialogs.phrases import parse
from dialogs.phrases import problem as phrase_problem
from dialogs.render import RESERVED_NAMES, VOLUNTEERS, Renderer
from dialogs.telegram_html import MAX_MESSAGE, inspect
from dialogs.triggers import normalize_pattern, pattern_problem
from dialogs.yamlsrc import Path_, Source, YamlSyntaxError, read

SETTINGS_FILE = "settings.yaml"
SYSTEM_FILE = "system.yaml"
TRIGGERS_FILE = "triggers.yaml"
FLOWS_DIR = "flows"

MAX_CALLBACK_DATA = 64
MAX_LABEL = 40
"""A longer button label is cut off on a phone screen."""
MAX_COMMAND = 256
"""Telegram's limit for a command's description."""
PROFILE_LIMITS = {"name": 64, "short_description": 120, "description": 512}
"""Telegram's limits for the bot's name and descriptions."""
PLAIN_HANDOFF_TEXTS = {
    "end_button": MAX_LABEL,
    "keep_waiting_button": MAX_LABEL,
    "helped_yes": MAX_LABEL,
    "helped_no": MAX_LABEL,
    "helped_thanks": 200,
    "share_yes": MAX_LABEL,
    "share_no": MAX_LABEL,
    "shared": 200,
    "stop_waiting_button": MAX_LABEL,
    "take_button": MAX_LABEL,
    "default_alias": 64,
    "topic_name": 128,
    "topic_taken_name": 128,
    "already_taken": 200,
    "not_a_volunteer": 200,
}
"""Handoff texts Telegram shows as plain text (buttons, topic names, notes), with its limits."""
LONG_MESSAGE = 600
"""Longer than this does not fit a phone screen without scrolling: a warning, not an error."""
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
PLACEHOLDER = "PLACEHOLDER"
SAMPLE_NAMES = ("", "<Anna & Co> " + "W" * 52)
"""Rendered in `check`: no name, and a 64-character name full of HTML's special characters."""

M = TypeVar("M", bound=BaseModel)


@dataclass
class LoadResult:
    content: model.Content | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


def load_content(
    directory: Path | str,
    *,
    default_locale: str = "be",
    provided: Mapping[str, Any] | None = None,
) -> LoadResult:
    """Read and check everything under `directory`; `content` is None when there are errors.

    `provided`: the values of names the bot fills from its settings (`retention_days`).
    """
    loader = _Loader(Path(directory), default_locale, provided or {})
    content = loader.load()
    problems = sorted(set(loader.problems), key=lambda p: (p.file, p.line, p.message))
    has_errors = any(p.severity is Severity.ERROR for p in problems)
    return LoadResult(None if has_errors else content, problems)


class _Loader:
    def __init__(self, directory: Path, default_locale: str, provided: Mapping[str, Any]) -> None:
        self.directory = directory
        self.default_locale = default_locale
        self.provided = provided
        self.problems: list[Problem] = []
        self.sources: dict[str, Source] = {}
        self.flows: dict[str, tuple[schema.Flow, Source]] = {}
        self.broken_flows: set[str] = set()

    # -- reporting -----------------------------------------------------------------------

    def error(self, source: Source | str, line: int, message: str) -> None:
        file = source.file if isinstance(source, Source) else source
        self.problems.append(Problem(file, line, message))

    def warn(self, source: Source | str, line: int, message: str) -> None:
        file = source.file if isinstance(source, Source) else source
        self.problems.append(Problem(file, line, message, Severity.WARNING))

    def display(self, relative: str) -> str:
        return str(self.directory / relative)

    # -- reading ---------------------------------------------------------------------------

    def load(self) -> model.Content | None:
        if not self.directory.is_dir():
            self.error(str(self.directory), 1, "no content directory here")
            return None
        settings = self._read_model(SETTINGS_FILE, schema.Settings, required=True)
        system = self._read_model(SYSTEM_FILE, schema.System, required=True)
        triggers = self._read_model(TRIGGERS_FILE, schema.Triggers, required=False)
        self._read_flows()
        self._note_unread_files()
        if settings is None:
            return None
        languages = self._check_languages(settings)
        renderer = Renderer(
            values=settings.values,
            languages=languages,
            default_locale=self.default_locale,
            provided=self.provided,
            blocks=_blocks(system),
        )
        return _Checker(self, settings, system, triggers, renderer).check_and_compile()

    def _read_model(self, relative: str, cls: type[M], *, required: bool) -> M | None:
        path = self.directory / relative
        if not path.exists():
            if required:
                self.error(self.display(relative), 1, f"{relative} is missing")
            return None
        source = self._parse(path, self.display(relative))
        if source is None:
            return None
        return self._validate(source, cls)

    def _parse(self, path: Path, display: str) -> Source | None:
        try:
            source = read(path, display)
        except YamlSyntaxError as exc:
            self.error(display, exc.line, exc.message)
            return None
        for dup_path, line in source.duplicates:
            first = source.lines.get(dup_path, 1)
            self.error(source, line, f"'{dup_path[-1]}' is here twice (first at line {first})")
        self.sources[display] = source
        return source

    def _validate(self, source: Source, cls: type[M]) -> M | None:
        if not isinstance(source.data, dict):
            self.error(source, source.line(()), "expected keys and values at the top of the file")
            return None
        try:
            return cls.model_validate(source.data)
        except ValidationError as exc:
            for err in exc.errors():
                path = _clean_loc(err["loc"])
                self.error(source, source.line(path), _friendly(err, path))
            return None

    def _read_flows(self) -> None:
        flows_dir = self.directory / FLOWS_DIR
        files = (
            sorted(p for p in flows_dir.glob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            if flows_dir.is_dir()
            else []
        )
        seen: dict[str, str] = {}
        for path in files:
            display = self.display(f"{FLOWS_DIR}/{path.name}")
            flow_id = path.stem
            if not re.match(schema.ID_PATTERN, flow_id) or len(flow_id) > schema.ID_MAX:
                self.error(
                    display,
                    1,
                    f"the file name '{flow_id}' cannot name a flow: use lowercase letters, "
                    "digits and _ (at most 32)",
                )
                continue
            if flow_id in seen:
                self.error(display, 1, f"flow '{flow_id}' is defined twice (also {seen[flow_id]})")
                continue
            seen[flow_id] = display
            source = self._parse(path, display)
            flow = self._validate(source, schema.Flow) if source else None
            if flow is None or source is None:
                self.broken_flows.add(flow_id)
                continue
            self.flows[flow_id] = (flow, source)
        if model.MENU_FLOW not in seen:
            self.error(
                self.display(f"{FLOWS_DIR}/{model.MENU_FLOW}.yaml"),
                1,
                "the main menu is missing: every bot needs flows/menu.yaml",
            )

    def _note_unread_files(self) -> None:
        known = {SETTINGS_FILE, SYSTEM_FILE, TRIGGERS_FILE}
        for path in sorted(self.directory.glob("*.y*ml")):
            if path.name not in known:
                self.warn(
                    self.display(path.name),
                    1,
                    "this file is not read: flows belong in flows/, other files are "
                    + ", ".join(sorted(known)),
                )

    def _check_languages(self, settings: schema.Settings) -> list[str]:
        source = self.sources[self.display(SETTINGS_FILE)]
        for code in settings.languages:
            if not LANGUAGE_CODE.match(code):
                self.error(
                    source,
                    source.line(("languages", code)),
                    f"'{code}' is not a language code: use two letters, like be, ru, en",
                )
        if self.default_locale not in settings.languages:
            self.error(
                source,
                source.line(("languages",)),
                f"the default language '{self.default_locale}' (DEFAULT_LOCALE) is not among "
                f"the languages: {', '.join(settings.languages)}",
            )
        return list(settings.languages)


class _Checker:
    """Cross-file checks that need the whole content, then the compiled result."""

    def __init__(
        self,
        loader: _Loader,
        settings: schema.Settings,
        system: schema.System | None,
        triggers: schema.Triggers | None,
        renderer: Renderer,
    ) -> None:
        self.loader = loader
        self.settings = settings
        self.system = system
        self.triggers = triggers
        self.renderer = renderer
        self.languages = renderer.languages
        self.settings_source = loader.sources[loader.display(SETTINGS_FILE)]

    def check_and_compile(self) -> model.Content | None:
        self._check_values()
        topics = self._texts_of("topics")
        reasons = self._texts_of("reasons")
        profile = self._profile()
        system = self._compile_system()
        flows = {fid: self._compile_flow(fid, flow, src) for fid, (flow, src) in self.flows}
        triggers = self._compile_triggers()
        links = self._compile_links()
        self._check_command_links(links)
        welcome = self._welcome()
        urgent = self._urgent_way()
        entries = [t.target.to for t, _ in triggers]
        entries += [welcome, urgent.target.to if urgent else None]
        self._check_reachable(flows, [e for e in entries if e is not None], links)
        self._check_honest_asks(flows, triggers, urgent)
        if system is None or model.MENU_FLOW not in flows:
            return None
        return model.Content(
            languages=dict(self.settings.languages),
            default_locale=self.loader.default_locale,
            flows=flows,
            system=system,
            renderer=self.renderer,
            triggers=tuple(t for t, _ in triggers),
            hearing=Hearing([words for _, words in triggers]),
            links=links,
            topics=topics,
            reasons=reasons,
            urgent=urgent,
            welcome=welcome,
            profile=profile,
        )

    @property
    def flows(self) -> Iterator[tuple[str, tuple[schema.Flow, Source]]]:
        return iter(self.loader.flows.items())

    # -- texts ---------------------------------------------------------------------------

    def _check_text(
        self,
        source: Source,
        path: Path_,
        texts: Mapping[str, str],
        *,
        html: bool,
        limit: int = MAX_LABEL,
        sample: Mapping[str, Any] | None = None,
    ) -> None:
        """Check one text in every language; `limit` is for plain texts (labels, commands).

        `sample`: the names this particular text may use beyond the shared ones, with values
        to render it with.
        """
        for locale in texts:
            if locale not in self.languages:
                self.loader.error(
                    source,
                    source.line((*path, locale)),
                    f"unknown language '{locale}' (the languages are {', '.join(self.languages)})",
                )
        for locale in self.languages:
            if locale not in texts:
                fallback = self.renderer.pick_locale(texts, locale)
                self.loader.warn(
                    source,
                    source.line(path),
                    f"missing '{locale}' translation; '{fallback}' is shown instead",
                )
        for locale, text in texts.items():
            if locale in self.languages:
                self._check_template(
                    source, (*path, locale), text, locale, html=html, limit=limit, sample=sample
                )

    def _check_template(
        self,
        source: Source,
        path: Path_,
        text: str,
        locale: str,
        *,
        html: bool,
        limit: int,
        sample: Mapping[str, Any] | None,
    ) -> None:
        if PLACEHOLDER in text:
            self.loader.warn(source, source.text_line(path), "placeholder: put the real words here")
        try:
            unknown = self.renderer.unknown_names(text, html=html, extra=frozenset(sample or {}))
        except jinja2.TemplateSyntaxError as exc:
            line = source.text_line(path, exc.lineno or 1)
            self.loader.error(source, line, f"jinja2 syntax: {exc.message}")
            return
        if unknown:
            names = ", ".join(sorted(unknown))
            known = ", ".join(sorted(self.renderer.names | set(sample or {})))
            self.loader.error(
                source, source.text_line(path), f"unknown name {names} (known: {known})"
            )
            return
        # Every way a text can read: with no name and the longest name; for a text that says
        # whether volunteers are around, in each of those situations.
        situations = VOLUNTEERS if "volunteers" in text else VOLUNTEERS[:1]
        for name, volunteers in itertools.product(SAMPLE_NAMES, situations):
            extra = {"volunteers": volunteers, **(sample or {})}
            try:
                rendered = self.renderer.render(text, locale, name, html=html, extra=extra)
            except RenderError as exc:
                self.loader.error(source, source.text_line(path), str(exc))
                return
            # The screen-length warning uses the text without a name; the hard limit, the longest.
            warn_long = name == SAMPLE_NAMES[0]
            if html and not self._check_rendered_html(source, path, rendered, warn_long=warn_long):
                return
            if not html and len(rendered) > limit:
                what = "button label" if limit == MAX_LABEL else "text"
                self.loader.error(
                    source,
                    source.text_line(path),
                    f"this {what} is {len(rendered)} characters; at most {limit} fit",
                )
                return
            if not rendered:
                self.loader.error(source, source.text_line(path), "this text renders empty")
                return

    def _check_rendered_html(
        self, source: Source, path: Path_, rendered: str, *, warn_long: bool
    ) -> bool:
        report = inspect(rendered)
        for message in report.problems:
            self.loader.error(source, source.text_line(path), message)
        if report.visible_length > MAX_MESSAGE:
            self.loader.error(
                source,
                source.text_line(path),
                f"this text is {report.visible_length} characters; Telegram takes at most "
                f"{MAX_MESSAGE}",
            )
            return False
        if warn_long and report.visible_length > LONG_MESSAGE:
            self.loader.warn(
                source,
                source.text_line(path),
                f"this text is {report.visible_length} characters; more than {LONG_MESSAGE} "
                "does not fit a phone screen without scrolling",
            )
        return not report.problems

    # -- settings and system -------------------------------------------------------------

    def _check_values(self) -> None:
        src = self.settings_source
        for name in self.settings.values:
            if name in RESERVED_NAMES:
                self.loader.error(
                    src,
                    src.line(("values", name)),
                    f"'{name}' is filled in by the bot for each person; choose another name",
                )
            elif not name.isidentifier():
                self.loader.error(
                    src,
                    src.line(("values", name)),
                    f"'{name}' cannot be used in a text: use letters, digits and _",
                )
        for path, value in _walk(self.settings.values, ("values",)):
            if isinstance(value, str) and PLACEHOLDER in value:
                self.loader.warn(
                    src, src.line(path), "placeholder: put the real value here before going live"
                )

    def _profile(self) -> model.Profile | None:
        profile = self.settings.profile
        if profile is None:
            return None
        for name, limit in PROFILE_LIMITS.items():
            texts = getattr(profile, name)
            self._check_text(
                self.settings_source, ("profile", name), texts, html=False, limit=limit
            )
        return model.Profile(
            name=profile.name,
            short_description=profile.short_description,
            description=profile.description,
        )

    def _texts_of(self, key: str) -> dict[str, Mapping[str, str]]:
        """Topics or reasons: words for volunteers, plain text."""
        table: dict[str, Mapping[str, str]] = getattr(self.settings, key)
        for name, texts in table.items():
            self._check_text(self.settings_source, (key, name), texts, html=False)
        return dict(table)

    def _urgent_way(self) -> model.Choice | None:
        if self.system is None or self.system.urgent is None:
            return None
        source = self.loader.sources[self.loader.display(SYSTEM_FILE)]
        spec = self.system.urgent
        if spec.label is None:
            self.loader.error(source, source.line(("urgent",)), "`urgent:` needs a `label:`")
            return None
        self._check_text(source, ("urgent", "label"), spec.label, html=False)
        return model.Choice(label=spec.label, target=self._target(source, ("urgent",), None, spec))

    def _compile_system(self) -> model.System | None:
        if self.system is None:
            return None
        source = self.loader.sources[self.loader.display(SYSTEM_FILE)]
        messages = {k: v for k, v in self.system.messages if v is not None}
        labels = dict(self.system.labels)
        for name, texts in messages.items():
            self._check_text(source, ("messages", name), texts, html=True)
        for name, texts in labels.items():
            self._check_text(source, ("labels", name), texts, html=False)
        commands = {}
        for name, command in self.system.commands:
            path: Path_ = ("commands", name, "description")
            self._check_text(source, path, command.description, html=False, limit=MAX_COMMAND)
            commands[name] = model.Command(description=command.description, link=command.link)
        handoff = self.system.handoff
        for name, texts in handoff or ():
            limit = PLAIN_HANDOFF_TEXTS.get(name)
            self._check_text(
                source,
                ("handoff", name),
                texts,
                html=limit is None,
                limit=limit or MAX_LABEL,
                sample=schema.HANDOFF_NAMES.get(name),
            )
        return model.System(messages=messages, labels=labels, commands=commands, handoff=handoff)

    def _check_command_links(self, links: Mapping[str, model.Position]) -> None:
        if self.system is None:
            return
        source = self.loader.sources[self.loader.display(SYSTEM_FILE)]
        for name, command in self.system.commands:
            if command.link is None or command.link in self.loader.broken_flows:
                continue
            if command.link not in links:
                self.loader.error(
                    source,
                    source.line(("commands", name, "link")),
                    f"/{name} opens '{command.link}', which is neither a flow nor a step's link"
                    + self._suggest(command.link, links),
                )

    def _welcome(self) -> model.Position | None:
        welcome = self.settings.welcome
        if welcome is None:
            return None
        return self._resolve_flow(self.settings_source, ("welcome",), welcome)

    # -- flows ---------------------------------------------------------------------------

    def _compile_flow(self, flow_id: str, flow: schema.Flow, source: Source) -> model.Flow:
        if flow.start not in flow.steps:
            self.loader.error(
                source,
                source.line(("start",)),
                f"the start step '{flow.start}' is not among the steps"
                + self._suggest(flow.start, flow.steps),
            )
        steps: dict[str, model.Step] = {}
        for step_id, step in flow.steps.items():
            path: Path_ = ("steps", step_id)
            at = model.Position(flow_id, step_id)
            self._check_text(source, (*path, "text"), step.text, html=True)
            choices = []
            for index, spec in enumerate(step.choices):
                choices.append(self._compile_choice(source, (*path, "choices", index), at, spec))
                data = model.choice_data(at, index)
                if len(data.encode()) > MAX_CALLBACK_DATA:
                    self.loader.error(
                        source,
                        source.line((*path, "choices", index)),
                        f"this button's data '{data}' is {len(data.encode())} bytes; Telegram "
                        f"takes at most {MAX_CALLBACK_DATA}: shorten the flow or step name",
                    )
            target = None
            if step.input is not None:
                target = self._target(source, (*path, "input"), flow_id, step.input)
            compiled = model.Step(at=at, text=step.text, choices=tuple(choices), input=target)
            self._check_way_on(source, path, compiled, flow)
            steps[step_id] = compiled
        return model.Flow(id=flow_id, start=flow.start, steps=steps)

    def _compile_choice(
        self, source: Source, path: Path_, at: model.Position, spec: schema.Choice | str
    ) -> model.Choice:
        if isinstance(spec, str):
            spec = schema.Choice(back=spec == "back", menu=spec == "menu")
        target = self._target(source, path, at.flow, spec)
        if spec.label is not None:
            self._check_text(source, (*path, "label"), spec.label, html=False)
            label: Mapping[str, str] = spec.label
        elif self.system is not None:
            label = self.system.labels.back if spec.back else self.system.labels.menu
        else:
            label = {}  # system.yaml is broken and reported; this content is never used
        return model.Choice(label=label, target=target)

    def _check_way_on(
        self, source: Source, path: Path_, step: model.Step, flow: schema.Flow
    ) -> None:
        if not step.choices and step.input is None:
            self.loader.error(
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
            self.loader.error(
                source,
                source.line(path),
                "no way back from this step: add a choice `- back` or `- menu`",
            )

    def _target(
        self, source: Source, path: Path_, flow_id: str | None, spec: schema.Target
    ) -> model.Target:
        action = None
        if spec.action is not None:
            action = model.Action(
                kind=model.ActionKind(spec.action),
                topic=spec.topic,
                urgent=spec.urgent,
                locale=spec.locale,
                minutes=schema.AUTO_CLEAR_MINUTES[spec.after] if spec.after else None,
                reason=spec.reason,
            )
            self._check_action(source, path, action)
        if spec.back:
            return model.Target(model.Nav.BACK, action=action)
        if spec.menu:
            return model.Target(model.Nav.MENU, action=action)
        to = None
        if spec.flow is not None:
            to = self._resolve_flow(source, (*path, "flow"), spec.flow)
        elif spec.goto is not None:
            to = self._resolve_goto(source, (*path, "goto"), flow_id, spec.goto)
        if to is None:  # no way on, or one that was reported as unresolved: stay put
            return model.Target(model.Nav.STAY, action=action)
        return model.Target(model.Nav.GOTO, to=to, action=action)

    def _check_action(self, source: Source, path: Path_, action: model.Action) -> None:
        if action.topic is not None and action.topic not in self.settings.topics:
            self.loader.error(
                source,
                source.line((*path, "topic")),
                f"unknown topic '{action.topic}' (topics in settings.yaml: "
                f"{', '.join(self.settings.topics) or 'none'})",
            )
        if action.reason is not None:
            self._check_reason(source, (*path, "reason"), action.reason)
        if action.locale is not None and action.locale not in self.languages:
            self.loader.error(
                source,
                source.line((*path, "locale")),
                f"unknown language '{action.locale}' (the languages are "
                f"{', '.join(self.languages)})",
            )

    def _resolve_flow(self, source: Source, path: Path_, flow_id: str) -> model.Position | None:
        if flow_id in self.loader.flows:
            return model.Position(flow_id, self.loader.flows[flow_id][0].start)
        if flow_id not in self.loader.broken_flows:
            self.loader.error(
                source,
                source.line(path),
                f"there is no flow '{flow_id}'{self._suggest(flow_id, self.loader.flows)}",
            )
        return None

    def _resolve_goto(
        self, source: Source, path: Path_, flow_id: str | None, goto: str
    ) -> model.Position | None:
        if "." in goto:
            target_flow, _, step_id = goto.partition(".")
        elif flow_id is None:
            self.loader.error(
                source,
                source.line(path),
                f"here goto needs the flow too: `goto: flow_name.{goto}`, or use `flow:`",
            )
            return None
        else:
            target_flow, step_id = flow_id, goto
        if target_flow not in self.loader.flows:
            if target_flow not in self.loader.broken_flows:
                self.loader.error(
                    source,
                    source.line(path),
                    f"there is no flow '{target_flow}'"
                    + self._suggest(target_flow, self.loader.flows),
                )
            return None
        steps = self.loader.flows[target_flow][0].steps
        if step_id not in steps:
            self.loader.error(
                source,
                source.line(path),
                f"flow '{target_flow}' has no step '{step_id}'{self._suggest(step_id, steps)}",
            )
            return None
        return model.Position(target_flow, step_id)

    @staticmethod
    def _suggest(name: str, options: Mapping[str, Any]) -> str:
        close = difflib.get_close_matches(name, list(options), n=1)
        return f"; did you mean '{close[0]}'?" if close else ""

    # -- triggers, links, reachability ---------------------------------------------------

    def _compile_triggers(self) -> list[tuple[model.Trigger, TriggerWords]]:
        if self.triggers is None:
            return []
        source = self.loader.sources[self.loader.display(TRIGGERS_FILE)]
        compiled = []
        for name, trigger in self.triggers.triggers.items():
            path: Path_ = ("triggers", name)
            heard = {
                key: self._phrases(source, (*path, key), getattr(trigger, key))
                for key in ("words", "unless", "patterns")
            }
            if trigger.during_case is not None:
                self._check_reason(source, (*path, "during_case"), trigger.during_case)
            target = self._target(source, path, None, trigger)
            words = TriggerWords(
                words=heard["words"],
                unless=heard["unless"],
                patterns=[normalize_pattern(p) for ps in heard["patterns"].values() for p in ps],
            )
            if words.words or words.patterns:
                compiled.append(
                    (
                        model.Trigger(
                            name,
                            target,
                            while_writing=trigger.while_writing,
                            during_case=trigger.during_case,
                        ),
                        words,
                    )
                )
        return compiled

    def _phrases(
        self, source: Source, path: Path_, table: Mapping[str, list[str]]
    ) -> dict[str, list[str]]:
        """The usable phrases (or experts' patterns) of one key, each problem reported."""
        usable: dict[str, list[str]] = {}
        for locale, entries in table.items():
            if locale not in self.languages:
                self.loader.error(
                    source,
                    source.line((*path, locale)),
                    f"unknown language '{locale}' (the languages are {', '.join(self.languages)})",
                )
            for index, entry in enumerate(entries):
                if path[-1] == "patterns":
                    problem = pattern_problem(entry)
                else:
                    problem = phrase_problem(parse(entry, 0, normalize.plain_word))
                if problem:
                    self.loader.error(source, source.line((*path, locale, index)), problem)
                else:
                    usable.setdefault(locale, []).append(entry)
        return usable

    def _check_reason(self, source: Source, path: Path_, reason: str) -> None:
        if reason not in self.settings.reasons:
            self.loader.error(
                source,
                source.line(path),
                f"unknown reason '{reason}' (reasons in settings.yaml: "
                f"{', '.join(self.settings.reasons) or 'none'})",
            )

    def _compile_links(self) -> dict[str, model.Position]:
        """Deep-link payloads: every flow by its name (or `link`), and steps that have a `link`."""
        entries: list[tuple[str, Source, Path_, model.Position]] = []
        for flow_id, (flow, source) in self.flows:
            if flow.linkable:
                start = model.Position(flow_id, flow.start)
                entries.append((flow.link or flow_id, source, ("link",), start))
        for flow_id, (flow, source) in self.flows:
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
                self.loader.error(
                    source,
                    line,
                    f"the link '{payload}' cannot be a Telegram start link: use 1 to 64 of "
                    "A-Z a-z 0-9 _ -",
                )
            elif payload in links:
                self.loader.error(
                    source, line, f"the link '{payload}' is used twice (also {first_seen[payload]})"
                )
            else:
                links[payload] = at
                first_seen[payload] = f"{source.file}:{line}"
        return links

    def _check_honest_asks(
        self,
        flows: Mapping[str, model.Flow],
        triggers: list[tuple[model.Trigger, TriggerWords]],
        urgent: model.Choice | None,
    ) -> None:
        """A step shown right after asking urgently for a person must say what is true when
        nobody can answer now: it reads {{ volunteers }} (here, away or none) in every
        language, so that the crisis lines come first when no volunteer can come."""
        targets = [t.target for t, _ in triggers] + ([urgent.target] if urgent else [])
        for flow in flows.values():
            for current in flow.steps.values():
                targets += [c.target for c in current.choices]
                targets += [current.input] if current.input else []
        after_asking = {
            t.to
            for t in targets
            if t.to is not None
            and t.action is not None
            and t.action.kind is model.ActionKind.ASK_PERSON
            and t.action.urgent
        }
        for at in sorted(after_asking):
            step_ = flows[at.flow].steps.get(at.step) if at.flow in flows else None
            if step_ is None or all("volunteers" in text for text in step_.text.values()):
                continue
            source = self.loader.flows[at.flow][1]
            self.loader.warn(
                source,
                source.line(("steps", at.step, "text")),
                "this step is shown right after an urgent request: say what happens when no "
                'volunteer can answer now, with {% if volunteers == "here" %}...{% endif %} '
                "(here, away or none; see README.md, Asking for a person)",
            )

    def _check_reachable(
        self,
        flows: Mapping[str, model.Flow],
        entries: list[model.Position],
        links: Mapping[str, model.Position],
    ) -> None:
        """Every step can be seen: from a link, a trigger, the welcome or the urgent way."""
        entries = [*links.values(), *entries]
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
        for flow_id, (_flow, source) in self.flows:
            for step_id in flows[flow_id].steps:
                if model.Position(flow_id, step_id) not in seen:
                    self.loader.error(
                        source,
                        source.line(("steps", step_id)),
                        f"no choice leads to step '{step_id}': a person can never see it",
                    )


def _blocks(system: schema.System | None) -> dict[str, Mapping[str, str]]:
    """The system messages other texts may show by name ({{ help_now }})."""
    if system is None or system.messages.help_now is None:
        return {}
    return {"help_now": system.messages.help_now}


def _walk(value: Any, path: Path_) -> Iterator[tuple[Path_, Any]]:
    yield path, value
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))


_TAGS = {"full", "short"}


def _clean_loc(loc: tuple[str | int, ...]) -> Path_:
    """Pydantic's location without its internal markers, as a path into the YAML."""
    path: list[str | int] = []
    for index, part in enumerate(loc):
        if part == "[key]":
            continue
        if part in _TAGS and index >= 2 and loc[index - 2] == "choices":
            continue
        path.append(part)
    return tuple(path)


_FRIENDLY = {
    "string_type": "expected text here; put it in quotes if it looks like a number or date",
    "dict_type": "expected keys and values here (like `en: ...`)",
    "list_type": "expected a list here (lines starting with '- ')",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "model_type": "expected keys and values here",
    "model_attributes_type": "expected keys and values here",
}


def _friendly(err: Any, path: Path_) -> str:
    kind = err["type"]
    last = path[-1] if path else ""
    if kind == "extra_forbidden":
        hint = difflib.get_close_matches(str(last), _KNOWN_KEYS, n=1)
        return f"unknown key '{last}'" + (f"; did you mean '{hint[0]}'?" if hint else "")
    if kind == "missing":
        return f"missing key '{last}'"
    if kind == "string_pattern_mismatch":
        return f"'{err['input']}' cannot be a name: use lowercase letters, digits and _"
    if kind == "string_too_long":
        return f"'{err['input']}' is too long for a name (at most {schema.ID_MAX})"
    if err.get("input", "") is None:
        return "nothing is written here (inside { }, put a text that has a comma in quotes)"
    if kind == "too_short":
        return "this must not be empty"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"'{err['input']}' is not possible here; expected {expected}"
    return _FRIENDLY.get(kind, str(err["msg"]))


_KNOWN_KEYS = sorted(
    {name for cls in schema.FILE_MODELS.values() for name in cls.model_fields}
    | {name for cls in (schema.Step, schema.Choice, schema.Trigger) for name in cls.model_fields}
    | set(schema.Messages.model_fields)
    | set(schema.Labels.model_fields)
    | set(schema.Commands.model_fields)
    | set(schema.Handoff.model_fields)
    | set(schema.Command.model_fields)
)

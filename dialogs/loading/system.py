"""settings.yaml and system.yaml: the organisation's values, the bot's face, topics and
reasons, the words outside flows, the commands and what they open."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dialogs import model, schema
from dialogs.loading.context import Context, suggest
from dialogs.loading.files import SYSTEM_FILE
from dialogs.loading.problems import Problems
from dialogs.loading.targets import Targets
from dialogs.loading.texts import MAX_LABEL, PLACEHOLDER, TextChecker
from dialogs.render import RESERVED_NAMES
from dialogs.yamlsrc import Path_

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
    "confirm_send": MAX_LABEL,
    "confirm_cancel": MAX_LABEL,
    "not_sent": 200,
    "take_button": MAX_LABEL,
    "default_alias": 64,
    "topic_name": 128,
    "topic_taken_name": 128,
    "already_taken": 200,
    "not_a_volunteer": 200,
    "checkin_offer_button": MAX_LABEL,
}
"""Handoff texts Telegram shows as plain text (buttons, topic names, notes), with its limits."""


class SystemChecker:
    def __init__(
        self, context: Context, problems: Problems, texts: TextChecker, targets: Targets
    ) -> None:
        self.context = context
        self.problems = problems
        self.texts = texts
        self.targets = targets

    def check_values(self) -> None:
        src = self.context.settings_source
        for name in self.context.settings.values:
            if name in RESERVED_NAMES:
                self.problems.error(
                    src,
                    src.line(("values", name)),
                    f"'{name}' is filled in by the bot for each person; choose another name",
                )
            elif not name.isidentifier():
                self.problems.error(
                    src,
                    src.line(("values", name)),
                    f"'{name}' cannot be used in a text: use letters, digits and _",
                )
        for path, value in _walk(self.context.settings.values, ("values",)):
            if isinstance(value, str) and PLACEHOLDER in value:
                self.problems.warn(
                    src, src.line(path), "placeholder: put the real value here before going live"
                )

    def profile(self) -> model.Profile | None:
        profile = self.context.settings.profile
        if profile is None:
            return None
        for name, limit in PROFILE_LIMITS.items():
            texts = getattr(profile, name)
            self.texts.check(
                self.context.settings_source, ("profile", name), texts, html=False, limit=limit
            )
        return model.Profile(
            name=profile.name,
            short_description=profile.short_description,
            description=profile.description,
        )

    def texts_of(self, key: str) -> dict[str, Mapping[str, str]]:
        """Topics or reasons: words for volunteers, plain text."""
        table: dict[str, Mapping[str, str]] = getattr(self.context.settings, key)
        for name, texts in table.items():
            self.texts.check(self.context.settings_source, (key, name), texts, html=False)
        return dict(table)

    def urgent_way(self) -> model.Choice | None:
        system = self.context.system
        if system is None or system.urgent is None:
            return None
        source = self.context.source(SYSTEM_FILE)
        spec = system.urgent
        if spec.label is None:
            self.problems.error(source, source.line(("urgent",)), "`urgent:` needs a `label:`")
            return None
        self.texts.check(source, ("urgent", "label"), spec.label, html=False)
        return model.Choice(
            label=spec.label, target=self.targets.target(source, ("urgent",), None, spec)
        )

    def compile(self) -> model.System | None:
        system = self.context.system
        if system is None:
            return None
        source = self.context.source(SYSTEM_FILE)
        messages = {k: v for k, v in system.messages if v is not None}
        labels = dict(system.labels)
        for name, texts in messages.items():
            self.texts.check(source, ("messages", name), texts, html=True)
        for name, texts in labels.items():
            self.texts.check(source, ("labels", name), texts, html=False)
        commands = {}
        for name, command in system.commands:
            path: Path_ = ("commands", name, "description")
            self.texts.check(source, path, command.description, html=False, limit=MAX_COMMAND)
            commands[name] = model.Command(description=command.description, link=command.link)
        handoff = system.handoff
        for name, texts in handoff or ():
            if texts is None:
                continue  # an optional text left out
            limit = PLAIN_HANDOFF_TEXTS.get(name)
            self.texts.check(
                source,
                ("handoff", name),
                texts,
                html=limit is None,
                limit=limit or MAX_LABEL,
                sample=schema.HANDOFF_NAMES.get(name),
                for_a_person=name not in schema.FOR_VOLUNTEERS,
            )
        return model.System(messages=messages, labels=labels, commands=commands, handoff=handoff)

    def check_command_links(self, links: Mapping[str, model.Position]) -> None:
        system = self.context.system
        if system is None:
            return
        source = self.context.source(SYSTEM_FILE)
        for name, command in system.commands:
            if command.link is None or command.link in self.context.read.broken_flows:
                continue
            if command.link not in links:
                self.problems.error(
                    source,
                    source.line(("commands", name, "link")),
                    f"/{name} opens '{command.link}', which is neither a flow nor a step's link"
                    + suggest(command.link, links),
                )

    def welcome(self) -> model.Position | None:
        welcome = self.context.settings.welcome
        if welcome is None:
            return None
        return self.targets.resolve_flow(self.context.settings_source, ("welcome",), welcome)


def _walk(value: Any, path: Path_) -> Iterator[tuple[Path_, Any]]:
    yield path, value
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))

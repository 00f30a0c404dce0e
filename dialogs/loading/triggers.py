"""The triggers: editors' phrases checked and compiled for hearing (dialogs/hearing.py)."""

from __future__ import annotations

from collections.abc import Mapping

from dialogs import model, normalize
from dialogs.hearing import TriggerWords
from dialogs.loading.context import Context
from dialogs.loading.files import TRIGGERS_FILE
from dialogs.loading.problems import Problems
from dialogs.loading.targets import Targets
from dialogs.phrases import parse
from dialogs.phrases import problem as phrase_problem
from dialogs.triggers import normalize_pattern, pattern_problem
from dialogs.yamlsrc import Path_, Source


class TriggerCompiler:
    def __init__(self, context: Context, problems: Problems, targets: Targets) -> None:
        self.context = context
        self.problems = problems
        self.targets = targets

    def compile(self) -> list[tuple[model.Trigger, TriggerWords]]:
        triggers = self.context.read.triggers
        if triggers is None:
            return []
        source = self.context.source(TRIGGERS_FILE)
        compiled = []
        for name, trigger in triggers.triggers.items():
            path: Path_ = ("triggers", name)
            heard = {
                key: self._phrases(source, (*path, key), getattr(trigger, key))
                for key in ("words", "unless", "patterns")
            }
            if trigger.during_case is not None:
                self.targets.check_reason(source, (*path, "during_case"), trigger.during_case)
            target = self.targets.target(source, path, None, trigger)
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
            if locale not in self.context.languages:
                self.problems.error(
                    source,
                    source.line((*path, locale)),
                    f"unknown language '{locale}' "
                    f"(the languages are {', '.join(self.context.languages)})",
                )
            for index, entry in enumerate(entries):
                if path[-1] == "patterns":
                    problem = pattern_problem(entry)
                else:
                    problem = phrase_problem(parse(entry, 0, normalize.plain_word))
                if problem:
                    self.problems.error(source, source.line((*path, locale, index)), problem)
                else:
                    usable.setdefault(locale, []).append(entry)
        return usable

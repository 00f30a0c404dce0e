"""triggers.yaml: words that lead somewhere at once."""

from __future__ import annotations

from pydantic import Field, model_validator

from dialogs.schema.base import Id, Strict
from dialogs.schema.flows import Target


class Trigger(Target):
    """Words that, typed anywhere, lead somewhere at once."""

    words: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Words or phrases per language; `*` stands for any ending: `help*`. A "
        "phrase is heard with its words in any order, close together.",
    )
    patterns: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Python regular expressions per language, for experts; they see the text "
        "in lower case, with punctuation as single spaces.",
    )
    unless: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Phrases per language that silence this trigger where they overlap its "
        'words: "die laughing" keeps "die" quiet, not the whole message.',
    )
    while_writing: bool = Field(
        default=True,
        description="Also on a step where the person is asked to write (false: not there, so "
        "their own words are not taken as a request).",
    )
    during_case: Id | None = Field(
        default=None,
        description="While the person waits for or talks with a volunteer their words go to the "
        "volunteer as they are; these words also make the request urgent, for this reason "
        "(from settings.yaml).",
    )

    @model_validator(mode="after")
    def _has_words(self) -> Trigger:
        if not self.words and not self.patterns:
            msg = "a trigger needs `words:` or `patterns:`"
            raise ValueError(msg)
        if not self.leads_somewhere and self.action is None:
            msg = "this trigger leads nowhere: add goto, flow, menu or action"
            raise ValueError(msg)
        return self


class Triggers(Strict):
    """triggers.yaml: tried first, in this order, on everything a person types."""

    triggers: dict[Id, Trigger] = Field(default_factory=dict)

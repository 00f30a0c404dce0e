"""The editors' guide (content/README.md) shows only what works: each ```yaml snippet, put where
it belongs in a copy of the shipped content, loads and passes `check`.

A snippet is a whole flow, a step or steps, a list of choices, one text, or a section of
settings.yaml, system.yaml or triggers.yaml; names a snippet leads to (`goto: asked`) get a
stand-in step. Guide snippets show some texts in one language for brevity: a missing translation
is the only warning allowed.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs import load_content
from tests.conftest import SHIPPED

GUIDE = SHIPPED / "README.md"
SNIPPET = re.compile(r"^([ \t]*)```yaml\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
LOCALES = {"be", "ru", "en"}
FILES = {"values": "settings.yaml", "profile": "settings.yaml", "languages": "settings.yaml"}
FILES |= {"checkins": "settings.yaml"}
FILES |= {"triggers": "triggers.yaml", "commands": "system.yaml", "messages": "system.yaml"}


def snippets() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [textwrap.dedent(body) for _, body in SNIPPET.findall(text)]


def test_the_guide_has_its_snippets() -> None:
    found = snippets()
    assert len(found) >= 12
    assert any("When does a text need quotes" in line for line in GUIDE.read_text().splitlines())


def _stand_ins(data: Any, steps: dict[str, Any]) -> None:
    """A step for every plain `goto:` in `data` that names no step yet."""
    if isinstance(data, dict):
        goto = data.get("goto")
        if isinstance(goto, str) and "." not in goto and goto not in steps:
            steps[goto] = {"text": dict.fromkeys(LOCALES, "A step."), "choices": ["menu"]}
        for value in list(data.values()):
            _stand_ins(value, steps)
    elif isinstance(data, list):
        for item in data:
            _stand_ins(item, steps)


def as_flow(data: Any) -> dict[str, Any]:
    """The snippet as a whole flow file."""
    if isinstance(data, dict) and "steps" in data:
        return data
    if isinstance(data, list):
        step = {"text": dict.fromkeys(LOCALES, "Choose."), "choices": [*data, "menu"]}
        steps: dict[str, Any] = {"here": step}
    elif isinstance(data, dict) and set(data) <= LOCALES:
        steps = {"here": {"text": data, "choices": ["menu"]}}
    elif isinstance(data, dict) and "text" in data:
        steps = {"here": {"choices": ["menu"], **data}}
    else:
        steps = dict(data)
    _stand_ins(steps, steps)
    return {"start": next(iter(steps)), "steps": steps}


def place(root: Path, data: Any) -> None:
    """Put the snippet where it belongs in the content at root."""
    if isinstance(data, dict) and data and set(data) <= set(FILES):
        for key, value in data.items():
            path = root / FILES[key]
            current = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(value, dict) and isinstance(current.get(key), dict):
                current[key] = {**current[key], **value}
            else:
                current[key] = value
            path.write_text(yaml.safe_dump(current, allow_unicode=True), encoding="utf-8")
        return
    flow = as_flow(data)
    text = yaml.safe_dump(flow, allow_unicode=True)
    (root / "flows" / "guide_example.yaml").write_text(text, encoding="utf-8")
    used = set(re.findall(r"\blocale: (\w+)", text)) - LOCALES
    if used:  # the guide's "add a language" steps: the language goes into settings.yaml too
        settings = root / "settings.yaml"
        current = yaml.safe_load(settings.read_text(encoding="utf-8"))
        current["languages"].update(dict.fromkeys(used, "New"))
        settings.write_text(yaml.safe_dump(current, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("index", range(len(snippets())))
def test_each_snippet_of_the_guide_checks_clean(tmp_path: Path, index: int) -> None:
    snippet = snippets()[index]
    data = yaml.safe_load(snippet)
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root)
    place(root, data)
    result = load_content(root)
    assert result.errors == [], snippet
    others = [
        p
        for p in result.warnings
        if not p.message.startswith(("placeholder", "missing '")) and "translation" not in p.message
    ]
    assert others == [], snippet


def test_a_broken_snippet_would_be_caught(tmp_path: Path) -> None:
    """The test itself can fail: a choice leading nowhere is an error."""
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root)
    place(root, yaml.safe_load("- label: {be: a, ru: a, en: a}\n  goto: guide_example.nowhere\n"))
    assert load_content(root).errors != []

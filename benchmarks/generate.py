"""A generated content tree of many steps, shaped like real content, for the load benchmark."""

from __future__ import annotations

import shutil
from pathlib import Path

LANGS = ("be", "ru", "en")


def _text(flow: int, step: int, *, jinja: bool) -> str:
    greeting = "{% if first_name %}, {{ first_name }}{% endif %}" if jinja else ""
    sender = "{{ org_name }}" if jinja else "the initiative"
    lines = [
        f"      {lang}: |\n"
        f"        <b>{lang} {flow}.{step}</b>{greeting}.\n"
        f"        A message of a few sentences from {sender}, about the size editors\n"
        f"        write: calm, short, with one or two lines and a choice at the end.\n"
        for lang in LANGS
    ]
    return "".join(lines)


def _label(word: str) -> str:
    return "{" + ", ".join(f"{lang}: {word} {lang}" for lang in LANGS) + "}"


def write_tree(
    root: Path, *, flows: int = 20, steps_per_flow: int = 50, jinja_every: int = 4
) -> Path:
    """Write a valid content tree with flows * steps_per_flow steps (plus a menu) under root.

    One step in `jinja_every` uses jinja2 (a condition and two names); the rest is plain HTML,
    as in real content, where most texts insert nothing.
    """
    shutil.rmtree(root, ignore_errors=True)
    (root / "flows").mkdir(parents=True)
    (root / "settings.yaml").write_text(
        "languages: {be: Беларуская, ru: Русский, en: English}\n"
        "topics:\n  other: {be: Іншае, ru: Другое, en: Other}\n"
        "values:\n  org_name: {be: Вольныя, ru: Вольные, en: Volnyja}\n",
        encoding="utf-8",
    )
    system = "".join(
        f"  {name}: {_label(name)}\n"
        for name in (
            "not_understood",
            "not_text",
            "something_went_wrong",
            "old_button",
            "step_gone",
            "too_fast",
        )
    )
    commands = "".join(
        f"  {name}:\n    description: {_label(name)}\n"
        for name in ("start", "menu", "back", "help", "language", "human", "privacy", "forget")
    )
    (root / "system.yaml").write_text(
        f"messages:\n{system}labels:\n  back: {_label('back')}\n  menu: {_label('menu')}\n"
        f"commands:\n{commands}",
        encoding="utf-8",
    )
    (root / "triggers.yaml").write_text(
        "triggers:\n  person:\n    words: {be: [чалавек*], ru: [человек*], en: [person]}\n"
        "    action: ask_person\n    topic: other\n    menu: true\n",
        encoding="utf-8",
    )
    menu_choices = "".join(
        f"      - label: {_label(f'flow {f}')}\n        flow: flow_{f}\n" for f in range(flows)
    ) + (f"      - label: {_label('clear')}\n        action: clear_chat\n")
    (root / "flows" / "menu.yaml").write_text(
        f"start: main\nsteps:\n  main:\n    text: {_label('menu')}\n    choices:\n{menu_choices}",
        encoding="utf-8",
    )
    for f in range(flows):
        parts = ["start: s0\nsteps:\n"]
        for s in range(steps_per_flow):
            nxt = f"s{s + 1}" if s + 1 < steps_per_flow else "s0"
            parts.append(
                f"  s{s}:\n    text:\n{_text(f, s, jinja=s % jinja_every == 0)}    choices:\n"
                f"      - label: {_label('next')}\n        goto: {nxt}\n"
                f"      - label: {_label('person')}\n        action: ask_person\n"
                f"        topic: other\n        goto: s0\n"
                f"      - back\n      - menu\n"
            )
        (root / "flows" / f"flow_{f}.yaml").write_text("".join(parts), encoding="utf-8")
    return root

"""The shape we promised: a pure dialog core, and no words for people in Python code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

FORBIDDEN_IN_CORE = ("aiogram", "sqlalchemy", "aiohttp", "aiosqlite", "alembic", "bot")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", python_files("dialogs"), ids=lambda p: p.name)
def test_the_dialog_core_imports_no_telegram_database_or_shell(path: Path) -> None:
    assert imported_modules(path).isdisjoint(FORBIDDEN_IN_CORE)


@pytest.mark.parametrize(
    "path", python_files("dialogs") + python_files("bot"), ids=lambda p: p.name
)
def test_no_sentence_for_people_is_written_in_python(path: Path) -> None:
    assert not CYRILLIC.search(path.read_text(encoding="utf-8")), "words belong in content/"

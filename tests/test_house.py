"""The house rules of bot/ and dialogs/, checked on the source: no import circles (TYPE_CHECKING
imports count too), one way out to Telegram, small modules and functions, buttons as CallbackData.

Each rule's detector is first shown to catch a bad example, so a rule cannot pass by seeing
nothing.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import aiogram
import pytest
from aiogram.client.bot import Bot

from tests.conftest import ROOT

PACKAGES = ("bot", "dialogs")
SEAM = "bot/telegram/send.py"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
GENERIC_VERBS = frozenset({"close", "delete", "do"})
"""Bot API names that are also everyday method names (a session closes, SQLAlchemy deletes):
these count as Telegram calls only on a Telegram-looking receiver."""
TELEGRAM_RECEIVERS = frozenset({"bot", "message", "callback", "query", "chat", "event", "update"})


def source_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


# -- import circles ----------------------------------------------------------------------------


def internal_imports(tree: ast.Module, modules: set[str], here: str) -> set[str]:
    """The project modules a module imports, wherever the import stands (TYPE_CHECKING too)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: -node.level] if node.level else []
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                if child in modules:
                    found.add(child)
                elif base in modules:
                    found.add(base)
    found.discard(here)
    return found


def import_graph(files: dict[str, ast.Module]) -> dict[str, set[str]]:
    modules = set(files)
    return {name: internal_imports(tree, modules, name) for name, tree in files.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each a circle to break."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_a_circle_hidden_behind_type_checking_is_found() -> None:
    files = {
        "bot.a": ast.parse("from bot.b import B"),
        "bot.b": ast.parse(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.a import A"
        ),
        "bot.c": ast.parse("import bot.a"),
    }
    assert circles(import_graph(files)) == [["bot.a", "bot.b"]]


def test_bot_and_dialogs_import_in_no_circle() -> None:
    files = {module_name(path): parse(path) for path in source_files()}
    graph = import_graph(files)
    assert sum(len(targets) for targets in graph.values()) > 100  # the walk sees the imports
    assert circles(graph) == []


# -- one way out ---------------------------------------------------------------------------------


@cache
def bot_api_names() -> frozenset[str]:
    """Every Bot API method of aiogram's Bot, and every shortcut on its types (message.answer)."""
    names = {
        name
        for name, member in vars(Bot).items()
        if inspect.iscoroutinefunction(member) and not name.startswith("_")
    }
    for path in (Path(aiogram.__file__).parent / "types").glob("*.py"):
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(inner, ast.ImportFrom) and "methods" in (inner.module or "")
                for inner in ast.walk(node)
            ):
                names.add(node.name)
    return frozenset(names)


def telegram_calls(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Calls that reach Telegram without the seam: `bot.send_message(...)`, `message.answer()`,
    `bot(SendMessage(...))` with a method object."""
    api = bot_api_names()
    method_classes = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aiogram.methods")
        for alias in node.names
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in method_classes:
            yield node.lineno, node.func.id  # a method object, sent by calling the bot with it
        if not isinstance(node.func, ast.Attribute):
            continue
        name, receiver = node.func.attr, node.func.value
        if name not in api or (isinstance(receiver, ast.Name) and receiver.id == "send"):
            continue
        last = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
        if name in GENERIC_VERBS and last not in TELEGRAM_RECEIVERS:
            continue
        yield node.lineno, ast.unparse(node.func)


def test_the_detector_sees_every_way_to_call_telegram() -> None:
    sample = ast.parse(
        "from aiogram.methods import SendMessage, TelegramMethod\n"
        "async def f(bot, message, callback, session, method):\n"
        "    await bot(SendMessage(chat_id=1, text='x'))\n"
        "    await bot.send_message(1, 'x')\n"
        "    await message.answer('x')\n"
        "    await callback.message.delete()\n"
        "    await bot.copy_message(1, 2, 3)\n"
        "    await message.edit_text('x')\n"
        "    await send.message(bot, 1, 'x')\n"
        "    await session.delete(row)\n"
        "    await bot.session.close()\n"
        "    isinstance(method, TelegramMethod)\n"
    )
    assert sorted(line for line, _ in telegram_calls(sample)) == [3, 4, 5, 6, 7, 8]


def test_every_telegram_call_goes_through_the_seam() -> None:
    outside = [
        f"{relative(path)}:{line}: {call}"
        for path in source_files()
        if relative(path) != SEAM
        for line, call in telegram_calls(parse(path))
    ]
    assert outside == []
    assert len(list(telegram_calls(parse(ROOT / SEAM)))) > 10  # and the seam does call Telegram


# -- small modules, short functions -------------------------------------------------------------


def too_long(tree: ast.Module) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                yield node.name, length


def test_the_length_detector_measures_a_function() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert list(too_long(ast.parse(f"def long():\n{body}\n"))) == [("long", MAX_FUNCTION_LINES + 1)]


@pytest.mark.parametrize("path", source_files(), ids=relative)
def test_modules_and_functions_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines: split it by what its parts are for"
    assert list(too_long(parse(path))) == []


# -- buttons and decisions -------------------------------------------------------------------------


def hand_made_callback_data(tree: ast.Module) -> Iterator[int]:
    """`callback_data=` given anything but a plain name: a literal, an f-string, a concatenation."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.keyword) or node.arg != "callback_data":
            continue
        value = node.value
        packed = (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "pack"
        )
        if not (packed or isinstance(value, ast.Name | ast.Attribute)):
            yield value.lineno


def test_the_detector_sees_a_hand_made_callback_string() -> None:
    sample = ast.parse(
        "InlineKeyboardButton(text='a', callback_data=f'take:{n}')\n"
        "InlineKeyboardButton(text='a', callback_data='case:' + str(n))\n"
        "InlineKeyboardButton(text='a', callback_data=TakeCase(case=n).pack())\n"
        "InlineKeyboardButton(text='a', callback_data=data)\n"
    )
    assert list(hand_made_callback_data(sample)) == [1, 2]


def test_buttons_are_callback_data_classes_not_strings() -> None:
    found = [
        f"{relative(path)}:{line}"
        for path in source_files()
        for line in hand_made_callback_data(parse(path))
    ]
    assert found == []
    words = (ROOT / "bot/handoff/words.py").read_text(encoding="utf-8")
    assert words.count(".pack()") >= 4  # take, waiting, helped, share


def test_handoff_rules_are_pure() -> None:
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(parse(ROOT / "bot/handoff/rules.py"))
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(parse(ROOT / "bot/handoff/rules.py"))
        if isinstance(node, ast.ImportFrom)
    }
    assert imported.isdisjoint({"aiogram", "sqlalchemy", "aiohttp"})

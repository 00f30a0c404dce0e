"""Changing the running bot: content edited under CONTENT_DIR is checked and served from the
next update on; broken content is refused (the admins read check's lines); a person whose step
disappeared lands gently on the menu. Through the real Dispatcher with a mocked Bot API."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from markupsafe import escape
from ruamel.yaml import YAML

from bot.reloading import Reloader, handoff_words_kept, refused_notice
from bot.serving import reload_on_hangup
from dialogs import Problem, load_content
from dialogs.live import LiveContent, version_of
from tests.bot_harness import GROUP, Harness, person
from tests.conftest import SHIPPED

FEELINGS = Path("flows") / "feelings.yaml"
FIRST_WORDS = "How are you right now?"
NEW_WORDS = "How do you feel just now?"


def edit(directory: Path, relative: Path, old: str, new: str) -> None:
    path = directory / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def remove_step(directory: Path, flow: str, step: str) -> None:
    """The step and every button that leads to it, gone from the flow (still valid content)."""
    yaml = YAML()
    yaml.width = 1_000_000
    path = directory / "flows" / f"{flow}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    del data["steps"][step]
    for other in data["steps"].values():
        choices = other.get("choices") or []
        kept = [c for c in choices if not (isinstance(c, dict) and c.get("goto") == step)]
        other["choices"] = kept
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(data, out)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns("schema", "*.md"))
    return target


@pytest.fixture
def live(content_dir: Path) -> LiveContent:
    result = load_content(content_dir)
    assert result.content is not None
    return LiveContent(
        result.content,
        directory=content_dir,
        extra=lambda content: handoff_words_kept(content_dir, content),
    )


@pytest.fixture
async def bot(live: LiveContent, database: Path) -> AsyncIterator[Harness]:
    harness = Harness(
        live.current, f"sqlite+aiosqlite:///{database}", volunteer_chat_id=GROUP, live=live
    )
    yield harness
    await harness.close()


@pytest.fixture
def reloader(bot: Harness, live: LiveContent) -> Reloader:
    return Reloader(live, bot.bot, group=GROUP)


async def test_a_changed_text_is_served_from_the_next_update(
    bot: Harness,
    live: LiveContent,
    reloader: Reloader,
    content_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ales = person()
    await bot.say(ales, "/start feelings")
    assert bot.last_to(ales).text.startswith(FIRST_WORDS)
    before = live.version

    edit(content_dir, FEELINGS, FIRST_WORDS, NEW_WORDS)
    with caplog.at_level("INFO"):
        done = await reloader.reload()
    assert done is not None
    assert done.live

    await bot.say(ales, "/start feelings")
    assert bot.last_to(ales).text.startswith(NEW_WORDS)
    assert live.version == version_of(content_dir) != before
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.reloading"]
    assert logged == [f"content.live version={live.version} warnings={len(done.problems)}"]
    assert bot.in_group() == []  # a clean reload troubles nobody


async def test_broken_content_is_refused_and_the_admins_read_checks_lines(
    bot: Harness, live: LiveContent, reloader: Reloader, content_dir: Path
) -> None:
    ales = person()
    served = live.current
    edit(content_dir, FEELINGS, FIRST_WORDS, NEW_WORDS)
    edit(content_dir, FEELINGS, "goto: anxious", "goto: anxiouss")

    done = await reloader.reload()
    assert done is not None
    assert not done.live
    assert live.current is served

    await bot.say(ales, "/start feelings")
    assert bot.last_to(ales).text.startswith(FIRST_WORDS)
    (notice,) = bot.in_group()
    assert notice.message_thread_id is None  # the General topic
    assert notice.text.startswith("<b>Змененыя тэксты не загружаны</b>")
    where = f"{content_dir / FEELINGS}:26: flow 'feelings' has no step 'anxiouss'"
    assert str(escape(where)) in notice.text  # Telegram shows it as check printed it
    assert "Ales" not in notice.text
    assert str(ales.id) not in notice.text

    assert await reloader.reload() is None  # the same broken files: told once, not every look


async def test_a_person_whose_step_disappeared_lands_on_the_menu(
    bot: Harness, live: LiveContent, reloader: Reloader, content_dir: Path
) -> None:
    ales = person()
    await bot.say(ales, "/start feelings")
    await bot.press(ales, "Relief, joy")
    on_relief = bot.last_to(ales)
    assert "Relief" in on_relief.text or "relief" in on_relief.text

    remove_step(content_dir, "feelings", "relief")
    done = await reloader.reload()
    assert done is not None
    assert done.live, done.problems

    await bot.press(ales, bot.labels(on_relief)[0], on=on_relief)
    gone, menu = bot.to(ales)[-2:]
    step_gone = live.current.system.messages["step_gone"]["en"]
    assert gone.text == step_gone
    await bot.say(ales, "/menu")
    assert menu.text == bot.last_to(ales).text
    assert bot.labels(menu) == bot.labels(bot.last_to(ales))


async def test_the_watch_follows_the_files_and_a_hangup(
    bot: Harness, live: LiveContent, content_dir: Path
) -> None:
    reloader = Reloader(live, bot.bot, group=GROUP, asked=reload_on_hangup())
    watching = asyncio.create_task(reloader.watch(every=0.05))
    try:
        edit(content_dir, FEELINGS, FIRST_WORDS, NEW_WORDS)
        await _until(lambda: live.version == version_of(content_dir))
        # Same size and time of change: only a hangup makes the bot look again.
        path = content_dir / FEELINGS
        stat = path.stat()
        edit(content_dir, FEELINGS, NEW_WORDS, FIRST_WORDS.replace("How", "Hoy"))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        live.changed()  # the fingerprint is taken: it looks unchanged from now on
        os.kill(os.getpid(), signal.SIGHUP)
        await _until(lambda: live.version == version_of(content_dir))
    finally:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        watching.cancel()
    ales = person()
    await bot.say(ales, "/start feelings")
    assert bot.last_to(ales).text.startswith("Hoy are you right now?")


async def _until(condition: object, seconds: float = 5.0) -> None:
    assert callable(condition)
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    pytest.fail("the watch did not reload in time")


def test_without_the_handoffs_words_the_notice_is_a_plain_line(live: LiveContent) -> None:
    problems = [Problem("content/flows/a.yaml", i, f"problem {i} <b>") for i in range(25)]
    words = refused_notice(live.current, problems)
    assert "content/flows/a.yaml:19: problem 19 &lt;b&gt;" in words
    assert "problem 20" not in words
    assert "і яшчэ 5" in words
    bare = type(live.current.system)(
        messages=live.current.system.messages, labels=live.current.system.labels
    )
    content = type(live.current)(**{**live.current.__dict__, "system": bare})
    plain = refused_notice(content, problems[:2])
    assert plain.startswith("content not reloaded, the previous version is still served:")
    assert plain.endswith("content/flows/a.yaml:1: problem 1 &lt;b&gt;")


def test_content_that_drops_the_handoffs_words_is_refused(
    live: LiveContent, content_dir: Path
) -> None:
    system = content_dir / "system.yaml"
    text = system.read_text(encoding="utf-8")
    system.write_text(text[: text.index("\nhandoff:")] + "\n", encoding="utf-8")
    done = live.reload()
    assert done is not None
    assert not done.live
    assert [p.message for p in done.problems] == [
        "the handoff's words are missing: the running bot needs them for its volunteers"
    ]

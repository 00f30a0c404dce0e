"""`volnyja-bot chat --watch`: the terminal chat follows the files while an editor writes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from bot.simulator import Simulator
from dialogs import load_content
from dialogs.live import LiveContent
from tests.conftest import copy_content
from tests.test_cli import cli

INTRO = Path("flows") / "intro.yaml"


def rewrite(directory: Path, old: str, new: str) -> None:
    path = directory / INTRO
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_chat_watch_reloads_keeps_old_content_when_broken_and_goes_on(tmp_path: Path) -> None:
    directory = copy_content(tmp_path)
    result = load_content(directory)
    assert result.content is not None
    out = io.StringIO()
    live = LiveContent(result.content, directory=directory)
    simulator = Simulator(live, locale="en", out=out, echo=True)

    def editor_at_work() -> Iterator[str]:
        # The welcome (the intro's first step) is shown; the editor changes its words.
        rewrite(directory, "en: First, {{ first_name }}", "en: Firstly, {{ first_name }}")
        yield ""  # saved: the same step, in the new words
        rewrite(directory, "goto: second", "goto: secnd")
        yield "1"  # broken: check's lines, and the old content goes on (Next still works)
        rewrite(directory, "goto: secnd", "goto: third")
        rewrite(directory, "  second:", "  third:")
        yield ""  # the step the editor is on is gone: the menu, as on Telegram
        yield "/quit"

    simulator.run(editor_at_work())

    shown = out.getvalue()
    reloaded = shown.index("[content reloaded: version ")
    assert (
        shown.index("\nFirst, , from Volnyja") < reloaded < shown.index("\nFirstly, , from Volnyja")
    )
    refused = shown.index("[content not reloaded: fix these lines]")
    assert f"{directory / INTRO}:10: flow 'intro' has no step 'secnd'" in shown[refused:]
    assert refused < shown.index("\nSecond, in the evening")
    gone = shown.rindex("[content reloaded")
    assert gone < shown.index("\nThat step is gone") < shown.rindex("\nMenu")
    assert simulator.state.at is not None
    assert simulator.state.at.flow == "menu"


def test_chat_watch_runs_from_the_command_line(tmp_path: Path) -> None:
    directory = copy_content(tmp_path)
    run = cli(
        "chat", "--watch", "--locale", "en", cwd=tmp_path, stdin="1\n", CONTENT_DIR=str(directory)
    )
    assert run.returncode == 0, run.stderr
    assert "First, , from Volnyja" in run.stdout
    assert "content reloaded" not in run.stdout

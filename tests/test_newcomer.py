"""What a newcomer runs first, and what a deployment relies on."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dialogs import load_content
from tests.conftest import ROOT, SHIPPED


def test_start_without_a_token_explains_botfather_and_opens_the_terminal_chat(
    tmp_path: Path,
) -> None:
    for name in ("dev.sh", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    # A stand-in virtualenv already set up, so the script skips installing (and never touches
    # the real one): its python is this one, its volnyja-bot runs this checkout.
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(sys.executable)
    command = venv / "volnyja-bot"
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bot "$@"\n')
    command.chmod(0o755)
    (tmp_path / "venv" / ".installed").touch()
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    run = subprocess.run(
        ["bash", "dev.sh", "start", "--locale", "en"],
        cwd=tmp_path,
        env={
            **env,
            "VENV": str(tmp_path / "venv"),
            "CONTENT_DIR": str(SHIPPED),
            "PYTHONPATH": str(ROOT),
        },
        input="/menu\n/quit\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "open @BotFather, send /newbot" in run.stdout
    assert "BOT_TOKEN=" in run.stdout
    assert "What do you need right now?" in run.stdout, "the terminal chat ran"


def test_the_image_runs_as_a_user_with_data_in_a_volume_and_a_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    lines = [line.strip() for line in dockerfile.splitlines()]
    stages = [line.split() for line in lines if line.startswith("FROM ")]
    assert stages[0][1].startswith("python:")
    assert stages[0][1].endswith("-slim")
    assert "USER 10001:10001" in lines
    assert "VOLUME /data" in lines
    assert any(line.startswith("HEALTHCHECK") and "volnyja-bot" in line for line in lines)
    assert lines[-1] == 'CMD ["volnyja-bot", "run"]'
    assert dockerfile.index("--require-hashes -r") < dockerfile.index("/wheels/*.whl"), (
        "dependencies are installed before the code, for the layer cache"
    )


def test_health_is_false_without_a_running_bot(tmp_path: Path) -> None:
    from bot.health import is_alive

    mark = tmp_path / "alive"
    assert not is_alive(mark)
    mark.touch()
    assert is_alive(mark)
    os.utime(mark, (0, 0))
    assert not is_alive(mark)


README_COMMAND = (
    "chat",
    "--locale",
    "en",
    "--name",
    "Ales",
    "--script",
    "4 1 3 1 1 1 1",
    "--write-readme",
    "README.md",
)
REFRESH = "./dev.sh readme"


def test_the_readme_transcript_is_what_the_readme_command_produces(tmp_path: Path) -> None:
    """A content change never turns CI red by itself: the command rewrites the transcript."""
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    run = subprocess.run(
        [sys.executable, "-m", "bot", *README_COMMAND],
        cwd=tmp_path,
        env={**os.environ, "CONTENT_DIR": str(SHIPPED), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    refreshed = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert refreshed == (ROOT / "README.md").read_text(encoding="utf-8"), (
        f"README.md's sample conversation is not what the content says now: run {REFRESH} "
        "and commit README.md"
    )


def test_dev_sh_readme_runs_the_same_command() -> None:
    dev = (ROOT / "dev.sh").read_text(encoding="utf-8")
    block = dev.split("  readme)", 1)[1].split(";;", 1)[0]
    words = shlex.split(block.replace("\\\n", " "))
    assert words[:2] == ["setup", "exec"]
    assert words[2] == '"$VENV/bin/volnyja-bot"'.strip('"')
    assert tuple(words[3:]) == README_COMMAND


def test_the_transcript_shows_the_chat_as_a_person_would_run_it() -> None:
    """The README's block is the terminal chat, pressing 4, 1, 3, 1, 1, 1, 1 as the README says."""
    from bot.transcript import transcript

    result = load_content(SHIPPED)
    assert result.content is not None
    shown = transcript(result.content, "4 1 3 1 1 1 1", locale="en", first_name="Ales")
    assert shown.startswith("Hello, Ales.")
    assert shown.count("\n> ") == 7
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pressing 4, 1, 3, 1, 1, 1, 1" in readme


def test_a_readme_without_the_section_is_refused(tmp_path: Path) -> None:
    from bot.transcript import with_transcript

    with pytest.raises(ValueError, match="What a conversation looks like"):
        with_transcript("# A README\n", "Hello")
    assert with_transcript(
        "x\n## What a conversation looks like\n\nA run:\n```\nold\n```\nend\n", "new"
    ) == ("x\n## What a conversation looks like\n\nA run:\n```\nnew\n```\nend\n")


def test_every_setting_is_in_the_readme_table_and_the_env_example() -> None:
    from bot.config import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `{name}` |" in readme, f"{name} is not in the README's settings table"
        assert f"{name}=" in example, f"{name} is not in .env.example"

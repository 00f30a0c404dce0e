"""What a newcomer runs first, and what a deployment relies on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_the_readme_transcript_is_a_real_run_of_the_shipped_content(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What a conversation looks like", 1)[1]
    shown = section.split("```\n", 2)[1].rstrip()
    run = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--locale", "en", "--name", "Ales"],
        cwd=tmp_path,
        env={**os.environ, "CONTENT_DIR": str(SHIPPED), "PYTHONPATH": str(ROOT)},
        input="4\n1\n3\n1\n1\n1\n1\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    actual = "\n".join(run.stdout.splitlines()[2:]).rstrip()
    assert shown == actual, "regenerate the README transcript from the chat"


def test_every_setting_is_in_the_readme_table_and_the_env_example() -> None:
    from bot.config import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `{name}` |" in readme, f"{name} is not in the README's settings table"
        assert f"{name}=" in example, f"{name} is not in .env.example"

"""`volnyja-bot run` fails to start in one line that says what to fix, never in a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.methods import GetMe

from bot.config import EXPECTED_FORM, Settings
from bot.telegram.reach import address, wait_until_answered
from bot.telegram.startup import SetupError
from tests.conftest import ROOT

TOKEN = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ"
"""Shaped like a token from @BotFather; no Telegram knows it."""


def run_env(tmp_path: Path, valid_dir: Path, **settings: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME")}
    return {
        **clean,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "CONTENT_DIR": str(valid_dir),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/data/bot.db",
        **settings,
    }


def run_bot(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("BOT_TOKEN", "12345:short", "expected the token from @BotFather, like 123456789:AA..."),
        ("BOT_TOKEN", "AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ", "expected the token from @BotFather"),
        ("VOLUNTEER_HOURS", "10-22", "expected hours like 09:00-21:00"),
        ("DEFAULT_LOCALE", "Belarusian", "expected a language code like be"),
        ("TELEGRAM_API_URL", "ftp://files.example", "expected an address like https://api."),
        ("DATABASE_URL", "bot.sqlite", "expected a database address like sqlite+aiosqlite:"),
    ],
)
def test_a_malformed_setting_is_one_line_saying_the_expected_form(
    tmp_path: Path, valid_dir: Path, name: str, value: str, line: str
) -> None:
    run = run_bot(run_env(tmp_path, valid_dir, **{name: value}), tmp_path)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"setting {name}: {line}")
    assert value not in run.stderr, "the value itself (a token!) is never repeated"
    assert "^" not in run.stderr, "no regular expression is shown"


def test_every_setting_with_a_pattern_says_its_expected_form() -> None:
    patterned = {
        name
        for name, field in Settings.model_fields.items()
        if any(getattr(rule, "pattern", None) for rule in field.metadata)
    }
    assert patterned == set(EXPECTED_FORM)


def test_a_database_folder_that_cannot_be_written_is_one_line(
    tmp_path: Path, valid_dir: Path
) -> None:
    in_the_way = tmp_path / "data"
    in_the_way.write_text("a file where the folder should be\n", encoding="utf-8")
    run = run_bot(run_env(tmp_path, valid_dir), tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"the database folder {in_the_way} is not writable by this user (uid {os.getuid()}): "
        "chown it to that uid, or mount a volume there (in Docker leave DATABASE_URL unset: "
        "the image keeps the database in /data)"
    ]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def read_until(process: subprocess.Popen[str], wanted: str, seconds: float) -> list[str]:
    """stderr lines up to (and with) the first holding `wanted`."""
    assert process.stderr is not None
    os.set_blocking(process.stderr.fileno(), False)
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if line:
            lines.append(line)
            if wanted in line:
                return lines
        else:
            time.sleep(0.05)
    process.kill()
    pytest.fail(f"no {wanted!r} within {seconds} s: {''.join(lines)}")


def test_telegram_out_of_reach_is_said_once_then_retried_quietly(
    tmp_path: Path, valid_dir: Path
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=run_env(tmp_path, valid_dir, TELEGRAM_API_URL=url),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        said = read_until(process, "not reachable", seconds=60)
        time.sleep(4)  # tries at 1, 3 and 7 s: quiet ones
        process.send_signal(signal.SIGTERM)
        assert process.stderr is not None
        os.set_blocking(process.stderr.fileno(), True)
        _, rest = process.communicate(timeout=30)
    finally:
        process.kill()
    stderr = "".join(said) + rest
    assert process.returncode == 0, stderr
    assert stderr.count("Telegram is not reachable") == 1, stderr
    assert f"Telegram is not reachable at {url}; trying again" in stderr
    assert "Traceback" not in stderr
    assert "Unclosed" not in stderr
    assert TOKEN not in stderr
    assert "reachable at" not in rest.replace("not reachable at", "")


class Flaky:
    """A probe failing `failures` times before Telegram answers; stops the wait when told."""

    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or ConnectionError("refused")
        self.tries = 0

    async def __call__(self) -> object:
        self.tries += 1
        if self.tries <= self.failures:
            raise self.error
        return "me"


async def test_the_wait_grows_to_a_cap_and_says_two_lines_in_all() -> None:
    said: list[str] = []
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    reached = await wait_until_answered(
        Flaky(9), asyncio.Event(), where="https://api.telegram.org", say=said.append, sleep=sleep
    )
    assert reached
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert said == [
        "Telegram is not reachable at https://api.telegram.org; trying again, less and less "
        "often (at most every 60 s)",
        "Telegram is reachable at https://api.telegram.org now; the bot starts",
    ]


async def test_reached_at_once_says_nothing() -> None:
    said: list[str] = []
    assert await wait_until_answered(Flaky(0), asyncio.Event(), where="x", say=said.append)
    assert said == []


async def test_a_stop_during_the_wait_ends_it() -> None:
    stop = asyncio.Event()

    async def sleep(seconds: float) -> None:
        stop.set()
        await asyncio.sleep(3600)  # the stop must not wait this out

    reached = await asyncio.wait_for(
        wait_until_answered(Flaky(99), stop, where="x", say=lambda _: None, sleep=sleep), 5
    )
    assert not reached


async def test_a_token_telegram_refuses_is_one_line_about_the_token() -> None:
    refused = TelegramUnauthorizedError(method=GetMe(), message="Unauthorized")
    with pytest.raises(SetupError, match=r"^setting BOT_TOKEN: Telegram does not accept"):
        await wait_until_answered(Flaky(1, refused), asyncio.Event(), where="x")


def test_the_address_shown_drops_a_password() -> None:
    assert address("https://user:secret@bot-api.local:8081/") == "https://bot-api.local:8081"

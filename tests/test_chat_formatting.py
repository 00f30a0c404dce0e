"""`chat` shows emphasis as a person would see it, on a terminal only; piped output stays plain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dialogs.telegram_html import to_terminal
from tests.conftest import ROOT
from tests.test_cli import cli

BOLD, UNBOLD = "\x1b[1m", "\x1b[22m"
ITALIC, UNITALIC = "\x1b[3m", "\x1b[23m"
UNDER, UNUNDER = "\x1b[4m", "\x1b[24m"


@pytest.mark.parametrize(
    ("telegram", "terminal"),
    [
        ("plain &amp; simple", "plain & simple"),
        ("<b>bold</b> and <strong>strong</strong>", f"{BOLD}bold{UNBOLD} and {BOLD}strong{UNBOLD}"),
        ("<i>a <b>b</b> c</i>", f"{ITALIC}a {BOLD}b{UNBOLD} c{UNITALIC}"),
        ("<b>a <b>b</b> c</b>", f"{BOLD}a b c{UNBOLD}"),  # nested: bold to the very end
        ("<u>u</u> <s>s</s>", f"{UNDER}u{UNUNDER} \x1b[9ms\x1b[29m"),
        (
            '<a href="https://example.org/?a=1&amp;b=2">the site</a>.',
            f"{UNDER}the site{UNUNDER} (https://example.org/?a=1&b=2).",
        ),
        ('<a href="tel:112">tel:112</a>', f"{UNDER}tel:112{UNUNDER}"),  # said once is enough
        ("<code>x &lt; y</code> <tg-spoiler>s</tg-spoiler>", "x < y s"),
        ("stray </b> close", "stray  close"),
    ],
)
def test_telegram_html_as_a_terminal_shows_it(telegram: str, terminal: str) -> None:
    assert to_terminal(telegram) == terminal


@pytest.fixture
def emphatic(valid_dir: Path) -> Path:
    menu = valid_dir / "flows" / "menu.yaml"
    text = menu.read_text(encoding="utf-8").replace(
        "text: {be: Меню, ru: Меню, en: Menu}",
        """text: {be: Меню, ru: Меню, en: '<b>Menu</b>, <a href="{{ site }}">site</a>'}""",
    )
    menu.write_text(text, encoding="utf-8")
    settings = valid_dir / "settings.yaml"
    values = settings.read_text(encoding="utf-8").replace(
        "values:\n", "values:\n  site: https://example.org\n", 1
    )
    settings.write_text(values, encoding="utf-8")
    return valid_dir


def test_piped_chat_stays_plain(tmp_path: Path, emphatic: Path) -> None:
    run = cli(
        "chat", "--content", str(emphatic), "--locale", "en", cwd=tmp_path, stdin="/menu\n/quit\n"
    )
    assert run.returncode == 0, run.stderr
    assert "\nMenu, site\n" in run.stdout
    assert "\x1b" not in run.stdout


def test_chat_on_a_terminal_shows_bold_and_links(tmp_path: Path, emphatic: Path) -> None:
    leader, follower = os.openpty()
    clean = {k: v for k, v in os.environ.items() if k not in ("CONTENT_DIR", "NO_COLOR")}
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--content", str(emphatic), "--locale", "en"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**clean, "PYTHONPATH": str(ROOT)},
    ) as chat:
        os.close(follower)
        _, errors = chat.communicate(b"/menu\n/quit\n", timeout=60)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed once the program has ended
                break
            if not chunk:
                break
            shown += chunk
    os.close(leader)
    assert chat.returncode == 0, errors
    assert f"{BOLD}Menu{UNBOLD}, {UNDER}site{UNUNDER} (https://example.org)" in shown.decode()

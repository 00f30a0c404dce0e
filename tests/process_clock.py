"""The wall clock of a real process, set by a test: libfaketime, preloaded into the process, reads
the date and time from a file at each call, and the test rewrites the file.

Only the wall clock is faked (FAKETIME_DONT_FAKE_MONOTONIC): asyncio's sleeps and timeouts, the
pacer and aiohttp run on the real monotonic clock, so a jump of days fires no timer early. Each
`set` starts the clock at that moment and lets it tick ("@YYYY-MM-DD hh:mm:ss", read as UTC
because the process gets TZ=UTC). The bot has threads (aiosqlite's, asyncio's executor), so it
gets libfaketime's thread-safe variant, libfaketimeMT.

libfaketime 0.9.10 (Debian 12) gets `clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)` wrong when
the monotonic clock is not faked (wolfcw/libfaketime#426): Python's `time.sleep` then raises
"OSError: Invalid argument". The bot never sleeps that way (asyncio waits in epoll, its threads
on locks, which are right); a test that checks the bot's log for errors would see it if it did.
"""

from __future__ import annotations

import glob
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.telegram_double import TelegramDouble

LIBRARY_PATTERNS = (
    "/usr/lib/*/faketime/libfaketimeMT.so.1",  # Debian's libfaketime, for any architecture
    "/usr/lib*/faketime/libfaketimeMT.so.1",  # other distributions
    "/usr/local/lib/faketime/libfaketimeMT.so.1",  # built from source: make install
)
INSTALL_HINT = (
    "libfaketime is not installed, and the test needs it to move the bot's clock. On Debian or "
    "Ubuntu: `apt-get install libfaketime` (./dev.sh test does this itself when run as root)."
)


def library() -> str:
    """Where libfaketime is; the test fails, saying how to install it, when it is nowhere."""
    for pattern in LIBRARY_PATTERNS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    pytest.fail(INSTALL_HINT)


class ProcessClock:
    """The wall clock of the bot process started with `environment()`; the double's message
    dates follow it, so a person's messages are as old as the bot thinks."""

    def __init__(self, double: TelegramDouble, folder: Path, start: datetime) -> None:
        self._double = double
        self.file = folder / "faketime"
        self.set(start)

    def environment(self) -> dict[str, str]:
        """What the process needs in its environment to run on this clock."""
        preloaded = [library(), *os.environ.get("LD_PRELOAD", "").split()]
        return {
            "LD_PRELOAD": " ".join(preloaded),
            "FAKETIME_TIMESTAMP_FILE": str(self.file),
            "FAKETIME_NO_CACHE": "1",  # read the file at every call: a move is seen at once
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "TZ": "UTC",
        }

    def set(self, moment: datetime) -> None:
        """From now on the clock reads `moment` (to the second) and ticks on from there (the
        moment last set again changes nothing: libfaketime restarts only on a new one)."""
        if moment.tzinfo is None:
            msg = "a naive moment is ambiguous: give it a time zone"
            raise ValueError(msg)
        utc = moment.astimezone(UTC)
        written = self.file.with_name(f"{self.file.name}.new")
        written.write_text(f"@{utc:%Y-%m-%d %H:%M:%S}\n", encoding="ascii")
        # Replaced whole: libfaketime reads the file at any moment, never half of it.
        written.replace(self.file)
        self._double.clock_offset = utc.timestamp() - time.time()

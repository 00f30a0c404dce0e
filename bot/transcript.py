"""The sample conversation in README.md, produced by the terminal chat so it never goes stale.

`volnyja-bot chat --script "4 1 3 1 1 1 1" --write-readme README.md` (what `./dev.sh readme`
runs) plays the presses and puts the transcript under "What a conversation looks like".
"""

from __future__ import annotations

import io
from pathlib import Path

from bot.simulator import Simulator
from dialogs import Content

SECTION = "## What a conversation looks like"
FENCE = "```\n"


def transcript(
    content: Content, script: str, *, locale: str, first_name: str, volunteers: str = "here"
) -> str:
    """What the terminal chat prints for the presses and words in `script` (space-separated)."""
    out = io.StringIO()
    simulator = Simulator(
        content,
        locale=locale,
        out=out,
        first_name=first_name,
        echo=True,
        volunteers=volunteers,
    )
    simulator.run(script.split())
    # The first two lines are the chat's help line and a blank one.
    return "\n".join(out.getvalue().splitlines()[2:]).rstrip()


def with_transcript(readme: str, shown: str) -> str:
    """`readme` with the first code block after SECTION replaced by `shown`."""
    if SECTION not in readme:
        msg = f"the README has no section {SECTION!r}"
        raise ValueError(msg)
    head, section = readme.split(SECTION, 1)
    parts = section.split(FENCE, 2)
    if len(parts) < 3:
        msg = f"the README's section {SECTION!r} has no ``` block"
        raise ValueError(msg)
    intro, _old, rest = parts
    return f"{head}{SECTION}{intro}{FENCE}{shown}\n{FENCE}{rest}"


def write_readme(path: Path, shown: str) -> bool:
    """Put `shown` into the README at `path`; whether anything changed."""
    before = path.read_text(encoding="utf-8")
    after = with_transcript(before, shown)
    if after != before:
        path.write_text(after, encoding="utf-8")
    return after != before

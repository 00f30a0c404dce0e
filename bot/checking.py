"""What `volnyja-bot check` prints: one line per problem, placeholders in one line, a summary.

Placeholders are expected while an organisation fills in its own values: they are counted in one
line unless --verbose, so that the problems an editor just made stand out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dialogs import Problem, load_content
from dialogs.loading.files import FLOWS_DIR, SETTINGS_FILE

PLACEHOLDER_PREFIX = "placeholder:"
SHOWN_PLACES = 3


def find_content(directory: Path | None, configured: Path, cwd: Path) -> Path | None:
    """The content folder to check: the one named, CONTENT_DIR, or this folder if it is one."""
    if directory is not None:
        return directory
    if configured.is_dir():
        return configured
    if (cwd / SETTINGS_FILE).is_file() and (cwd / FLOWS_DIR).is_dir():
        return cwd
    return None


NO_CONTENT = (
    "there is no content folder here: run check from the project folder (the one with dev.sh), "
    "from inside content/, or name the folder: volnyja-bot check path/to/content"
)


def report(
    directory: Path,
    *,
    default_locale: str,
    strict: bool,
    verbose: bool,
    out: Callable[[str], None],
) -> int:
    """Check the content at `directory`, print what was found; the exit status."""
    result = load_content(directory, default_locale=default_locale)
    placeholders = [p for p in result.warnings if p.message.startswith(PLACEHOLDER_PREFIX)]
    for problem in result.problems:
        if verbose or problem not in placeholders:
            out(str(problem))
    if placeholders and not verbose:
        out(_placeholder_line(directory, placeholders))
    warnings = f"; {len(result.warnings)} warning(s)" if result.warnings else ""
    if result.errors:
        out(
            f"{directory}: {len(result.errors)} error(s){warnings}: the bot does not start "
            "until the lines above are fixed"
        )
        return 1
    content = result.content
    assert content is not None
    steps = sum(len(flow.steps) for flow in content.flows.values())
    summary = (
        f"{directory}: ok: {len(content.flows)} flows, {steps} steps, "
        f"{len(content.triggers)} triggers, languages {', '.join(content.languages)}{warnings}"
    )
    if strict and result.warnings:
        out(f"{summary}; with --strict a warning counts as an error")
        return 1
    out(summary)
    return 0


def _placeholder_line(directory: Path, placeholders: list[Problem]) -> str:
    places = [f"{_relative(directory, p.file)}:{p.line}" for p in placeholders]
    shown = ", ".join(places[:SHOWN_PLACES]) + (", ..." if len(places) > SHOWN_PLACES else "")
    texts = "text still has a placeholder" if len(places) == 1 else "texts still have placeholders"
    return f"warning: {len(places)} {texts} ({shown}); --verbose lists them"


def _relative(directory: Path, file: str) -> str:
    try:
        return str(Path(file).relative_to(directory))
    except ValueError:
        return file

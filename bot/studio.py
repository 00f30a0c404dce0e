"""The editors' pictures of the content and the README's sample conversation, from the command
line: `graph`, `preview`, `chat --script ... --write-readme`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Settings
from bot.transcript import transcript, write_readme
from dialogs import LoadResult, load_content
from dialogs.graph import mermaid
from dialogs.preview import build_preview


def draft_content(settings: Settings, directory: Path | None) -> LoadResult:
    """The content for pictures of it: errors go to stderr but do not stop the picture."""
    result = load_content(
        directory or settings.CONTENT_DIR,
        default_locale=settings.DEFAULT_LOCALE,
        provided={"retention_days": settings.RETENTION_DAYS},
    )
    for problem in result.errors:
        print(problem, file=sys.stderr)
    return result


def graph_command(
    settings: Settings, directory: Path | None, flow: str | None, locale: str | None
) -> int:
    content = draft_content(settings, directory).draft
    if content is None:
        print("too much is broken to draw: fix the lines above", file=sys.stderr)
        return 1
    if flow is not None and flow not in content.flows:
        print(f"unknown flow {flow}; choose one of {', '.join(content.flows)}", file=sys.stderr)
        return 2
    sys.stdout.write(mermaid(content, flow, locale=locale))
    return 0


def preview_command(settings: Settings, directory: Path | None, out: Path, name: str) -> int:
    directory = directory or settings.CONTENT_DIR
    result = draft_content(settings, directory)
    if result.draft is None:
        print("too much is broken to show: fix the lines above", file=sys.stderr)
        return 1
    pages = build_preview(result, directory, out, first_name=name)
    print(
        f"{out}: {len(pages)} pages, {len(result.errors)} error(s), "
        f"{len(result.warnings)} warning(s); open {out / 'index.html'} in a browser"
    )
    return 0


def readme_command(settings: Settings, args: argparse.Namespace) -> int:
    """Rewrite the README's sample conversation from a scripted chat."""
    if args.script is None:
        print("--write-readme needs --script with the presses to play", file=sys.stderr)
        return 2
    result = load_content(
        args.content or settings.CONTENT_DIR,
        default_locale=settings.DEFAULT_LOCALE,
        provided={"retention_days": settings.RETENTION_DAYS},
    )
    if result.content is None:
        for problem in result.errors:
            print(problem, file=sys.stderr)
        return 1
    shown = transcript(
        result.content,
        args.script,
        locale=args.locale or settings.DEFAULT_LOCALE,
        first_name=args.name,
        volunteers=args.volunteers,
    )
    try:
        changed = write_readme(args.write_readme, shown)
    except (OSError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.write_readme}: " + ("conversation rewritten" if changed else "up to date"))
    return 0

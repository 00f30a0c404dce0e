"""The `volnyja-bot` command line: check, chat, graph, preview, schema (and run, for Telegram)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from bot.checking import NO_CONTENT, find_content, report
from bot.config import Settings, SettingsError, load_settings
from bot.health import answers_healthy, healthz_url, is_alive
from bot.privacy.logs import configure as configure_logging
from bot.simulator import Simulator
from bot.transcript import transcript, write_readme
from dialogs import LoadResult, load_content
from dialogs.graph import mermaid
from dialogs.preview import build_preview
from dialogs.render import VOLUNTEERS
from dialogs.schema import FILE_MODELS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="volnyja-bot", description="A support bot for people coming back after prison."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser(
        "run", help="apply migrations and run the Telegram bot (long polling, or a webhook)"
    )
    commands.add_parser("health", help="exit 0 if a running bot is alive (for HEALTHCHECK)")

    check = commands.add_parser("check", help="validate the content; exit 1 on any error")
    check.add_argument("directory", nargs="?", type=Path, help="content directory (CONTENT_DIR)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors too")
    check.add_argument(
        "--verbose", action="store_true", help="list every placeholder, not only how many"
    )

    chat = commands.add_parser("chat", help="talk to the flows in the terminal")
    chat.add_argument("--locale", help="language to talk in (default: DEFAULT_LOCALE)")
    chat.add_argument("--content", type=Path, help="content directory (CONTENT_DIR)")
    chat.add_argument("--name", default="", help="first name to greet you with")
    chat.add_argument(
        "--volunteers",
        choices=VOLUNTEERS,
        default="here",
        help="read the texts as when volunteers are here, away (outside their hours) or none",
    )
    chat.add_argument(
        "--script", metavar="PRESSES", help='play these presses and words instead: "4 1 3 1"'
    )
    chat.add_argument(
        "--write-readme",
        type=Path,
        metavar="README",
        help="with --script: put the conversation into README's 'What a conversation looks like'",
    )

    graph = commands.add_parser(
        "graph", help="print the flows as a Mermaid diagram (for ```mermaid blocks)"
    )
    graph.add_argument("flow", nargs="?", help="only this flow and the arrows leaving it")
    graph.add_argument("--locale", help="language of the labels (default: DEFAULT_LOCALE)")
    graph.add_argument("--content", type=Path, help="content directory (CONTENT_DIR)")

    preview = commands.add_parser(
        "preview", help="write every step, in every language, as web pages to open in a browser"
    )
    preview.add_argument(
        "--out", type=Path, default=Path("preview"), help="folder to write to (default: preview)"
    )
    preview.add_argument("--content", type=Path, help="content directory (CONTENT_DIR)")
    preview.add_argument("--name", default="Alesia", help="first name the texts greet")

    schema = commands.add_parser("schema", help="print the JSON Schema of a content file")
    schema.add_argument("kind", nargs="?", default="flow", choices=sorted(FILE_MODELS))
    schema.add_argument(
        "--write-to", type=Path, metavar="DIR", help="write every kind to DIR/<kind>.json instead"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        return schema_command(args.kind, args.write_to)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "health":
        return health_command(settings)
    if args.command == "run":
        try:
            return run_command(settings)
        except SettingsError as exc:
            print(exc, file=sys.stderr)
            return 2
    if args.command == "check":
        return check_command(settings, args.directory, strict=args.strict, verbose=args.verbose)
    if args.command == "chat":
        if args.write_readme is not None:
            return readme_command(settings, args)
        return chat_command(settings, args.content, args.locale, args.name, args.volunteers)
    if args.command == "graph":
        return graph_command(settings, args.content, args.flow, args.locale)
    if args.command == "preview":
        return preview_command(settings, args.content, args.out, args.name)
    return 2


def health_command(settings: Settings) -> int:
    """0 when the running bot is well: in webhook mode its /healthz says so."""
    if settings.webhook:
        return (
            0 if answers_healthy(healthz_url(settings.WEBHOOK_HOST, settings.WEBHOOK_PORT)) else 1
        )
    return 0 if is_alive() else 1


def run_command(settings: Settings) -> int:
    settings.token()  # fail early and clearly, before touching the database
    configure_logging(settings.log_level)
    result = load_content(
        settings.CONTENT_DIR,
        default_locale=settings.DEFAULT_LOCALE,
        provided={"retention_days": settings.RETENTION_DAYS},
    )
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.content is None:
        print("the bot does not start with broken content: fix the lines above", file=sys.stderr)
        return 1
    # aiogram takes seconds to import: only `run` pays for it, check and chat start at once.
    from bot.privacy.sealing import Sealer  # noqa: PLC0415
    from bot.serving import run_bot  # noqa: PLC0415
    from bot.storage.db import DatabaseFolderError  # noqa: PLC0415
    from bot.storage.migrate import upgrade  # noqa: PLC0415
    from bot.telegram.startup import SetupError  # noqa: PLC0415

    try:
        upgrade(settings.DATABASE_URL, Sealer(settings.pseudonym_key()))
        asyncio.run(run_bot(settings, result.content))
    except (SetupError, DatabaseFolderError) as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def check_command(
    settings: Settings, directory: Path | None, *, strict: bool, verbose: bool = False
) -> int:
    found = find_content(directory, settings.CONTENT_DIR, Path.cwd())
    if found is None:
        print(NO_CONTENT, file=sys.stderr)
        return 2
    return report(
        found, default_locale=settings.DEFAULT_LOCALE, strict=strict, verbose=verbose, out=print
    )


def chat_command(
    settings: Settings,
    directory: Path | None,
    locale: str | None,
    name: str,
    volunteers: str = "here",
) -> int:
    result = load_content(
        directory or settings.CONTENT_DIR,
        default_locale=settings.DEFAULT_LOCALE,
        provided={"retention_days": settings.RETENTION_DAYS},
    )
    if result.content is None:
        for problem in result.errors:
            print(problem, file=sys.stderr)
        return 1
    content = result.content
    chosen = locale or settings.DEFAULT_LOCALE
    if chosen not in content.languages:
        print(
            f"unknown language {chosen}; choose one of {', '.join(content.languages)}",
            file=sys.stderr,
        )
        return 2
    simulator = Simulator(
        content,
        locale=chosen,
        out=sys.stdout,
        first_name=name,
        echo=not sys.stdin.isatty(),
        volunteers=volunteers,
        styled=sys.stdout.isatty() and not os.environ.get("NO_COLOR"),
    )
    try:
        simulator.run(sys.stdin)
    except KeyboardInterrupt:
        print()
    return 0


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


def schema_json(kind: str) -> str:
    return json.dumps(FILE_MODELS[kind].model_json_schema(), ensure_ascii=False, indent=2) + "\n"


def schema_command(kind: str, write_to: Path | None) -> int:
    if write_to is None:
        sys.stdout.write(schema_json(kind))
        return 0
    write_to.mkdir(parents=True, exist_ok=True)
    for name in sorted(FILE_MODELS):
        (write_to / f"{name}.json").write_text(schema_json(name), encoding="utf-8")
    return 0

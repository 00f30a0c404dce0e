"""The `volnyja-bot` command line: check, chat, graph, preview, texts, schema (and run, for
Telegram)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
from pathlib import Path

from bot.checking import NO_CONTENT, find_content, report
from bot.config import Settings, SettingsError, load_settings
from bot.health import answers_healthy, healthz_url, is_alive
from bot.privacy.logs import configure as configure_logging
from bot.simulator import Simulator
from bot.studio import graph_command, preview_command, readme_command
from dialogs import load_content
from dialogs.live import LiveContent
from dialogs.render import VOLUNTEERS
from dialogs.schema import FILE_MODELS
from dialogs.translation import (
    FORMATS,
    TranslationError,
    export,
    format_of,
    import_table,
    read_texts,
)


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

    chat.add_argument(
        "--watch", action="store_true", help="reload the content whenever its files change"
    )
    _pictures_parser(commands)
    _texts_parser(commands)

    schema = commands.add_parser("schema", help="print the JSON Schema of a content file")
    schema.add_argument("kind", nargs="?", default="flow", choices=sorted(FILE_MODELS))
    schema.add_argument(
        "--write-to", type=Path, metavar="DIR", help="write every kind to DIR/<kind>.json instead"
    )
    return parser


def _pictures_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def _texts_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    texts = commands.add_parser("texts", help="the translators' table: export and import texts")
    actions = texts.add_subparsers(dest="action", required=True)
    out = actions.add_parser("export", help="write every text to a table, one row per text")
    out.add_argument("--format", choices=FORMATS, help="csv or xlsx (default: from --out, or csv)")
    out.add_argument("--out", type=Path, metavar="FILE", help="write here (default: the screen)")
    out.add_argument("--content", type=Path, help="content directory (CONTENT_DIR)")
    back = actions.add_parser("import", help="write a table's translations into the YAML files")
    back.add_argument("table", type=Path, metavar="FILE", help="the .csv or .xlsx table")
    back.add_argument("--content", type=Path, help="content directory (CONTENT_DIR)")


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
        return chat_command(
            settings, args.content, args.locale, args.name, args.volunteers, watch=args.watch
        )
    if args.command == "graph":
        return graph_command(settings, args.content, args.flow, args.locale)
    if args.command == "preview":
        return preview_command(settings, args.content, args.out, args.name)
    if args.command == "texts":
        directory = args.content or settings.CONTENT_DIR
        try:
            if args.action == "export":
                return export_command(directory, args.format, args.out)
            return import_command(settings, directory, args.table)
        except TranslationError as exc:
            print(exc, file=sys.stderr)
            return 1
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
    *,
    watch: bool = False,
) -> int:
    directory = directory or settings.CONTENT_DIR
    provided = {"retention_days": settings.RETENTION_DAYS}
    result = load_content(directory, default_locale=settings.DEFAULT_LOCALE, provided=provided)
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
    live = LiveContent(
        content,
        directory=directory if watch else None,
        default_locale=settings.DEFAULT_LOCALE,
        provided=provided,
    )
    simulator = Simulator(
        live,
        locale=chosen,
        out=sys.stdout,
        first_name=name,
        echo=not sys.stdin.isatty(),
        volunteers=volunteers,
        styled=sys.stdout.isatty() and not os.environ.get("NO_COLOR"),
    )
    stop = threading.Event()
    if watch and sys.stdin.isatty():  # piped input: the files are looked at before each line
        threading.Thread(target=simulator.follow_forever, args=(stop,), daemon=True).start()
    try:
        simulator.run(sys.stdin)
    except KeyboardInterrupt:
        print()
    finally:
        stop.set()
    return 0


def export_command(directory: Path, fmt: str | None, out: Path | None) -> int:
    chosen = fmt or (format_of(out) if out is not None else "csv")
    if out is None and chosen == "xlsx":
        print("an xlsx table needs --out FILE", file=sys.stderr)
        return 2
    texts = read_texts(directory)
    table = export(texts, chosen)
    if out is None:
        sys.stdout.write(table.decode("utf-8-sig"))
    else:
        out.write_bytes(table)
        print(f"{out}: {len(texts.by_key)} texts, languages {', '.join(texts.languages)}")
    return 0


def import_command(settings: Settings, directory: Path, table: Path) -> int:
    done = import_table(directory, table)
    where = f" in {', '.join(done.files)}" if done.files else ""
    print(f"{table}: {done.changed} text(s) changed{where}")
    return check_command(settings, directory, strict=False)


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

"""The editors' commands, run as a person runs them: `volnyja-bot check | chat | schema`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.cli import schema_json
from dialogs.schema import FILE_MODELS
from tests.conftest import ROOT, SHIPPED, copy_content


def cli(*args: str, cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CONTENT_DIR", "DEFAULT_LOCALE")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        timeout=60,
        check=False,
    )


def test_check_prints_a_one_line_summary_and_exits_0(tmp_path: Path, valid_dir: Path) -> None:
    run = cli("check", str(valid_dir), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        f"{valid_dir}: ok: 2 flows, 3 steps, 1 triggers, languages be, ru, en"
    ]


def test_check_prints_one_file_line_message_per_problem_and_exits_1(tmp_path: Path) -> None:
    root = copy_content(tmp_path, "unknown_key", "bad_pattern")
    run = cli("check", str(root), cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        f"{root}/flows/intro.yaml:6: unknown key 'labl'; did you mean 'label'?",
        f"{root}/triggers.yaml:6: this pattern is not a valid regular expression: "
        "missing ), unterminated subpattern",
        f"{root}: 2 error(s): the bot does not start until the lines above are fixed",
    ]


def test_check_reads_content_dir_from_the_environment(tmp_path: Path, valid_dir: Path) -> None:
    run = cli("check", cwd=tmp_path, CONTENT_DIR=str(valid_dir))
    assert run.returncode == 0
    assert run.stdout.startswith(f"{valid_dir}: ok")


def test_check_strict_fails_on_warnings(tmp_path: Path) -> None:
    root = copy_content(tmp_path, "missing_translation")
    assert cli("check", str(root), cwd=tmp_path).returncode == 0
    strict = cli("check", "--strict", str(root), cwd=tmp_path)
    assert strict.returncode == 1
    assert strict.stdout.splitlines()[-1] == (
        f"{root}: ok: 2 flows, 2 steps, 1 triggers, languages be, ru, en; 1 warning(s); "
        "with --strict a warning counts as an error"
    )


def test_placeholders_are_counted_in_one_line_unless_verbose(tmp_path: Path) -> None:
    root = copy_content(tmp_path, "placeholder")
    settings = root / "settings.yaml"
    more = '  phone: "PLACEHOLDER: a phone"\n  address: "PLACEHOLDER: an address"\n'
    more += '  name: "PLACEHOLDER: a name"\n'
    settings.write_text(
        settings.read_text().replace("  hours: evenings\n", more + "  hours: evenings\n")
    )
    run = cli("check", str(root), cwd=tmp_path)
    assert run.returncode == 0, run.stdout
    assert run.stdout.splitlines()[0] == (
        "warning: 4 texts still have placeholders (settings.yaml:9, settings.yaml:10, "
        "settings.yaml:11, ...); --verbose lists them"
    )
    assert len(run.stdout.splitlines()) == 2
    verbose = cli("check", "--verbose", str(root), cwd=tmp_path).stdout.splitlines()
    assert len(verbose) == 5
    assert verbose[0].startswith(f"{root}/settings.yaml:9: warning: placeholder")


def test_check_inside_the_content_folder_finds_it(tmp_path: Path, valid_dir: Path) -> None:
    run = cli("check", cwd=valid_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith(f"{valid_dir}: ok")


def test_check_where_there_is_no_content_says_where_to_run_it(tmp_path: Path) -> None:
    run = cli("check", cwd=tmp_path)
    assert run.returncode == 2
    assert "run check from the project folder (the one with dev.sh)" in run.stderr


def test_a_malformed_setting_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    run = cli("check", cwd=tmp_path, ADMIN_IDS="12,abc")
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "setting ADMIN_IDS: expected Telegram user ids separated by commas, like 12345,67890"
    ]


def test_chat_walks_a_flow_with_piped_input(tmp_path: Path) -> None:
    run = cli(
        "chat",
        "--locale",
        "en",
        cwd=tmp_path,
        stdin="/start feelings\n6\n4\n1\nI cannot sleep\n/menu\n/quit\n",
        CONTENT_DIR=str(SHIPPED),
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "> 4\n" in out
    assert "Try to name what you feel" in out
    assert "(you can type here)" in out
    assert out.index("> I cannot sleep") < out.index("Thank you. Putting a feeling into words")
    assert out.rstrip().endswith("> /quit")


def test_chat_prints_effects_plainly(tmp_path: Path) -> None:
    run = cli(
        "chat",
        "--locale",
        "ru",
        cwd=tmp_path,
        stdin="мне нужен человек\n1\nне хочу жить\n",
        CONTENT_DIR=str(SHIPPED),
    )
    assert "[a volunteer would be alerted: topic feelings]" in run.stdout
    assert "[a volunteer would be alerted: topic feelings, urgent (crisis)]" in run.stdout


def test_chat_goes_back_and_to_the_menu_and_ends_at_end_of_input(tmp_path: Path) -> None:
    run = cli("chat", cwd=tmp_path, stdin="1\n/back\n", CONTENT_DIR=str(SHIPPED))
    assert run.returncode == 0
    # Default locale be: welcome, then the menu, then back to the welcome.
    assert run.stdout.count("Я памочнік ініцыятывы") == 2


def test_chat_refuses_broken_content_with_the_problems(tmp_path: Path) -> None:
    root = copy_content(tmp_path, "missing_step")
    run = cli("chat", cwd=tmp_path, CONTENT_DIR=str(root))
    assert run.returncode == 1
    assert f"{root}/flows/intro.yaml:7: flow 'intro' has no step 'secnd'" in run.stderr


def test_schema_prints_json_schema_of_a_flow(tmp_path: Path) -> None:
    run = cli("schema", cwd=tmp_path)
    schema = json.loads(run.stdout)
    assert schema["title"] == "Flow"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"start", "steps"}


def test_the_shipped_schema_files_are_up_to_date() -> None:
    for kind in FILE_MODELS:
        shipped = (SHIPPED / "schema" / f"{kind}.json").read_text(encoding="utf-8")
        assert shipped == schema_json(kind), (
            f"content/schema/{kind}.json is stale: run volnyja-bot schema --write-to content/schema"
        )

"""The translators' table: `volnyja-bot texts export` writes every text in a row, `texts import`
writes the changed cells back into the YAML files and nothing else."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dialogs import Content, load_content
from dialogs.translation import TranslationError, export, import_table, read_texts
from tests.conftest import SHIPPED
from tests.test_cli import cli

FEELINGS = Path("flows") / "feelings.yaml"
MENU = Path("flows") / "menu.yaml"
SYSTEM = Path("system.yaml")
CHANGES = {
    # key: (language, old words, new words, the file they are in)
    "feelings.how_are_you.text": ("en", "How are you right now?", "How do you feel now?", FEELINGS),
    "menu.main.buttons.1": ("ru", "Как я себя чувствую", "Как мне сейчас", MENU),
    "system.messages.not_understood": ("be", "Я памочнік", "Я толькі памочнік", SYSTEM),
}


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns("schema", "*.md"))
    return target


def snapshot(directory: Path) -> dict[Path, str]:
    return {p.relative_to(directory): p.read_text("utf-8") for p in directory.rglob("*.yaml")}


def table_rows(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".csv":
        return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    sheet = load_workbook(path).worksheets[0]
    values = [[str(c or "") for c in row] for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def change_cells(path: Path, changes: dict[str, tuple[str, str]]) -> None:
    """As a translator does in a spreadsheet: a few cells rewritten, the rest left alone."""
    if path.suffix == ".csv":
        rows = table_rows(path)
        for row in rows:
            if row["key"] in changes:
                locale, words = changes[row["key"]]
                row[locale] = words
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
        return
    book = load_workbook(path)
    sheet = book.worksheets[0]
    head = [cell.value for cell in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        key = cells[0].value
        if key in changes:
            locale, words = changes[str(key)]
            cells[head.index(locale)].value = words
    book.save(path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_three_changed_cells_change_exactly_those_three_texts(
    content_dir: Path, tmp_path: Path, fmt: str
) -> None:
    before = snapshot(content_dir)
    table = tmp_path / f"texts.{fmt}"
    run = cli("texts", "export", "--out", str(table), "--content", str(content_dir), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    by_key = {row["key"]: row for row in table_rows(table)}
    wanted = {}
    for key, (locale, old, new, _) in CHANGES.items():
        assert old in by_key[key][locale]
        wanted[key] = (locale, by_key[key][locale].replace(old, new))
    change_cells(table, wanted)

    run = cli("texts", "import", str(table), "--content", str(content_dir), cwd=tmp_path)

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[0].startswith(f"{table}: 3 text(s) changed in ")
    assert run.stdout.splitlines()[-1].startswith(f"{content_dir}: ok: ")
    after = snapshot(content_dir)
    changed_files = {where for _, _, _, where in CHANGES.values()}
    assert {p for p in after if after[p] != before[p]} == changed_files
    for _, (_, old, new, where) in CHANGES.items():
        old_lines, new_lines = before[where].splitlines(), after[where].splitlines()
        assert len(old_lines) == len(new_lines)
        differing = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
        assert differing == [(a, a.replace(old, new)) for a in old_lines if old in a]


def test_the_table_has_every_text_where_it_is_and_its_limit(content_dir: Path) -> None:
    texts = read_texts(content_dir)
    rows = table_rows_of(export(texts, "csv"))
    header = list(rows[0])
    assert header == ["key", "where", "be", "ru", "en", "missing", "limit"]
    by_key = {row["key"]: row for row in rows}
    feelings = by_key["feelings.how_are_you.text"]
    assert feelings["where"] == f"{content_dir / FEELINGS}:10"
    assert feelings["en"].startswith("How are you right now?")
    assert (feelings["missing"], feelings["limit"]) == ("", "4096")
    button = by_key["menu.main.buttons.1"]
    assert (button["en"], button["where"], button["limit"]) == (
        "How I feel",
        f"{content_dir / MENU}:12",
        "40",
    )
    assert by_key["system.commands.help"]["limit"] == "256"
    assert by_key["settings.profile.name"]["limit"] == "64"
    assert "menu.main.buttons.7" not in by_key or by_key["menu.main.buttons.7"]["en"]
    steps = sum(len(flow.steps) for flow in load_or_fail(content_dir).flows.values())
    assert sum(1 for key in by_key if key.endswith(".text")) == steps


def table_rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def load_or_fail(directory: Path) -> Content:
    result = load_content(directory)
    assert result.content is not None, result.errors
    return result.content


def test_a_missing_language_is_marked_and_filled_in_its_place(
    content_dir: Path, tmp_path: Path
) -> None:
    path = content_dir / MENU
    text = path.read_text("utf-8")
    english = "      en: What do you need right now? Choose whatever feels closest.\n"
    path.write_text(text.replace(english, ""), encoding="utf-8")
    table = tmp_path / "texts.csv"
    table.write_bytes(export(read_texts(content_dir), "csv"))
    row = next(r for r in table_rows(table) if r["key"] == "menu.main.text")
    assert (row["en"], row["missing"]) == ("", "en")

    change_cells(table, {"menu.main.text": ("en", english.strip().removeprefix("en: "))})
    done = import_table(content_dir, table)

    assert done.changed == 1
    assert path.read_text("utf-8") == text
    assert load_content(content_dir).errors == []


def test_an_unknown_key_is_one_clear_line_and_nothing_is_written(
    content_dir: Path, tmp_path: Path
) -> None:
    before = snapshot(content_dir)
    table = tmp_path / "texts.csv"
    table.write_text(
        "key,be,ru,en\nmenu.main.text,,,Changed\nfeelings.no_such_step.text,,,Hello\n", "utf-8"
    )
    run = cli("texts", "import", str(table), "--content", str(content_dir), cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"{table}: row 3: unknown text key 'feelings.no_such_step.text'; "
        "export the table again from the current content"
    ]
    assert snapshot(content_dir) == before


def test_a_broken_file_is_one_clear_line(content_dir: Path, tmp_path: Path) -> None:
    path = content_dir / FEELINGS
    path.write_text(path.read_text("utf-8").replace("start: how_are_you", "start: [oops"), "utf-8")
    run = cli("texts", "export", "--content", str(content_dir), cwd=tmp_path)
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"{path}:")
    assert line.endswith("run check")
    with pytest.raises(TranslationError, match="this file cannot be read"):
        import_table(content_dir, tmp_path / "none.csv")


def test_a_table_that_is_not_a_table_is_refused(content_dir: Path, tmp_path: Path) -> None:
    for name, data in (("t.txt", b"key\n"), ("t.xlsx", b"not a workbook"), ("t.csv", b"be,en\n")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(TranslationError, match=str(tmp_path / name)):
            import_table(content_dir, tmp_path / name)

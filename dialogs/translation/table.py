"""The translators' table: one row per text, as CSV or as an Excel workbook (xlsx).

Columns: key, where (file:line), one per language, missing (languages without the text) and
limit (characters Telegram shows). Only the key and the language columns are read back.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from dialogs.translation.texts import Texts, TranslationError

FORMATS = ("csv", "xlsx")
KEY, WHERE, MISSING, LIMIT = "key", "where", "missing", "limit"

Row = dict[str, str]


def header(languages: Sequence[str]) -> list[str]:
    return [KEY, WHERE, *languages, MISSING, LIMIT]


def rows(texts: Texts) -> list[list[str]]:
    table = []
    for text in texts:
        values = [text.value(locale) or "" for locale in texts.languages]
        missing = " ".join(texts.missing(text))
        limit = "" if text.limit is None else str(text.limit)
        table.append([text.key, text.place, *values, missing, limit])
    return table


def export(texts: Texts, fmt: str) -> bytes:
    """The whole table in `fmt` (csv or xlsx)."""
    head, body = header(texts.languages), rows(texts)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(head)
        writer.writerows(body)
        return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM tells Excel it is UTF-8
    return _xlsx(head, body)


def _xlsx(head: list[str], body: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "texts"
    sheet.append(head)
    for row in body:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, name in enumerate(head, start=1):
        letter = get_column_letter(column)
        wide = name not in (KEY, WHERE, MISSING, LIMIT)
        sheet.column_dimensions[letter].width = 60 if wide else 24
        if wide:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.alignment = wrap
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        msg = f"{path}: the table must be a .csv or an .xlsx file"
        raise TranslationError(msg)
    return fmt


def read_table(path: Path) -> list[tuple[int, Row]]:
    """The rows of a table, each with its row number as a spreadsheet shows it."""
    if not path.is_file():
        msg = f"{path}: no such file"
        raise TranslationError(msg)
    raw = _read_csv(path) if format_of(path) == "csv" else _read_xlsx(path)
    lines = iter(raw)
    head = [name.strip() for name in next(lines, [])]
    if KEY not in head:
        msg = f"{path}: the first row must name the columns, one of them '{KEY}'"
        raise TranslationError(msg)
    found = []
    for number, line in enumerate(lines, start=2):
        row = {name: line[i] if i < len(line) else "" for i, name in enumerate(head) if name}
        if any(value.strip() for value in row.values()):
            found.append((number, row))
    return found


def _read_csv(path: Path) -> Iterable[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        msg = f"{path}: the table is not UTF-8 text; save it as CSV UTF-8"
        raise TranslationError(msg) from None
    return list(csv.reader(io.StringIO(text, newline="")))


def _read_xlsx(path: Path) -> Iterable[list[str]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        msg = f"{path}: not an Excel workbook ({type(exc).__name__})"
        raise TranslationError(msg) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into a spreadsheet
    return str(value)

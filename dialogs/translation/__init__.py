"""The translators' table: every text exported to CSV or Excel, translations imported back into
the YAML files without touching anything else (`volnyja-bot texts export|import`)."""

from dialogs.translation.table import FORMATS, export, format_of
from dialogs.translation.texts import Texts, TranslationError, read_texts
from dialogs.translation.writing import Imported, import_table

__all__ = [
    "FORMATS",
    "Imported",
    "Texts",
    "TranslationError",
    "export",
    "format_of",
    "import_table",
    "read_texts",
]

"""The log formatter: a careless log call cannot write a person's words, name or id."""

from __future__ import annotations

import ast
import io
import logging
from collections.abc import Iterator

import pytest

from bot.privacy.logs import EVENT, PrivateFormatter, configure, kind, safe
from bot.privacy.pseudonyms import Pseudonymizer
from tests.conftest import ROOT

NAME = "Zmitser"
USERNAME = "zmitser_k"
USER_ID = 7_312_004_551
TYPED = "мяне зноў выклікалі на допыт"


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(PrivateFormatter())
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_a_careless_call_with_a_name_text_and_id_writes_none_of_them(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = written
    log.info("person.wrote name=%s user=@%s id=%d text=%r", NAME, USERNAME, USER_ID, TYPED)
    line = stream.getvalue()
    assert "person.wrote name=<redacted> user=@<redacted> id=<id> text=<redacted>" in line
    for secret in (NAME, USERNAME, str(USER_ID), TYPED):
        assert secret not in line


def test_pseudonyms_safe_words_small_numbers_and_error_kinds_are_written(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = written
    pseudonym = Pseudonymizer(b"key").person(USER_ID)
    log.warning(
        "handoff.x person=%s case=%d at=%s error=%s urgent=%s wait=%.1f",
        pseudonym,
        12,
        safe("feelings.calm"),
        kind(ValueError(TYPED)),
        True,
        1.5,
    )
    line = stream.getvalue()
    assert (
        f"handoff.x person={pseudonym} case=12 at=feelings.calm error=ValueError urgent=True "
        "wait=1.5" in line
    )


def test_a_pseudonym_read_back_as_a_plain_string_is_not_trusted(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    """Only values made in code are trusted; a string from anywhere else might be anything."""
    log, stream = written
    log.info("x person=%s", str(Pseudonymizer(b"key").person(USER_ID)))
    assert "x person=<redacted>" in stream.getvalue()


def test_named_placeholders_and_a_literal_percent_work(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = written
    log.info("stats quick=%(quick)d%% who=%(who)s", {"quick": 83, "who": NAME})
    assert "stats quick=83% who=<redacted>" in stream.getvalue()


def test_an_exception_is_written_as_its_kind_and_places_never_its_message(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = written
    try:
        try:
            raise KeyError(USERNAME)
        except KeyError as inner:
            raise ValueError(f"{NAME} wrote {TYPED}") from inner
    except ValueError:
        log.exception("update.failed")
    text = stream.getvalue()
    assert "update.failed" in text
    assert "ValueError at tests/test_logs.py:" in text
    assert "KeyError at tests/test_logs.py:" in text
    for secret in (NAME, USERNAME, TYPED):
        assert secret not in text


def test_a_message_that_is_not_a_string_is_not_written(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = written
    log.info({"name": NAME})
    assert NAME not in stream.getvalue()
    assert "<redacted>" in stream.getvalue()


def test_libraries_logging_through_the_root_are_held_to_the_same_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """aiogram writes "Run polling for bot @%s id=%d - %r" with the bot's names: kept out too."""
    configure(logging.INFO)
    try:
        logging.getLogger("aiogram.dispatcher").info(
            "Run polling for bot @%s id=%d - %r", USERNAME, USER_ID, NAME
        )
    finally:
        logging.getLogger().handlers.clear()
    err = capsys.readouterr().err
    assert "Run polling for bot @<redacted> id=<id> - <redacted>" in err
    for secret in (NAME, USERNAME, str(USER_ID)):
        assert secret not in err


def test_our_own_code_can_only_log_events_never_a_message_it_was_handed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure(logging.INFO)
    try:
        logging.getLogger("bot.handoff").info(TYPED)
        logging.getLogger("bot.handoff").info("person wrote %s", NAME)
        logging.getLogger("bot.handoff").info("handoff.opened case=%s urgent=%s", 3, False)
    finally:
        logging.getLogger().handlers.clear()
    err = capsys.readouterr().err
    assert err.count("<not written: not an event>") == 2
    assert "handoff.opened case=3 urgent=False" in err
    assert TYPED not in err
    assert NAME not in err


LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}


def test_every_log_call_in_the_code_is_a_literal_event() -> None:
    """The runtime check, ahead of time: each log call's message is a string in the code and
    has the shape of an event."""
    wrong = []
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "dialogs").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in LOG_METHODS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "log"
            ):
                continue
            first = node.args[0] if node.args else None
            if not (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and EVENT.fullmatch(first.value)
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert wrong == []

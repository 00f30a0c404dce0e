"""Check-ins a person asks for (#16), through the real Dispatcher with a clock the test moves:
asked for, sent once at their time, never at night, stopped from every place, kept no longer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import SendMessage
from aiogram.types import User

from bot.checkins.service import CheckinService
from dialogs import Content, to_plain
from dialogs.engine import CHECKIN_PREFIX
from tests.bot_harness import ALA, GROUP, Harness, person
from tests.stored import id_forms, query, rows, rows_mentioning, stored_bytes

TUESDAY_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 15:00 in Minsk
MINSK_EVENING_IN_3_DAYS = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)  # Friday 19:00 in Minsk
NEUTRAL_FIRST_LINE = "Hi, it's me again."


@pytest.fixture
async def bot(shipped: Content, database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(shipped, database_url, volunteer_chat_id=GROUP, admins=frozenset({ALA.id}))
    harness.session.members.add(ALA.id)
    harness.wall.now = TUESDAY_NOON
    yield harness
    await harness.close()


def service(bot: Harness) -> CheckinService:
    found = bot.dispatcher["checkins"]
    assert isinstance(found, CheckinService)
    return found


async def ask(bot: Harness, who: User, *choices: str) -> None:
    await bot.say(who, "/menu")
    await bot.press(who, "Check in on me now and then")
    for label in choices:
        await bot.press(who, label)


async def at(bot: Harness, moment: datetime) -> list[SendMessage]:
    """Move the clock and run the chores' check-in round: what reached Telegram."""
    bot.wall.now = moment
    before = len(bot.session.results)
    await service(bot).send_due(bot.bot)
    return [m for m, _ in bot.session.results[before:] if isinstance(m, SendMessage)]


def is_checkin(message: SendMessage) -> bool:
    return message.text.startswith(NEUTRAL_FIRST_LINE)


async def test_a_check_in_in_three_days_comes_at_evening_of_the_persons_time(
    bot: Harness, database_url: str
) -> None:
    zoe = person(user_id=5550301)
    await ask(bot, zoe, "In 3 days", "Evening", "Minsk time")
    assert "22:00" in bot.last_to(zoe).text, "the done step says when nothing comes"
    assert await at(bot, MINSK_EVENING_IN_3_DAYS - timedelta(minutes=1)) == []
    [checkin] = await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=1))
    assert checkin.chat_id == zoe.id
    assert checkin.text.splitlines()[0] == NEUTRAL_FIRST_LINE
    assert bot.labels(checkin)[:5] == [
        "I'm all right",
        "So-so",
        "It's hard",
        "Talk to a person",
        "Stop these messages",
    ]
    assert await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=40)) == [], "only once"
    assert await rows(database_url, "checkins") == [], "a single one is done once sent"


async def test_a_weekly_check_in_comes_every_week_on_the_chosen_day(
    bot: Harness, database_url: str
) -> None:
    zoe = person(user_id=5550302)
    await ask(bot, zoe, "Once a week", "Thursday", "Morning", "Poland, Germany")
    thursday_morning_in_warsaw = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert await at(bot, thursday_morning_in_warsaw - timedelta(minutes=5)) == []
    first = await at(bot, thursday_morning_in_warsaw + timedelta(minutes=1))
    assert [m.chat_id for m in first if is_checkin(m)] == [zoe.id]
    assert await at(bot, thursday_morning_in_warsaw + timedelta(days=6)) == []
    second = await at(bot, thursday_morning_in_warsaw + timedelta(days=7, minutes=2))
    assert [m.chat_id for m in second if is_checkin(m)] == [zoe.id]
    assert len(await rows(database_url, "checkins")) == 1, "weekly ones stay on"


async def test_nothing_comes_in_the_quiet_hours_and_a_missed_day_is_skipped(
    bot: Harness, database_url: str
) -> None:
    zoe = person(user_id=5550303)
    await ask(bot, zoe, "Once a week", "Friday", "Evening", "Minsk time")
    # The bot was down from before 19:00 until 22:30 in Minsk: too late that day.
    assert await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(hours=3, minutes=30)) == []
    assert await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(days=1)) == []
    # It comes again the next Friday; a late start (21:30) that day is still in time.
    late = await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(days=7, hours=2, minutes=30))
    assert [m.chat_id for m in late if is_checkin(m)] == [zoe.id]


async def test_a_person_is_told_all_set_or_stopped_only_once_it_is_so(
    bot: Harness, database_url: str
) -> None:
    """Each change is kept before the screen after it goes out, and a stop is done before "I
    won't write to you": the chores cannot send one after that, and a cut in between (the
    redelivered press only shows the screen again) breaks no promise."""
    zoe = person(user_id=5550316)
    kept_when_said: list[tuple[str, list[tuple[object, ...]]]] = []

    async def look(method: object) -> None:
        if isinstance(method, SendMessage) and method.chat_id == zoe.id:
            kept = await query(database_url, "select zone from checkins")
            kept_when_said.append((method.text.split(maxsplit=2)[0], kept))

    bot.session.on_call = look
    await ask(bot, zoe, "In 3 days", "Evening", "Minsk time")
    await ask(bot, zoe, "Stop check-ins")
    assert kept_when_said == [
        ("What", []),  # the menu
        ("Shall", []),
        ("What", [("Europe/Warsaw",)]),  # when in the day: the day is kept
        ("So", [("Europe/Warsaw",)]),  # where: the time of day is kept
        ("All", [("Europe/Minsk",)]),
        ("What", [("Europe/Minsk",)]),
        ("Shall", [("Europe/Minsk",)]),
        ("Done.", []),
    ]


async def test_a_check_in_due_while_the_bot_was_down_comes_once_after_a_restart(
    bot: Harness,
) -> None:
    zoe = person(user_id=5550304)
    await ask(bot, zoe, "In 3 days", "Evening", "Minsk time")
    bot.restart()
    sent = await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(hours=1))
    assert [m.chat_id for m in sent if is_checkin(m)] == [zoe.id]
    bot.restart()
    assert await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(hours=2)) == []


async def test_one_cut_off_while_sending_is_not_sent_twice_the_same_day(bot: Harness) -> None:
    """The process dies while Telegram has the check-in in hand: it may have arrived, so the
    claim stands and the restarted bot does not send it again that day (at most once)."""
    zoe = person(user_id=5550305)
    await ask(bot, zoe, "Once a week", "Friday", "Evening", "Minsk time")
    bot.wall.now = MINSK_EVENING_IN_3_DAYS + timedelta(minutes=1)
    bot.session.hold_next = asyncio.Event()
    sending = asyncio.create_task(service(bot).send_due(bot.bot))
    await asyncio.wait_for(bot.session.held.wait(), 5)
    sending.cancel()  # killed in the middle of the call
    with contextlib.suppress(asyncio.CancelledError):
        await sending
    bot.restart()
    assert await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=30)) == []
    again = await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(days=7, minutes=1))
    assert [m.chat_id for m in again if is_checkin(m)] == [zoe.id], "the next week as usual"


async def test_one_telegram_refused_is_tried_again_the_same_day(bot: Harness) -> None:
    zoe = person(user_id=5550306)
    await ask(bot, zoe, "In 3 days", "Evening", "Minsk time")
    bot.session.fail(
        SendMessage,
        TelegramBadRequest(method=SendMessage(chat_id=0, text="x"), message="Bad Request"),
    )
    assert await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=1)) == []
    later = await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=31))
    assert [m.chat_id for m in later if is_checkin(m)] == [zoe.id]


async def test_a_person_who_blocked_the_bot_is_not_written_to_again(
    bot: Harness, database_url: str
) -> None:
    zoe = person(user_id=5550307)
    await ask(bot, zoe, "Once a week", "Friday", "Evening", "Minsk time")
    bot.session.fail(
        SendMessage,
        TelegramForbiddenError(method=SendMessage(chat_id=0, text="x"), message="blocked"),
    )
    assert await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=1)) == []
    assert await rows(database_url, "checkins") == []
    await bot.membership(zoe, blocked=False)  # an unblock does not start them again
    assert await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(days=7, minutes=1)) == []


async def stop_on_the_check_in(bot: Harness, who: User) -> None:
    [checkin] = await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=1))
    await bot.press(who, "Stop these messages", on=checkin)


async def stop_from_the_menu(bot: Harness, who: User) -> None:
    await ask(bot, who, "Stop check-ins")


async def stop_from_privacy(bot: Harness, who: User) -> None:
    await bot.say(who, "/privacy")
    await bot.press(who, "Stop check-ins")


async def erase_everything(bot: Harness, who: User) -> None:
    await bot.say(who, "/forget")
    await bot.press(who, "Yes, erase")


async def block_the_bot(bot: Harness, who: User) -> None:
    await bot.membership(who, blocked=True)


@pytest.mark.parametrize(
    "stop",
    [stop_on_the_check_in, stop_from_the_menu, stop_from_privacy, erase_everything, block_the_bot],
    ids=["check-in button", "menu", "privacy", "erase", "block"],
)
async def test_check_ins_stop_from_every_place_and_nothing_of_them_stays(
    bot: Harness, database_url: str, stop: object
) -> None:
    zoe = person(user_id=5550308)
    await ask(bot, zoe, "Once a week", "Friday", "Evening", "Minsk time")
    assert len(await rows(database_url, "checkins")) == 1
    await stop(bot, zoe)  # type: ignore[operator]
    assert await rows(database_url, "checkins") == []
    assert await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(days=7, minutes=1)) == []
    assert await rows_mentioning(database_url, zoe.id) == []
    stored = await stored_bytes(database_url)
    assert [form for form in id_forms(zoe.id) if form in stored] == []


async def test_its_hard_opens_the_feelings_flow_and_only_a_count_is_kept(
    bot: Harness, database_url: str, shipped: Content
) -> None:
    zoe = person(user_id=5550309)
    await ask(bot, zoe, "In 3 days", "Evening", "Minsk time")
    [checkin] = await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=1))
    await bot.press(zoe, "It's hard", on=checkin)
    feelings = shipped.flows["feelings"]
    start = feelings.steps[feelings.start]
    assert bot.last_to(zoe).text == shipped.renderer.text(start.text, "en", "Ales")
    assert await query(database_url, "select answer, count from checkin_counts") == [("hard", 1)]
    assert await rows_mentioning(database_url, zoe.id) == []


async def test_a_check_ins_buttons_work_from_any_screen_weeks_later(bot: Harness) -> None:
    zoe = person(user_id=5550310)
    await ask(bot, zoe, "In 3 days", "Evening", "Minsk time")
    [checkin] = await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=1))
    await bot.say(zoe, "/privacy")  # somewhere else meanwhile
    await bot.press(zoe, "So-so", on=checkin)
    assert "exercise" in " ".join(bot.labels(bot.last_to(zoe))).lower()


async def test_a_forged_check_in_button_gets_the_gentle_old_button_note(bot: Harness) -> None:
    zoe = person(user_id=5550311)
    await bot.say(zoe, "/menu")
    await bot.press_data(zoe, f"{CHECKIN_PREFIX}99")
    await bot.press_data(zoe, f"{CHECKIN_PREFIX}x")
    assert bot.last_to(zoe).text.startswith("What do you need right now?")


WORSE_AFTER_AN_EXERCISE = ("Anxious", "Breathe slowly", "Next", "Done", "Done", "Worse")
AN_URGENT_REQUEST = ("It's very hard right now", "Call a volunteer urgently")


@pytest.mark.parametrize(
    "hard_moment", [WORSE_AFTER_AN_EXERCISE, AN_URGENT_REQUEST], ids=["worse", "urgent request"]
)
async def test_after_a_hard_moment_a_follow_up_is_offered_and_kept_only_with_a_yes(
    bot: Harness, database_url: str, hard_moment: tuple[str, ...]
) -> None:
    zoe = person(user_id=5550312)
    for answer in ("No, thank you", "Yes, please"):
        await bot.say(zoe, "/start feelings")
        for label in hard_moment:
            await bot.press(zoe, label)
        await bot.press(zoe, "Check on me tomorrow")
        assert await rows(database_url, "checkins") == [], "offered, nothing kept yet"
        await bot.press(zoe, answer)
    [(due,)] = await query(database_url, "select due_at from checkins")
    assert str(due).startswith("2026-12-02"), "tomorrow, in the evening of the language's zone"
    [checkin] = await at(bot, datetime(2026, 12, 2, 18, 1, tzinfo=UTC))  # 19:01 in Warsaw
    assert checkin.chat_id == zoe.id


async def test_stats_count_who_has_check_ins_on_and_the_answers_and_nobody(
    bot: Harness, database_url: str
) -> None:
    zoe, ales = person(user_id=5550313), person(user_id=5550314)
    for who in (zoe, ales):
        await ask(bot, who, "In 3 days", "Evening", "Minsk time")
    sent = await at(bot, MINSK_EVENING_IN_3_DAYS + timedelta(minutes=1))
    await bot.press(zoe, "I'm all right", on=next(m for m in sent if m.chat_id == zoe.id))
    await ask(bot, ales, "Once a week", "Monday")
    await bot.post_in_topic(ALA, 500, "/stats")
    [figures] = [m.text for m in bot.in_group() if "Check-ins" in m.text or "як вы" in m.text]
    assert figures.splitlines()[-1].endswith("1; адказы: fine 1.")
    assert str(zoe.id) not in figures
    assert str(ales.id) not in figures


async def test_the_offer_after_a_conversation_with_a_volunteer_opens_the_check_in_offer(
    bot: Harness, shipped: Content
) -> None:
    zoe = person(user_id=5550315)
    await bot.say(zoe, "/start")
    await bot.press_data(zoe, "k:offer")
    assert shipped.checkins is not None
    offer = shipped.find(shipped.checkins.offer)
    assert offer is not None
    assert to_plain(bot.last_to(zoe).text) == to_plain(
        shipped.renderer.text(offer.text, "en", "Ales")
    )

"""A person handed to a volunteer and back, through the real Dispatcher (first slice of #5)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    CloseForumTopic,
    CopyMessage,
    CreateForumTopic,
    DeleteForumTopic,
    EditForumTopic,
    EditMessageText,
)
from aiogram.types import User

from bot.app import HANDOFF_CHORES
from bot.handoff.chores import HandoffChores
from bot.storage.db import create_sessionmaker
from bot.storage.models import utcnow
from bot.storage.transaction import Transaction
from dialogs import Content
from tests.bot_harness import ALA, BORYS, GROUP, STRANGER, Harness, person
from tests.stored import query


@pytest.fixture
async def bot(shipped: Content, database_url: str) -> AsyncIterator[Harness]:
    harness = Harness(
        shipped,
        database_url,
        volunteer_chat_id=GROUP,
        admins=frozenset({ALA.id}),
    )
    harness.session.members.update({ALA.id, BORYS.id})
    yield harness
    await harness.close()


def group_words(bot: Harness, name: str) -> str:
    """A handoff text as the volunteers' group reads it (the default language)."""
    content = bot.content
    assert content.system.handoff is not None
    return content.renderer.label(getattr(content.system.handoff, name), content.default_locale)


async def ask_for_a_person(bot: Harness, who: User) -> None:
    await bot.say(who, "/human")
    await bot.press(who, "About feelings")


async def test_asking_opens_a_neutral_topic_with_a_card_and_a_take_button(bot: Harness) -> None:
    zoe = person(user_id=7395160842, first_name="Zyxwvutsrq")
    await ask_for_a_person(bot, zoe)
    topics = bot.session.sent(CreateForumTopic)
    assert [t.name for t in topics] == ["#1 · Пачуцці"]
    card = bot.in_group()[-1]
    assert card.message_thread_id == 500
    assert "Zyxwvutsrq" not in (card.text or "")
    assert str(zoe.id) not in (card.text or "")
    assert bot.labels(card) == ["Узяць"]
    assert (card.text or "").splitlines()[0] == "<b>Зварот #1</b>", "one line per fact"
    assert bot.to(zoe)[-2].text.startswith("Thank you. I've asked a volunteer")
    assert bot.last_to(zoe).text.startswith("May I show the volunteer which steps")


async def test_a_volunteer_takes_the_case_and_they_talk_through_the_bot(bot: Harness) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    card = bot.in_group()[-1]
    await bot.post_in_topic(ALA, 500, "/alias Ala")
    await bot.press_in_group(ALA, card)
    assert bot.session.sent(AnswerCallbackQuery)[-1].text is None
    assert "Ala" in (bot.session.sent(EditMessageText)[-1].text or "")
    assert bot.session.sent(EditForumTopic)[-1].name == "#1 · Пачуцці · Ala"
    assert bot.last_to(zoe).text.startswith("Ala from the volunteers is here now.")

    await bot.say(zoe, "I could not sleep again")
    to_group = bot.session.sent(CopyMessage)[-1]
    assert (to_group.chat_id, to_group.message_thread_id) == (GROUP, 500)

    await bot.post_in_topic(ALA, 500, "I am here. Tell me more.")
    to_person = bot.session.sent(CopyMessage)[-1]
    assert to_person.chat_id == zoe.id
    assert to_person.protect_content is True


async def test_only_one_of_two_volunteers_gets_the_case_and_strangers_none(bot: Harness) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    card = bot.in_group()[-1]
    await bot.press_in_group(STRANGER, card)
    assert bot.session.sent(AnswerCallbackQuery)[-1].text == group_words(bot, "not_a_volunteer")
    await bot.press_in_group(ALA, card)
    await bot.press_in_group(BORYS, card)
    assert bot.session.sent(AnswerCallbackQuery)[-1].text == group_words(bot, "already_taken")
    assert len(bot.session.sent(EditForumTopic)) == 1, "the case was taken once"


async def test_anyone_elses_message_in_the_topic_stays_there_as_a_note(bot: Harness) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await bot.press_in_group(ALA, bot.in_group()[-1])
    copies = len(bot.session.sent(CopyMessage))
    await bot.post_in_topic(BORYS, 500, "maybe ask about sleep?")
    assert len(bot.session.sent(CopyMessage)) == copies
    note = bot.in_group()[-1]
    assert note.text == group_words(bot, "note_not_sent")


@pytest.mark.parametrize("who_ends", ["person", "volunteer"])
async def test_ending_tells_both_sides_closes_the_topic_and_forgets(
    bot: Harness, database_url: str, who_ends: str
) -> None:
    zoe = person(user_id=7395160842)
    await ask_for_a_person(bot, zoe)
    await bot.press_in_group(ALA, bot.in_group()[-1])
    await bot.say(zoe, "hello")
    if who_ends == "person":
        await bot.say(zoe, "/end")
        assert bot.to(zoe)[-2].text.startswith("You've ended the conversation")
    else:
        await bot.post_in_topic(ALA, 500, "/end")
        assert bot.to(zoe)[-2].text.startswith("The volunteer has ended the conversation")
    assert [c.message_thread_id for c in bot.session.sent(CloseForumTopic)] == [500]
    assert await query(database_url, "select person, chat, status from cases") == [
        (None, None, "closed")
    ]
    assert await query(database_url, "select count(*) from relayed_messages") == [(0,)]
    copies = len(bot.session.sent(CopyMessage))
    await bot.say(zoe, "are you there?")
    assert len(bot.session.sent(CopyMessage)) == copies, "nothing reaches the closed case"
    notice, menu = bot.to(zoe)[-2:]
    assert notice.text.startswith("I'm a helper with prepared answers")
    assert menu.text.startswith("What do you need right now?")


async def test_asking_again_while_a_case_is_open_does_not_open_another(bot: Harness) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await ask_for_a_person(bot, zoe)
    assert len(bot.session.sent(CreateForumTopic)) == 1
    assert bot.last_to(zoe).text.startswith("You've already asked for a volunteer")


async def test_an_edit_of_a_relayed_text_is_relayed_as_an_edit(bot: Harness) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    sent = await bot.say(zoe, "I slept two hours")
    relayed = bot.session.sent(CopyMessage)[-1]
    assert relayed.chat_id == GROUP
    await bot.edit(zoe, sent, "I slept three hours")
    edit = bot.session.sent(EditMessageText)[-1]
    assert edit.chat_id == GROUP
    assert edit.text == "I slept three hours"


async def test_release_returns_the_case_to_the_queue_for_the_next_volunteer(bot: Harness) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    card = bot.in_group()[-1]
    await bot.press_in_group(ALA, card)
    await bot.post_in_topic(ALA, 500, "/release")
    restored = bot.session.sent(EditMessageText)[-1]
    assert restored.reply_markup is not None, "the Take button is back"
    assert bot.session.sent(EditForumTopic)[-1].name == "#1 · Пачуцці"
    await bot.press_in_group(BORYS, card)
    assert bot.session.sent(AnswerCallbackQuery)[-1].text is None, "Borys got it"
    copies = len(bot.session.sent(CopyMessage))
    await bot.post_in_topic(ALA, 500, "still here?")
    assert len(bot.session.sent(CopyMessage)) == copies, "Ala's words are notes now"


async def test_a_person_who_blocks_the_bot_ends_the_case_and_volunteers_are_told(
    bot: Harness, database_url: str
) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await bot.press_in_group(ALA, bot.in_group()[-1])
    await bot.membership(zoe, blocked=True)
    assert bot.in_group()[-1].text == group_words(bot, "person_ended")
    assert [c.message_thread_id for c in bot.session.sent(CloseForumTopic)] == [500]
    assert await query(database_url, "select chat, status from cases") == [(None, "closed")]


Job = Callable[[Bot, Transaction, datetime], Awaitable[int]]


def handoff_of(bot: Harness) -> HandoffChores:
    """The handoff's chores, as the chores loop finds them."""
    chores = bot.dispatcher[HANDOFF_CHORES]
    assert isinstance(chores, HandoffChores)
    return chores


async def run_job(bot: Harness, job: Job, later: timedelta) -> int:
    """Run one of the bot's chores as the chores loop does, `later` from now."""
    transaction = Transaction(create_sessionmaker(bot.engine))
    done = await job(bot.bot, transaction, utcnow() + later)
    await transaction.finish(commit=True)
    await bot.deliver()
    return done


async def remind_at(bot: Harness, minutes: float) -> int:
    """Run one reminder round as if `minutes` had passed since the case opened."""
    return await run_job(bot, handoff_of(bot).remind, timedelta(minutes=minutes))


async def test_volunteers_are_reminded_of_waiting_cases_in_one_digest(bot: Harness) -> None:
    await ask_for_a_person(bot, person())
    assert await remind_at(bot, 9) == 0
    assert await remind_at(bot, 10.5) == 1
    digest = bot.in_group()[-1]
    assert digest.message_thread_id is None, "in the group's General topic, not in every topic"
    assert (digest.text or "").splitlines()[:2] == [
        "<b>Чакаюць валанцёра</b>",
        "#1 · Пачуцці · 10 хв",
    ]
    sent = len(bot.in_group())
    assert await remind_at(bot, 12) == 0, "not again before another interval"
    assert await remind_at(bot, 21) == 1
    assert len(bot.in_group()) == sent, "the same digest, edited in place"
    edited = bot.session.sent(EditMessageText)[-1]
    assert "#1 · Пачуцці · 21 хв" in edited.text


async def test_the_digest_lists_every_waiting_case_the_urgent_first(bot: Harness) -> None:
    await ask_for_a_person(bot, person(user_id=1))
    ola = person(user_id=2)
    await bot.say(ola, "/human")
    await bot.press(ola, "It's urgent")
    await ask_for_a_person(bot, person(user_id=3))
    assert await remind_at(bot, 11) == 3
    lines = (bot.in_group()[-1].text or "").splitlines()
    assert [line.split(" · ")[0] for line in lines[1:4]] == ["#2", "#1", "#3"]
    assert "тэрмінова" in lines[1]


async def test_urgent_cases_are_re_alerted_sooner_and_stand_out(bot: Harness) -> None:
    zoe = person()
    await bot.say(zoe, "/human")
    await bot.press(zoe, "It's urgent")
    name = bot.session.sent(CreateForumTopic)[-1].name
    assert name.endswith("тэрмінова: выбраў(-ла) «тэрмінова»")
    assert await remind_at(bot, 2.5) == 1
    assert "· <b>тэрмінова</b> (выбраў(-ла) «тэрмінова») · 2 хв" in (bot.in_group()[-1].text or "")
    sent = len(bot.in_group())
    assert await remind_at(bot, 5) == 1
    assert len(bot.in_group()) == sent + 1, "posted anew: an edit would notify nobody"


async def test_a_taken_case_is_not_reminded(bot: Harness) -> None:
    await ask_for_a_person(bot, person())
    await bot.press_in_group(ALA, bot.in_group()[-1])
    assert await remind_at(bot, 30) == 0


async def delete_at(bot: Harness, hours: float) -> int:
    return await run_job(bot, handoff_of(bot).delete_old_topics, timedelta(hours=hours))


async def test_a_closed_cases_topic_is_deleted_with_its_messages_a_day_later(
    bot: Harness, database_url: str
) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await bot.say(zoe, "/end")
    assert await delete_at(bot, 23) == 0
    assert await delete_at(bot, 25) == 1
    assert [d.message_thread_id for d in bot.session.sent(DeleteForumTopic)] == [500]
    assert await delete_at(bot, 48) == 0, "deleted once"
    assert await query(database_url, "select thread_id, subject from cases") == [(None, "feelings")]


async def test_with_zero_hours_the_topic_is_deleted_as_the_case_ends(
    shipped: Content, database_url: str
) -> None:
    harness = Harness(
        shipped,
        database_url,
        volunteer_chat_id=GROUP,
        delete_topics_after_hours=0,
    )
    try:
        zoe = person()
        await ask_for_a_person(harness, zoe)
        await harness.say(zoe, "/end")
        assert [d.message_thread_id for d in harness.session.sent(DeleteForumTopic)] == [500]
    finally:
        await harness.close()


async def long_waits_at(bot: Harness, minutes: float) -> int:
    return await run_job(bot, handoff_of(bot).tell_long_waits, timedelta(minutes=minutes))


async def test_a_long_wait_is_told_honestly_with_choices_to_wait_stop_or_use_the_menu(
    bot: Harness, database_url: str
) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    assert await long_waits_at(bot, 59) == 0
    assert await long_waits_at(bot, 61) == 1
    told = bot.last_to(zoe)
    assert told.text.startswith("I'm sorry: no volunteer has answered yet")
    assert "Lithuania <b>112</b>" in told.text
    assert bot.labels(told) == ["Keep waiting", "Stop the request", "☰ Menu"]

    await bot.press(zoe, "Keep waiting", on=told)
    assert bot.last_to(zoe).text.startswith("All right, your request stays.")
    assert await long_waits_at(bot, 90) == 0, "not again before another hour"
    assert await long_waits_at(bot, 125) == 1

    await bot.press(zoe, "Stop the request", on=bot.last_to(zoe))
    assert bot.last_to(zoe).text.startswith("You've ended the conversation")
    assert [c.message_thread_id for c in bot.session.sent(CloseForumTopic)] == [500]
    assert await query(database_url, "select status from cases") == [("closed",)]


async def test_a_taken_case_never_gets_the_long_wait_message(bot: Harness) -> None:
    await ask_for_a_person(bot, person())
    await bot.press_in_group(ALA, bot.in_group()[-1])
    assert await long_waits_at(bot, 300) == 0


async def test_stats_show_counts_and_waiting_times_to_admins_only(bot: Harness) -> None:
    await ask_for_a_person(bot, person(user_id=1))
    await bot.press_in_group(ALA, bot.in_group()[-1])
    await ask_for_a_person(bot, person(user_id=2))
    sent = len(bot.in_group())
    await bot.post_in_topic(BORYS, 500, "/stats")
    assert len(bot.in_group()) == sent, "not an admin: no answer"
    await bot.post_in_topic(ALA, 500, "/stats")
    figures = bot.in_group()[-1].text or ""
    assert figures.splitlines() == [
        "<b>Звароты:</b> 2",
        "Пачуцці: 2",
        "Чаканне да валанцёра: медыяна 0 хв, 90% — да 0 хв.",
        "Узятыя за 10 хвілін: 50%.",
        "Ці дапамагло: так 0, не вельмі 0.",
        "Пытанні «як вы»: уключаныя ў 0; адказы: пакуль няма.",
    ]


async def test_after_the_end_one_tap_says_whether_it_helped_and_only_a_count_is_kept(
    bot: Harness, database_url: str
) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await bot.press_in_group(ALA, bot.in_group()[-1])
    await bot.say(zoe, "/end")
    question = bot.last_to(zoe)
    assert question.text.startswith("Did this conversation help you?")
    assert bot.labels(question) == ["Yes, it helped", "Not really", "Check in on me later"]
    await bot.press(zoe, "Yes, it helped", on=question)
    assert bot.session.sent(AnswerCallbackQuery)[-1].text == "Thank you for answering."
    assert await query(database_url, "select answer, count from helped_counts") == [("yes", 1)]


async def test_no_did_it_help_question_when_nobody_came(bot: Harness) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await bot.say(zoe, "/end")
    assert bot.last_to(zoe).text.startswith("You've ended the conversation")


async def test_reminders_call_the_volunteers_on_duty(bot: Harness) -> None:
    await bot.post_in_topic(ALA, 1, "/alias Ala")
    await bot.post_in_topic(ALA, 1, "/duty on")
    await bot.post_in_topic(BORYS, 1, "/duty on")
    await bot.post_in_topic(BORYS, 1, "/duty off")
    await ask_for_a_person(bot, person())
    assert await remind_at(bot, 11) == 1
    reminder = bot.in_group()[-1].text or ""
    assert reminder.endswith('<a href="tg://user?id=9001">Ala</a>')
    assert "9002" not in reminder


async def test_a_volunteer_who_leaves_the_group_returns_their_cases_with_a_fresh_card(
    bot: Harness,
) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await bot.press_in_group(ALA, bot.in_group()[-1])
    await bot.leaves_group(ALA)
    fresh = bot.in_group()[-1]
    assert fresh.message_thread_id == 500
    assert bot.labels(fresh) == ["Узяць"]
    await bot.press_in_group(BORYS, fresh)
    assert bot.session.sent(AnswerCallbackQuery)[-1].text is None, "Borys took it"


async def test_outside_volunteer_hours_the_person_hears_when_they_come_back(
    shipped: Content, database_url: str
) -> None:
    now = utcnow()
    later = (now + timedelta(hours=2)).strftime("%H:00")
    closes = (now + timedelta(hours=3)).strftime("%H:00")
    harness = Harness(
        shipped,
        database_url,
        volunteer_chat_id=GROUP,
        hours=f"{later}-{closes}",
    )
    try:
        zoe = person()
        await ask_for_a_person(harness, zoe)
        assert harness.last_to(zoe).text.startswith(
            f"Volunteers aren't around right now, so an answer may come only after {later}."
        )
    finally:
        await harness.close()


async def test_with_a_yes_the_volunteer_sees_the_steps_taken_never_the_words_typed(
    bot: Harness,
) -> None:
    zoe = person()
    await bot.say(zoe, "/start feelings")
    await bot.press(zoe, "Something else")
    await bot.press(zoe, "Hard to say")
    await bot.press(zoe, "Try to name it")
    await bot.say(zoe, "secret words of mine")
    await bot.say(zoe, "/human")
    await bot.press(zoe, "About feelings")
    await bot.press(zoe, "Yes, show them")
    summary = bot.in_group()[-1]
    assert summary.message_thread_id == 500
    assert summary.text == (
        "Чалавек дазволіў паказаць шлях у боце: feelings: how_are_you › feelings: more › "
        "feelings: hard_to_say › feelings: name_it › feelings: named"
    )
    assert "secret" not in (summary.text or "")


async def test_without_a_yes_nothing_about_the_path_is_shared(bot: Harness) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    posted = len(bot.in_group())
    await bot.press(zoe, "No, thank you")
    assert len(bot.in_group()) == posted


async def test_the_person_can_end_with_a_button_and_a_new_request_opens_a_new_case(
    bot: Harness,
) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await bot.press_in_group(ALA, bot.in_group()[-1])
    connected = bot.last_to(zoe)
    assert bot.labels(connected) == ["End the conversation"]
    await bot.press(zoe, "End the conversation", on=connected)
    assert [c.message_thread_id for c in bot.session.sent(CloseForumTopic)] == [500]
    await ask_for_a_person(bot, zoe)
    assert [t.name for t in bot.session.sent(CreateForumTopic)] == ["#1 · Пачуцці", "#2 · Пачуцці"]


async def test_saying_it_is_urgent_later_makes_the_waiting_case_urgent_at_once(
    bot: Harness,
) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    await bot.say(zoe, "/human")
    await bot.press(zoe, "It's urgent")
    assert len(bot.session.sent(CreateForumTopic)) == 1, "still one case"
    renamed = bot.session.sent(EditForumTopic)[-1].name
    assert renamed == "#1 · Пачуцці · тэрмінова: выбраў(-ла) «тэрмінова»"
    assert (bot.in_group()[-1].text or "").startswith(
        "<b>Тэрмінова (выбраў(-ла) «тэрмінова»).</b> Зварот #1"
    )


async def test_a_volunteer_without_an_alias_is_a_volunteer_in_the_persons_language(
    bot: Harness,
) -> None:
    zoe = person(language_code="ru")
    await bot.say(zoe, "/human")
    await bot.press(zoe, "О чувствах")
    await bot.press_in_group(ALA, bot.in_group()[-1])
    assert bot.last_to(zoe).text.startswith("Волонтёр уже на связи.")


async def test_the_person_hears_a_volunteer_came_even_if_the_card_cannot_be_edited(
    bot: Harness,
) -> None:
    zoe = person()
    await ask_for_a_person(bot, zoe)
    bot.session.fail(
        EditMessageText,
        TelegramBadRequest(
            method=EditMessageText(text="x"), message="Bad Request: message to edit not found"
        ),
    )
    await bot.press_in_group(ALA, bot.in_group()[-1])
    assert bot.last_to(zoe).text.startswith("A volunteer is here now.")

"""The handoff's words and buttons: typed texts from system.yaml, rendered in the right
language, and the buttons as aiogram CallbackData (never hand-made strings)."""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData

import dialogs
from bot.conversation.buttons import MenuButton
from bot.storage.models import Case
from bot.telegram.send import Buttons
from dialogs import Content, schema
from dialogs.live import LiveContent
from dialogs.model import Texts


class TakeCase(CallbackData, prefix="take"):
    """A volunteer takes a case (the button under its card)."""

    case: int


class WaitingChoice(CallbackData, prefix="case"):
    """The person's answer to a long wait, or the end button of a conversation."""

    choice: str  # "wait", "stop" or "end"


class Helped(CallbackData, prefix="helped"):
    """After a conversation: did it help? ("yes" or "no"), with the one-time token of that
    question, so that only people who were asked are counted, once each."""

    answer: str
    token: str


class Confirm(CallbackData, prefix="send"):
    """Send the phone number or the place the person shared to the volunteer? ("yes", "no")."""

    answer: str


class Share(CallbackData, prefix="share"):
    """May the volunteer see the steps the person went through? ("yes" or "no")."""

    answer: str


KEEP, STOP, END = "wait", "stop", "end"


class Words:
    """The handoff's texts as the person reads them (their language) and the group does (the
    default language)."""

    def __init__(self, live: LiveContent) -> None:
        assert live.current.system.handoff is not None, "handoff runs only with its words"
        self.live = live

    @property
    def content(self) -> Content:
        """The content live now (a reload keeps the handoff's words: bot/reloading.py)."""
        return self.live.current

    @property
    def texts(self) -> schema.Handoff:
        texts = self.content.system.handoff
        assert texts is not None, "handoff runs only with its words"
        return texts

    @property
    def group(self) -> str:
        """The volunteers' groups read the default language."""
        return self.content.default_locale

    def text(self, texts: Texts, locale: str | None = None, **extra: Any) -> str:
        return self.content.renderer.text(texts, locale or self.group, extra=extra)

    def label(self, texts: Texts, locale: str | None = None, **extra: Any) -> str:
        return self.content.renderer.label(texts, locale or self.group, extra=extra)

    def case_names(self, case: Case) -> dict[str, Any]:
        """What the group reads about a case: never who it is."""
        topics, reasons = self.content.topics, self.content.reasons
        subject = topics.get(case.subject)
        reason = reasons.get(case.reason or "")
        return {
            "number": case.id,
            "subject": self.label(subject) if subject else case.subject,
            "urgent": case.urgent,
            "reason": self.label(reason) if reason else "",
            "language": self.content.languages.get(case.locale or "", case.locale or ""),
        }

    def menu_label(self, locale: str) -> str:
        return self.content.renderer.label(self.content.system.labels["menu"], locale)

    # -- keyboards -----------------------------------------------------------------------

    def take(self, case: Case) -> Buttons:
        return [(self.label(self.texts.take_button), TakeCase(case=case.id).pack())]

    def waiting(self, locale: str) -> Buttons:
        return [
            (self.label(self.texts.keep_waiting_button, locale), WaitingChoice(choice=KEEP).pack()),
            (self.label(self.texts.stop_waiting_button, locale), WaitingChoice(choice=STOP).pack()),
            (self.menu_label(locale), MenuButton().pack()),
        ]

    def end(self, locale: str) -> Buttons:
        return [(self.label(self.texts.end_button, locale), WaitingChoice(choice=END).pack())]

    def share(self, locale: str) -> Buttons:
        return [
            (self.label(self.texts.share_yes, locale), Share(answer="yes").pack()),
            (self.label(self.texts.share_no, locale), Share(answer="no").pack()),
        ]

    def helped(self, locale: str, token: str) -> Buttons:
        """Did it help, and, when content offers check-ins, a way to ask for one."""
        buttons = [
            (self.label(self.texts.helped_yes, locale), Helped(answer="yes", token=token).pack()),
            (self.label(self.texts.helped_no, locale), Helped(answer="no", token=token).pack()),
        ]
        offer = self.texts.checkin_offer_button
        if offer is not None and self.live.current.checkins is not None:
            buttons.append((self.label(offer, locale), dialogs.CHECKIN_OFFER))
        return buttons

    def confirm(self, locale: str) -> Buttons:
        return [
            (self.label(self.texts.confirm_send, locale), Confirm(answer="yes").pack()),
            (self.label(self.texts.confirm_cancel, locale), Confirm(answer="no").pack()),
        ]

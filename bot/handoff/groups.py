"""The volunteers' groups (VOLUNTEER_CHAT_ID names one or more): each has its own budget of
about 20 messages a minute, so more groups take more people in a surge. A case goes to a group
that speaks its language, the one where fewest wait; the database knows a group only by a
pseudonym of its id."""

from __future__ import annotations

from collections.abc import Iterable

from bot.config import VolunteerGroup
from bot.privacy.pseudonyms import Pseudonymizer


class Groups:
    def __init__(self, groups: Iterable[VolunteerGroup], pseudonyms: Pseudonymizer) -> None:
        listed = tuple(groups)
        assert listed, "handoff runs only with a volunteers' group"
        self._by_key: dict[str, VolunteerGroup] = {
            pseudonyms.of("group", group.chat_id): group for group in listed
        }
        self._by_chat: dict[int, str] = {group.chat_id: key for key, group in self._by_key.items()}
        self.first = next(iter(self._by_key))

    def __len__(self) -> int:
        return len(self._by_key)

    @property
    def chat_ids(self) -> frozenset[int]:
        return frozenset(self._by_chat)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self._by_key)

    def key_of(self, chat_id: int) -> str | None:
        return self._by_chat.get(chat_id)

    def chat_of(self, key: str | None) -> int:
        """The group's chat id; a case from before there were several is in the first group."""
        group = self._by_key.get(key or self.first) or self._by_key[self.first]
        return group.chat_id

    def key_or_first(self, key: str | None) -> str:
        return key if key in self._by_key else self.first

    def for_language(self, locale: str | None) -> tuple[str, ...]:
        """The groups that take requests in this language (all, when none names it)."""
        named = tuple(
            key for key, group in self._by_key.items() if locale and locale in group.languages
        )
        if named:
            return named
        open_to_all = tuple(key for key, group in self._by_key.items() if not group.languages)
        return open_to_all or tuple(self._by_key)

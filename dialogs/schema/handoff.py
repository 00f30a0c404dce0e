"""The words of the handoff to a volunteer, and the names each may use."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dialogs.schema.base import Strict, Text

_CASE = {
    "number": 12,
    "subject": "Feelings",
    "urgent": True,
    "reason": "crisis words",
    "language": "English",
}
HANDOFF_NAMES: dict[str, dict[str, Any]] = {
    "connected": {"alias": "Ala"},
    "volunteer_ended": {"alias": "Ala"},
    "topic_name": _CASE,
    "topic_taken_name": {**_CASE, "alias": "Ala"},
    "card": {**_CASE, "waited": 3, "on_duty": "Ala, Borys"},
    "reminder": {**_CASE, "waited": 12, "on_duty": "Ala, Borys"},
    "timeout": {"waited": 60},
    "urgent_timeout": {"waited": 10},
    "outside_hours": {"opens": "10:00"},
    "summary": {"path": "feelings: how_are_you › feelings: anxious › feelings: breathe"},
    "stats": {
        "total": 12,
        "subjects": [{"name": "Feelings", "count": 7}, {"name": "Safety", "count": 5}],
        "median": "4",
        "p90": "18",
        "quick": 83,
        "helped_yes": 9,
        "helped_no": 2,
        "checkins_on": 4,
        "checkin_answers": [{"answer": "fine", "count": 3}, {"answer": "hard", "count": 1}],
    },
    "taken": {**_CASE, "alias": "Ala"},
    "busy": {"minutes": 12, "urgent": True},
    "digest": {
        "cases": [
            {"number": 12, "subject": "Feelings", "urgent": True, "reason": "crisis", "waited": 14},
            {"number": 13, "subject": "Safety", "urgent": False, "reason": "", "waited": 9},
        ],
        "on_duty": "Ala, Borys",
    },
    "content_refused": {
        "problems": ["content/flows/feelings.yaml:12: flow 'feelings' has no step 'calmm'"],
        "more": 2,
    },
}
"""Names each handoff text may use beyond the shared ones, with sample values for `check`."""

FOR_VOLUNTEERS = frozenset(
    {
        "topic_name",
        "topic_taken_name",
        "card",
        "taken",
        "already_taken",
        "not_a_volunteer",
        "note_not_sent",
        "person_ended",
        "volunteer_ended",
        "reminder",
        "summary",
        "stats",
        "digest",
        "content_refused",
    }
)
"""Handoff texts read in the volunteers' group, at a desk; every other one reaches the person."""


class Handoff(Strict):
    """Words of the handoff to a volunteer: to the person, and to the volunteers' group."""

    connected: Text = Field(description="To the person: a volunteer took the case. {{ alias }}.")
    ended_by_volunteer: Text = Field(description="To the person: the volunteer ended it.")
    ended_by_you: Text = Field(description="To the person, after /end.")
    already_asked: Text = Field(description="To the person asking again while a case is open.")
    volunteers_unavailable: Text = Field(description="To the person: volunteers not reachable.")
    not_delivered: Text = Field(description="To the person: a message did not reach the volunteer.")
    end_button: Text = Field(description="The person's button that ends the conversation.")
    default_alias: Text = Field(description="How a volunteer without an alias is called.")
    topic_name: Text = Field(
        description="A case's topic in the group (neutral, at most 128): number, subject, "
        "urgent, reason (why it is urgent, may be empty)."
    )
    topic_taken_name: Text = Field(description="The topic's name once taken; also {{ alias }}.")
    card: Text = Field(
        description="The case card: number, subject, urgent, reason, language, waited, "
        "on_duty (links that notify the volunteers on duty; given for an urgent case)."
    )
    take_button: Text = Field(description="The button under the card.")
    taken: Text = Field(description="The card once taken: number, subject, urgent, alias.")
    already_taken: Text = Field(description="Note to a volunteer pressing Take too late.")
    not_a_volunteer: Text = Field(description="Note to someone outside the group pressing Take.")
    note_not_sent: Text = Field(description="Under a message in a topic that was not relayed.")
    person_ended: Text = Field(description="To the group: the person ended the conversation.")
    volunteer_ended: Text = Field(description="To the group: {{ alias }} ended it.")
    reminder: Text = Field(
        description="In a case's topic when it becomes urgent while nobody has taken it: "
        "number, subject, urgent, reason, waited, on_duty (links to volunteers on duty)."
    )
    timeout: Text = Field(description="To the person when nobody came for long: {{ waited }}.")
    urgent_timeout: Text = Field(
        description="To the person after URGENT_TIMEOUT_MINUTES of an urgent request: "
        "{{ waited }}; say where help is now ({{ help_now }})."
    )
    keep_waiting_button: Text = Field(description="The person's button: keep waiting.")
    stop_waiting_button: Text = Field(description="The person's button: stop waiting.")
    kept_waiting: Text = Field(description="To the person who chose to keep waiting.")
    share_question: Text = Field(description="To the person: may the volunteer see the path?")
    share_yes: Text = Field(description="Button: yes, share the path.")
    share_no: Text = Field(description="Button: no.")
    shared: Text = Field(description="Short note after sharing (at most 200).")
    summary: Text = Field(description="In the topic, after a yes: {{ path }} (steps only).")
    outside_hours: Text = Field(
        description="To the person asking outside VOLUNTEER_HOURS: {{ opens }} (e.g. 10:00)."
    )
    did_it_help: Text = Field(description="To the person after the end: did it help?")
    helped_yes: Text = Field(description="Button: it helped.")
    helped_no: Text = Field(description="Button: it did not really help.")
    helped_thanks: Text = Field(description="Short note after the answer (at most 200).")
    stats: Text = Field(
        description="/stats for admins: total, subjects (name, count), median, p90, quick (%), "
        "helped_yes, helped_no."
    )
    busy: Text = Field(
        description="To the person when many write at once: the request is saved and roughly "
        "when volunteers see it: {{ minutes }}, {{ urgent }} (then say where help is now)."
    )
    confirm_contact: Text = Field(description="Before a phone number goes to the volunteer.")
    confirm_location: Text = Field(description="Before a place on the map goes to the volunteer.")
    confirm_send: Text = Field(description="Button: yes, send it.")
    confirm_cancel: Text = Field(description="Button: no.")
    not_sent: Text = Field(description="Short note after no (at most 200).")
    digest: Text = Field(
        description="In the group's General topic, edited in place: the cases nobody took "
        "(cases: number, subject, urgent, reason, waited) and on_duty (mentions)."
    )
    content_refused: Text | None = Field(
        default=None,
        description="In the group's General topic, for admins: changed content had errors, "
        "the previous version is still served. {{ problems }} (check's lines), {{ more }} "
        "(how many more were not listed).",
    )
    checkin_offer_button: Text | None = Field(
        default=None,
        description="Button under the thanks after a conversation with a volunteer: opens the "
        "check-in offer (settings.yaml `checkins: offer:`).",
    )

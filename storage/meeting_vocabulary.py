"""The stored words of a CdeP meeting, in one home: how it is held (its mode) and the kinds of
its agenda lines.

Meetings store them; presence credits hours by mode (a check-in in the room, the Graph report
online) and leaves some agenda kinds out (the community profile's ``[presence]
excluded_kinds``, checked against the same list). cards/ keeps its own ordered copy for the
planning form, as it may not import storage.
"""

from __future__ import annotations

from enum import StrEnum


class MeetingMode(StrEnum):
    IN_PERSON = "presentiel"
    VIRTUAL = "virtuel"
    HYBRID = "hybride"


MODES = tuple(MeetingMode)
# Modes with people in a room (check-in codes) and with an online part (Graph attendance).
ROOM_MODES = (MeetingMode.IN_PERSON, MeetingMode.HYBRID)
ONLINE_MODES = (MeetingMode.VIRTUAL, MeetingMode.HYBRID)


# Agenda line kinds, in the planning form's order.
AGENDA_KINDS = (
    "accueil",
    "tour_de_table",
    "affaires_diverses",
    "supervision",
    "repas",
    "atelier_conference",
    "autre",
)

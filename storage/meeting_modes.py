"""How a CdeP meeting is held: the one home of the stored mode values.

Meetings store the mode; presence credits hours by it (a check-in in the room, the Graph report
online); cards show it. All read these names.
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

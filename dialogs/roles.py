"""Roles a person can hold in the community, ordered by what they may do."""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    MEMBER = 1
    SPONSOR = 2  # parrain: reads the vitality report (``sponsors`` in the community profile)
    ANIMATEUR = 3

    def allows(self, needed: Role) -> bool:
        return self >= needed

"""Roles a person can hold in the community, ordered by what they may do."""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    MEMBER = 1
    ANIMATEUR = 2

    def allows(self, needed: Role) -> bool:
        return self >= needed

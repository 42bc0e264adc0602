"""Québec's statutory holidays, as plain dates (pure: no clock, no I/O).

Polls leave them out of the dates they propose; meeting planning can use the same list.
"""

from __future__ import annotations

from datetime import date, timedelta


def easter(year: int) -> date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def quebec_holidays(year: int) -> set[date]:
    """Québec's statutory holidays (Loi sur les normes du travail), with both Good Friday and
    Easter Monday (the employer picks one; the health network gives both)."""

    def nth_monday(month: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(7 - first.weekday()) % 7 + 7 * (n - 1))

    may_24 = date(year, 5, 24)
    return {
        date(year, 1, 1),
        easter(year) - timedelta(days=2),
        easter(year) + timedelta(days=1),
        may_24 - timedelta(days=may_24.weekday()),  # Journée nationale des patriotes
        date(year, 6, 24),
        date(year, 7, 1),
        nth_monday(9, 1),  # fête du Travail
        nth_monday(10, 2),  # Action de grâce
        date(year, 12, 25),
    }

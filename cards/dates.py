"""Dates and times as people read them, in the card's language (Babel).

fr-CA: « mardi 7 mai 2024 », « 9 h 00 », « mardi 7 mai 2024, 9 h 00 »;
en: "Tuesday, May 7, 2024", "9:00 AM".
"""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_date, format_time

from cards.i18n import Translator


def long_date(day: date | datetime, t: Translator) -> str:
    if t.locale == "fr-CA":
        return format_date(day, "EEEE d MMMM y", locale="fr_CA")
    return format_date(day, "EEEE, MMMM d, y", locale="en")


def day_month_year(day: date, t: Translator) -> str:
    """« 1er septembre 2026 », « 30 juin 2027 » / "September 1, 2026" (no weekday)."""
    if t.locale == "fr-CA":
        pattern = "'1er' MMMM y" if day.day == 1 else "d MMMM y"
        return format_date(day, pattern, locale="fr_CA")
    return format_date(day, "MMMM d, y", locale="en")


def cycle_text(label: str, start: date, end: date, t: Translator) -> str:
    """« Cycle 2026-2027, du 1er septembre 2026 au 30 juin 2027 »."""
    return t(
        "period.cycle",
        label=label,
        start=day_month_year(start, t),
        end=day_month_year(end, t),
    )


def hours_year_text(label: str, start: date, end: date, t: Translator) -> str:
    """« Année de formation 2026-2027, du 1er avril 2026 au 31 mars 2027 »."""
    return t(
        "period.hours_year",
        label=label,
        start=day_month_year(start, t),
        end=day_month_year(end, t),
    )


def short_time(moment: time | datetime, t: Translator) -> str:
    if t.locale == "fr-CA":
        return f"{moment.hour} h {moment.minute:02d}"
    return format_time(moment, "h:mm a", locale="en")


def long_date_time(moment: datetime, t: Translator) -> str:
    return f"{long_date(moment, t)}, {short_time(moment, t)}"

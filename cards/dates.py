"""Dates and times as people read them, in the card's language (Babel).

fr-CA: « mardi 7 mai 2024 », « lundi 1er février 2027 », « 9 h 00 », « mardi 7 mai 2024, 9 h 00 »;
en: "Tuesday, May 7, 2024", "9:00 AM". French writes the first day of a month « 1er ».
"""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_date, format_time

from cards.i18n import Translator


def _day(day: date | datetime) -> str:
    """The day of the month in a Babel pattern: « 1er » for the first, else the number."""
    return "'1er'" if day.day == 1 else "d"


def long_date(day: date | datetime, t: Translator) -> str:
    if t.locale == "fr-CA":
        return format_date(day, f"EEEE {_day(day)} MMMM y", locale="fr_CA")
    return format_date(day, "EEEE, MMMM d, y", locale="en")


def day_month_year(day: date | datetime, t: Translator) -> str:
    """« 1er septembre 2025 », « 12 mai 2026 » / "September 1, 2025"."""
    if t.locale == "fr-CA":
        return format_date(day, f"{_day(day)} MMMM y", locale="fr_CA")
    return format_date(day, "MMMM d, y", locale="en")


def short_date(day: date | datetime, t: Translator) -> str:
    """« 1er sept. 2025 », « 12 sept. 2025 » / "Sep 12, 2025"."""
    if t.locale == "fr-CA":
        return format_date(day, f"{_day(day)} MMM y", locale="fr_CA")
    return format_date(day, "medium", locale="en")


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

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


def short_time(moment: time | datetime, t: Translator) -> str:
    if t.locale == "fr-CA":
        return f"{moment.hour} h {moment.minute:02d}"
    return format_time(moment, "h:mm a", locale="en")


def long_date_time(moment: datetime, t: Translator) -> str:
    return f"{long_date(moment, t)}, {short_time(moment, t)}"

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from cards.dates import long_date, long_date_time, short_time
from cards.i18n import Translator

FR, EN = Translator("fr-CA"), Translator("en")


def test_french_dates_read_like_the_agenda() -> None:
    assert long_date(date(2024, 5, 7), FR) == "mardi 7 mai 2024"
    assert short_time(time(9, 0), FR) == "9 h 00"
    assert short_time(time(13, 15), FR) == "13 h 15"
    moment = datetime(2024, 5, 7, 9, 0, tzinfo=ZoneInfo("America/Montreal"))
    assert long_date_time(moment, FR) == "mardi 7 mai 2024, 9 h 00"


def test_english_dates() -> None:
    assert long_date(date(2024, 5, 7), EN) == "Tuesday, May 7, 2024"
    assert short_time(time(13, 15), EN) == "1:15 PM"

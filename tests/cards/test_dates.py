from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from cards.dates import day_month_year, long_date, long_date_time, short_date, short_time
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


def test_the_first_of_a_month_is_written_1er() -> None:
    assert long_date(date(2027, 2, 1), FR) == "lundi 1er février 2027"
    assert long_date(date(2027, 2, 11), FR) == "jeudi 11 février 2027"
    assert day_month_year(date(2025, 9, 1), FR) == "1er septembre 2025"
    assert short_date(date(2025, 12, 1), FR) == "1er déc. 2025"
    assert short_date(date(2025, 12, 11), FR) == "11 déc. 2025"
    moment = datetime(2027, 2, 1, 9, 0, tzinfo=ZoneInfo("America/Montreal"))
    assert long_date_time(moment, FR) == "lundi 1er février 2027, 9 h 00"
    assert long_date(date(2027, 2, 1), EN) == "Monday, February 1, 2027"
    assert day_month_year(date(2025, 9, 1), EN) == "September 1, 2025"

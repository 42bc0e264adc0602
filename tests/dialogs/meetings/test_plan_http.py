"""``planifier`` / ``plan`` through the bot's HTTP endpoint, at an injected clock: the cycle
2027-2028 computed by hand in test_planning.py, for the example profile's two committees."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from cards.dates import cycle_text, long_date
from cards.i18n import Translator
from cards.meetings import span_text
from cards.render import MAX_CARD_BYTES
from dialogs.cycles import Cycle
from tests.bot.conftest import ANIMATEUR_AAD, BotHttp, card_of, texts_of
from tests.cards.card_schema import schema_errors
from tests.dialogs.meetings.conftest import (
    CHANNEL,
    MEMBERS,
    click,
    plan_meeting,
    say_in_channel,
    set_clock,
    verbs_of,
    walk,
)

FR = Translator("fr-CA")
EN = Translator("en")
pytestmark = pytest.mark.integration
# Tuesday 15 June 2027 at noon in Montréal: the coming cycle is 2027-2028.
NOON = datetime(2027, 6, 15, 16, 0, tzinfo=UTC)
CH = "Comité des centres hospitaliers"
CLSC = "Comité des CLSC"
ROOM_1 = "Hôpital Charles-Le Moyne, salle 2-110"
ROOM_2 = "CLSC Samuel-de-Champlain, salle polyvalente"


def section(card: dict[str, Any], title: str) -> list[str]:
    """The lines of the card's part headed ``title`` (a proposal line's text is the first
    TextBlock of its row)."""
    for node in walk(card):
        items = node.get("items") or []
        if items and items[0].get("text") == title:
            return [
                next(str(n["text"]) for n in walk(item) if n.get("type") == "TextBlock")
                for item in items[1:]
            ]
    return []


def line(day: date, committees: str, place: str, t: Translator = FR) -> str:
    when = t("meetings.plan.line", date=long_date(day, t), span=span_text(time(9), time(16), t))
    return t("meetings.plan.separator").join([when, committees, t("meetings.mode.hybride"), place])


def joint(t: Translator = FR, names: tuple[str, str] = (CH, CLSC)) -> str:
    both = t("meetings.card.committee_separator").join(names)
    return t("meetings.card.joint", committees=both)


async def test_an_animateur_gets_the_whole_cycle_and_a_member_is_refused(bot_http: BotHttp) -> None:
    set_clock(bot_http, NOON)
    await bot_http.post(bot_http.activity("planifier", aad=MEMBERS["alice"]))
    assert bot_http.replies()[-1]["text"] == FR("errors.forbidden")

    await bot_http.post(bot_http.activity("planifier", aad=ANIMATEUR_AAD))
    card = card_of(bot_http.replies()[-1])
    assert schema_errors(card) == []
    assert len(str(card).encode("utf-16-le")) < MAX_CARD_BYTES
    period = Cycle().starting(2027)
    assert FR("meetings.plan.heading", year="2027-2028") in texts_of(card)
    assert cycle_text(period.label, period.start, period.end, FR) in texts_of(card)
    assert FR.plural("meetings.plan.summary", 8) in texts_of(card)
    assert section(card, FR("meetings.plan.proposed")) == [
        line(date(2027, 10, 5), CH, ROOM_1),
        line(date(2027, 10, 6), CLSC, ROOM_2),
        line(date(2027, 11, 2), joint(), ROOM_1),
        line(date(2028, 2, 1), CH, ROOM_2),
        line(date(2028, 2, 2), CLSC, ROOM_1),
        line(date(2028, 4, 4), joint(), ROOM_2),
        line(date(2028, 5, 2), CH, ROOM_1),
        line(date(2028, 5, 3), CLSC, ROOM_2),
    ]
    assert (
        "mardi 5 octobre 2027, 9 h 00 à 16 h 00" in section(card, FR("meetings.plan.proposed"))[0]
    )
    # In 1:1 the proposal can be edited, and the card says to publish from the channel.
    assert "meetings.plan_publish" not in verbs_of(card)
    assert "meetings.plan_edit" in verbs_of(card)
    assert FR("meetings.plan.in_personal") in texts_of(card)

    # English, and a cycle chosen by name.
    await bot_http.choose_language(ANIMATEUR_AAD, "en")
    await bot_http.post(bot_http.activity("plan 2027-2028", aad=ANIMATEUR_AAD, locale="en-US"))
    english = card_of(bot_http.replies()[-1])
    assert schema_errors(english) == []
    assert EN("meetings.plan.heading", year="2027-2028") in texts_of(english)
    assert section(english, EN("meetings.plan.proposed"))[2] == line(
        date(2027, 11, 2), joint(EN, ("Hospital centres committee", "CLSC committee")), ROOM_1, EN
    )
    await bot_http.post(bot_http.activity("plan tomorrow", aad=ANIMATEUR_AAD, locale="en-US"))
    assert bot_http.replies()[-1]["text"] == EN(
        "meetings.plan.usage", example="2027-2028", first=2027
    )


async def test_replanning_after_one_meeting_proposes_one_fewer(bot_http: BotHttp) -> None:
    set_clock(bot_http, NOON)
    await plan_meeting(bot_http, committees="ch", day="2027-10-05")
    await bot_http.post(say_in_channel(bot_http, "planifier 2027-2028"))
    card = card_of(bot_http.replies(CHANNEL)[-1])
    assert schema_errors(card) == []
    assert FR.plural("meetings.plan.summary", 7) in texts_of(card)
    proposed = section(card, FR("meetings.plan.proposed"))
    assert len(proposed) == 7
    assert not any(long_date(date(2027, 10, 5), FR) in text for text in proposed)
    assert long_date(date(2027, 10, 6), FR) in proposed[0]
    existing = section(card, FR.plural("meetings.plan.existing", 1))
    assert len(existing) == 1
    assert "Journée régionale psychosociale" in existing[0]
    assert long_date(date(2027, 10, 5), FR) in existing[0]


async def test_a_cancelled_meeting_is_listed_but_still_proposed(bot_http: BotHttp) -> None:
    set_clock(bot_http, NOON)
    planned = await plan_meeting(bot_http, committees="ch", day="2027-10-05")
    status, _ = await bot_http.post(
        click(
            bot_http,
            "meetings.cancel",
            {"meeting_id": planned.meeting_id},
            aad=ANIMATEUR_AAD,
            reply_to=planned.card_id,
        )
    )
    assert status == 200
    await bot_http.post(bot_http.activity("planifier", aad=ANIMATEUR_AAD))
    card = card_of(bot_http.replies()[-1])
    assert FR.plural("meetings.plan.summary", 8) in texts_of(card)
    # The cancelled meeting neither counts nor holds its day: the hand-computed year again.
    assert section(card, FR("meetings.plan.proposed"))[0] == line(date(2027, 10, 5), CH, ROOM_1)
    existing = section(card, FR.plural("meetings.plan.existing", 1))
    assert len(existing) == 1
    assert existing[0].startswith(FR("meetings.plan.cancelled", line=""))


async def test_a_cycle_that_is_over_is_not_planned_nor_said_complete(bot_http: BotHttp) -> None:
    # 30 June 2028, the last day of the 2027-2028 cycle: the 2026-2027 one is over, and no day
    # is left in 2027-2028 for its eight meetings; its card must not call it complete.
    set_clock(bot_http, datetime(2028, 6, 30, 16, 0, tzinfo=UTC))
    await bot_http.post(bot_http.activity("planifier 2026-2027", aad=ANIMATEUR_AAD))
    assert bot_http.replies()[-1]["text"] == FR(
        "meetings.plan.ended", year="2026-2027", example="2028-2029"
    )
    await bot_http.post(bot_http.activity("planifier 2027-2028", aad=ANIMATEUR_AAD))
    card = card_of(bot_http.replies()[-1])
    texts = texts_of(card)
    assert FR("meetings.plan.complete") not in texts
    assert texts.count(FR.plural("meetings.plan.unplaced", 8)) == 1  # the summary, once
    assert section(card, FR("meetings.plan.proposed")) == []

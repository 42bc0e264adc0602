"""RecentActivities: what a redelivery gets, and what the cache keeps (bounded in bytes)."""

from botbuilder.core import InvokeResponse
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.dedupe import RecentActivities


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _card_response(size: int) -> InvokeResponse:
    card = {
        "type": "AdaptiveCard",
        "body": [{"type": "TextBlock", "text": f"ligne {n}"} for n in range(size)],
    }
    return InvokeResponse(
        status=200,
        body=AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.card.adaptive", value=card
        ),
    )


async def test_a_copy_during_the_first_delivery_waits_for_its_response() -> None:
    recent = RecentActivities(clock=Clock())
    assert recent.claim("a") is None
    waiting = recent.claim("a")
    assert waiting is not None
    assert not waiting.done()

    response = _card_response(3)
    recent.settle("a", response)

    assert await waiting is response


async def test_a_later_copy_gets_an_equal_response_rebuilt_from_bytes() -> None:
    recent = RecentActivities(clock=Clock())
    recent.claim("a")
    response = _card_response(500)
    recent.settle("a", response)

    later = recent.claim("a")

    assert later is not None
    copy = await later
    assert copy.status == 200
    assert copy.body.value == response.body.value
    assert 0 < recent.result_bytes < 10_000  # a 500-line card, compressed


async def test_responses_are_dropped_after_result_ttl_but_the_id_stays() -> None:
    clock = Clock()
    recent = RecentActivities(clock=clock, result_ttl=120.0, ttl_seconds=600.0)
    recent.claim("a")
    recent.settle("a", _card_response(5))

    clock.now = 121.0
    later = recent.claim("a")

    assert later is not None
    assert await later is None
    assert recent.result_bytes == 0
    clock.now = 601.0
    assert recent.claim("a") is None  # forgotten: a new first delivery


async def test_the_byte_bound_drops_the_oldest_responses_first() -> None:
    recent = RecentActivities(clock=Clock(), max_result_bytes=6_000)
    for n in range(40):
        key = f"k{n}"
        recent.claim(key)
        recent.settle(key, _card_response(300 + n))

    assert recent.result_bytes <= 6_000
    assert await recent.claim("k0") is None  # type: ignore[misc]
    newest = await recent.claim("k39")  # type: ignore[misc]
    assert len(newest.body.value["body"]) == 339


async def test_a_message_copy_is_recognised_without_a_response() -> None:
    recent = RecentActivities(clock=Clock())
    assert recent.claim("m") is None
    recent.settle("m")

    copy = recent.claim("m")

    assert copy is not None
    assert await copy is None
    assert recent.result_bytes == 0
